// The shared vocabulary of a model request (vocabulary.ts) and the one rule for whether a
// prompt fits a context (contextFit.ts). Imports nothing of Hearth's.
export { HEARTH_ROLES, MODEL_FAILURE_KINDS, type HearthRole, type ModelFailureKind, type ProviderId, type ChatMessage, type TokenUsage, type PromptProgress, type StateLoading, type ToolSpec, type ToolCall, type ToolChoice } from "./vocabulary";
export { fitContext, fewestTokens, TEMPLATE_MARGIN, type Fit, type FitInput } from "./contextFit";
