import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Token } from "node-llama-cpp";
import type { z } from "zod";
import type { ChatMessage } from "../core/prompts/chatml.js";
import { trimEndWhile } from "../shared/trimEnd.js";
import { renderFimPSM } from "../core/prompts/fim.js";
import type { TokenCounter } from "../core/repo/tokenCounter.js";
import { persistPoints, tokenizeChat } from "./chatTokens.js";
import { PromptTooLongError, errorMessage, type GenerationDelta, type GenerationResult, type ModelEngine, type Role, type SamplingParams } from "./engine.js";
import { HttpError, hostAllowed, readJsonBody, sendError, sendJson, tokensMatch } from "./httpBasics.js";
import type { LeaseTracker } from "./leases.js";
import { appendPaced } from "./tokenizeSlices.js";
import type { PrefillProgress } from "./prefill.js";
import { repoSystemMessage, repoTokenCounter } from "./repoPrompt.js";
import { ToolArgumentsError, ToolCallStream, parseModelOutput, renderToolCalls, toolCallGrammar, toolsSystemText, type Tool, type ToolCall } from "./toolCalls.js";
import {
  HEARTH_PATHS,
  LEASE_CLIENT_PARAM,
  OPENAI_PATHS,
  PROGRESS_CHUNK_OBJECT,
  detokenizeRequestSchema,
  leaseRequestSchema,
  tokenizeRequestSchema,
  type DetokenizeAnswer,
  type HealthAnswer,
  type LeaseAnswer,
  type ProgressChunk,
  type StateCleared,
  type StateListing,
  LIMITS,
} from "../core/wire/hearthProtocol.js";
import { chatEnvelopeSchema, chatMessageSchema, chatTextChars, completionRequestSchema, describeIssue, oversizedArray, embeddingRequestSchema, messageText, type ChatRequest, type CompletionRequest } from "./requestSchemas.js";

export interface HttpServerOptions {
  engine: ModelEngine;
  token: string;
  host: string;
  maxBodyBytes: number;
  leases: LeaseTracker;
  log: { info(message: string): void; warn(message: string): void };
  /** Time a client has to send a whole request, headers and body (LIMITS.requestTimeoutMs). */
  requestTimeoutMs?: number;
  /** Folders below which hearth.repo may pack (--repo-root); leases add the windows' workspace folders. */
  repoRoots?: readonly string[];
}

const V1 = HEARTH_PATHS.openAiRoot;
const DEFAULT_CHAT_MAX_TOKENS = 2048;
const DEFAULT_COMPLETION_MAX_TOKENS = 16;

/**
 * The OpenAI-compatible HTTP face of the engine. Every request is checked for a loopback
 * `Host`, no browser `Origin` and the bearer token before anything else happens.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  // Node's timeouts cover receiving a request (headers, then the whole body), never the
  // response: a request that trickles is answered 408 and closed, token or not, while a
  // long prefill or generation runs as long as it needs.
  const requestTimeout = options.requestTimeoutMs ?? LIMITS.requestTimeoutMs;
  const admitted: Admitted = { posts: 0 };
  const server = createServer({ requestTimeout, headersTimeout: Math.min(LIMITS.headersTimeoutMs, requestTimeout), connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor(requestTimeout / 4))) }, (req, res) => {
    handle(req, res, options, server, admitted).catch((error: unknown) => {
      if (clientLeft(req, res)) {
        options.log.info(`${req.method} ${req.url}: client disconnected`);
        return;
      }
      const httpError = toHttpError(error);
      if (httpError.status >= 500) options.log.warn(`${req.method} ${req.url} failed: ${error instanceof Error && error.stack ? error.stack : errorMessage(error)}`);
      // The rest of a refused body is read and dropped by Node after the answer (closing at
      // once would reset the connection under a client still sending, losing the answer);
      // requestTimeout bounds how long that may take.
      sendError(res, httpError);
    });
  });
  return server;
}

/** Whether the request failed because its client went away (mid-body or mid-answer). */
function clientLeft(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || (req.destroyed && !req.complete);
}

