// The policy of a request about files from two folders is the stricter of the two, feature by feature.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { resolveEffectivePolicy, type EffectivePolicy } from "../../../../src/core/policy/effectivePolicy";
import { createNeverSendMatcher } from "../../../../src/core/policy/neverSendMatcher";
import { cloudAccessRank, routeRank } from "../../../../src/core/policy/permissiveness";
import { BUILTIN_USER_DEFAULTS, CLOUD_ACCESS, FEATURES, ROUTES, type CloudModel, type Feature, type FeatureRule } from "../../../../src/core/policy/policyModel";
import { stricterPolicy, strictestPolicy } from "../../../../src/core/policy/stricterPolicy";

const GPT: CloudModel = { provider: "openai", model: "gpt-4o-mini" };
const HAIKU: CloudModel = { provider: "anthropic", model: "claude-haiku-4-5" };
const MINI41: CloudModel = { provider: "openai", model: "gpt-4.1-mini" };

function policy(features: Partial<Record<Feature, FeatureRule>>, extra: Partial<EffectivePolicy> = {}): EffectivePolicy {
  return {
    features: { ...BUILTIN_USER_DEFAULTS.features, ...features },
    neverSend: createNeverSendMatcher([], { fs: null }),
    redactSecrets: true,
    loosenings: [],
    ...extra,
  };
}

describe("stricterPolicy (a request about files from two folders)", () => {
  it("takes the lower route, the stricter cloud access and only the models both allow, per feature", () => {
    const a = policy({ chat: { route: "cloud", cloudAccess: "allow", cloudModels: [GPT, HAIKU] }, edit: { route: "selfHosted", cloudAccess: "allow", cloudModels: [] } });
    const b = policy({ chat: { route: "cloud", cloudAccess: "ask", cloudModels: [HAIKU, MINI41] }, edit: { route: "cloud", cloudAccess: "allow", cloudModels: [GPT] } });
    const s = stricterPolicy(a, b);
    assert.deepEqual(s.features.chat, { route: "cloud", cloudAccess: "ask", cloudModels: [HAIKU] });
    assert.deepEqual(s.features.edit, { route: "selfHosted", cloudAccess: "allow", cloudModels: [] });
    assert.deepEqual(s.features.completion, BUILTIN_USER_DEFAULTS.features.completion);
  });

  it("sends a file neither folder's neverSend matches, and keeps one either matches (a ! in one cannot undo the other)", () => {
    const a = policy({}, { neverSend: createNeverSendMatcher(["*.pem"], { fs: null }) });
    const b = policy({}, { neverSend: createNeverSendMatcher(["secrets/", "!*.pem"], { fs: null }) });
    const s = stricterPolicy(a, b);
    assert.ok(s.neverSend.matches("k.pem"));
    assert.ok(s.neverSend.matches("secrets/x"));
    assert.ok(!s.neverSend.matches("src/a.ts"));
  });

  it("redacts when either folder says so, and is local-only when either is", () => {
    const off = policy({}, { redactSecrets: false });
    assert.equal(stricterPolicy(off, policy({})).redactSecrets, true);
    assert.equal(stricterPolicy(off, off).redactSecrets, false);
    const broken = resolveEffectivePolicy({ userDefaults: BUILTIN_USER_DEFAULTS, workspace: { policy: undefined, contentHash: "" }, trusted: true, consents: new Set() });
    const open = policy({ chat: { route: "cloud", cloudAccess: "allow", cloudModels: [GPT] } });
    const s = stricterPolicy(open, broken);
    assert.equal(s.localOnlyReason, "invalidPolicy");
    assert.equal(s.features.chat.route, "local");
  });

  it("is never looser than either side, and is symmetric in what it allows (property)", () => {
    const model = fc.constantFrom(GPT, HAIKU, MINI41);
    const rule = fc.record({
      route: fc.constantFrom(...ROUTES),
      cloudAccess: fc.constantFrom(...CLOUD_ACCESS),
      cloudModels: fc.uniqueArray(model, { maxLength: 3 }),
    });
    const features = fc.record(Object.fromEntries(FEATURES.map((f) => [f, rule])) as Record<Feature, typeof rule>);
    fc.assert(
      fc.property(features, features, fc.boolean(), fc.boolean(), (fa, fb, ra, rb) => {
        const a = policy(fa, { redactSecrets: ra });
        const b = policy(fb, { redactSecrets: rb });
        const ab = stricterPolicy(a, b);
        const ba = stricterPolicy(b, a);
        for (const f of FEATURES) {
          for (const side of [a, b]) {
            assert.ok(routeRank(ab.features[f].route) <= routeRank(side.features[f].route));
            assert.ok(cloudAccessRank(ab.features[f].cloudAccess) <= cloudAccessRank(side.features[f].cloudAccess));
            for (const m of ab.features[f].cloudModels) assert.ok(side.features[f].cloudModels.some((x) => x.provider === m.provider && x.model === m.model));
          }
          assert.equal(ab.features[f].route, ba.features[f].route);
          assert.equal(ab.features[f].cloudAccess, ba.features[f].cloudAccess);
          assert.deepEqual(new Set(ab.features[f].cloudModels.map((m) => m.model)), new Set(ba.features[f].cloudModels.map((m) => m.model)));
        }
        assert.equal(ab.redactSecrets, ra || rb);
      }),
    );
  });

  it("strictestPolicy folds any number of folders, and a single folder's policy is returned as it is", () => {
    const a = policy({ chat: { route: "cloud", cloudAccess: "allow", cloudModels: [GPT] } });
    assert.equal(strictestPolicy([a]), a);
    assert.equal(strictestPolicy([a, a]), a);
    assert.equal(strictestPolicy([]), undefined);
    const c = strictestPolicy([a, policy({ chat: { route: "cloud", cloudAccess: "ask", cloudModels: [GPT] } }), policy({ chat: { route: "selfHosted", cloudAccess: "allow", cloudModels: [GPT] } })]);
    assert.deepEqual(c?.features.chat, { route: "selfHosted", cloudAccess: "ask", cloudModels: [GPT] });
  });
});
