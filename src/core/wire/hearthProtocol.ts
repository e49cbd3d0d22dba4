// What Hearth's model server says beyond OpenAI's wire format, and the limits it puts on every
// request, stated once: the server checks
// requests with these schemas and HearthServerClient checks the answers with them, so the two
// cannot drift apart (as rust-analyzer's lsp_ext.ts mirrors its server). OpenAI's own bodies
// stay with their users: the server's requestSchemas.ts, the providers' SDK types.
import { isAbsolute } from "node:path";
import { z } from "zod";
import { HEARTH_ROLES, type PromptProgress } from "../model/index.js";

/**
 * Every limit the model server puts on a request, stated once. Requests are checked against
 * them before anything reaches the engine (native code); a value past a size limit is
 * answered 413, a bad value 400, both naming the field and the limit. They are part of the
 * wire protocol (the schemas below use them), so clients see the same numbers.
 * README.md's "Limits" paragraph lists them: keep the two in step.
 *
 * The sizes are chosen so that the largest request allowed keeps the server responsive:
 * its JSON parses in tens of milliseconds, and its text is tokenized in slices that yield
 * to other requests (see src/server/tokenizeSlices.ts), so /health answers while it is processed.
 */
export const LIMITS = {
  /** Messages in one chat request. */
  messages: 20_000,
  /** Text parts of one message's `content` array. */
  contentParts: 1_000,
  /**
   * Characters of text in one request, all strings together: a chat's message contents and
   * reasoning, a completion's prompt and suffix, the embeddings' inputs, /tokenize's content.
   * Four million characters is about a million tokens of code, more than any context holds.
   */
  textChars: 4_000_000,
  /** Stop strings per request, and characters in each. */
  stopStrings: 16,
  stopStringChars: 256,
  /** Checkpoint offsets in a completion request's `hearth.checkpoints`. */
  checkpoints: 8,
  /** Inputs in one embeddings request. */
  embeddingInputs: 256,
  /** Token ids in one /detokenize request (a whole 262K context). */
  detokenizeTokens: 262_144,
  /** /tokenize with `with_pieces`: each token is detokenized on its own. */
  piecesChars: 262_144,
  /** `max_tokens` and `max_completion_tokens` (the context caps them further). */
  maxTokens: 1_048_576,
  /** Tools offered in one chat request, and characters of each tool's JSON (name, description, parameters). */
  tools: 128,
  toolChars: 65_536,
  /**
   * The grammar that constrains a forced call (tool_choice "required" or a named function),
   * built from the constrained tools' parameter schemas: llama.cpp parses it synchronously,
   * so its size is bounded. Properties across those tools, and characters of the grammar's
   * text (413 past either); string lengths (maxLength, minLength) that the grammar enforces,
   * all parameters together: past this budget a string is left unbounded rather than refused.
   */
  grammarProperties: 256,
  grammarChars: 262_144,
  grammarStringChars: 4_096,
  /** Tool calls in one assistant message sent back. */
  toolCalls: 128,
  /** Characters in names: `model`, a lease's `client`. */
  nameChars: 256,
  /** Nesting of arrays and objects in a JSON body (OpenAI's shapes need 4). */
  jsonDepth: 32,
  /**
   * JSON values in a body: every array element and object member counts. 20,000 messages
   * need about 100,000; a full /detokenize request 262,144.
   */
  jsonValues: 400_000,
  /**
   * POST requests the server holds at once (reading, tokenizing, queued or generating): each
   * may hold a body and its tokens, so past this a client gets 429 instead of the machine
   * running out of memory. Hearth's own windows send a few at a time.
   */
  requestsInFlight: 32,
  /** Time to send a request's headers, and the whole request (headers and body). */
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
} as const;

/** Where each route lives on the server. A client's base URL ends with `openAiRoot`; Hearth's own routes sit beside it. */
export const HEARTH_PATHS = {
  openAiRoot: "/v1",
  health: "/health",
  tokenize: "/tokenize",
  detokenize: "/detokenize",
  lease: "/hearth/lease",
  state: "/hearth/state",
} as const;

