// What the audit log says about one egress: a prompt that left this machine. It records
// what went where and a SHA-256 of the exact bytes, never the prompt itself: the log must
// not become a second copy of the code and secrets it is there to account for.
import type { Feature } from "../policy";
import type { ModelFailureKind, ProviderId, TokenUsage } from "../model";

/** How the user agreed: the policy said `allow`, they answered the prompt, or an earlier "Always" covered it. */
export type EgressConsent = "policy" | "once" | "always" | "remembered";

export interface AuditedFile {
  readonly path: string;
  readonly origin: string;
  /** UTF-8 bytes of the content as sent (after redaction). */
  readonly bytes: number;
}

/** Written before the first byte leaves, so that even a crash mid-call leaves a record. */
export interface EgressRecord {
  readonly id: string;
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly feature: Feature;
  readonly route: "selfHosted" | "cloud";
  readonly provider: ProviderId;
  readonly model: string;
  /** The workspace the request came from, as the adapter names it. */
  readonly workspace?: string;
  readonly files: readonly AuditedFile[];
  /** Files left out because neverSend matched them. */
  readonly dropped: readonly string[];
  /** UTF-8 bytes of the request body. */
  readonly bytes: number;
  /** Placeholders the gateway put into the body that was sent (a secret cut across two fields counts on each side). */
  readonly redactions: number;
  /** SHA-256 (hex) of the request body exactly as sent. */
  readonly sha256: string;
  readonly consent: EgressConsent;
  /** Why the route was chosen, in the policy's words (e.g. a fallback from local). */
  readonly reason: string;
}

export type EgressStatus = "ok" | ModelFailureKind | "error";

/** Appended when the call ends, successful or not. */
export interface EgressOutcome {
  readonly id: string;
  readonly time: string;
  readonly status: EgressStatus;
  readonly attempts: number;
  readonly durationMs: number;
  readonly usage?: TokenUsage;
}

/** An egress as read back: the record with its outcome, if one was written. */
export interface AuditEntry extends EgressRecord {
  readonly outcome?: Omit<EgressOutcome, "id">;
}

/** What the gateway writes to; AuditLog is the real one, tests may count in memory. */
export interface AuditSink {
  recordEgress(record: Omit<EgressRecord, "id" | "time">): Promise<EgressRecord>;
  recordOutcome(id: string, outcome: Omit<EgressOutcome, "id" | "time">): Promise<void>;
}