/** The POST requests being handled now (see LIMITS.requestsInFlight). */
interface Admitted {
  posts: number;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpServerOptions, server: Server, admitted: Admitted): Promise<void> {
  const port = (server.address() as AddressInfo).port;
  if (!hostAllowed(req.headers.host, options.host, port)) {
    throw new HttpError(403, "Host header does not name this server's address.", "permission_error", null, "bad_host");
  }
  if (req.headers.origin !== undefined || req.method === "OPTIONS") {
    throw new HttpError(403, "Requests from web pages are refused.", "permission_error", null, "browser_origin");
  }
  if (!tokensMatch(options.token, req.headers.authorization)) {
    throw new HttpError(401, "Missing or wrong API key: send 'Authorization: Bearer <token>' with the server's token.", "authentication_error", null, "invalid_api_key");
  }
  if (req.method === "POST") {
    if (admitted.posts >= LIMITS.requestsInFlight) {
      throw new HttpError(429, `The server is already handling ${LIMITS.requestsInFlight} requests (its limit); retry once one has finished.`, "rate_limit_error", null, "too_many_requests");
    }
    admitted.posts++;
    res.once("close", () => admitted.posts--);
  }
  options.leases.touch();
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = `${req.method} ${trimEndWhile(url.pathname, (char) => char === "/") || "/"}`;
  const abort = abortOnDisconnect(res);
  switch (route) {
    case `GET ${HEARTH_PATHS.health}`:
      return sendJson(res, 200, { status: "ok", pid: process.pid, ...options.engine.info, contexts: options.engine.contextSizes(), leases: options.leases.active, generations: options.engine.generations, roles: await options.engine.roleStats() } satisfies HealthAnswer);
    case `GET ${V1}${OPENAI_PATHS.models}`:
      return sendJson(res, 200, { object: "list", data: modelEntries(options.engine) });
    case `POST ${V1}${OPENAI_PATHS.chatCompletions}`:
      return chatCompletions(await parseChat(await readJsonBody(req, options.maxBodyBytes), options.engine), res, options.engine, abort, [...(options.repoRoots ?? []), ...options.leases.roots()]);
    case `POST ${V1}${OPENAI_PATHS.completions}`:
      return completions(parse(completionRequestSchema, await readJsonBody(req, options.maxBodyBytes)), res, options.engine, abort);
    case `POST ${V1}${OPENAI_PATHS.embeddings}`:
      return embeddings(parse(embeddingRequestSchema, await readJsonBody(req, options.maxBodyBytes), "embeddings"), res, options.engine, abort);
    case `POST ${HEARTH_PATHS.tokenize}`: {
      const body = parse(tokenizeRequestSchema, await readJsonBody(req, options.maxBodyBytes));
      const role = body.role ?? "chat";
      if (body.with_pieces && body.content.length > LIMITS.piecesChars) throw tooLarge("content", `${body.content.length} characters with 'with_pieces'`, `${LIMITS.piecesChars}`);
      const { engine } = options;
      const tokens = await engine.tokenizeAsync(body.content, body.parse_special ?? false, role);
      if (!body.with_pieces) return sendJsonList(res, '{"tokens":[', tokens, "]}", engine);
      const pieces: Array<{ id: number; piece: string }> = [];
      for (const token of tokens) {
        pieces.push({ id: token, piece: engine.detokenize([token], role) });
        if (engine.pacer.due) await engine.pacer.breathe();
      }
      return sendJsonList(res, '{"tokens":[', pieces, "]}", engine);
    }
    case `POST ${HEARTH_PATHS.detokenize}`: {
      const body = parse(detokenizeRequestSchema, await readJsonBody(req, options.maxBodyBytes), "detokenize");
      const role = body.role ?? "chat";
      const size = options.engine.vocabularySize(role);
      const bad = body.tokens.findIndex((token) => token >= size);
      if (bad >= 0) throw new HttpError(400, `Invalid value for 'tokens.${bad}': ${body.tokens[bad]} is not a token id of the ${role} model, whose ids run from 0 to ${size - 1}.`, "invalid_request_error", `tokens.${bad}`, "invalid_token_id");
      return sendJson(res, 200, { content: options.engine.detokenize(body.tokens as Token[], role) } satisfies DetokenizeAnswer);
    }
    case `GET ${HEARTH_PATHS.state}`: {
      const store = options.engine.stateStore;
      return sendJson(res, 200, (store ? await store.list() : { dir: null, bytes: 0, limitBytes: 0, entries: [] }) satisfies StateListing);
    }
    case `DELETE ${HEARTH_PATHS.state}`: {
      const store = options.engine.stateStore;
      const deleted = store ? await store.clear() : 0;
      return sendJson(res, 200, { ok: true, deleted } satisfies StateCleared);
    }
    case `POST ${HEARTH_PATHS.lease}`: {
      const body = parse(leaseRequestSchema, await readJsonBody(req, options.maxBodyBytes));
      options.leases.renew(body.client, (body.ttl_seconds ?? 60) * 1000, body.roots);
      return sendJson(res, 200, { ok: true, leases: options.leases.active } satisfies LeaseAnswer);
    }
    case `DELETE ${HEARTH_PATHS.lease}`: {
      const client = url.searchParams.get(LEASE_CLIENT_PARAM);
      if (!client) throw new HttpError(400, `Missing '${LEASE_CLIENT_PARAM}' query parameter.`, "invalid_request_error", LEASE_CLIENT_PARAM);
      options.leases.release(client);
      return sendJson(res, 200, { ok: true, leases: options.leases.active } satisfies LeaseAnswer);
    }
    default:
      throw new HttpError(404, `Unknown route ${route}.`, "invalid_request_error", null, "not_found");
  }
}

