// The words every layer shares about a model request and its answer: features, the gateway,
// the providers and the server all speak them, so they belong to none of them.

/** Roles of Hearth's model server: each has its own context, so one feature does not evict another's cache. */
export const HEARTH_ROLES = ["completion", "chat", "repo"] as const;
export type HearthRole = (typeof HEARTH_ROLES)[number];

/** Who serves a call. `local` is Hearth's own model server (or the user's external one). */
export type ProviderId = "local" | "selfHosted" | "openai" | "anthropic";

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant" | "tool";
  readonly content: string;
  /** An assistant turn's calls of the request's tools (its `content` is the text before them, often ""). */
  readonly toolCalls?: readonly ToolCall[];
  /** A `tool` turn: the call whose result `content` is. */
  readonly toolCallId?: string;
}

/** A tool the model may call, as the caller describes it (OpenAI's `function`, Anthropic's tool). */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** A JSON schema of the arguments (an object schema); absent: the tool takes none. */
  readonly parameters?: Readonly<Record<string, unknown>>;
}

/** A call the model made. `arguments` is a JSON object's text, as OpenAI carries it: text that may be redacted like any other prompt text. */
export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** Whether the model may (`auto`), must (`required`, or the one tool named) or must not call a tool. */
export type ToolChoice = "auto" | "required" | "none" | { readonly name: string };

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

/**
 * Why a model call that was made failed. For code: retry? fall back to another route? show a
 * "set key" button? The message that goes with it is for the user.
 */
export const MODEL_FAILURE_KINDS = ["auth", "rate_limited", "server_error", "timeout", "network", "stream_broken", "context_too_long", "bad_request", "cancelled"] as const;
export type ModelFailureKind = (typeof MODEL_FAILURE_KINDS)[number];
