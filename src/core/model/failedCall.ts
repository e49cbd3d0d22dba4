// What every failed model call carries, whoever reports it: the provider that made the call
// (ProviderError) or the gateway that hands it to a feature (ModelFailure). One shape, so the
// gateway's translation is a change of name, never of fields.
import type { ModelFailureKind, ProviderId } from "./vocabulary";

export interface FailedCallDetails {
  readonly kind: ModelFailureKind;
  readonly provider: ProviderId;
  /** For the user: what happened and the one thing to do about it. */
  readonly message: string;
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** How long the server asked to wait before trying again (retry-after), when it said. */
  readonly retryAfterMs?: number;
  /** Text streamed before the failure; it was delivered through onDelta as well. */
  readonly partialText?: string;
  /** HTTP attempts made, retries included. */
  readonly attempts?: number;
  /** The underlying error, for the log. */
  readonly cause?: unknown;
}

export abstract class FailedCall extends Error {
  readonly kind: ModelFailureKind;
  readonly provider: ProviderId;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly partialText: string;
  readonly attempts: number;

  protected constructor(details: FailedCallDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.partialText = details.partialText ?? "";
    this.attempts = details.attempts ?? 1;
  }

  /** The fields, for a copy under another name or with what the caller learnt later. */
  get details(): FailedCallDetails {
    return {
      kind: this.kind,
      provider: this.provider,
      message: this.message,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
      partialText: this.partialText,
      attempts: this.attempts,
      ...(this.cause !== undefined ? { cause: this.cause } : {}),
    };
  }
}
