// One request of VS Code's language-model API, through the gateway's port for feature
// `languageModel`: the conversation and the caller's tools go in; text streams out as it
// comes, and the model's tool calls come out once whole, for the caller to run.
import type { GatewayResult, ModelPort } from "../gateway";
import { TEMPLATE_MARGIN, toolArgumentsObject, type ToolCall, type ToolChoice, type ToolSpec } from "../model";
import { LIMITS } from "../wire/hearthProtocol";
import { lmMessageTexts, MESSAGE_OVERHEAD_TOKENS, toChatMessages, type LmMessage } from "./lmMessages";
import { ANSWER_TOKENS_CAP, tokenBudget, type LmModel } from "./lmModels";

/**
 * Tokens of the tool instructions Hearth's server writes into the system message when tools
 * are offered (about 1,100 characters), besides the tools' own JSON.
 */
const TOOLS_OVERHEAD_TOKENS = 300;

export interface LmRequest {
  readonly messages: readonly LmMessage[];
  readonly tools?: readonly ToolSpec[];
  /** VS Code's LanguageModelChatToolMode: the model may, or must, call one of the tools. */
  readonly toolMode?: "auto" | "required";
  /** The caller's `modelOptions`, unchecked: `max_tokens` (or `maxTokens`) and `temperature` are read if they are numbers. */
  readonly modelOptions?: Readonly<Record<string, unknown>>;
}

export interface LmToolCall {
  readonly callId: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface LmSink {
  text(value: string): void;
  toolCall(call: LmToolCall): void;
}

export async function sendLmRequest(port: ModelPort, model: Pick<LmModel, "preferred">, request: LmRequest, sink: LmSink, signal?: AbortSignal): Promise<GatewayResult> {
  const tools = request.tools ?? [];
  const problem = pastLimits(request.messages, tools);
  if (problem !== undefined) throw new Error(`Hearth did not send this request: ${problem} (the limits of Hearth's protocol, README "Limits").`);
  const messages = toChatMessages(request.messages);
  const toolFields: { tools?: readonly ToolSpec[]; toolChoice?: ToolChoice } = tools.length > 0 ? { tools, toolChoice: request.toolMode === "required" ? "required" : "auto" } : {};
  const promptTokens = await countPrompt(port, request.messages, tools, signal);
  const requested = positiveInteger(request.modelOptions?.max_tokens ?? request.modelOptions?.maxTokens);
  const temperature = request.modelOptions?.temperature;
  const result = await port.run(
    // The conversation is whole already: its size plans the route (too large for the local model, it goes where the policy allows).
    { preferred: model.preferred, promptTokens },
    (plan) => ({
      messages,
      ...toolFields,
      maxTokens: answerTokens(plan.contextTokens, promptTokens, requested),
      ...(typeof temperature === "number" && Number.isFinite(temperature) && temperature >= 0 ? { temperature } : {}),
      promptTokens,
    }),
    { ...(signal !== undefined ? { signal } : {}), onDelta: (text) => sink.text(text) },
  );
  // Checked before any is handed over: a caller must not run half of a turn's calls.
  const offered = new Set(tools.map((t) => t.name));
  const calls = (result.toolCalls ?? []).map((call) => toolCallOf(call, offered));
  for (const call of calls) sink.toolCall(call);
  return result;
}

/**
 * What makes a request larger than Hearth takes from another extension, checked before its
 * text is counted, redacted or sent: the local server's own limits (LIMITS in core/wire/hearthProtocol), which
 * hold for every route, so an oversized request costs no tokenizing and no redaction pass.
 */
function pastLimits(messages: readonly LmMessage[], tools: readonly ToolSpec[]): string | undefined {
  if (messages.length > LIMITS.messages) return `${messages.length} messages, more than ${LIMITS.messages}`;
  if (tools.length > LIMITS.tools) return `${tools.length} tools, more than ${LIMITS.tools}`;
  for (const tool of tools) {
    const chars = JSON.stringify(tool).length;
    if (chars > LIMITS.toolChars) return `the tool ${JSON.stringify(tool.name.slice(0, 80))} is ${chars} characters of JSON, more than ${LIMITS.toolChars}`;
  }
  let chars = 0;
  for (const message of messages) {
    if (message.parts.filter((p) => p.kind === "toolCall").length > LIMITS.toolCalls) return `a message calls more than ${LIMITS.toolCalls} tools`;
    for (const text of lmMessageTexts(message)) chars += text.length;
    if (chars > LIMITS.textChars) return `more than ${LIMITS.textChars} characters of text`;
  }
  return undefined;
}

/** Tokens of a text or a message, counted with the local model's tokenizer (an estimate when it cannot). */
export async function countLmTokens(port: ModelPort, input: string | LmMessage, signal?: AbortSignal): Promise<number> {
  const texts = typeof input === "string" ? [input] : lmMessageTexts(input);
  const { counts } = await port.countTokens(texts.filter((t) => t !== ""), signal !== undefined ? { signal } : {});
  return counts.reduce((a, b) => a + b, 0) + (typeof input === "string" ? 0 : MESSAGE_OVERHEAD_TOKENS);
}

async function countPrompt(port: ModelPort, messages: readonly LmMessage[], tools: readonly ToolSpec[], signal: AbortSignal | undefined): Promise<number> {
  const texts = [...messages.flatMap(lmMessageTexts), ...tools.map((t) => JSON.stringify(t))].filter((t) => t !== "");
  const { counts } = texts.length > 0 ? await port.countTokens(texts, signal !== undefined ? { signal } : {}) : { counts: [] };
  return counts.reduce((a, b) => a + b, 0) + messages.length * MESSAGE_OVERHEAD_TOKENS + (tools.length > 0 ? TOOLS_OVERHEAD_TOKENS : 0);
}

/** The caller's limit, else the model's share of the context; never past what the prompt leaves of the context. */
function answerTokens(contextTokens: number | undefined, promptTokens: number, requested: number | undefined): number {
  const wanted = requested ?? (contextTokens === undefined ? ANSWER_TOKENS_CAP : tokenBudget(contextTokens).maxOutputTokens);
  if (contextTokens === undefined) return wanted;
  const room = contextTokens - promptTokens - TEMPLATE_MARGIN;
  // No room at all: the gateway finds the prompt too long for this route and says so.
  return room >= 1 ? Math.min(wanted, room) : wanted;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** A call the caller may run: of a tool it offered (the answer is the model's, not to be trusted to pick), with a JSON object of arguments. */
function toolCallOf(call: ToolCall, offered: ReadonlySet<string>): LmToolCall {
  if (!offered.has(call.name)) {
    throw new Error(`The model called the tool ${JSON.stringify(call.name.slice(0, 80))}, which this request did not offer, so none of its calls were passed on.`);
  }
  const input = toolArgumentsObject(call.arguments);
  if (input === undefined) {
    throw new Error(`The model called the tool "${call.name}" with arguments that are not a JSON object (${JSON.stringify(call.arguments.slice(0, 80))}), so the call was not passed on.`);
  }
  return { callId: call.id, name: call.name, input };
}