function modelEntries(engine: ModelEngine): Array<{ id: string; object: "model"; created: number; owned_by: string; meta: object }> {
  const { id, architecture, contextSize, fim, hybrid, completionModel } = engine.info;
  const entries = [{ id, object: "model" as const, created: 0, owned_by: "hearth", meta: { architecture, context_size: contextSize, fim, hybrid, roles: completionModel ? ["chat", "repo"] : ["completion", "chat", "repo"] } }];
  if (completionModel) {
    entries.push({ id: completionModel.id, object: "model", created: 0, owned_by: "hearth", meta: { architecture: completionModel.architecture, context_size: contextSize, fim: completionModel.fim, hybrid, roles: ["completion"] } });
  }
  return entries;
}

/** Checks a body against its schema; `route` names the array limits to check first (ARRAY_LIMITS). */
function parse<T extends z.ZodType>(schema: T, body: unknown, route?: string): z.infer<T> {
  const oversized = route !== undefined ? oversizedArray(route, body) : undefined;
  if (oversized) throw tooLarge(oversized.field, `${oversized.length} items`, `${oversized.limit} items`);
  const result = schema.safeParse(body);
  if (!result.success) {
    const { param, message, status } = describeIssue(result.error);
    throw new HttpError(status, message, "invalid_request_error", param, status === 413 ? "too_large" : null);
  }
  return result.data;
}

/** A chat request, its messages checked one by one with pauses between (see chatEnvelopeSchema). */
async function parseChat(body: unknown, engine: ModelEngine): Promise<ChatRequest> {
  const envelope = parse(chatEnvelopeSchema, body, "chat");
  const messages: ChatRequest["messages"] = [];
  for (const [index, message] of envelope.messages.entries()) {
    const result = chatMessageSchema.safeParse(message);
    if (!result.success) {
      const { param, message: text, status } = describeIssue(result.error, ["messages", index]);
      throw new HttpError(status, text, "invalid_request_error", param, status === 413 ? "too_large" : null);
    }
    messages.push(result.data);
    if (engine.pacer.due) await engine.pacer.breathe();
  }
  return { ...envelope, messages };
}

