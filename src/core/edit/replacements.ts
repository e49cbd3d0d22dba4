// One proposal from several targets: each target's replacement laid into the file's text,
// and — when the file changed while the model was answering — each target found again in
// the current text, only where its original text is still there unchanged.
import type { Span } from "./target";

export interface Replacement extends Span {
  readonly text: string;
}

/** The text with every replacement applied (spans refer to `text` and must not overlap). */
export function applyReplacements(text: string, replacements: readonly Replacement[]): string {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const r of sorted) {
    if (r.start < at) throw new Error(`Overlapping replacements at ${r.start}`);
    out += text.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + text.slice(at);
}

export interface Located extends Span {
  /** The target's text when the proposal was made. */
  readonly original: string;
}

/**
 * Where each target's original text is in `current` now: at its old offset if still there,
 * else the occurrence nearest to it. Undefined when any target's text is gone or changed,
 * so the caller re-runs or asks instead of writing over the user's newer work.
 */
export function relocate(current: string, targets: readonly Located[]): Located[] | undefined {
  const out: Located[] = [];
  for (const target of targets) {
    let start: number;
    if (current.slice(target.start, target.start + target.original.length) === target.original) start = target.start;
    else {
      start = nearestOccurrence(current, target.original, target.start);
      if (start < 0) return undefined;
    }
    out.push({ start, end: start + target.original.length, original: target.original });
  }
  const sorted = [...out].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) if (sorted[i].start < sorted[i - 1].end) return undefined;
  return out;
}

function nearestOccurrence(text: string, needle: string, near: number): number {
  if (needle === "") return -1;
  let best = -1;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
    if (best < 0 || Math.abs(i - near) < Math.abs(best - near)) best = i;
  }
  return best;
}
