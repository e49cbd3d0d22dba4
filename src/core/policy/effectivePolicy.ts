// Effective policy = user defaults ∧ workspace file ∧ workspace trust.
//
// A workspace file arrives with the repository, so it is someone else's opinion. It may
// always make things tighter. It may make things looser than the user's own defaults only
// when the user has agreed to this exact file (consent keyed by the SHA-256 of its text);
// until then every loosening field falls back to the user's value and is listed in
// `needsConsent`, so the UI can ask once. An untrusted workspace, or a policy file with any
// error, runs everything on this machine.
import { cloudModelKey } from "./cloudModel";
import { anyNeverSendMatcher, createNeverSendMatcher, type NeverSendMatcher, type NeverSendMatcherOptions } from "./neverSendMatcher";
import { cloudAccessRank, modelsBeyond, modelsInBoth, routeRank } from "./permissiveness";
import { FEATURES, type CloudModel, type Feature, type FeatureRule, type FeatureRuleOverride, type UserPolicyDefaults, type WorkspacePolicy } from "./policyModel";

/** Content hashes the user has agreed to, as a set or a lookup into stored state. */
export type ConsentLookup = ReadonlySet<string> | ((contentHash: string) => boolean);

export interface EffectivePolicyInput {
  readonly userDefaults: UserPolicyDefaults;
  /**
   * The workspace folder's policy file, if it exists. `policy` is undefined when the file
   * could not be parsed (parsePolicy's `localOnly`), which makes the folder local-only.
   */
  readonly workspace?: { readonly policy: WorkspacePolicy | undefined; readonly contentHash: string };
  /** VS Code's workspace trust. */
  readonly trusted: boolean;
  readonly consents: ConsentLookup;
  /** Absolute path of the workspace folder, so neverSend can relativise absolute paths. */
  readonly root?: string;
  /** The folder's policy file is being read: local-only until it has been. */
  readonly loading?: boolean;
  /** Compiles neverSend lists; pass a NeverSendMatcherCache so a list is compiled once, not on every recompute. */
  readonly compileNeverSend?: (patterns: readonly string[], options: NeverSendMatcherOptions) => NeverSendMatcher;
}

export type LooseningField = "route" | "cloudAccess" | "cloudModels" | "redactSecrets";

/** One way in which the workspace file asks for more than the user's defaults allow. */
export interface Loosening {
  /** Dotted path in the policy file, e.g. `features.chat.cloudAccess`. */
  readonly path: string;
  readonly feature?: Feature;
  readonly field: LooseningField;
  readonly userValue: string;
  readonly workspaceValue: string;
  /** A sentence for the consent prompt. */
  readonly description: string;
}

/** `loading`: the folder's policy file has not been read and accepted yet (startup, or a re-read in progress). */
export type LocalOnlyReason = "untrusted" | "invalidPolicy" | "loading";

export interface EffectivePolicy {
  readonly features: Readonly<Record<Feature, FeatureRule>>;
  /** User patterns and workspace patterns, kept separate so a `!` in one cannot undo the other. */
  readonly neverSend: NeverSendMatcher;
  readonly redactSecrets: boolean;
  /** Set when everything is forced local; the UI says why. */
  readonly localOnlyReason?: LocalOnlyReason;
  /** Everything the workspace file would loosen (applied when consented, else dropped). */
  readonly loosenings: readonly Loosening[];
  /** Present when the file loosens something and this exact content has no consent yet. */
  readonly needsConsent?: { readonly contentHash: string; readonly loosenings: readonly Loosening[] };
}

const ALL_LOCAL: FeatureRule = { route: "local", cloudAccess: "deny", cloudModels: [] };

