// The gateway's "no": nothing was sent, and the reason says what the user can change.
// A call that was made and failed is a ModelFailure instead.
import type { RefusalCode } from "../policy";

/**
 * - `neverSend`, `noRoute`: the policy's refusals (see decideRoute).
 * - `rawPromptToCloud`: a raw completion prompt would have to go to a cloud chat model, which cannot take one.
 * - `keptLocal`: the user answered "Keep it local", and the local model cannot serve.
 * - `auditUnavailable`: the audit entry could not be written, so nothing may leave.
 * - `redactionFailed`: the redactor failed (or could not make the body clean), so nothing may leave.
 * - `planChanged`: the prompt was built for a route the request would no longer take (ModelPort.run plans again).
 */
export type GatewayRefusalCode = RefusalCode | "rawPromptToCloud" | "keptLocal" | "auditUnavailable" | "consentNeeded" | "redactionFailed" | "planChanged";

export class GatewayRefusal extends Error {
  constructor(
    readonly code: GatewayRefusalCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GatewayRefusal";
  }
}

export function isGatewayRefusal(error: unknown): error is GatewayRefusal {
  return error instanceof GatewayRefusal;
}
