// Anthropic's Messages API (Claude Haiku by default; the model id comes from the policy).
// Differences from the OpenAI shape that matter here: the system prompt is a separate
// field, roles must alternate, `max_tokens` is required, temperature tops out at 1, and the
// stream is typed SSE events (message_start … content_block_delta … message_stop, with pings).
// Tools map one to one: a tool is {name, description, input_schema}, a call is a `tool_use`
// block of the assistant's turn, its result a `tool_result` block of the next user turn.
import type { ContentBlockParam, MessageCreateParamsStreaming, MessageParam, Tool, ToolChoice as AnthropicToolChoice } from "@anthropic-ai/sdk/resources/messages";
import { CLOUD_LIMITS, runCall, type AttemptContext, type AttemptOutcome, type CallLimits } from "./callRunner";
import { describeProviderError } from "./errorMessages";
import { ProviderError } from "./providerError";
import { toolArgumentsObject, type ChatMessage, type ToolCall, type ToolChoice, type ToolSpec } from "../model";
import type { ModelCall, ModelProvider, PreparedCall, ProviderResult, SendOptions } from "./providerTypes";
import { createAnthropicClient } from "./sdkClients";
import { readSecret, SECRET_KEYS, type SecretSource } from "./secretSource";

export const ANTHROPIC_BASE_URL = "https://api.anthropic.com";
export const DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5";
/** Anthropic requires a limit; this one fits a chat answer or an edit of a function. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 2048;

export interface AnthropicProviderOptions {
  readonly secrets: SecretSource;
  /** Tests point this at a loopback fake; users never need to. */
  readonly baseUrl?: string;
  readonly limits?: Partial<CallLimits>;
}

export class AnthropicProvider implements ModelProvider {
  readonly id = "anthropic";
  readonly label = "Anthropic";
  readonly acceptsText = false;
  private readonly limits: CallLimits;

  constructor(private readonly options: AnthropicProviderOptions) {
    this.limits = { ...CLOUD_LIMITS, ...options.limits };
  }

  async isConfigured(): Promise<boolean> {
    return (await readSecret(this.options.secrets, SECRET_KEYS.anthropic)) !== undefined;
  }

  prepare(call: ModelCall): PreparedCall {
    if (call.kind !== "chat") {
      throw new ProviderError({
        kind: "bad_request",
        provider: "anthropic",
        message: 'Anthropic only takes conversations, not raw completion prompts; Hearth should have sent this one elsewhere. See "Hearth: Show Logs".',
      });
    }
    const model = call.model ?? DEFAULT_ANTHROPIC_MODEL;
    const system = call.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
    const body: MessageCreateParamsStreaming = {
      model,
      max_tokens: call.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
      ...(system !== "" ? { system } : {}),
      messages: alternate(call.messages),
      ...toolFields(call.tools, call.toolChoice),
      ...(call.temperature !== undefined ? { temperature: Math.min(1, Math.max(0, call.temperature)) } : {}),
      ...(call.stop !== undefined && call.stop.length > 0 ? { stop_sequences: [...call.stop] } : {}),
      stream: true,
    };
    const json = JSON.stringify(body);
    return { provider: "anthropic", model, path: "/messages", json, bytes: Buffer.byteLength(json, "utf8") };
  }

  async send(prepared: PreparedCall, options?: SendOptions): Promise<ProviderResult> {
    const apiKey = await readSecret(this.options.secrets, SECRET_KEYS.anthropic);
    if (apiKey === undefined) {
      throw new ProviderError({ kind: "auth", provider: "anthropic", message: describeProviderError("auth", { provider: "anthropic", label: this.label, missingKey: true }) });
    }
    const baseUrl = this.options.baseUrl ?? ANTHROPIC_BASE_URL;
    return runCall({
      provider: "anthropic",
      label: this.label,
      model: prepared.model,
      limits: this.limits,
      options,
      attempt: (context) => streamMessages(createAnthropicClient({ baseUrl, apiKey, timeoutMs: context.sdkTimeoutMs }), prepared, context),
    });
  }
}

