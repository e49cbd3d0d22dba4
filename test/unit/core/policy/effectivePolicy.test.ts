import * as assert from "node:assert/strict";
import { resolveEffectivePolicy, type EffectivePolicyInput } from "../../../../src/core/policy/effectivePolicy";
import { parsePolicy } from "../../../../src/core/policy/parsePolicy";
import { policyContentHash } from "../../../../src/core/policy/policyContentHash";
import { BUILTIN_USER_DEFAULTS, FEATURES, type UserPolicyDefaults } from "../../../../src/core/policy/policyModel";
import { applyUserOverrides } from "../../../../src/core/policy/userPolicyDefaults";

const GPT = { provider: "openai", model: "gpt-4o-mini" } as const;
const HAIKU = { provider: "anthropic", model: "claude-haiku-4-5" } as const;

/** A user who lets chat ask for GPT-4o-mini and keeps everything else local. */
const USER: UserPolicyDefaults = {
  ...BUILTIN_USER_DEFAULTS,
  features: {
    ...BUILTIN_USER_DEFAULTS.features,
    chat: { route: "cloud", cloudAccess: "ask", cloudModels: [GPT] },
    edit: { route: "cloud", cloudAccess: "allow", cloudModels: [GPT, HAIKU] },
  },
};

function resolve(text: string | undefined, options: Partial<EffectivePolicyInput> = {}) {
  const workspace =
    text === undefined ? undefined : { policy: parsePolicy(text, ".hearth/policy.json").policy, contentHash: policyContentHash(text) };
  return resolveEffectivePolicy({ userDefaults: USER, workspace, trusted: true, consents: new Set<string>(), ...options });
}

