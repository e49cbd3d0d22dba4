// The vocabulary of the privacy policy: features, routes, cloud access levels, and the
// shapes a policy file and the user's defaults take once parsed. Everything else in
// src/core/policy speaks these types.

/** Things Hearth does that may send a prompt somewhere. */
export const FEATURES = ["completion", "chat", "edit", "translate", "repoQuestion", "languageModel"] as const;
export type Feature = (typeof FEATURES)[number];

/**
 * Where a prompt may go, listed from the least to the most permissive:
 * the user's machine, the user's organisation's own OpenAI-compatible endpoint,
 * a third-party cloud model. The order is the policy's notion of "looser".
 */
export const ROUTES = ["local", "selfHosted", "cloud"] as const;
export type Route = (typeof ROUTES)[number];

/** How a cloud-bound request is treated, from the least to the most permissive. */
export const CLOUD_ACCESS = ["deny", "ask", "allow"] as const;
export type CloudAccess = (typeof CLOUD_ACCESS)[number];

/** Cloud vendors Hearth has providers for. */
export const CLOUD_PROVIDERS = ["openai", "anthropic"] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** A cloud model named by its vendor and the vendor's model id. */
export interface CloudModel {
  readonly provider: CloudProvider;
  readonly model: string;
}

/** One feature's limits once every field is known (user defaults, effective policy). */
export interface FeatureRule {
  /** The furthest a prompt of this feature may travel. */
  readonly route: Route;
  /** Only consulted when `route` is `cloud`. */
  readonly cloudAccess: CloudAccess;
  /** Cloud models this feature may use, in order of preference. Empty = no cloud model. */
  readonly cloudModels: readonly CloudModel[];
}

/** What a workspace file says about one feature; an absent field has no opinion. */
export interface FeatureRuleOverride {
  readonly route?: Route;
  readonly cloudAccess?: CloudAccess;
  readonly cloudModels?: readonly CloudModel[];
}

/** The parsed content of `.hearth/policy.json`. Absent fields defer to the user's defaults. */
export interface WorkspacePolicy {
  readonly features: Readonly<Partial<Record<Feature, FeatureRuleOverride>>>;
  /** Gitignore-style patterns, relative to the workspace folder. */
  readonly neverSend: readonly string[];
  readonly redactSecrets?: boolean;
}

/** The user's own policy (settings), complete for every feature. */
export interface UserPolicyDefaults {
  readonly features: Readonly<Record<Feature, FeatureRule>>;
  readonly neverSend: readonly string[];
  readonly redactSecrets: boolean;
}

const LOCAL_ONLY_RULE: FeatureRule = { route: "local", cloudAccess: "deny", cloudModels: [] };

/**
 * Hearth's defaults before the user says anything: every feature stays on the machine.
 * The user loosens this in settings; a workspace file can only loosen further with consent.
 */
export const BUILTIN_USER_DEFAULTS: UserPolicyDefaults = {
  features: {
    completion: LOCAL_ONLY_RULE,
    chat: LOCAL_ONLY_RULE,
    edit: LOCAL_ONLY_RULE,
    translate: LOCAL_ONLY_RULE,
    repoQuestion: LOCAL_ONLY_RULE,
    languageModel: LOCAL_ONLY_RULE,
  },
  // Files that are secrets by convention; the `!` lines keep the usual committed templates sendable.
  neverSend: [
    ".env",
    ".env.*",
    "!.env.example",
    "!.env.sample",
    "!.env.template",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.keystore",
    "*.jks",
    "id_rsa*",
    "id_ecdsa*",
    "id_ed25519*",
    ".ssh/",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "*.tfstate",
    "*.tfstate.*",
    "*.tfvars",
    "*.tfvars.json",
    ".envrc",
    "**/.aws/credentials",
    "**/.kube/config",
    "**/.docker/config.json",
    ".git-credentials",
  ],
  redactSecrets: true,
};

export function isFeature(value: string): value is Feature {
  return (FEATURES as readonly string[]).includes(value);
}

export function isRoute(value: string): value is Route {
  return (ROUTES as readonly string[]).includes(value);
}

export function isCloudAccess(value: string): value is CloudAccess {
  return (CLOUD_ACCESS as readonly string[]).includes(value);
}
