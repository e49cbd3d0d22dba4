// A model call that was made and failed, in the gateway's words: features see this, never a
// provider's error, so no feature needs to know which provider served it or how it failed
// underneath. (A call the gateway would not make is a GatewayRefusal instead.)
import { FailedCall, type FailedCallDetails } from "../model";
import { ProviderError } from "../providers";

export class ModelFailure extends FailedCall {
  constructor(details: FailedCallDetails) {
    super(details);
    this.name = "ModelFailure";
  }
}

export function isModelFailure(error: unknown): error is ModelFailure {
  return error instanceof ModelFailure;
}

/** Whether an error means the request was cancelled rather than failed. */
export function isCancelled(error: unknown): boolean {
  if (error instanceof FailedCall) return error.kind === "cancelled";
  return error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError");
}

/** A provider's error as the gateway's own; anything else passes unchanged. */
export function asModelFailure(error: unknown): unknown {
  if (!(error instanceof ProviderError)) return error;
  return new ModelFailure({ ...error.details, cause: error });
}
