/**
 * Why the server could not start, in a form the supervisor can act on: `permanent`
 * errors (a bad file, an unsupported model) are not retried; the others may be.
 */
export type StartupErrorCode =
  | "usage"
  | "model_not_found"
  | "not_gguf"
  | "truncated_gguf"
  | "unsupported_architecture"
  | "insufficient_memory"
  | "port_in_use"
  | "insufficient_disk"
  | "download_failed"
  | "checksum_mismatch"
  | "load_failed";

const PERMANENT: ReadonlySet<StartupErrorCode> = new Set([
  "usage",
  "model_not_found",
  "not_gguf",
  "truncated_gguf",
  "unsupported_architecture",
]);

export class StartupError extends Error {
  readonly permanent: boolean;

  constructor(
    readonly code: StartupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "StartupError";
    this.permanent = PERMANENT.has(code);
  }
}
