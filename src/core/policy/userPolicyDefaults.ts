// The user's own policy: Hearth's built-in defaults with the user's settings laid over them.
// Settings use the same shape as a workspace file (validate them with
// `parsePolicy(JSON.stringify(value, null, 2), "settings: hearth.policy")`), but unlike a
// workspace file the user may loosen freely: it is their machine and their data.
import { BUILTIN_USER_DEFAULTS, FEATURES, type Feature, type FeatureRule, type UserPolicyDefaults, type WorkspacePolicy } from "./policyModel";

export function applyUserOverrides(overrides: WorkspacePolicy, base: UserPolicyDefaults = BUILTIN_USER_DEFAULTS): UserPolicyDefaults {
  const features = Object.fromEntries(
    FEATURES.map((feature): [Feature, FeatureRule] => {
      const own = overrides.features[feature];
      const rule = base.features[feature];
      return [
        feature,
        {
          route: own?.route ?? rule.route,
          cloudAccess: own?.cloudAccess ?? rule.cloudAccess,
          cloudModels: own?.cloudModels ?? rule.cloudModels,
        },
      ];
    }),
  ) as Record<Feature, FeatureRule>;
  return {
    features,
    // One list, so the user's own "!pattern" can lift a built-in pattern if they really mean it.
    neverSend: [...base.neverSend, ...overrides.neverSend],
    redactSecrets: overrides.redactSecrets ?? base.redactSecrets,
  };
}