/** OpenAI's routes, below `HEARTH_PATHS.openAiRoot`. */
export const OPENAI_PATHS = {
  models: "/models",
  chatCompletions: "/chat/completions",
  completions: "/completions",
  embeddings: "/embeddings",
} as const;

/** The query parameter of `DELETE /hearth/lease` that names the client whose lease ends. */
export const LEASE_CLIENT_PARAM = "client";

/** `object` of the stream chunks that report prompt evaluation (no choices; the figures in `hearth`). */
export const PROGRESS_CHUNK_OBJECT = "hearth.progress";

export const hearthRoleSchema = z.enum(HEARTH_ROLES);

// Strings are capped at a request's whole text budget; the server checks the budget across
// all of a request's strings once the shape is known.
const text = z.string().max(LIMITS.textChars);

/** The `hearth` field of a chat or completion request body: what Hearth's server does beyond OpenAI's. */
export const hearthExtensionSchema = z.object({
  role: hearthRoleSchema.optional(),
  /** Character offsets into a raw `prompt` where the server checkpoints the state. */
  checkpoints: z.array(z.number().int().nonnegative().max(LIMITS.textChars)).max(LIMITS.checkpoints).optional(),
  /** false: the server evaluates the whole prompt afresh (a baseline for measurements). */
  reuse: z.boolean().optional(),
  /** Streaming only: `hearth.progress` chunks while the prompt is evaluated. */
  progress: z.boolean().optional(),
  /** Save the state after the system message (and at a few file separators) to disk. */
  persist: z.boolean().optional(),
  /** An absolute folder the server packs itself into the system message (repo questions from scripts). */
  repo: z.string().min(1).max(4096).optional(),
});
export type HearthExtension = z.infer<typeof hearthExtensionSchema>;

/**
 * The `hearth` field as a client builds it: the same fields, read-only, so a caller's
 * read-only offsets go in as they are.
 */
export type HearthExtensionInput = { readonly [K in keyof HearthExtension]: HearthExtension[K] extends Array<infer E> | undefined ? readonly E[] : HearthExtension[K] };

export const tokenizeRequestSchema = z.object({
  content: text,
  /** Whose tokenizer: the completion role may run a model of its own. */
  role: hearthRoleSchema.optional(),
  parse_special: z.boolean().optional(),
  with_pieces: z.boolean().optional(),
});
export type TokenizeRequest = z.infer<typeof tokenizeRequestSchema>;

/**
 * Token ids in an answer. Checked in one pass over the parsed array rather than by zod's
 * element walk: a 4-million-character text is a million ids, and the walk (a copy, a check
 * per element) cost about twice the JSON.parse of the answer on the extension's thread.
 */
const tokenIds = z.custom<number[]>((value) => Array.isArray(value) && value.every((id) => Number.isSafeInteger(id) && (id as number) >= 0), "expected a list of token ids");

/** `POST /tokenize` without `with_pieces` (llama-server answers the same). */
export const tokenizeAnswerSchema = z.object({ tokens: tokenIds });
export type TokenizeAnswer = z.infer<typeof tokenizeAnswerSchema>;

/** `POST /tokenize` with `with_pieces`: each token with its own text. */
export const tokenPiecesAnswerSchema = z.object({ tokens: z.array(z.object({ id: z.number().int().nonnegative(), piece: z.string() })) });
export type TokenPiecesAnswer = z.infer<typeof tokenPiecesAnswerSchema>;

export const detokenizeRequestSchema = z.object({
  /** Ids are checked against the model's vocabulary by the route: a bad id crashed llama.cpp. */
  tokens: z.array(z.number().int().nonnegative()).max(LIMITS.detokenizeTokens),
  role: hearthRoleSchema.optional(),
});
export type DetokenizeRequest = z.infer<typeof detokenizeRequestSchema>;

export const detokenizeAnswerSchema = z.object({ content: z.string() });
export type DetokenizeAnswer = z.infer<typeof detokenizeAnswerSchema>;

