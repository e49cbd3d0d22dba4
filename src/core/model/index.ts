// The shared vocabulary of a model request (core/model/vocabulary.ts) and the one rule for
// whether a prompt fits a context (core/model/contextFit.ts). Imports nothing of Hearth's.
export { HEARTH_ROLES, type HearthRole, type ProviderId, type ChatMessage, type TokenUsage, type PromptProgress, type StateLoading } from "./vocabulary";
