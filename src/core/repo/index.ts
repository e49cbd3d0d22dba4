// Repository Q&A: the repo pack (what of the workspace the model reads, in which order,
// within which budget) and the service that asks about it through the gateway.
export { RepoQa, RepoQaError, DEFAULT_CONTEXT_TOKENS, type AskOptions, type RepoAnswer, type RepoProgress, type RepoQaOptions, type RepoSettings } from "./repoQa";
export { buildPack, scanRepo, type PackReport, type RepoPack, type RepoSnapshot, type ScanOptions } from "./repoPack";
export { parseCitations, type Citation } from "./citations";
export { MIN_PACK_TOKENS, packRoom, type IncludedEntry, type LeftOutEntry, type PackRoomInput } from "./packBudget";
export type { SkippedEntry, SkipReason } from "./repoFiles";
export { repoInstructions, type PackLayout } from "./packLayout";
export type { ProgressView, PromptProgress } from "./progressMeter";
export { TokenCounter, type CountTokens } from "./tokenCounter";