/** 413 for a field past one of LIMITS, naming both. */
function tooLarge(field: string, size: string, limit: string): HttpError {
  return new HttpError(413, `'${field}' has ${size}; the server's limit is ${limit} (see "Limits" in the README). Send less.`, "invalid_request_error", field, "too_large");
}

function checkTextChars(field: string, chars: number): void {
  if (chars > LIMITS.textChars) throw tooLarge(field, `${chars} characters of text`, `${LIMITS.textChars} characters per request`);
}

/**
 * Sends `{...[items]...}` in slices, giving way to other requests between them: the tokens
 * of a 4-million-character text are a 20 MB answer.
 */
async function sendJsonList(res: ServerResponse, head: string, items: readonly unknown[], tail: string, engine: ModelEngine): Promise<void> {
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.write(head);
  const slice = 16_384;
  for (let start = 0; start < items.length && !res.destroyed; start += slice) {
    const json = JSON.stringify(items.slice(start, start + slice));
    res.write(`${start > 0 ? "," : ""}${json.slice(1, -1)}`);
    await engine.pacer.breathe();
  }
  res.end(tail);
}

function samplingFrom(request: ChatRequest | CompletionRequest, defaultMaxTokens: number): SamplingParams {
  const stop = request.stop === undefined ? [] : typeof request.stop === "string" ? [request.stop] : request.stop;
  return {
    maxTokens: request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens,
    temperature: request.temperature ?? 0.7,
    topP: request.top_p,
    // The sampler's seed is 32 bits: the low ones of any safe integer, negative ones too.
    seed: request.seed === undefined ? undefined : Number(BigInt.asUintN(32, BigInt(request.seed))),
    stop: stop.filter((s) => s !== ""),
  };
}

/** hearth.repo's token counts, kept per engine across requests (a follow-up tokenizes only changed files). */
const repoCounters = new WeakMap<ModelEngine, TokenCounter>();

function repoCounter(engine: ModelEngine): TokenCounter {
  let counter = repoCounters.get(engine);
  if (counter === undefined) {
    counter = repoTokenCounter((text, parseSpecial) => engine.tokenize(text, parseSpecial, "repo"));
    repoCounters.set(engine, counter);
  }
  return counter;
}

