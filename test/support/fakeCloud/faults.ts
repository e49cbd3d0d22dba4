// What a fake cloud can be told to do wrong, one request at a time: the failures a real
// vendor produces (refused key, rate limit with retry-after, server error, a slow or stalled
// answer, a connection that drops halfway through a stream).

export type Fault =
  /** An HTTP error in the vendor's own error body, with optional headers (retry-after). */
  | { readonly kind: "status"; readonly status: number; readonly message?: string; readonly code?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Wait this long before answering at all (no headers): a timeout before the first token. */
  | { readonly kind: "slow"; readonly ms: number }
  /** Stream some pieces, then go silent for `ms` (the connection stays open). */
  | { readonly kind: "stall"; readonly afterPieces: number; readonly ms: number }
  /** Stream some pieces, then destroy the socket mid-response. */
  | { readonly kind: "drop"; readonly afterPieces: number }
  /** Stream some pieces, then end the response cleanly without finishing the answer. */
  | { readonly kind: "endEarly"; readonly afterPieces: number }
  /** Stream some pieces, then send the vendor's in-stream error event. */
  | { readonly kind: "streamError"; readonly afterPieces: number; readonly message: string; readonly errorType?: string }
  /** Destroy the socket without answering. */
  | { readonly kind: "hangUp" };

export const faults = {
  unauthorized: (): Fault => ({ kind: "status", status: 401, message: "Incorrect API key provided" }),
  rateLimited: (retryAfterSeconds?: number): Fault => ({
    kind: "status",
    status: 429,
    message: "Rate limit reached for requests",
    headers: retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) },
  }),
  serverError: (status = 500): Fault => ({ kind: "status", status, message: "The server had an error while processing your request" }),
  contextTooLong: (): Fault => ({ kind: "status", status: 400, code: "context_length_exceeded", message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 200000 tokens." }),
  slow: (ms: number): Fault => ({ kind: "slow", ms }),
  stall: (afterPieces: number, ms: number): Fault => ({ kind: "stall", afterPieces, ms }),
  drop: (afterPieces: number): Fault => ({ kind: "drop", afterPieces }),
  endEarly: (afterPieces: number): Fault => ({ kind: "endEarly", afterPieces }),
  hangUp: (): Fault => ({ kind: "hangUp" }),
};
