// Hearth's models for VS Code's language-model API, without VS Code: the models offered, a
// request through the gateway's `languageModel` port, token counts (src/vscode/lm adapts them).
export { lmMessageTexts, toChatMessages, MESSAGE_OVERHEAD_TOKENS, type LmMessage, type LmPart } from "./lmMessages";
export { listLmModels, tokenBudget, ANSWER_TOKENS_CAP, LOCAL_LM_ID, UNKNOWN_CONTEXT_TOKENS, type LmModel, type LmModelFacts } from "./lmModels";
export { countLmTokens, sendLmRequest, type LmRequest, type LmSink, type LmToolCall } from "./lmRequest";