async function streamMessages(client: ReturnType<typeof createAnthropicClient>, prepared: PreparedCall, context: AttemptContext): Promise<AttemptOutcome> {
  let model: string | undefined;
  let finishReason: string | undefined;
  let promptTokens: number | undefined;
  let completionTokens: number | undefined;
  let stopped = false;
  // Tool calls by content block index; their input arrives as pieces of JSON text.
  const calls = new Map<number, { id: string; name: string; input: string }>();
  try {
    // Parsed from the prepared JSON, so the body sent is the body reviewed and hashed.
    const body = JSON.parse(prepared.json) as MessageCreateParamsStreaming;
    const stream = await client.messages.create(body, { signal: context.signal, timeout: context.sdkTimeoutMs, maxRetries: 0 });
    context.started();
    for await (const event of stream) {
      switch (event.type) {
        case "message_start":
          model = event.message.model || model;
          promptTokens = event.message.usage.input_tokens;
          break;
        case "content_block_start":
          if (event.content_block.type === "tool_use") calls.set(event.index, { id: event.content_block.id, name: event.content_block.name, input: "" });
          break;
        case "content_block_delta":
          if (event.delta.type === "text_delta") context.delta(event.delta.text);
          else if (event.delta.type === "input_json_delta") {
            const call = calls.get(event.index);
            if (call !== undefined) call.input += event.delta.partial_json;
          }
          break;
        case "message_delta":
          finishReason = event.delta.stop_reason ?? finishReason;
          completionTokens = event.usage.output_tokens;
          if (typeof event.usage.input_tokens === "number") promptTokens = event.usage.input_tokens;
          break;
        case "message_stop":
          stopped = true;
          break;
        default:
          // content_block_stop carries nothing; pings are skipped by the SDK.
          break;
      }
    }
  } catch (error) {
    if (context.delivered > 0) return { complete: false, finishReason, model, error, usage: usageOf(promptTokens, completionTokens) };
    throw error;
  }
  // A call without input deltas took no arguments: its input is {}.
  const toolCalls: ToolCall[] = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ id: c.id, name: c.name, arguments: c.input === "" ? "{}" : c.input }));
  return { complete: stopped, finishReason, model, usage: usageOf(promptTokens, completionTokens), ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function usageOf(promptTokens: number | undefined, completionTokens: number | undefined): { promptTokens: number; completionTokens: number } | undefined {
  if (promptTokens === undefined && completionTokens === undefined) return undefined;
  return { promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0 };
}

/**
 * Anthropic wants user and assistant turns to alternate, starting with the user: neighbours
 * of one role are joined. A conversation with tool calls is written in content blocks (a
 * `tool` turn is the user's `tool_result`); one without stays plain text, as it always was.
 */
function alternate(messages: readonly ChatMessage[]): MessageParam[] {
  if (messages.some((m) => m.role === "tool" || (m.toolCalls?.length ?? 0) > 0)) return alternateBlocks(messages);
  const out: { role: "user" | "assistant"; content: string }[] = [];
  for (const message of messages) {
    if (message.role === "system" || message.role === "tool") continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === message.role) last.content = `${last.content}\n\n${message.content}`;
    else out.push({ role: message.role, content: message.content });
  }
  if (out.length > 0 && out[0].role === "assistant") out.unshift({ role: "user", content: "(continued)" });
  return out;
}

function alternateBlocks(messages: readonly ChatMessage[]): MessageParam[] {
  const out: { role: "user" | "assistant"; content: ContentBlockParam[] }[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    const role = message.role === "assistant" ? "assistant" : "user";
    const blocks: ContentBlockParam[] = [];
    if (message.role === "tool") blocks.push({ type: "tool_result", tool_use_id: message.toolCallId ?? "", content: message.content });
    else if (message.content !== "") blocks.push({ type: "text", text: message.content });
    for (const call of message.toolCalls ?? []) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call) });
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) {
      // Results answer the calls of the turn before: they come first in the user's turn.
      if (message.role === "tool") last.content.splice(last.content.filter((b) => b.type === "tool_result").length, 0, ...blocks);
      else last.content.push(...blocks);
    } else out.push({ role, content: blocks });
  }
  if (out.length > 0 && out[0].role === "assistant") out.unshift({ role: "user", content: [{ type: "text", text: "(continued)" }] });
  return out;
}

/** A call's arguments as the object Anthropic wants; text that is no JSON object cannot be sent. */
function toolInput(call: ToolCall): Record<string, unknown> {
  const input = toolArgumentsObject(call.arguments);
  if (input === undefined) {
    throw new ProviderError({ kind: "bad_request", provider: "anthropic", message: `The arguments of the call of tool "${call.name}" are not a JSON object, so Anthropic cannot take the conversation.` });
  }
  return input;
}

function toolFields(tools: readonly ToolSpec[] | undefined, choice: ToolChoice | undefined): { tools?: Tool[]; tool_choice?: AnthropicToolChoice } {
  if (tools === undefined || tools.length === 0) return {};
  return {
    tools: tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: { ...tool.parameters, type: "object" } })),
    ...(choice === undefined ? {} : { tool_choice: choice === "auto" ? { type: "auto" } : choice === "required" ? { type: "any" } : choice === "none" ? { type: "none" } : { type: "tool", name: choice.name } }),
  };
}