export const leaseRequestSchema = z.object({
  client: z.string().min(1).max(LIMITS.nameChars),
  ttl_seconds: z.number().int().min(5).max(3600).optional(),
  /** The window's workspace folders: hearth.repo may pack folders below them while the lease lasts. */
  roots: z
    .array(
      z
        .string()
        .min(1)
        .max(4096)
        .refine((p) => isAbsolute(p), "must be an absolute folder path"),
    )
    .max(256)
    .optional(),
});
export type LeaseRequest = z.infer<typeof leaseRequestSchema>;

/** `POST` and `DELETE /hearth/lease`: the leases held once this one is renewed or released. */
export const leaseAnswerSchema = z.object({ ok: z.literal(true), leases: z.number().int().nonnegative() });
export type LeaseAnswer = z.infer<typeof leaseAnswerSchema>;

/** One saved state of `GET /hearth/state`, newest use first. */
export const savedStateSchema = z.object({ key: z.string(), tokens: z.number(), bytes: z.number(), lastUsed: z.number() });

/** `GET /hearth/state`: the saved states on disk; `dir` is null when the server keeps none (no --state-dir). */
export const stateListingSchema = z.object({ dir: z.string().nullable(), bytes: z.number(), limitBytes: z.number(), entries: z.array(savedStateSchema) });
export type StateListing = z.infer<typeof stateListingSchema>;

/** `DELETE /hearth/state`: how many saved states went. */
export const stateClearedSchema = z.object({ ok: z.literal(true), deleted: z.number().int().nonnegative() });
export type StateCleared = z.infer<typeof stateClearedSchema>;

const roleContextsSchema = z.object({ completion: z.number(), chat: z.number(), repo: z.number() });
const roleStatsSchema = z.object({ model: z.string(), contextSize: z.number(), threads: z.number(), cachedTokens: z.number(), checkpointBytes: z.number(), queued: z.number() });

/**
 * `GET /health`. A window may share, through the lock file, a server an older or newer Hearth
 * started: its liveness must not hinge on the details, so only `status` and `pid` are required.
 */
export const healthAnswerSchema = z.object({
  status: z.literal("ok"),
  pid: z.number().int(),
  id: z.string().optional(),
  architecture: z.string().optional(),
  contextSize: z.number().optional(),
  fim: z.boolean().optional(),
  hybrid: z.boolean().optional(),
  /** Context size in tokens per role: created contexts as they are, the rest as planned. */
  contexts: roleContextsSchema.optional(),
  /** Windows holding a lease. */
  leases: z.number().optional(),
  /** Finished and abandoned generations: a client that leaves must stop its work. */
  generations: z.object({ completed: z.number(), aborted: z.number() }).optional(),
  /** Per role with a context. */
  roles: z.record(z.string(), roleStatsSchema).optional(),
});
export type HealthAnswer = z.infer<typeof healthAnswerSchema>;

const stateLoadingSchema = z.object({ step: z.enum(["checking", "loading"]), bytes: z.number(), totalBytes: z.number() });

export const promptProgressSchema = z.object({
  evaluated: z.number(),
  total: z.number(),
  cached: z.number(),
  // A report whose loading part is unreadable still says how far the evaluation got.
  loading: stateLoadingSchema.optional().catch(undefined),
}) satisfies z.ZodType<PromptProgress>;

/**
 * A `hearth.progress` chunk in a streamed chat answer (only when `hearth.progress` was asked
 * for): the answer's id, creation time and model as in its other chunks, no choices.
 */
export const progressChunkSchema = z.object({
  id: z.string().optional(),
  object: z.literal(PROGRESS_CHUNK_OBJECT),
  created: z.number().optional(),
  model: z.string().optional(),
  choices: z.array(z.never()).optional(),
  hearth: promptProgressSchema,
});
export type ProgressChunk = z.infer<typeof progressChunkSchema>;

/** OpenAI's `GET /v1/models`, as far as Hearth reads it (external servers add much more). */
export const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });
export type ModelList = z.infer<typeof modelListSchema>;
