// The one HTTP client for Hearth's model server outside the OpenAI SDK: every answer is read
// within a size limit and a time limit and checked against the wire schemas, so a wrong,
// slow or hostile answer is a HearthServerError, never a crash or a wait without end.
// Chat and completions stream through the openai SDK (core/providers/openAiWire.ts).
import type { z } from "zod";
import {
  HEARTH_PATHS,
  LEASE_CLIENT_PARAM,
  OPENAI_PATHS,
  detokenizeAnswerSchema,
  healthAnswerSchema,
  leaseAnswerSchema,
  modelListSchema,
  stateClearedSchema,
  stateListingSchema,
  tokenPiecesAnswerSchema,
  tokenizeAnswerSchema,
  type DetokenizeRequest,
  type HealthAnswer,
  type LeaseAnswer,
  type LeaseRequest,
  type ModelList,
  type StateCleared,
  type StateListing,
  type TokenPiecesAnswer,
  type TokenizeRequest,
} from "./hearthProtocol.js";

/** Where a server is: its OpenAI-style base URL (ending in `/v1` for Hearth's own) and its bearer token ("" for none). */
export interface ServerEndpoint {
  baseUrl: string;
  token: string;
}

export interface RequestOptions {
  /** Ends the request early; the error is then `cancelled`. */
  readonly signal?: AbortSignal;
  /** How long the whole exchange may take, answer included; the client's default otherwise. */
  readonly timeoutMs?: number;
}

/**
 * Why a request failed. `unreachable`: no connection (refused, reset); `timeout`: no whole
 * answer in time; `cancelled`: the caller's signal; `http`: a status other than 2xx (`status`);
 * `malformed`: an answer that is not what the protocol says, or larger than allowed.
 */
export type HearthServerErrorKind = "unreachable" | "timeout" | "cancelled" | "http" | "malformed";

export class HearthServerError extends Error {
  constructor(
    readonly kind: HearthServerErrorKind,
    message: string,
    /** `METHOD /path` of the request that failed. */
    readonly route: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HearthServerError";
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Answers past this many bytes are refused unread: Hearth's own stay far below, except token lists. */
const DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** A million-token text's ids (4,000,000 characters of text at most, README "Limits"), with room; with pieces more. */
const TOKENS_MAX_ANSWER_BYTES = 128 * 1024 * 1024;
/** An external server's model list may carry long descriptions of hundreds of models. */
const MODELS_MAX_ANSWER_BYTES = 16 * 1024 * 1024;
/** Bytes of a refusal (a non-2xx answer) read for its message. */
const REFUSAL_MAX_BYTES = 64 * 1024;
/** Characters of a refusal's own message quoted in the error. */
const QUOTED_CHARS = 300;

/** The server's root: the base URL without trailing slashes and without its `/v1`. */
export function serverRoot(baseUrl: string): string {
  return openAiRoot(baseUrl).replace(new RegExp(`${HEARTH_PATHS.openAiRoot}$`), "");
}

/** The base URL without trailing slashes: OpenAI's routes go below it. */
function openAiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "");
}

/**
 * A typed client of one server endpoint. Hearth's routes (`/health`, `/tokenize`,
 * `/hearth/...`) are found beside the base URL's `/v1`, OpenAI's below it, as llama-server
 * lays them out too. Create one per endpoint: a restarted server has a new port and token.
 */
export class HearthServerClient {
  /** The server's root, without `/v1`. */
  readonly root: string;
  private readonly openAiRoot: string;
  private readonly defaultTimeoutMs: number;

