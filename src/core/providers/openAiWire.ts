// The OpenAI wire format, shared by every server that speaks it: Hearth's own model
// server, an organisation's llama-server / vLLM / Ollama, and OpenAI itself. The dialects
// differ in two fields only: which max-tokens name the server wants, and whether Hearth's
// `hearth` extension goes along (local only).
import type OpenAI from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { CompletionCreateParamsStreaming } from "openai/resources/completions";
import { runCall, type AttemptContext, type AttemptOutcome, type CallLimits } from "./callRunner";
import { ProviderError } from "./providerError";
import type { ChatMessage, PromptProgress, ProviderId, TokenUsage, ToolCall, ToolChoice, ToolSpec } from "../model";
import { PROGRESS_CHUNK_OBJECT, progressChunkSchema, type HearthExtension } from "../wire/hearthProtocol";
import type { HearthOptions, ModelCall, PreparedCall, ProviderResult, SendOptions } from "./providerTypes";
import { createOpenAiClient } from "./sdkClients";

export interface OpenAiDialect {
  readonly provider: ProviderId;
  readonly label: string;
  /** OpenAI's API wants `max_completion_tokens`; other servers know `max_tokens`. */
  readonly maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Whether the `hearth` body field goes along: only to Hearth's own server. */
  readonly sendHearth: boolean;
  /** Whether `/v1/completions` (raw prompts, FIM suffix) is offered. */
  readonly acceptsText: boolean;
  /**
   * Whether `chat_template_kwargs` (thinking on/off) goes along: servers that apply the
   * model's chat template take it (Hearth's, llama-server, vLLM; Ollama ignores it);
   * OpenAI's API refuses unknown fields.
   */
  readonly templateKwargs: boolean;
}

export function prepareOpenAiCall(call: ModelCall, model: string, dialect: OpenAiDialect): PreparedCall {
  if (call.kind === "text" && !dialect.acceptsText) {
    throw new ProviderError({
      kind: "bad_request",
      provider: dialect.provider,
      message: `${dialect.label} only takes conversations, not raw completion prompts; Hearth should have sent this one elsewhere. See "Hearth: Show Logs".`,
    });
  }
  const common: Record<string, unknown> = {
    model,
    stream: true,
    stream_options: { include_usage: true },
    ...(call.maxTokens !== undefined ? { [dialect.maxTokensField]: call.maxTokens } : {}),
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    ...(call.stop !== undefined && call.stop.length > 0 ? { stop: [...call.stop] } : {}),
  };
  const hearth = dialect.sendHearth && call.hearth !== undefined ? { hearth: hearthField(call, call.hearth) } : {};
  const kwargs = dialect.templateKwargs && call.kind === "chat" && call.thinking !== undefined ? { chat_template_kwargs: { enable_thinking: call.thinking } } : {};
  const body =
    call.kind === "chat"
      ? { ...common, messages: call.messages.map(messageJson), ...toolFieldsJson(call.tools, call.toolChoice), ...kwargs, ...hearth }
      : { ...common, prompt: call.prompt, ...(call.suffix !== undefined ? { suffix: call.suffix } : {}), ...hearth };
  const json = JSON.stringify(body);
  return { provider: dialect.provider, model, path: call.kind === "chat" ? "/chat/completions" : "/completions", json, bytes: Buffer.byteLength(json, "utf8") };
}

/**
 * A repository question carries the whole pack: the server reports its evaluation as it
 * goes (the user sees a cancellable progress bar) and keeps it on disk, so the pack is
 * evaluated once, not per question and not again after a restart (see repo-contract.md).
 */
function repoDefaults(call: ModelCall): Partial<HearthOptions> {
  return call.kind === "chat" && call.hearth?.role === "repo" ? { progress: true, persist: true } : {};
}

/** The `hearth` body field as the wire module states it: the call's options over the repo defaults, nothing undefined. */
function hearthField(call: ModelCall, options: HearthOptions): HearthExtension {
  return withoutUndefined({ ...repoDefaults(call), ...options, checkpoints: options.checkpoints === undefined ? undefined : [...options.checkpoints] });
}

/** A `hearth.progress` chunk of Hearth's server; other servers never send one. */
function progressOf(chunk: unknown): PromptProgress | undefined {
  // Every token's chunk passes here: only a chunk that says it is progress is parsed.
  if ((chunk as { object?: unknown } | null)?.object !== PROGRESS_CHUNK_OBJECT) return undefined;
  const parsed = progressChunkSchema.safeParse(chunk);
  if (!parsed.success) return undefined;
  const { evaluated, total, cached, loading } = parsed.data.hearth;
  return loading ? { evaluated, total, cached, loading } : { evaluated, total, cached };
}

/** Where one attempt goes: the server's base URL and the key it wants ("" for none). */
export type OpenAiTarget = (stream: (baseUrl: string, apiKey: string) => Promise<AttemptOutcome>) => Promise<AttemptOutcome>;

/**
 * A prepared call through the call runner to a server that speaks the OpenAI wire format.
 * `target` is asked on every attempt, so a provider can look up its endpoint afresh (the
 * local server restarts on a new port) or wrap the attempt (the supervisor's restart-once).
 */
