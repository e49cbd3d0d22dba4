// The words every layer shares about a model request and its answer: features, the gateway,
// the providers and the server all speak them, so they belong to none of them.

/** Roles of Hearth's model server: each has its own context, so one feature does not evict another's cache. */
export const HEARTH_ROLES = ["completion", "chat", "repo"] as const;
export type HearthRole = (typeof HEARTH_ROLES)[number];

/** Who serves a call. `local` is Hearth's own model server (or the user's external one). */
export type ProviderId = "local" | "selfHosted" | "openai" | "anthropic";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly content: string;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens the server reused instead of evaluating (`prompt_tokens_details.cached_tokens`), when it says. */
  readonly cachedTokens?: number;
}

/** How far Hearth's server has got evaluating a prompt; `cached` tokens were reused. */
export interface PromptProgress {
  readonly evaluated: number;
  readonly total: number;
  readonly cached: number;
  /** While a saved state is read from disk instead: checked (hashed) first, then loaded. */
  readonly loading?: StateLoading;
}

export interface StateLoading {
  readonly step: "checking" | "loading";
  readonly bytes: number;
  readonly totalBytes: number;
}
