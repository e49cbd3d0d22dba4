// The shared vocabulary of a model request (vocabulary.ts), what a failed call carries
// (failedCall.ts), the one rule for whether a
// prompt fits a context (contextFit.ts) and the one reading of a tool call's arguments
// (toolArguments.ts). Imports nothing of Hearth's.
export { HEARTH_ROLES, MODEL_FAILURE_KINDS, type HearthRole, type ModelFailureKind, type ProviderId, type ChatMessage, type TokenUsage, type PromptProgress, type StateLoading, type ToolSpec, type ToolCall, type ToolChoice } from "./vocabulary";
export { fitContext, fewestTokens, TEMPLATE_MARGIN, type Fit, type FitInput } from "./contextFit";
export { toolArgumentsObject } from "./toolArguments";
export { FailedCall, type FailedCallDetails } from "./failedCall";
