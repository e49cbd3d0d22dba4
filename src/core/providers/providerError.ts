// A failed model call, classified for people: what happened, and the one thing to do about
// it. The kind is for code (retry? fall back to another route? show a "set key" button?);
// the message is for the user and names the command, setting or action.
import { MODEL_FAILURE_KINDS, type ModelFailureKind, type ProviderId } from "../model";

export const PROVIDER_ERROR_KINDS = MODEL_FAILURE_KINDS;
export type ProviderErrorKind = ModelFailureKind;

export interface ProviderErrorDetails {
  readonly kind: ProviderErrorKind;
  readonly provider: ProviderId;
  readonly message: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** How long the server asked us to wait (retry-after), when it said. */
  readonly retryAfterMs?: number;
  /** Text streamed before the failure; it was delivered through onDelta as well. */
  readonly partialText?: string;
  readonly attempts?: number;
  /** The SDK's error, for the log. */
  readonly cause?: unknown;
}

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: ProviderId;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly partialText: string;
  readonly attempts: number;

  constructor(details: ProviderErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "ProviderError";
    this.kind = details.kind;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.partialText = details.partialText ?? "";
    this.attempts = details.attempts ?? 1;
  }

  /** The same error with what the caller learnt later (the text so far, the attempts made). */
  with(extra: { partialText?: string; attempts?: number; message?: string; kind?: ProviderErrorKind }): ProviderError {
    return new ProviderError({
      kind: extra.kind ?? this.kind,
      provider: this.provider,
      message: extra.message ?? this.message,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      partialText: extra.partialText ?? this.partialText,
      attempts: extra.attempts ?? this.attempts,
      cause: this.cause,
    });
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
