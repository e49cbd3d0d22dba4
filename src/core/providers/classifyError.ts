// Turns whatever an SDK threw into a ProviderError kind. Both SDKs (openai, @anthropic-ai/sdk)
// come from the same generator and share their error shapes (`status`, `headers`, `error`,
// class names), so one structural reading serves both without importing either here.
import type { ProviderErrorKind } from "./providerError";

export interface Classified {
  readonly kind: ProviderErrorKind;
  readonly status?: number;
  readonly retryAfterMs?: number;
  /** The server's own words, trimmed, for the message. */
  readonly serverMessage?: string;
  /** A low-level network reason ("connection refused"). */
  readonly detail?: string;
  /** Worth another attempt (429 and 5xx), provided nothing has streamed yet. */
  readonly retryable: boolean;
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly error?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

const CONTEXT_TOO_LONG = /context[_ ]length|maximum context|context window|prompt is too long|too many tokens|exceeds the context|prompt has \d+ tokens but/i;

/**
 * @param started whether the HTTP response had begun (headers received): an unexplained
 *   failure after that is a broken stream, before it a network problem.
 */
export function classifyError(error: unknown, started: boolean): Classified {
  const shape: SdkErrorShape = typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};
  const name = typeof shape.name === "string" ? shape.name : "";
  const serverMessage = serverMessageOf(shape);
  const code = errorCodeOf(shape);

  if (name === "APIConnectionTimeoutError") return { kind: "timeout", retryable: false };
  if (name === "APIUserAbortError") return { kind: "cancelled", retryable: false };
  if (name === "APIConnectionError" || (!started && isNetworkFailure(error))) {
    return { kind: "network", detail: networkDetail(error), retryable: false };
  }

  const status = typeof shape.status === "number" ? shape.status : undefined;
  if (status === undefined) {
    // An error event inside a stream that had started (OpenAI `data: {"error": …}`, Anthropic `event: error`).
    if (code === "context_length_exceeded" || (serverMessage !== undefined && CONTEXT_TOO_LONG.test(serverMessage))) {
      return { kind: "context_too_long", serverMessage, retryable: false };
    }
    return { kind: started ? "stream_broken" : "network", serverMessage, detail: started ? undefined : networkDetail(error), retryable: false };
  }

  const retryAfterMs = retryAfterOf(shape.headers);
  if (status === 401 || status === 403) return { kind: "auth", status, serverMessage, retryable: false };
  if (status === 429) return { kind: "rate_limited", status, serverMessage, retryAfterMs, retryable: true };
  if (status === 413) return { kind: "context_too_long", status, serverMessage, retryable: false };
  if (status === 400 && (code === "context_length_exceeded" || (serverMessage !== undefined && CONTEXT_TOO_LONG.test(serverMessage)))) {
    return { kind: "context_too_long", status, serverMessage, retryable: false };
  }
  if (status === 408 || status >= 500) return { kind: "server_error", status, serverMessage, retryAfterMs, retryable: true };
  return { kind: "bad_request", status, serverMessage, retryable: false };
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterOf(headers: unknown, now: number = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (typeof headers !== "object" || headers === null) return undefined;
    const getter = (headers as { get?: unknown }).get;
    if (typeof getter === "function") {
      const value: unknown = getter.call(headers, name);
      return typeof value === "string" ? value : undefined;
    }
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  };
  const ms = Number.parseFloat(get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const header = get("retry-after");
  if (header === undefined) return undefined;
  const seconds = Number(header.trim());
  if (header.trim() !== "" && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function serverMessageOf(shape: SdkErrorShape): string | undefined {
  // OpenAI: `error` is the body's `error` object; Anthropic: the whole body `{type, error: {type, message}}`.
  const body = shape.error;
  let text: unknown;
  if (typeof body === "object" && body !== null) {
    const direct = (body as { message?: unknown }).message;
    const nested = (body as { error?: { message?: unknown } }).error?.message;
    text = typeof direct === "string" ? direct : nested;
  } else if (typeof body === "string") {
    text = body;
  }
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

function errorCodeOf(shape: SdkErrorShape): string | undefined {
  if (typeof shape.code === "string") return shape.code;
  const body = shape.error;
  if (typeof body === "object" && body !== null) {
    const code = (body as { code?: unknown }).code ?? (body as { error?: { code?: unknown } }).error?.code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  UND_ERR_SOCKET: "the connection closed",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "a certificate in the chain is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate cannot be verified",
  // sdkClients.ts's withoutRedirects.
  EREDIRECT: "the server answered with a redirect, which Hearth does not follow with a prompt: configure the address it redirects to if it is yours",
};

function isNetworkFailure(error: unknown): boolean {
  return networkCode(error) !== undefined || (error instanceof TypeError && /fetch failed|terminated/i.test(error.message));
}

function networkDetail(error: unknown): string | undefined {
  const code = networkCode(error);
  return code === undefined ? undefined : (NETWORK_CODES[code] ?? code);
}

/** The first errno-style code along the cause chain (fetch wraps the socket error twice). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (code in NETWORK_CODES || /^E[A-Z]+$/.test(code))) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