export function resolveEffectivePolicy(input: EffectivePolicyInput): EffectivePolicy {
  const { userDefaults, workspace, trusted } = input;
  const compile = input.compileNeverSend ?? createNeverSendMatcher;
  const userMatcher = compile(userDefaults.neverSend, { root: input.root });
  if (!trusted || input.loading === true || (workspace !== undefined && workspace.policy === undefined)) {
    return {
      features: Object.fromEntries(FEATURES.map((f) => [f, ALL_LOCAL])) as Record<Feature, FeatureRule>,
      neverSend: userMatcher,
      redactSecrets: true,
      localOnlyReason: !trusted ? "untrusted" : input.loading === true ? "loading" : "invalidPolicy",
      loosenings: [],
    };
  }
  if (workspace?.policy === undefined) {
    return { features: userDefaults.features, neverSend: userMatcher, redactSecrets: userDefaults.redactSecrets, loosenings: [] };
  }

  const policy = workspace.policy;
  const consented = hasConsent(input.consents, workspace.contentHash);
  const loosenings: Loosening[] = [];
  const features = Object.fromEntries(
    FEATURES.map((feature) => [feature, combineFeature(feature, userDefaults.features[feature], policy.features[feature], consented, loosenings)]),
  ) as Record<Feature, FeatureRule>;

  let redactSecrets = userDefaults.redactSecrets;
  if (policy.redactSecrets !== undefined) {
    if (policy.redactSecrets || !userDefaults.redactSecrets || consented) redactSecrets = policy.redactSecrets;
    if (!policy.redactSecrets && userDefaults.redactSecrets) {
      loosenings.push({
        path: "redactSecrets",
        field: "redactSecrets",
        userValue: "true",
        workspaceValue: "false",
        description: "secrets in prompts would no longer be redacted before they leave this machine",
      });
    }
  }

  const neverSend =
    policy.neverSend.length === 0 ? userMatcher : anyNeverSendMatcher([userMatcher, compile(policy.neverSend, { root: input.root })]);
  return {
    features,
    neverSend,
    redactSecrets,
    loosenings,
    ...(loosenings.length > 0 && !consented ? { needsConsent: { contentHash: workspace.contentHash, loosenings } } : {}),
  };
}

function combineFeature(feature: Feature, user: FeatureRule, override: FeatureRuleOverride | undefined, consented: boolean, loosenings: Loosening[]): FeatureRule {
  if (override === undefined) return user;
  let { route, cloudAccess, cloudModels } = user;
  const path = `features.${feature}`;

  if (override.route !== undefined) {
    const looser = routeRank(override.route) > routeRank(user.route);
    if (looser) {
      loosenings.push({
        path: `${path}.route`,
        feature,
        field: "route",
        userValue: user.route,
        workspaceValue: override.route,
        description: `${feature} prompts could go to ${describeRoute(override.route)} instead of ${describeRoute(user.route)}`,
      });
    }
    if (!looser || consented) route = override.route;
  }

  if (override.cloudAccess !== undefined) {
    const looser = cloudAccessRank(override.cloudAccess) > cloudAccessRank(user.cloudAccess);
    if (looser) {
      loosenings.push({
        path: `${path}.cloudAccess`,
        feature,
        field: "cloudAccess",
        userValue: user.cloudAccess,
        workspaceValue: override.cloudAccess,
        description: `cloud access for ${feature} would be "${override.cloudAccess}" instead of "${user.cloudAccess}"`,
      });
    }
    if (!looser || consented) cloudAccess = override.cloudAccess;
  }

  if (override.cloudModels !== undefined) {
    const extra = modelsBeyond(override.cloudModels, user.cloudModels);
    if (extra.length > 0) {
      loosenings.push({
        path: `${path}.cloudModels`,
        feature,
        field: "cloudModels",
        userValue: listModels(user.cloudModels),
        workspaceValue: listModels(override.cloudModels),
        description: `${feature} could use ${listModels(extra)}, which your settings do not allow`,
      });
    }
    // Without consent the workspace still narrows the list: the models both sides allow.
    cloudModels = extra.length === 0 || consented ? override.cloudModels : modelsInBoth(override.cloudModels, user.cloudModels);
  }

  return { route, cloudAccess, cloudModels };
}

function hasConsent(consents: ConsentLookup, contentHash: string): boolean {
  return typeof consents === "function" ? consents(contentHash) : consents.has(contentHash);
}

function describeRoute(route: FeatureRule["route"]): string {
  switch (route) {
    case "local":
      return "this machine only";
    case "selfHosted":
      return "your organisation's self-hosted endpoint";
    case "cloud":
      return "cloud models";
  }
}

function listModels(models: readonly CloudModel[]): string {
  return models.length === 0 ? "no cloud model" : models.map(cloudModelKey).join(", ");
}