async function chatCompletions(request: ChatRequest, res: ServerResponse, engine: ModelEngine, signal: AbortSignal, repoRoots: readonly string[] = []): Promise<void> {
  const received = performance.now();
  const tools: Tool[] = request.tools ?? [];
  checkTextChars("messages", chatTextChars(request) + tools.reduce((n, tool) => n + JSON.stringify(tool).length, 0));
  const toolChoice = request.tool_choice ?? "auto";
  const forcedTool = typeof toolChoice === "object" ? toolChoice.function.name : undefined;
  if (toolChoice !== "auto" && toolChoice !== "none" && tools.length === 0) throw new HttpError(400, "'tool_choice' asks for a tool call but the request offers no 'tools'.", "invalid_request_error", "tool_choice");
  if (forcedTool !== undefined && !tools.some((tool) => tool.function.name === forcedTool)) throw new HttpError(400, `'tool_choice' names '${forcedTool}', which is not among 'tools'.`, "invalid_request_error", "tool_choice");
  // A forced call is constrained by a grammar from the tools' parameter schemas; it starts
  // at once, without a thought (the grammar admits nothing before the call).
  const grammar = toolChoice === "required" || forcedTool !== undefined ? toolCallGrammar(tools, forcedTool) : undefined;
  const enableThinking = grammar === undefined && (request.chat_template_kwargs?.enable_thinking ?? false);
  const messages: ChatMessage[] = request.messages.map((m, index) => {
    const message: ChatMessage = { role: m.role === "developer" ? "system" : m.role, content: messageText(m.content), reasoning: m.reasoning_content ?? undefined };
    if (m.role === "assistant" && m.tool_calls && m.tool_calls.length > 0) {
      try {
        message.toolCallsText = renderToolCalls(message.content, m.tool_calls.map((call) => call.function));
      } catch (error) {
        if (error instanceof ToolArgumentsError) throw new HttpError(400, `Invalid value for 'messages.${index}.tool_calls': ${error.message}.`, "invalid_request_error", `messages.${index}.tool_calls`);
        throw error;
      }
    }
    return message;
  });
  const repoDir = request.hearth?.repo;
  const role: Role = repoDir !== undefined ? "repo" : (request.hearth?.role ?? "chat");
  const sampling = samplingFrom(request, DEFAULT_CHAT_MAX_TOKENS);
  if (repoDir !== undefined) {
    const tokenize = (text: string, parseSpecial: boolean): readonly Token[] => engine.tokenize(text, parseSpecial, "repo");
    // A repo that does not fit is packed for the conversation's first question, so its
    // follow-ups keep the same pack, and the state evaluated for it, instead of a new one each.
    const question = messages.find((m) => m.role === "user")?.content ?? "";
    // A long conversation is counted in slices that yield, like the prompt itself below.
    let conversationTokens = 0;
    for (const m of messages) conversationTokens += (await engine.tokenizeAsync(m.content, false, "repo")).length;
    const pack = await repoSystemMessage({ dir: repoDir, roots: repoRoots, question, conversationTokens, messages: messages.length, contextTokens: engine.contextSizes().repo, answerTokens: sampling.maxTokens, tokenize, counter: repoCounter(engine), signal });
    messages.unshift({ role: "system", content: pack.text });
    const { report } = pack;
    res.setHeader("x-hearth-repo-pack", `${report.packTokens} of ${report.repoTokensExact ? "" : "~"}${report.repoTokens} tokens; ${report.included.length} parts in, ${report.leftOut.length} files left out`);
  }
  const toolsSystem = tools.length > 0 ? toolsSystemText(tools, messages[0]?.role === "system" ? messages[0].content : undefined) : undefined;
  // The role's own model tokenizes: the completion role may run a different model. The
  // repo role's system message is Hearth's pack, laid out with the model's repo tokens.
  const chat = await tokenizeChat({ tokenize: (text, parseSpecial) => engine.tokenizeAsync(text, parseSpecial, role), breathe: engine.breathe }, messages, { enableThinking, specialSystem: role === "repo", toolsSystem });
  signal.throwIfAborted();
  // A folder the server packs itself is paid for once: its state is kept on disk unless asked not to.
  const persist = request.hearth?.persist ?? repoDir !== undefined;
  const fileSep = engine.tokenize("<|file_sep|>", true, role);
  const persistAt = persist ? persistPoints(chat, fileSep.length === 1 ? fileSep[0] : undefined) : [];
  const stream = request.stream ?? false;
  await respond(res, engine, {
    kind: "chat",
    role,
    prompt: chat.tokens,
    boundaries: chat.boundaries,
    persist,
    persistAt,
    progress: stream && request.hearth?.progress === true,
    sampling,
    startsInThought: enableThinking,
    stream,
    includeUsage: request.stream_options?.include_usage ?? false,
    signal,
    prepareMs: performance.now() - received,
    tools: tools.length > 0 && toolChoice !== "none" ? tools : undefined,
    grammar,
  });
}

