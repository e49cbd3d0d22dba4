// A failed model call, classified for people: what happened, and the one thing to do about
// it. The kind is for code (retry? fall back to another route? show a "set key" button?);
// the message is for the user and names the command, setting or action.
import { FailedCall, MODEL_FAILURE_KINDS, type FailedCallDetails, type ModelFailureKind } from "../model";

export const PROVIDER_ERROR_KINDS = MODEL_FAILURE_KINDS;
export type ProviderErrorKind = ModelFailureKind;

export type ProviderErrorDetails = FailedCallDetails;

export class ProviderError extends FailedCall {
  constructor(details: ProviderErrorDetails) {
    super(details);
    this.name = "ProviderError";
  }

  /** The same error with what the caller learnt later (the text so far, the attempts made). */
  with(extra: { partialText?: string; attempts?: number; message?: string; kind?: ProviderErrorKind }): ProviderError {
    return new ProviderError({
      ...this.details,
      kind: extra.kind ?? this.kind,
      message: extra.message ?? this.message,
      partialText: extra.partialText ?? this.partialText,
      attempts: extra.attempts ?? this.attempts,
    });
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
