// A model call that was made and failed, in the gateway's words: features see this, never a
// provider's error, so no feature needs to know which provider served it or how it failed
// underneath. (A call the gateway would not make is a GatewayRefusal instead.)
import type { ModelFailureKind } from "../model";
import type { RouteProvider } from "../policy";
import { ProviderError } from "../providers";

export class ModelFailure extends Error {
  readonly kind: ModelFailureKind;
  readonly provider: RouteProvider;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** How long the server asked to wait before trying again, when it said. */
  readonly retryAfterMs?: number;
  /** Text streamed before the failure; it was delivered through onDelta as well. */
  readonly partialText: string;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;

  constructor(details: { kind: ModelFailureKind; provider: RouteProvider; message: string; status?: number; retryAfterMs?: number; partialText?: string; attempts?: number; cause?: unknown }) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ModelFailure";
    this.kind = details.kind;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.partialText = details.partialText ?? "";
    this.attempts = details.attempts ?? 1;
  }
}

export function isModelFailure(error: unknown): error is ModelFailure {
  return error instanceof ModelFailure;
}

/** Whether an error means the request was cancelled rather than failed. */
export function isCancelled(error: unknown): boolean {
  if (error instanceof ModelFailure || error instanceof ProviderError) return error.kind === "cancelled";
  return error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError");
}

/** A provider's error as the gateway's own; anything else passes unchanged. */
export function asModelFailure(error: unknown): unknown {
  if (!(error instanceof ProviderError)) return error;
  return new ModelFailure({
    kind: error.kind,
    provider: error.provider,
    message: error.message,
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    partialText: error.partialText,
    attempts: error.attempts,
    cause: error,
  });
}
