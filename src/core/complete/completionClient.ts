import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import type { CompletionCreateParamsNonStreaming } from "openai/resources/completions";
import type { ServerEndpoint } from "../server/supervisor.js";

/**
 * The one door from inline completion to a model. Everything above it (the engine, the
 * provider, the benchmark) sees only `CompletionClient`, so the privacy gateway can take
 * this module's place (feature `completion`, default local) without touching them.
 */

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

/** Where a request goes: the endpoint and the model name some servers require. */
export interface ModelTarget {
  readonly endpoint: ServerEndpoint;
  /** Model name for the `model` field; Hearth's server ignores it. */
  readonly model: string | undefined;
}

export interface CompletionClient {
  /** Rejects when `signal` aborts; the HTTP request is closed, so the server stops generating. */
  complete(target: ModelTarget, request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
}

/** Body fields Hearth's server understands beyond OpenAI's. */
interface HearthExtension {
  hearth: { role: "completion"; checkpoints?: number[]; reuse?: boolean };
}

/** The `openai` SDK against any OpenAI-compatible server, Hearth's own included. */
export class OpenAiCompletionClient implements CompletionClient {
  private readonly clients = new Map<string, OpenAI>();

  constructor(private readonly options: { timeoutMs?: number } = {}) {}

  async complete(target: ModelTarget, request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    const client = this.clientFor(target.endpoint);
    const model = target.model ?? "default";
    if (request.kind === "text") {
      const body: CompletionCreateParamsNonStreaming & HearthExtension = {
        model,
        prompt: request.prompt,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        stream: false,
        hearth: {
          role: "completion",
          ...(request.checkpoints && request.checkpoints.length > 0 ? { checkpoints: [...request.checkpoints] } : {}),
          ...(request.reuse === false ? { reuse: false } : {}),
        },
        ...(request.suffix !== undefined ? { suffix: request.suffix } : {}),
        ...(request.stop.length > 0 ? { stop: [...request.stop] } : {}),
      };
      const response = await client.completions.create(body, { signal });
      const choice = response.choices[0];
      const usage = response.usage;
      return {
        text: choice?.text ?? "",
        finishReason: choice?.finish_reason ?? undefined,
        usage: usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens } : undefined,
      };
    }
    const body: ChatCompletionCreateParamsNonStreaming & HearthExtension & { chat_template_kwargs: { enable_thinking: boolean } } = {
      model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      stream: false,
      chat_template_kwargs: { enable_thinking: false },
      hearth: { role: "completion" },
      ...(request.stop.length > 0 ? { stop: [...request.stop] } : {}),
    };
    const response = await client.chat.completions.create(body, { signal });
    const choice = response.choices[0];
    const usage = response.usage;
    return {
      text: choice?.message.content ?? "",
      finishReason: choice?.finish_reason ?? undefined,
      usage: usage ? { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens } : undefined,
    };
  }

  private clientFor(endpoint: ServerEndpoint): OpenAI {
    const key = `${endpoint.baseUrl}\n${endpoint.token}`;
    let client = this.clients.get(key);
    if (!client) {
      // A superseded keystroke is never retried, and a slow answer is a useless answer.
      client = new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.token || "none", maxRetries: 0, timeout: this.options.timeoutMs ?? 60_000 });
      if (this.clients.size >= 4) this.clients.clear();
      this.clients.set(key, client);
    }
    return client;
  }
}

/** Whether an error means the request was cancelled rather than failed. */
export function isAbortError(error: unknown): boolean {
  if (error instanceof OpenAI.APIUserAbortError) return true;
  return error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError");
}
