// Inline completion's door to a model: the privacy gateway (feature `completion`), like
// every other feature. The engine above it sees only `CompletionClient`, so its unit tests
// can script answers while the extension and the benchmark use the gateway.
import type { Gateway, GatewayRequest } from "../gateway";
import { ProviderError } from "../providers";

/** A piece of the prompt that came from a file; the gateway matches its path against neverSend. */
export interface PromptFile {
  readonly path: string;
  readonly content: string;
}

/** A raw-prompt request (`POST /v1/completions`). */
export interface TextCompletionRequest {
  readonly kind: "text";
  readonly prompt: string;
  /** Plain prefix-suffix FIM built by the server; for external servers only. */
  readonly suffix?: string;
  /** Character offsets where Hearth's server keeps its state (ignored by other servers). */
  readonly checkpoints?: readonly number[];
  /** false: Hearth's server evaluates the whole prompt afresh (a baseline for measurements). */
  readonly reuse?: boolean;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly stop: readonly string[];
  /** The files whose text is in the prompt: the current file first, then context chunks. */
  readonly files: readonly PromptFile[];
  /** The workspace folders the prompt draws on (GatewayRequest.folders). */
  readonly folders?: readonly string[];
}

export interface ChatCompletionMessage {
  readonly role: "system" | "user";
  readonly content: string;
}

/** An instruct request (`POST /v1/chat/completions`) with thinking off. */
export interface ChatCompletionRequest {
  readonly kind: "chat";
  readonly messages: readonly ChatCompletionMessage[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly stop: readonly string[];
  readonly files: readonly PromptFile[];
  readonly folders?: readonly string[];
}

export type ModelRequest = TextCompletionRequest | ChatCompletionRequest;

export interface ModelUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Prompt tokens whose state the server reused; undefined when it does not say. */
  readonly cachedTokens: number | undefined;
}

export interface ModelResponse {
  readonly text: string;
  readonly finishReason: string | undefined;
  readonly usage: ModelUsage | undefined;
}

export interface CompletionClient {
  /** Rejects when `signal` aborts; the HTTP request is closed, so the server stops generating. */
  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
}

/**
 * Sends completion requests through the gateway. Never interactive: where the policy says
 * to ask before completion leaves the machine, there is no suggestion rather than a dialog
 * per keystroke (the refusal is thrown and the engine shows nothing).
 */
export class GatewayCompletionClient implements CompletionClient {
  constructor(private readonly gateway: Pick<Gateway, "request">) {}

  async complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    const common = {
      feature: "completion",
      files: request.files.map((file) => ({ path: file.path, content: file.content, origin: "file" as const, embedded: true })),
      ...(request.folders !== undefined && request.folders.length > 0 ? { folders: request.folders } : {}),
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      stop: request.stop,
      signal,
      interactive: false,
    } satisfies Partial<GatewayRequest>;
    const gatewayRequest: GatewayRequest =
      request.kind === "text"
        ? {
            ...common,
            prompt: {
              text: request.prompt,
              ...(request.suffix !== undefined ? { suffix: request.suffix } : {}),
              ...(request.checkpoints !== undefined && request.checkpoints.length > 0 ? { checkpoints: request.checkpoints } : {}),
              ...(request.reuse === false ? { reuse: false } : {}),
            },
          }
        : { ...common, messages: request.messages, thinking: false };
    const result = await this.gateway.request(gatewayRequest);
    return {
      text: result.text,
      finishReason: result.finishReason,
      usage: result.usage === undefined ? undefined : { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens, cachedTokens: result.usage.cachedTokens },
    };
  }
}

/** Whether an error means the request was cancelled rather than failed. */
export function isAbortError(error: unknown): boolean {
  if (error instanceof ProviderError) return error.kind === "cancelled";
  return error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError");
}
