// The policy for a request that concerns more than one workspace folder: the stricter of
// their policies, feature by feature, so that no folder's file is sent further than its own
// policy allows. For each feature the lower route, the stricter cloud access and only the
// cloud models every folder allows; neverSend is the union (each folder's list kept
// separate, so a `!` in one cannot undo another's pattern); redaction is on if any folder
// says so; a folder that is local-only makes the request local-only.
import { anyNeverSendMatcher } from "./neverSendMatcher";
import { modelsInBoth, tighterCloudAccess, tighterRoute } from "./permissiveness";
import { FEATURES, type Feature, type FeatureRule } from "./policyModel";
import type { EffectivePolicy } from "./effectivePolicy";

export function stricterPolicy(a: EffectivePolicy, b: EffectivePolicy): EffectivePolicy {
  if (a === b) return a;
  const features = Object.fromEntries(FEATURES.map((feature) => [feature, stricterRule(a.features[feature], b.features[feature])])) as Record<Feature, FeatureRule>;
  const localOnlyReason = a.localOnlyReason ?? b.localOnlyReason;
  return {
    features,
    neverSend: anyNeverSendMatcher([a.neverSend, b.neverSend]),
    redactSecrets: a.redactSecrets || b.redactSecrets,
    ...(localOnlyReason === undefined ? {} : { localOnlyReason }),
    loosenings: [...a.loosenings, ...b.loosenings],
    // A consent question belongs to one folder's file; the combination asks nothing itself.
  };
}

/** The stricter of all `policies`; undefined for an empty list. */
export function strictestPolicy(policies: readonly EffectivePolicy[]): EffectivePolicy | undefined {
  const distinct = [...new Set(policies)];
  if (distinct.length === 0) return undefined;
  return distinct.reduce(stricterPolicy);
}

function stricterRule(a: FeatureRule, b: FeatureRule): FeatureRule {
  return {
    route: tighterRoute(a.route, b.route),
    cloudAccess: tighterCloudAccess(a.cloudAccess, b.cloudAccess),
    cloudModels: modelsInBoth(a.cloudModels, b.cloudModels),
  };
}