describe("resolveEffectivePolicy", () => {
  it("uses the user's defaults when the workspace has no policy file", () => {
    const effective = resolve(undefined);
    assert.deepEqual(effective.features, USER.features);
    assert.equal(effective.needsConsent, undefined);
    assert.equal(effective.localOnlyReason, undefined);
  });

  it("untrusted workspace is local-only, whatever the user and the file allow", () => {
    const text = '{ "features": { "chat": { "route": "cloud", "cloudAccess": "allow" } } }';
    const effective = resolve(text, { trusted: false, consents: new Set([policyContentHash(text)]) });
    assert.equal(effective.localOnlyReason, "untrusted");
    for (const feature of FEATURES) assert.deepEqual(effective.features[feature], { route: "local", cloudAccess: "deny", cloudModels: [] });
    assert.equal(effective.redactSecrets, true);
    assert.equal(effective.needsConsent, undefined);
  });

  it("a policy file with any error makes the folder local-only", () => {
    const effective = resolve('{ "features": { "chat": { "route": "clod" } } }');
    assert.equal(effective.localOnlyReason, "invalidPolicy");
    assert.equal(effective.features.chat.route, "local");
    assert.equal(effective.features.edit.route, "local");
  });

  it("refuses a workspace policy that loosens cloud access without consent", () => {
    const effective = resolve('{ "features": { "chat": { "cloudAccess": "allow" } } }');
    assert.equal(effective.features.chat.cloudAccess, "ask");
    assert.ok(effective.needsConsent);
    assert.deepEqual(
      effective.needsConsent.loosenings.map((l) => [l.path, l.userValue, l.workspaceValue]),
      [["features.chat.cloudAccess", "ask", "allow"]],
    );
  });

  it("refuses a workspace policy that sends a local-only feature to the cloud without consent", () => {
    const effective = resolve('{ "features": { "completion": { "route": "cloud", "cloudAccess": "allow", "cloudModels": ["gpt-4o-mini"] } } }');
    assert.deepEqual(effective.features.completion, { route: "local", cloudAccess: "deny", cloudModels: [] });
    assert.deepEqual(
      effective.needsConsent?.loosenings.map((l) => l.path),
      ["features.completion.route", "features.completion.cloudAccess", "features.completion.cloudModels"],
    );
  });

  it("applies the loosening once the user consented to this exact file", () => {
    const text = '{ "features": { "chat": { "cloudAccess": "allow", "cloudModels": ["gpt-4o-mini", "claude-haiku-4-5"] } } }';
    const effective = resolve(text, { consents: new Set([policyContentHash(text)]) });
    assert.deepEqual(effective.features.chat, { route: "cloud", cloudAccess: "allow", cloudModels: [GPT, HAIKU] });
    assert.equal(effective.needsConsent, undefined);
    assert.equal(effective.loosenings.length, 2, "what was loosened stays visible for the status UI");
  });

  it("a changed file asks again, even if it loosens the same things", () => {
    const reviewed = '{ "features": { "chat": { "cloudAccess": "allow" } } }';
    const edited = '{ "features": { "chat": { "cloudAccess": "allow" } } } ';
    const effective = resolve(edited, { consents: new Set([policyContentHash(reviewed)]) });
    assert.equal(effective.features.chat.cloudAccess, "ask");
    assert.equal(effective.needsConsent?.contentHash, policyContentHash(edited));
  });

  it("accepts consent as a lookup function", () => {
    const text = '{ "features": { "chat": { "cloudAccess": "allow" } } }';
    const asked: string[] = [];
    const effective = resolve(text, {
      consents: (hash) => {
        asked.push(hash);
        return true;
      },
    });
    assert.equal(effective.features.chat.cloudAccess, "allow");
    assert.deepEqual(asked, [policyContentHash(text)]);
  });

  describe("tightening always applies, with or without consent", () => {
    const text = `{
      "features": {
        "chat": { "route": "selfHosted" },
        "edit": { "cloudAccess": "ask", "cloudModels": ["claude-haiku-4-5"] }
      },
      "neverSend": ["secrets/"]
    }`;
    for (const consented of [false, true]) {
      it(consented ? "with consent" : "without consent", () => {
        const effective = resolve(text, { consents: new Set(consented ? [policyContentHash(text)] : []) });
        assert.equal(effective.features.chat.route, "selfHosted");
        assert.deepEqual(effective.features.edit, { route: "cloud", cloudAccess: "ask", cloudModels: [HAIKU] });
        assert.equal(effective.needsConsent, undefined);
        assert.ok(effective.neverSend.matches("secrets/prod.yaml"));
      });
    }
  });

  it("keeps the tightening parts of a file while its loosening parts wait for consent", () => {
    const effective = resolve('{ "features": { "edit": { "route": "selfHosted" }, "chat": { "cloudAccess": "allow" } }, "redactSecrets": true }');
    assert.equal(effective.features.edit.route, "selfHosted");
    assert.equal(effective.features.chat.cloudAccess, "ask");
    assert.deepEqual(
      effective.needsConsent?.loosenings.map((l) => l.path),
      ["features.chat.cloudAccess"],
    );
  });

  it("orders model sets by inclusion: extra models wait for consent, the shared ones apply", () => {
    const widened = resolve('{ "features": { "chat": { "cloudModels": ["claude-haiku-4-5", "gpt-4o-mini"] } } }');
    assert.deepEqual(widened.features.chat.cloudModels, [GPT]);
    assert.match(widened.needsConsent?.loosenings[0].description ?? "", /anthropic:claude-haiku-4-5/);
    const disjoint = resolve('{ "features": { "chat": { "cloudModels": ["claude-haiku-4-5"] } } }');
    assert.deepEqual(disjoint.features.chat.cloudModels, [], "a disjoint list leaves no model both sides accept");
  });

  it("turning redaction off is a loosening that needs consent", () => {
    const text = '{ "redactSecrets": false }';
    assert.equal(resolve(text).redactSecrets, true);
    assert.equal(resolve(text).needsConsent?.loosenings[0].path, "redactSecrets");
    assert.equal(resolve(text, { consents: new Set([policyContentHash(text)]) }).redactSecrets, false);
  });

  it("a workspace file turning redaction on applies even if the user turned it off", () => {
    const effective = resolveEffectivePolicy({
      userDefaults: { ...USER, redactSecrets: false },
      workspace: { policy: parsePolicy('{ "redactSecrets": true }', "p").policy, contentHash: "h" },
      trusted: true,
      consents: new Set(),
    });
    assert.equal(effective.redactSecrets, true);
    assert.equal(effective.needsConsent, undefined);
  });

  it("a workspace '!' pattern cannot lift one of the user's neverSend patterns", () => {
    const effective = resolve('{ "neverSend": ["!*.pem", "!.env"] }');
    assert.ok(effective.neverSend.matches("certs/server.pem"));
    assert.ok(effective.neverSend.matches(".env"));
    assert.equal(effective.needsConsent, undefined);
  });

  it("builds the user's defaults from settings, which may loosen freely", () => {
    const settings = parsePolicy(JSON.stringify({ features: { chat: { route: "cloud", cloudAccess: "ask", cloudModels: ["gpt-4o-mini"] } }, neverSend: ["private/"] }), "settings: hearth.policy");
    assert.ok(settings.policy);
    const user = applyUserOverrides(settings.policy);
    assert.deepEqual(user.features.chat, { route: "cloud", cloudAccess: "ask", cloudModels: [GPT] });
    assert.deepEqual(user.features.completion, BUILTIN_USER_DEFAULTS.features.completion);
    assert.ok(user.neverSend.includes("private/") && user.neverSend.includes("*.pem"));
  });
});