export function runOpenAiCall(dialect: OpenAiDialect, limits: CallLimits, prepared: PreparedCall, options: SendOptions | undefined, target: OpenAiTarget): Promise<ProviderResult> {
  return runCall({
    provider: dialect.provider,
    label: dialect.label,
    model: prepared.model,
    limits,
    options,
    attempt: (context) => target((baseUrl, apiKey) => streamOpenAi(createOpenAiClient({ baseUrl, apiKey, timeoutMs: context.sdkTimeoutMs }), prepared, context)),
  });
}

/** One streamed attempt. Errors before any text are thrown; after text, returned (see AttemptOutcome.error). */
async function streamOpenAi(client: OpenAI, prepared: PreparedCall, context: AttemptContext): Promise<AttemptOutcome> {
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: TokenUsage | undefined;
  const toolCalls = new ToolCallDeltas();
  const requestOptions = { signal: context.signal, timeout: context.sdkTimeoutMs, maxRetries: 0 };
  try {
    if (prepared.path === "/chat/completions") {
      // Parsed from the prepared JSON, so the body sent is the body reviewed and hashed.
      const body = JSON.parse(prepared.json) as ChatCompletionCreateParamsStreaming;
      const stream = await client.chat.completions.create(body, requestOptions);
      context.started();
      for await (const chunk of stream) {
        const progress = progressOf(chunk);
        if (progress !== undefined) {
          context.progress(progress);
          continue;
        }
        model = chunk.model || model;
        if (chunk.usage) usage = usageOf(chunk.usage);
        const choice = chunk.choices?.[0];
        const thought = reasoningOf(choice?.delta);
        if (thought) context.reasoning(thought);
        if (choice?.delta?.content) context.delta(choice.delta.content);
        if (choice?.delta?.tool_calls) toolCalls.add(choice.delta.tool_calls);
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
    } else {
      const body = JSON.parse(prepared.json) as CompletionCreateParamsStreaming;
      const stream = await client.completions.create(body, requestOptions);
      context.started();
      for await (const chunk of stream) {
        model = chunk.model || model;
        if (chunk.usage) usage = usageOf(chunk.usage);
        const choice = chunk.choices[0];
        if (choice?.text) context.delta(choice.text);
        if (choice?.finish_reason) finishReason = choice.finish_reason;
      }
    }
  } catch (error) {
    if (context.delivered > 0) return { complete: false, finishReason, usage, model, error };
    throw error;
  }
  const calls = toolCalls.calls();
  return { complete: finishReason !== undefined, finishReason, usage, model, ...(calls.length > 0 ? { toolCalls: calls } : {}) };
}

/** A message as the wire writes it: an assistant's `tool_calls`, a tool turn's `tool_call_id`. */
function messageJson(message: ChatMessage): Record<string, unknown> {
  const calls = message.toolCalls ?? [];
  if (message.role === "assistant" && calls.length > 0) {
    return { role: "assistant", content: message.content === "" ? null : message.content, tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } })) };
  }
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId ?? "", content: message.content };
  return { role: message.role, content: message.content };
}

function toolFieldsJson(tools: readonly ToolSpec[] | undefined, choice: ToolChoice | undefined): Record<string, unknown> {
  if (tools === undefined || tools.length === 0) return {};
  return {
    tools: tools.map((t) => ({ type: "function", function: { name: t.name, description: t.description, ...(t.parameters !== undefined ? { parameters: t.parameters } : {}) } })),
    ...(choice === undefined ? {} : { tool_choice: typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } } }),
  };
}

/**
 * Tool calls as they stream: the first piece of a call carries its index, id and name, the
 * next ones more of its arguments' text. Whole once the stream has ended.
 */
class ToolCallDeltas {
  private readonly byIndex = new Map<number, { id: string; name: string; arguments: string }>();

  add(deltas: readonly OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[]): void {
    for (const delta of deltas) {
      const call = this.byIndex.get(delta.index) ?? { id: "", name: "", arguments: "" };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name += delta.function.name;
      if (delta.function?.arguments) call.arguments += delta.function.arguments;
      this.byIndex.set(delta.index, call);
    }
  }

  calls(): ToolCall[] {
    return [...this.byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ id: c.id === "" ? `call_${index}` : c.id, name: c.name, arguments: c.arguments === "" ? "{}" : c.arguments }));
  }
}

function usageOf(usage: OpenAI.CompletionUsage): TokenUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, ...(typeof cached === "number" ? { cachedTokens: cached } : {}) };
}

/**
 * Thoughts streamed apart from the answer. The field is not OpenAI's: llama-server and
 * Hearth's server call it `reasoning_content`, vLLM and Ollama `reasoning`.
 */
function reasoningOf(delta: object | undefined): string | undefined {
  if (delta === undefined) return undefined;
  const fields = delta as { reasoning_content?: unknown; reasoning?: unknown };
  const value = fields.reasoning_content ?? fields.reasoning;
  return typeof value === "string" && value !== "" ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
