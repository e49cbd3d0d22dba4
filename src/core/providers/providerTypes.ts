// The one shape every model call takes, whoever serves it: Hearth's own server, an
// organisation's OpenAI-compatible endpoint, OpenAI or Anthropic. The gateway speaks only
// these types, so a new vendor is a new provider file and nothing else.
import type { ChatMessage, HearthRole, PromptProgress, ProviderId, TokenUsage, ToolCall, ToolChoice, ToolSpec } from "../model";
import type { HearthExtensionInput } from "../wire/hearthProtocol";

/**
 * The `hearth` body field Hearth's server understands beyond OpenAI's, as the wire module
 * states it (`repo` is left out: the extension packs repositories itself). Sent on the local
 * route only: clouds reject unknown fields, and the offsets would not survive redaction anyway.
 */
export type HearthOptions = Pick<HearthExtensionInput, "role" | "checkpoints" | "reuse" | "progress" | "persist">;

interface CallBase {
  /** The model id for the `model` field; providers with a configured model ignore it. */
  readonly model?: string;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly stop?: readonly string[];
  readonly hearth?: HearthOptions;
  /**
   * Qwen's thinking on or off (`chat_template_kwargs.enable_thinking`), for servers that
   * apply the chat template (Hearth's, llama-server, vLLM). Unset: the server's default.
   */
  readonly thinking?: boolean;
}

/** A conversation (`/v1/chat/completions`, Anthropic's `/v1/messages`). */
export interface ChatCall extends CallBase {
  readonly kind: "chat";
  readonly messages: readonly ChatMessage[];
  /** Tools the model may call; absent or empty: none. */
  readonly tools?: readonly ToolSpec[];
  /** Only with `tools`. Unset: the server's default (auto). */
  readonly toolChoice?: ToolChoice;
}

/** A raw prompt (`/v1/completions`), with an optional suffix for plain fill-in-the-middle. */
export interface TextCall extends CallBase {
  readonly kind: "text";
  readonly prompt: string;
  readonly suffix?: string;
}

export type ModelCall = ChatCall | TextCall;

/**
 * A call turned into the exact request body a provider will send. `json` is what the user
 * reviews in a dry run, what the audit log hashes and, parsed back, what the SDK sends:
 * the bytes reviewed are the bytes sent.
 */
export interface PreparedCall {
  readonly provider: ProviderId;
  /** The model named in the body. */
  readonly model: string;
  /** The API path under the provider's base URL. */
  readonly path: "/chat/completions" | "/completions" | "/messages";
  readonly json: string;
  /** UTF-8 length of `json`. */
  readonly bytes: number;
}

export interface ProviderResult {
  readonly text: string;
  /** The model that answered, as the server names it (falls back to the requested one). */
  readonly model: string;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** The model's thoughts (`reasoning_content`), when it thought and the server kept them apart. */
  readonly reasoning?: string;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
  /** The tools the model called, in order (finish reason `tool_calls` / `tool_use`). */
  readonly toolCalls?: readonly ToolCall[];
}

export interface SendOptions {
  /** Cancels the HTTP request; the server stops generating. */
  readonly signal?: AbortSignal;
  /** Every piece of text as it arrives. Whatever was delivered stays delivered, even if the call fails later. */
  readonly onDelta?: (text: string) => void;
  /** Every piece of the model's thoughts as it arrives (never mixed into `onDelta`'s text). */
  readonly onReasoning?: (text: string) => void;
  /** Prompt evaluation progress; only Hearth's own server sends it (repo questions). */
  readonly onProgress?: (progress: PromptProgress) => void;
}

/** Token counts from a server's own tokenizer. */
export interface TokenizeOptions {
  /** The server role whose model counts (Hearth's server may run a second model for completion). */
  readonly role?: HearthRole;
  /** Read `<|file_sep|>` and the like as the special tokens they name. */
  readonly special?: boolean;
  readonly signal?: AbortSignal;
}

export interface ModelProvider {
  readonly id: ProviderId;
  /** Human name for messages ("OpenAI", "Hearth's local model server"). */
  readonly label: string;
  /** Whether it can be used at all: a base URL for selfHosted, an API key for the clouds. */
  isConfigured(): Promise<boolean>;
  /** Whether it takes raw prompts (`TextCall`); cloud chat models do not. */
  readonly acceptsText: boolean;
  /** Builds the exact body; throws a ProviderError (`bad_request`) for a call it cannot take. */
  prepare(call: ModelCall): PreparedCall;
  /** Sends a prepared body, streaming, with timeouts and retries; throws ProviderError. */
  send(prepared: PreparedCall, options?: SendOptions): Promise<ProviderResult>;
  /** Counts with the model's own tokenizer (`/tokenize`); only servers that offer it. Throws ProviderError. */
  tokenize?(texts: readonly string[], options?: TokenizeOptions): Promise<number[]>;
}