  constructor(
    private readonly endpoint: ServerEndpoint,
    options: { timeoutMs?: number } = {},
  ) {
    this.openAiRoot = openAiRoot(endpoint.baseUrl);
    this.root = serverRoot(endpoint.baseUrl);
    this.defaultTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** `GET /health`: the server answers and says it is well. */
  health(options?: RequestOptions): Promise<HealthAnswer> {
    return this.request("GET", HEARTH_PATHS.health, undefined, healthAnswerSchema, options);
  }

  /** `POST /hearth/lease`: this client uses the server for `ttl_seconds` more (the server leaves when no lease is left). */
  lease(request: LeaseRequest, options?: RequestOptions): Promise<LeaseAnswer> {
    return this.request("POST", HEARTH_PATHS.lease, request, leaseAnswerSchema, options);
  }

  /** `DELETE /hearth/lease`: this client no longer needs the server. */
  release(client: string, options?: RequestOptions): Promise<LeaseAnswer> {
    return this.request("DELETE", `${HEARTH_PATHS.lease}?${new URLSearchParams({ [LEASE_CLIENT_PARAM]: client }).toString()}`, undefined, leaseAnswerSchema, options);
  }

  /** `POST /tokenize`: the token ids of `content` in the role's model. */
  async tokenize(request: Omit<TokenizeRequest, "with_pieces">, options?: RequestOptions): Promise<number[]> {
    return (await this.request("POST", HEARTH_PATHS.tokenize, request, tokenizeAnswerSchema, options, TOKENS_MAX_ANSWER_BYTES)).tokens;
  }

  /** `POST /tokenize` with `with_pieces`: each token's id and text. */
  async tokenPieces(request: Omit<TokenizeRequest, "with_pieces">, options?: RequestOptions): Promise<TokenPiecesAnswer["tokens"]> {
    return (await this.request("POST", HEARTH_PATHS.tokenize, { ...request, with_pieces: true }, tokenPiecesAnswerSchema, options, TOKENS_MAX_ANSWER_BYTES)).tokens;
  }

  /** `POST /detokenize`: the text of token ids. */
  async detokenize(request: DetokenizeRequest, options?: RequestOptions): Promise<string> {
    return (await this.request("POST", HEARTH_PATHS.detokenize, request, detokenizeAnswerSchema, options)).content;
  }

  /** `GET /hearth/state`: the repository states the server saved to disk. */
  state(options?: RequestOptions): Promise<StateListing> {
    return this.request("GET", HEARTH_PATHS.state, undefined, stateListingSchema, options);
  }

  /** `DELETE /hearth/state`: deletes every saved state. */
  clearState(options?: RequestOptions): Promise<StateCleared> {
    return this.request("DELETE", HEARTH_PATHS.state, undefined, stateClearedSchema, options);
  }

  /** OpenAI's `GET /v1/models` (any OpenAI-compatible server). */
  models(options?: RequestOptions): Promise<ModelList> {
    return this.request("GET", OPENAI_PATHS.models, undefined, modelListSchema, options, MODELS_MAX_ANSWER_BYTES, this.openAiRoot);
  }

  private async request<T extends z.ZodType>(method: string, path: string, body: unknown, schema: T, options: RequestOptions = {}, maxBytes = DEFAULT_MAX_ANSWER_BYTES, root = this.root): Promise<z.infer<T>> {
    const route = `${method} ${path.replace(/\?.*$/, "")}`;
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    const where = `The model server at ${shownUrl(root)}`;
    const failed = (error: unknown): HearthServerError => {
      if (options.signal?.aborted) return new HearthServerError("cancelled", `${route} was cancelled.`, route, undefined, { cause: error });
      if (timeout.aborted) return new HearthServerError("timeout", `${where} did not answer ${route} within ${seconds(timeoutMs)}.`, route, undefined, { cause: error });
      return new HearthServerError("unreachable", `${where} could not be reached for ${route}: ${withoutSecrets(describe(error), root, this.endpoint.token)}.`, route, undefined, { cause: error });
    };
    const refused = (status: number, answer: string): HearthServerError => new HearthServerError("http", `${where} answered ${route} with HTTP ${status}${withoutSecrets(refusalOf(answer), root, this.endpoint.token)}.`, route, status);
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...(this.endpoint.token !== "" ? { authorization: `Bearer ${this.endpoint.token}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        // A redirect would carry the body (a prompt being counted) to a server nobody configured: it is a refusal.
        redirect: "manual",
        signal,
      });
    } catch (error) {
      throw failed(error);
    }
    // A refusal is read only as far as its message goes.
    let text: string;
    try {
      text = await readText(response, response.ok ? maxBytes : REFUSAL_MAX_BYTES);
    } catch (error) {
      if (!(error instanceof AnswerTooLarge)) throw failed(error);
      if (!response.ok) throw refused(response.status, "");
      throw new HearthServerError("malformed", `${where} answered ${route} with more than ${maxBytes} bytes; Hearth reads no further.`, route, response.status);
    }
    if (!response.ok) throw refused(response.status, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HearthServerError("malformed", `${where} answered ${route} with something other than JSON: ${withoutSecrets(quote(text), root, this.endpoint.token)}.`, route, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue === undefined || issue.path.length === 0 ? "the body" : `'${issue.path.map(String).join(".")}'`;
      throw new HearthServerError("malformed", `${where} answered ${route} in a shape Hearth does not know (${field}: ${issue?.message ?? "invalid"}).`, route, response.status);
    }
    return parsed.data;
  }
}

class AnswerTooLarge extends Error {}

/** The body as text, refused past `maxBytes` (checked on the declared length first, then while it arrives). */
async function readText(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > maxBytes || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    if (declared > maxBytes) throw new AnswerTooLarge();
    return "";
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

/** An OpenAI-shaped refusal's own message (`{error: {message}}`), quoted, or nothing. */
function refusalOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } } | null)?.error?.message;
    return typeof message === "string" && message !== "" ? `: ${quote(message)}` : "";
  } catch {
    return "";
  }
}

/** A URL as messages show it: without a user name or password (messages end up in logs). */
function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return url;
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(an unreadable URL)";
  }
}

/** Shorter tokens are test values or no secret at all, and would match ordinary words. */
const TOKEN_MIN_CHARS = 8;

/** Text from elsewhere (a server's own words, which may echo what it got; a fetch error, which names the URL) without the token or the URL's password. */
function withoutSecrets(text: string, url: string, token: string): string {
  let out = token.length < TOKEN_MIN_CHARS ? text : text.split(token).join("«token»");
  try {
    const { username, password } = new URL(url);
    if (username !== "" || password !== "") out = out.split(`${username}${password !== "" ? `:${password}` : ""}@`).join("");
    if (password !== "") out = out.split(password).join("«password»");
  } catch {
    // An unreadable URL holds nothing to take out.
  }
  return out;
}

function quote(text: string): string {
  const shown = text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text;
  return JSON.stringify(shown);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** A failed fetch's reason: undici says "fetch failed" and puts the socket's error (ECONNREFUSED ...) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (error as NodeJS.ErrnoException).code;
  return `${error.message}${cause !== undefined && cause.message !== "" ? ` (${cause.message}${code !== undefined && !cause.message.includes(code) ? `, ${code}` : ""})` : code !== undefined ? ` (${code})` : ""}`;
}