async function completions(request: CompletionRequest, res: ServerResponse, engine: ModelEngine, signal: AbortSignal): Promise<void> {
  const text = typeof request.prompt === "string" ? request.prompt : request.prompt[0]!;
  const suffix = request.suffix ?? undefined;
  checkTextChars("prompt", text.length + (suffix?.length ?? 0));
  const role: Role = request.hearth?.role ?? "completion";
  if (suffix !== undefined && !engine.fimFor(role)) {
    throw new HttpError(400, `The ${role} model has no fill-in-the-middle tokens, so 'suffix' is not supported. Use hearth.completion.mode "chat".`, "invalid_request_error", "suffix");
  }
  // Raw completion prompts may carry control tokens (repo-level FIM layouts); a FIM
  // request's prefix and suffix are user code and are tokenized literally.
  const offsets = request.hearth?.checkpoints ?? [];
  if (offsets.some((offset) => offset > text.length)) throw new HttpError(400, `Checkpoint offsets must lie within the prompt (${text.length} characters).`, "invalid_request_error", "hearth.checkpoints");
  if (suffix !== undefined && offsets.length > 0) throw new HttpError(400, "Checkpoints apply to raw prompts; send the layout in 'prompt' without 'suffix'.", "invalid_request_error", "hearth.checkpoints");
  const { tokens: prompt, boundaries } = suffix !== undefined ? { tokens: (await engine.tokenizeAsync(renderFimPSM(text, suffix), false, role)) as Token[], boundaries: [] } : await tokenizeAtOffsets(engine, text, offsets, role);
  signal.throwIfAborted();
  if (prompt.length === 0) throw new HttpError(400, "The prompt is empty.", "invalid_request_error", "prompt");
  await respond(res, engine, { kind: "text", role, prompt, checkpoints: boundaries, reuse: request.hearth?.reuse, sampling: samplingFrom(request, DEFAULT_COMPLETION_MAX_TOKENS), startsInThought: false, stream: request.stream ?? false, includeUsage: request.stream_options?.include_usage ?? false, signal });
}

/**
 * Tokenizes a raw prompt piece by piece, split at the client's checkpoint offsets, so each
 * offset falls exactly on a token boundary, the same way on every request.
 */
async function tokenizeAtOffsets(engine: ModelEngine, text: string, offsets: readonly number[], role: Role): Promise<{ tokens: Token[]; boundaries: number[] }> {
  const cuts = [...new Set(offsets)].filter((offset) => offset > 0 && offset < text.length).sort((a, b) => a - b);
  const tokens: Token[] = [];
  const boundaries: number[] = [];
  let start = 0;
  for (const cut of [...cuts, text.length]) {
    await appendPaced(tokens, await engine.tokenizeAsync(text.slice(start, cut), true, role), engine.breathe);
    if (cut < text.length) boundaries.push(tokens.length);
    start = cut;
  }
  return { tokens, boundaries };
}

async function embeddings(request: z.infer<typeof embeddingRequestSchema>, res: ServerResponse, engine: ModelEngine, signal: AbortSignal): Promise<void> {
  const inputs = typeof request.input === "string" ? [request.input] : request.input;
  checkTextChars("input", inputs.reduce((n, input) => n + input.length, 0));
  const { vectors, promptTokens } = await engine.embed(inputs, signal);
  // The openai SDK asks for base64 (little-endian float32) by default to save bytes.
  const encode = (vector: number[]): number[] | string => (request.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector);
  sendJson(res, 200, {
    object: "list",
    model: engine.info.id,
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding: encode(embedding) })),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

interface RespondOptions {
  kind: "chat" | "text";
  role: Role;
  prompt: Token[];
  checkpoints?: number[];
  boundaries?: number[];
  persist?: boolean;
  persistAt?: number[];
  /** Send `hearth.progress` chunks while the prompt is evaluated (streaming only). */
  progress?: boolean;
  reuse?: boolean;
  sampling: SamplingParams;
  startsInThought: boolean;
  stream: boolean;
  includeUsage: boolean;
  signal: AbortSignal;
  /** Time spent before generation: packing a folder, applying the template, tokenizing. */
  prepareMs?: number;
  /** The request's tools, when the answer may call them: it is parsed for Qwen3.5's tool calls. */
  tools?: readonly Tool[];
  /** GBNF the answer must follow (a forced tool call). */
  grammar?: string;
}

