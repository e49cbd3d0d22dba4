import * as assert from "node:assert/strict";
import fc from "fast-check";
import { decideRoute, remoteFactsMatter, type RouteRequest } from "../../../../src/core/policy/decideRoute";
import { resolveEffectivePolicy, type EffectivePolicy } from "../../../../src/core/policy/effectivePolicy";
import { BUILTIN_USER_DEFAULTS, type FeatureRule, type UserPolicyDefaults } from "../../../../src/core/policy/policyModel";

const GPT = { provider: "openai", model: "gpt-4o-mini" } as const;
const HAIKU = { provider: "anthropic", model: "claude-haiku-4-5" } as const;

function effectiveWith(chat: FeatureRule, trusted = true): EffectivePolicy {
  const user: UserPolicyDefaults = { ...BUILTIN_USER_DEFAULTS, features: { ...BUILTIN_USER_DEFAULTS.features, chat }, neverSend: ["secrets/", "*.pem"] };
  return resolveEffectivePolicy({ userDefaults: user, trusted, consents: new Set() });
}

const UP: RouteRequest = { files: ["src/app.ts"], localAvailable: true, fitsLocalContext: true };
const DOWN: RouteRequest = { ...UP, localAvailable: false };
const TOO_BIG: RouteRequest = { ...UP, fitsLocalContext: false };

const CLOUD_ALLOW: FeatureRule = { route: "cloud", cloudAccess: "allow", cloudModels: [GPT, HAIKU] };
const CLOUD_ASK: FeatureRule = { route: "cloud", cloudAccess: "ask", cloudModels: [GPT] };
const LOCAL_ONLY: FeatureRule = { route: "local", cloudAccess: "deny", cloudModels: [] };

