import { z } from "zod";
import { ROLES } from "./engine.js";

/**
 * The request bodies the server accepts, in OpenAI's shapes. Unknown fields are ignored
 * (clients send many optional ones), but a known field with a bad value is refused with
 * a 400 that names it.
 */

const stop = z.union([z.string(), z.array(z.string()).max(16)]).optional();
const sampling = {
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
  stop,
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1).optional(),
  hearth: z
    .object({
      role: z.enum(ROLES).optional(),
      /** Character offsets into a raw `prompt` where the server checkpoints the state. */
      checkpoints: z.array(z.number().int().nonnegative()).max(8).optional(),
      reuse: z.boolean().optional(),
      /** Streaming only: `hearth.progress` chunks while the prompt is evaluated. */
      progress: z.boolean().optional(),
      /** Save the state after the system message (and at a few file separators) to disk. */
      persist: z.boolean().optional(),
      /** An absolute folder the server packs itself into the system message (repo questions from scripts). */
      repo: z.string().min(1).max(4096).optional(),
    })
    .optional(),
};

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const messageContent = z.union([z.string(), z.array(textPart).min(1)]);

export const chatRequestSchema = z.object({
  model: z.string().optional(),
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant"]),
        content: messageContent.nullable(),
        reasoning_content: z.string().nullish(),
      }),
    )
    .min(1),
  chat_template_kwargs: z.object({ enable_thinking: z.boolean().optional() }).optional(),
  ...sampling,
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export const completionRequestSchema = z.object({
  model: z.string().optional(),
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  suffix: z.string().nullish(),
  ...sampling,
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export const embeddingRequestSchema = z.object({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

export const tokenizeRequestSchema = z.object({
  content: z.string(),
  /** Whose tokenizer: the completion role may run a model of its own. */
  role: z.enum(ROLES).optional(),
  parse_special: z.boolean().optional(),
  with_pieces: z.boolean().optional(),
});

export const detokenizeRequestSchema = z.object({
  tokens: z.array(z.number().int().nonnegative()),
});

export const leaseRequestSchema = z.object({
  client: z.string().min(1).max(200),
  ttl_seconds: z.number().int().min(5).max(3600).optional(),
});

/** The first problem of a failed parse as OpenAI's `param` and a readable message. */
export function describeIssue(error: z.ZodError): { param: string | null; message: string } {
  const issue = error.issues[0];
  if (!issue) return { param: null, message: "Invalid request body." };
  const param = issue.path.length > 0 ? issue.path.map(String).join(".") : null;
  return { param, message: param ? `Invalid value for '${param}': ${issue.message}` : issue.message };
}

export function messageText(content: z.infer<typeof messageContent> | null): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text).join("");
}