/** OpenAI's `tool_calls` of a message. */
function toolCallsJson(calls: readonly ToolCall[]): object[] {
  return calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

function usageOf(result: GenerationResult, prepareMs = 0): object {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.cachedTokens },
    // Of the cached tokens, those loaded from a saved state file (Hearth's own field).
    hearth: {
      disk_tokens: result.diskTokens,
      timings: {
        prepare_ms: round(prepareMs),
        queue_ms: round(result.timings.queueMs),
        restore_ms: round(result.timings.restoreMs),
        prefill_ms: round(result.timings.prefillMs),
        first_token_ms: round(result.timings.firstTokenMs),
        generation_ms: round(result.timings.generationMs),
      },
    },
  };
}

async function respond(res: ServerResponse, engine: ModelEngine, options: RespondOptions): Promise<void> {
  const id = `${options.kind === "chat" ? "chatcmpl" : "cmpl"}-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = engine.info.id;
  const object = options.kind === "chat" ? "chat.completion" : "text_completion";
  const generate = (onDelta?: (delta: GenerationDelta) => void, onProgress?: (progress: PrefillProgress) => void): Promise<GenerationResult> =>
    engine
      .generate({
        role: options.role,
        prompt: options.prompt,
        checkpoints: options.checkpoints,
        boundaries: options.boundaries,
        persist: options.persist,
        persistAt: options.persistAt,
        reuse: options.reuse,
        sampling: options.sampling,
        startsInThought: options.startsInThought,
        grammar: options.grammar,
        signal: options.signal,
        onDelta,
        onProgress,
      })
      .catch((error: unknown) => {
        if (error instanceof PromptTooLongError) throw new HttpError(400, error.message, "invalid_request_error", options.kind === "chat" ? "messages" : "prompt", "context_length_exceeded");
        throw error;
      });

  if (!options.stream) {
    const result = await generate();
    const parsed = options.tools !== undefined ? parseModelOutput(result.text, options.tools) : undefined;
    const reasoning = result.reasoning ? { reasoning_content: result.reasoning } : {};
    const choice =
      options.kind !== "chat"
        ? { index: 0, text: result.text, finish_reason: result.finishReason, logprobs: null }
        : parsed?.kind === "calls"
          ? { index: 0, message: { role: "assistant", content: parsed.content === "" ? null : parsed.content, ...reasoning, tool_calls: toolCallsJson(parsed.calls) }, finish_reason: "tool_calls", logprobs: null }
          : {
              index: 0,
              message: { role: "assistant", content: result.text, ...reasoning },
              finish_reason: result.finishReason,
              logprobs: null,
              // A call the model began but got wrong comes back as text, and says so.
              ...(parsed?.kind === "malformed" ? { hearth: { tool_call_error: parsed.error } } : {}),
            };
    sendJson(res, 200, { id, object, created, model, choices: [choice], usage: usageOf(result, options.prepareMs) });
    return;
  }

  const chunkObject = options.kind === "chat" ? "chat.completion.chunk" : "text_completion";
  const send = (body: unknown): void => {
    if (!res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(body)}\n\n`);
  };
  const chunk = (delta: GenerationDelta | { role: "assistant" }, finishReason: string | null): object =>
    options.kind === "chat"
      ? { id, object: chunkObject, created, model, choices: [{ index: 0, delta: "role" in delta ? delta : { ...(delta.text !== undefined ? { content: delta.text } : {}), ...(delta.reasoning !== undefined ? { reasoning_content: delta.reasoning } : {}) }, finish_reason: finishReason, logprobs: null }] }
      : { id, object: chunkObject, created, model, choices: [{ index: 0, text: "text" in delta ? (delta.text ?? "") : "", finish_reason: finishReason, logprobs: null }] };

  // Headers go out only once the request is accepted by the engine's checks, so a prompt
  // that is too long still gets a plain 400.
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    if (options.kind === "chat") send(chunk({ role: "assistant" }, null));
  };
  // Progress: after every evaluated chunk, and the last figures again each second while a
  // chunk runs long, so a client's idle timer sees a live server during a long prefill.
  let lastProgress: PrefillProgress | undefined;
  let lastSent: PrefillProgress | undefined;
  let lastSentAt = 0;
  const sendProgress = (progress: PrefillProgress): void => {
    start();
    lastSent = progress;
    lastSentAt = Date.now();
    send({ id, object: PROGRESS_CHUNK_OBJECT, created, model, choices: [], hearth: progress } satisfies ProgressChunk);
  };
  const heartbeat = options.progress ? setInterval(() => {
    if (lastProgress !== undefined && Date.now() - lastSentAt >= 1000) sendProgress(lastProgress);
  }, 250) : undefined;
  // With tools, text streams until the answer may open a call; the call is sent whole at the end.
  const toolStream = options.tools !== undefined ? new ToolCallStream() : undefined;
  try {
    const result = await generate(
      (delta) => {
        if (heartbeat) clearInterval(heartbeat);
        start();
        if (toolStream !== undefined && delta.text !== undefined) {
          const text = toolStream.push(delta.text);
          if (text === "" && delta.reasoning === undefined) return;
          send(chunk({ ...delta, text: text === "" ? undefined : text }, null));
          return;
        }
        send(chunk(delta, null));
      },
      options.progress
        ? (progress) => {
            lastProgress = progress;
            // The last report of each step (checking → loading → evaluating), and the first, go out at once.
            const { loading } = progress;
            const edge = progress.evaluated >= progress.total || loading?.step !== lastSent?.loading?.step || (loading !== undefined && loading.bytes >= loading.totalBytes);
            if (edge || Date.now() - lastSentAt >= 250) sendProgress(progress);
          }
        : undefined,
    );
    if (heartbeat) clearInterval(heartbeat);
    start();
    let finishReason: string = result.finishReason;
    let toolCallError: string | undefined;
    if (toolStream !== undefined && options.tools !== undefined) {
      const { parsed, unsent } = toolStream.finish(options.tools);
      if (parsed.kind === "calls") {
        // As OpenAI streams them: the id, type and name first, then the arguments in pieces.
        parsed.calls.forEach((call, index) => {
          const base = { id, object: chunkObject, created, model };
          send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }, finish_reason: null, logprobs: null }] });
          const half = Math.ceil(call.arguments.length / 2);
          for (const piece of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
            if (piece !== "") send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, finish_reason: null, logprobs: null }] });
          }
        });
        finishReason = "tool_calls";
      } else {
        if (unsent !== "") send(chunk({ text: unsent }, null));
        if (parsed.kind === "malformed") toolCallError = parsed.error;
      }
    }
    const final = chunk({}, finishReason) as { usage?: object; choices: Array<Record<string, unknown>> };
    if (toolCallError !== undefined) final.choices[0]!.hearth = { tool_call_error: toolCallError };
    if (!options.includeUsage) final.usage = usageOf(result, options.prepareMs);
    send(final);
    if (options.includeUsage) send({ id, object: chunkObject, created, model, choices: [], usage: usageOf(result, options.prepareMs) });
    res.end("data: [DONE]\n\n");
  } catch (error) {
    if (heartbeat) clearInterval(heartbeat);
    // A client that left is logged as such by the caller; the others get the error in-stream.
    if (!started || res.destroyed) throw error;
    const httpError = toHttpError(error);
    send({ error: { message: httpError.message, type: httpError.type, param: httpError.param, code: httpError.code } });
    res.end();
  }
}

/** Aborts the request's work the moment its client goes away. */
function abortOnDisconnect(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof PromptTooLongError) return new HttpError(400, error.message, "invalid_request_error", error.role === "embedding" ? `input${error.inputIndex ? `.${error.inputIndex}` : ""}` : null, "context_length_exceeded");
  return new HttpError(500, `Internal server error: ${errorMessage(error)}`, "server_error");
}
