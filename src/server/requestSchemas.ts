import { z } from "zod";
import { hearthExtensionSchema, LIMITS } from "../core/wire/hearthProtocol.js";

/**
 * The request bodies the server accepts in OpenAI's shapes, with Hearth's `hearth` field
 * from the wire module (core/wire/hearthProtocol.ts, which also holds Hearth's own routes'
 * bodies). Unknown fields are ignored (clients send many optional ones), but a known field
 * with a bad value is refused with a 400 that names it.
 */

const stopString = z.string().max(LIMITS.stopStringChars);
const stop = z.union([stopString, z.array(stopString).max(LIMITS.stopStrings)]).optional();
const model = z.string().max(LIMITS.nameChars).optional();
const sampling = {
  max_tokens: z.number().int().positive().max(LIMITS.maxTokens).optional(),
  max_completion_tokens: z.number().int().positive().max(LIMITS.maxTokens).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  /** Any safe integer; the sampler takes its low 32 bits. */
  seed: z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(),
  stop,
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1).optional(),
  hearth: hearthExtensionSchema.optional(),
};

// Strings are capped at the request's whole text budget here; the budget itself is checked
// across all of a request's strings by textChars() once the shape is known.
const text = z.string().max(LIMITS.textChars);
const textPart = z.object({ type: z.literal("text"), text });
const messageContent = z.union([text, z.array(textPart).min(1).max(LIMITS.contentParts)]);

const functionName = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "a function name is 1 to 64 letters, digits, '_', '.', ':' or '-'");
const toolCallSchema = z.object({
  id: z.string().max(LIMITS.nameChars),
  type: z.literal("function").optional(),
  function: z.object({ name: functionName, arguments: text }),
});

export const chatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  // An assistant message that only calls tools may leave its content out.
  content: messageContent.nullish(),
  reasoning_content: text.nullish(),
  tool_calls: z.array(toolCallSchema).max(LIMITS.toolCalls).nullish(),
  tool_call_id: z.string().max(LIMITS.nameChars).nullish(),
});

const toolSchema = z
  .object({
    type: z.literal("function"),
    function: z.object({
      name: functionName,
      description: z.string().max(LIMITS.toolChars).optional(),
      // A JSON schema; its size is checked with the tool's (LIMITS.toolChars).
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  })
  .refine((tool) => JSON.stringify(tool).length <= LIMITS.toolChars, { message: `a tool's JSON is longer than ${LIMITS.toolChars} characters, the server's limit (README, "Limits")` });

const toolChoiceSchema = z.union([z.enum(["auto", "none", "required"]), z.object({ type: z.literal("function"), function: z.object({ name: functionName }) })]);

export const chatRequestSchema = z.object({
  model,
  messages: z.array(chatMessageSchema).min(1).max(LIMITS.messages),
  chat_template_kwargs: z.object({ enable_thinking: z.boolean().optional() }).optional(),
  tools: z.array(toolSchema).max(LIMITS.tools).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  ...sampling,
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/**
 * A chat request with its messages left unchecked: the server checks them one by one with
 * chatMessageSchema, giving way to other requests between them (20,000 messages at once
 * held the event loop for ~100 ms on a loaded machine).
 */
export const chatEnvelopeSchema = chatRequestSchema.extend({ messages: z.array(z.unknown()).min(1).max(LIMITS.messages) });

export const completionRequestSchema = z.object({
  model,
  prompt: z.union([text, z.array(text).length(1)]),
  suffix: text.nullish(),
  ...sampling,
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const embeddingRequestSchema = z.object({
  model,
  // An empty input has no tokens to embed: its vector came back empty, the wrong dimension (OpenAI refuses it too).
  input: z.union([text.min(1), z.array(text.min(1)).min(1).max(LIMITS.embeddingInputs)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

/**
 * The arrays a request may carry, by route, checked before the schema walks them: a
 * schema checks an array's length only after checking each element.
 */
export const ARRAY_LIMITS: Readonly<Record<string, readonly [field: string, limit: number]>> = {
  chat: ["messages", LIMITS.messages],
  embeddings: ["input", LIMITS.embeddingInputs],
  detokenize: ["tokens", LIMITS.detokenizeTokens],
};

/** A failed parse's first problem: OpenAI's `param`, a readable message, and 413 for a size past a limit. */
export function describeIssue(error: z.ZodError, prefix: ReadonlyArray<string | number> = []): { param: string | null; message: string; status: 400 | 413 } {
  const issue = error.issues[0];
  if (!issue) return { param: null, message: "Invalid request body.", status: 400 };
  const path = [...prefix, ...issue.path];
  const param = path.length > 0 ? path.map(String).join(".") : null;
  if (issue.code === "too_big" && (issue.origin === "array" || issue.origin === "string")) {
    const what = issue.origin === "array" ? "items" : "characters";
    return { param, status: 413, message: `'${param ?? "body"}' holds more than ${String(issue.maximum)} ${what}, the server's limit (README, "Limits"); send less.` };
  }
  return { param, status: 400, message: param ? `Invalid value for '${param}': ${issue.message}` : issue.message };
}

/** An array field past its limit, before the schema spends time on its elements. */
export function oversizedArray(route: string, body: unknown): { field: string; limit: number; length: number } | undefined {
  const entry = ARRAY_LIMITS[route];
  if (entry === undefined || typeof body !== "object" || body === null) return undefined;
  const [field, limit] = entry;
  const value = (body as Record<string, unknown>)[field];
  return Array.isArray(value) && value.length > limit ? { field, limit, length: value.length } : undefined;
}

/** Characters of text in a chat request: every message's content and reasoning. */
export function chatTextChars(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    const { content } = message;
    if (typeof content === "string") chars += content.length;
    else if (content !== null && content !== undefined) for (const part of content) chars += part.text.length;
    chars += message.reasoning_content?.length ?? 0;
    for (const call of message.tool_calls ?? []) chars += call.function.arguments.length;
  }
  return chars;
}

export function messageText(content: z.infer<typeof messageContent> | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}
