// The privacy policy: what may leave the machine, for which feature, to where.
export * from "./policyModel";
export { parseCloudModel, cloudModelKey, SUGGESTED_CLOUD_MODELS } from "./cloudModel";
export { parsePolicy, MAX_POLICY_BYTES, MAX_POLICY_DEPTH, POLICY_VERSION, type PolicyParseResult } from "./parsePolicy";
export { formatPolicyDiagnostic, quoteExcerpt, MAX_EXCERPT_CHARS, type PolicyDiagnostic, type PolicyDiagnosticSeverity, type TextPosition } from "./policyDiagnostic";
export { policyContentHash } from "./policyContentHash";
export { createNeverSendMatcher, anyNeverSendMatcher, NODE_PATH_FACTS, type NeverSendMatcher, type NeverSendMatcherOptions, type PathFacts } from "./neverSendMatcher";
export { checkNeverSendPattern, type PatternProblem } from "./neverSendPatternCheck";
export { neverSendText, distinctiveValues, DISTINCTIVE_LINE, VALUE_MIN, type NeverSendSecret } from "./neverSendText";
export { NeverSendLookup, type NeverSendContent } from "./neverSendLookup";
export { NeverSendIndex, NEVER_SEND_INDEX_LIMITS, readNeverSendFile, type NeverSendIndexStats, type NeverSendRead, type NeverSendSkip } from "./neverSendIndex";
export { neverSendGlobs, shallowNeverSendGlobs, combinedGlob } from "./neverSendGlobs";
export { neverSendIndexMatcher, filesAndNamedFolders } from "./neverSendIndexRule";
export { routeRank, cloudAccessRank, routeAllows } from "./permissiveness";
export {
  resolveEffectivePolicy,
  type EffectivePolicy,
  type EffectivePolicyInput,
  type ConsentLookup,
  type Loosening,
  type LooseningField,
  type LocalOnlyReason,
} from "./effectivePolicy";
export { stricterPolicy, strictestPolicy } from "./stricterPolicy";
export { PolicyParseCache, NeverSendMatcherCache, type ParsedPolicyText, type PolicyParseCacheOptions } from "./policyParseCache";
export { readPolicyFile, type PolicyFileRead, type PolicyReadRefusal, type ReadPolicyFileOptions } from "./readPolicyFile";
export { decideRoute, remoteFactsMatter, type RouteRequest, type RouteDecision, type RouteChoice, type RouteRefusal, type RefusalCode, type RouteProvider } from "./decideRoute";
export { applyUserOverrides } from "./userPolicyDefaults";
export { policyFileState, policyProblem, workspacePolicyOf, type FolderPolicyRead, type PolicyFileState } from "./folderPolicyRead";
export { parseUserPolicySetting, type UserPolicySettingValue } from "./userPolicySetting";