describe("decideRoute", () => {
  it("runs locally whenever the local model can serve, even if the cloud is allowed", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", UP);
    assert.deepEqual([d.ok, d.ok && d.route, d.ok && d.provider, d.ok && d.needsAsk], [true, "local", "local", false]);
  });

  it("falls back to the cloud when the local model is down and the policy allows the cloud", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", DOWN);
    assert.ok(d.ok);
    assert.deepEqual([d.route, d.provider, d.model, d.needsAsk], ["cloud", "openai", "gpt-4o-mini", false]);
    assert.match(d.reason, /local model is not running/);
  });

  it("asks before the prompt leaves when cloud access is 'ask'", () => {
    const d = decideRoute(effectiveWith(CLOUD_ASK), "chat", TOO_BIG);
    assert.ok(d.ok);
    assert.equal(d.route, "cloud");
    assert.equal(d.needsAsk, true);
    assert.match(d.reason, /larger than the local model's context/);
  });

  it("refuses, saying why, when the local model is down and the feature is local-only", () => {
    const d = decideRoute(effectiveWith(LOCAL_ONLY), "chat", DOWN);
    assert.ok(!d.ok);
    assert.equal(d.code, "noRoute");
    assert.match(d.reason, /local model is not running/);
    assert.match(d.reason, /keeps chat on this machine/);
    assert.match(d.reason, /Start the local model/);
  });

  it("refuses a prompt that exceeds the local context when cloud access is 'deny'", () => {
    const d = decideRoute(effectiveWith({ route: "cloud", cloudAccess: "deny", cloudModels: [GPT] }), "chat", TOO_BIG);
    assert.ok(!d.ok);
    assert.match(d.reason, /cloud access for chat is "deny"/);
    assert.match(d.reason, /Shorten the prompt/);
  });

  it("prefers the self-hosted endpoint over the cloud when one is configured", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", { ...DOWN, selfHostedAvailable: true });
    assert.ok(d.ok);
    assert.deepEqual([d.route, d.provider, d.model], ["selfHosted", "selfHosted", undefined]);
  });

  it("pins a request with a neverSend file to this machine", () => {
    const request: RouteRequest = { ...UP, files: ["src/app.ts", "secrets/prod.env"], preferred: { route: "cloud" } };
    const local = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", request);
    assert.ok(local.ok);
    assert.equal(local.route, "local");
    const refused = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", { ...request, localAvailable: false });
    assert.ok(!refused.ok);
    assert.equal(refused.code, "neverSend");
    assert.match(refused.reason, /secrets\/prod\.env is in neverSend/);
  });

  it("honours a preferred cloud model the policy allows", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", { ...UP, preferred: { route: "cloud", model: "claude-haiku-4-5" } });
    assert.ok(d.ok);
    assert.deepEqual([d.route, d.provider, d.model], ["cloud", "anthropic", "claude-haiku-4-5"]);
  });

  it("replaces a preferred model the policy does not allow, and says so", () => {
    const d = decideRoute(effectiveWith(CLOUD_ASK), "chat", { ...UP, preferred: { route: "cloud", model: "claude-haiku-4-5" } });
    assert.ok(d.ok);
    assert.equal(d.model, "gpt-4o-mini");
    assert.match(d.reason, /model "claude-haiku-4-5" is not allowed/);
  });

  it("answers locally when the user prefers the cloud but the policy keeps the feature local", () => {
    const d = decideRoute(effectiveWith(LOCAL_ONLY), "chat", { ...UP, preferred: { route: "cloud" } });
    assert.ok(d.ok);
    assert.equal(d.route, "local");
    assert.match(d.reason, /keeps chat on this machine/);
  });

  it("skips cloud models whose vendor has no API key", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", { ...DOWN, cloudProviders: ["anthropic"] });
    assert.ok(d.ok);
    assert.equal(d.model, "claude-haiku-4-5");
    const none = decideRoute(effectiveWith(CLOUD_ALLOW), "chat", { ...DOWN, cloudProviders: [] });
    assert.ok(!none.ok);
    assert.match(none.reason, /no allowed cloud model has an API key/);
  });

  it("says the workspace is untrusted when that is what keeps a request local", () => {
    const d = decideRoute(effectiveWith(CLOUD_ALLOW, false), "chat", DOWN);
    assert.ok(!d.ok);
    assert.match(d.reason, /not trusted/);
    assert.match(d.reason, /trust the workspace/);
  });

  it("applies each feature's own rule", () => {
    const effective = effectiveWith(CLOUD_ALLOW);
    assert.equal(decideRoute(effective, "completion", DOWN).ok, false);
    assert.equal(decideRoute(effective, "chat", DOWN).ok, true);
  });

  describe("remoteFactsMatter: when it says no, the remote facts cannot change the decision", () => {
    const rule = fc.record({
      route: fc.constantFrom("local", "selfHosted", "cloud"),
      cloudAccess: fc.constantFrom("allow", "ask", "deny"),
      cloudModels: fc.subarray([GPT, HAIKU]),
    }) as fc.Arbitrary<FeatureRule>;
    const request = fc.record({
      files: fc.subarray(["src/app.ts", "secrets/key.txt", "cert.pem"]),
      preferred: fc.option(fc.record({ route: fc.constantFrom("local", "selfHosted", "cloud"), model: fc.option(fc.constantFrom("gpt-4o-mini", "claude-haiku-4-5", "gpt-5"), { nil: undefined }) }), { nil: undefined }),
      localAvailable: fc.boolean(),
      fitsLocalContext: fc.boolean(),
      selfHostedAvailable: fc.boolean(),
      cloudProviders: fc.subarray(["openai", "anthropic"] as const),
    }) as fc.Arbitrary<RouteRequest>;

    it("holds for any rule, trust, preference and local state (2,000 cases)", () => {
      let skipped = 0;
      fc.assert(
        fc.property(rule, fc.boolean(), request, (chat, trusted, facts) => {
          const effective = effectiveWith(chat, trusted);
          if (remoteFactsMatter(effective, "chat", facts)) return;
          skipped += 1;
          assert.deepEqual(decideRoute(effective, "chat", { ...facts, selfHostedAvailable: false, cloudProviders: [] }), decideRoute(effective, "chat", facts));
        }),
        { numRuns: 2000 },
      );
      // The property is about the skipped cases: enough of them must have been tried.
      assert.ok(skipped > 500, `only ${skipped} cases skipped the remote facts`);
    });

    it("says yes where they do matter: local down and the cloud allowed", () => {
      assert.equal(remoteFactsMatter(effectiveWith(CLOUD_ALLOW), "chat", DOWN), true);
      assert.equal(remoteFactsMatter(effectiveWith(CLOUD_ALLOW), "chat", { ...UP, preferred: { route: "cloud" } }), true);
      assert.equal(remoteFactsMatter(effectiveWith(CLOUD_ALLOW), "chat", UP), false);
      assert.equal(remoteFactsMatter(effectiveWith(LOCAL_ONLY), "chat", DOWN), false);
      assert.equal(remoteFactsMatter(effectiveWith(CLOUD_ALLOW, false), "chat", DOWN), false);
    });
  });
});
