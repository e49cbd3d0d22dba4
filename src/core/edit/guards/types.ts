// The shape every guard answers in, so the edit UI can show any of them the same way: a
// status, one line to show as-is, and issues pointing at lines of the original and the proposal.

export type GuardName = "code-unchanged" | "markdown-structure" | "glossary";

/** "not-checked" means the guard could not look (no grammar for the language): never read it as ok. */
export type GuardStatus = "ok" | "violations" | "not-checked";

export interface GuardIssue {
  readonly message: string;
  /** 1-based line in the original text, when the issue is about one. */
  readonly originalLine?: number;
  /** 1-based line in the proposal, when the issue is about one. */
  readonly proposalLine?: number;
}

export interface GuardReport {
  readonly guard: GuardName;
  readonly status: GuardStatus;
  /** One sentence for people, e.g. "Code unchanged (412 tokens compared)." */
  readonly summary: string;
  readonly issues: readonly GuardIssue[];
}

/** More issues than this help nobody; the summary still gives the full count. */
export const MAX_ISSUES = 50;

/**
 * Guards run on the extension host's thread; Lezer parses about 1 MB a second there. Larger
 * inputs are reported "not-checked" rather than freezing the editor for seconds.
 */
export const MAX_GUARD_INPUT_CHARS = 1_000_000;
