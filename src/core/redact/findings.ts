// A finding is a span of the original text that must not leave the machine. Layers report
// findings independently and overlap freely; this file turns them into one sorted,
// non-overlapping list and applies it.

export interface RedactionFinding {
  /** What was found, e.g. `github-token`, `password`, `url-password`; shown in the placeholder. */
  readonly kind: string;
  /** UTF-16 offset of the first character, in the text given to `redact`. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/** The placeholder that replaces a secret; stable, so the same input always reads the same. */
export function placeholderFor(kind: string): string {
  return `«redacted:${kind}»`;
}

/**
 * Unites overlapping findings. The merged span keeps the kind of the widest finding in it,
 * and on a tie the one listed first, so callers list specific detectors ("github-token")
 * before generic ones ("token").
 */
export function mergeFindings(findings: readonly RedactionFinding[]): RedactionFinding[] {
  const sorted = findings.filter((f) => f.end > f.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: RedactionFinding[] = [];
  for (const f of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && f.start < last.end) {
      const keepKind = last.end - last.start >= f.end - f.start ? last.kind : f.kind;
      merged[merged.length - 1] = { kind: keepKind, start: last.start, end: Math.max(last.end, f.end) };
    } else {
      merged.push(f);
    }
  }
  return merged;
}

/** Replaces each (merged, sorted) finding with its placeholder. */
export function applyFindings(text: string, merged: readonly RedactionFinding[]): string {
  let out = "";
  let at = 0;
  for (const f of merged) {
    out += text.slice(at, f.start) + placeholderFor(f.kind);
    at = f.end;
  }
  return out + text.slice(at);
}
