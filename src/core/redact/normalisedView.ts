// Secrets written so that no pattern reads them, though a person (or a model) still does:
//   - an invisible character inside (zero-width space, soft hyphen, see shared/invisible.ts);
//   - fullwidth, mathematical or circled forms (ｇｈｐ＿…), folded by NFKC;
//   - Cyrillic, Greek and other look-alike letters among Latin ones (ghр_… with a Cyrillic р);
//   - escapes: JSON/JS `\u0067`, `\u{67}`, `\x67`, HTML `&#103;` `&#x67;`, URL `%5F`;
//   - a line continued with "\" in the middle of a value.
// The text around each such place (its line and the ones next to it) is rewritten as a reader
// would see it, in a view that maps every character back to the original, and the detectors
// read the view. Text with nothing to rewrite (almost all of it) costs one scan.
import { isInvisible } from "../../shared/invisible";
import { confusableFold } from "./confusables";
import type { RedactionFinding } from "./findings";
import { dependsOnChange, originalSpan, TextViewBuilder, type TextView } from "./textView";

/** Places to rewrite, in order and not overlapping, as parallel arrays (a megabyte of CJK text can hold hundreds of thousands). */
class Changes {
  /** Original offset and length of what is rewritten. */
  readonly at: number[] = [];
  readonly length: number[] = [];
  /** What a reader sees there; "" for what is not seen at all. */
  readonly replacement: string[] = [];

  add(at: number, length: number, replacement: string): void {
    this.at.push(at);
    this.length.push(length);
    this.replacement.push(replacement);
  }

  get count(): number {
    return this.at.length;
  }

  end(i: number): number {
    return this.at[i] + this.length[i];
  }
}

/** How far a view reaches from a change: its line and the lines next to it, within bounds, so that a long line stays linear. */
const REACH = 1024;
/**
 * Views closer than this are one view: detectors are called once per view, and a text with a
 * change every few lines would otherwise cost a call per change. The text between is read
 * twice at most, and what is found there counts only if it depends on a change.
 */
const MERGE_GAP = 4096;

/** Runs `detect` over a rewritten view of each place that needs one and maps what depends on the rewriting back onto the original. */
export function findInNormalisedViews(text: string, detect: (view: string) => readonly RedactionFinding[]): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const view of normalisedViews(text)) {
    for (const f of detect(view.text)) {
      if (f.end <= f.start || !dependsOnChange(view, f.start, f.end)) continue;
      findings.push({ kind: f.kind, ...originalSpan(view, f.start, f.end) });
    }
  }
  return findings;
}

export function normalisedViews(text: string): TextView[] {
  const changes = findChanges(text);
  if (changes.count === 0) return [];
  const lines = new LineIndex(text);
  const views: TextView[] = [];
  let first = 0;
  while (first < changes.count) {
    const from = lines.windowStart(changes.at[first]);
    let to = lines.windowEnd(changes.end(first));
    // Changes up to here are on lines whose window is already taken in: no need to look them up.
    let lineEnd = lines.lineEnd(changes.end(first));
    let last = first + 1;
    for (; last < changes.count; last++) {
      if (changes.end(last) <= lineEnd) continue;
      if (lines.windowStart(changes.at[last]) > to + MERGE_GAP) break;
      to = Math.max(to, lines.windowEnd(changes.end(last)));
      lineEnd = lines.lineEnd(changes.end(last));
    }
    views.push(buildView(text, from, to, changes, first, last));
    first = last;
  }
  return views;
}

function buildView(text: string, from: number, to: number, changes: Changes, first: number, last: number): TextView {
  const builder = new TextViewBuilder(to - from);
  let at = from;
  for (let i = first; i < last; i++) {
    builder.copy(text, at, changes.at[i]);
    builder.replace(changes.replacement[i], changes.at[i], changes.end(i));
    at = changes.end(i);
  }
  builder.copy(text, at, Math.max(at, to));
  return builder.build();
}

/** Line breaks found once, so that many changes on one line cost a lookup each, not a walk. */
class LineIndex {
  private readonly breaks: number[] = [];

  constructor(private readonly text: string) {
    for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) this.breaks.push(at);
  }

  /** Start of the line before the one holding `at`. */
  windowStart(at: number): number {
    const k = this.firstBreakAtOrAfter(at);
    const start = k >= 2 ? this.breaks[k - 2] + 1 : 0;
    return Math.max(start, at - REACH);
  }

  /** End of the line holding `at`. */
  lineEnd(at: number): number {
    const k = this.firstBreakAtOrAfter(at);
    return k < this.breaks.length ? this.breaks[k] : this.text.length;
  }

  /** End of the line after the one holding `at`. */
  windowEnd(at: number): number {
    const k = this.firstBreakAtOrAfter(at);
    const end = k + 1 < this.breaks.length ? this.breaks[k + 1] : this.text.length;
    return Math.min(end, at + REACH);
  }

  private firstBreakAtOrAfter(at: number): number {
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.breaks[mid] < at) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Every place to rewrite, in order and not overlapping. One pass; ASCII without `\`, `%` or `&` is skipped at once. */
function findChanges(text: string): Changes {
  const changes = new Changes();
  const runs = new RunScripts(text);
  for (let i = 0; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      const length = code === 0x5c ? backslashAt(text, i, changes) : code === 0x25 ? percentAt(text, i, changes) : code === 0x26 ? entityAt(text, i, changes) : 0;
      // "\\" is one escaped backslash: its second half starts nothing.
      i += length > 0 ? length : code === 0x5c ? 2 : 1;
      continue;
    }
    if (isPlainNonAscii(code)) {
      i++;
      continue;
    }
    const point = text.codePointAt(i) ?? code;
    const length = point > 0xffff ? 2 : 1;
    const replacement = foldAt(text, i, point, runs);
    if (replacement !== undefined) changes.add(i, length, replacement);
    i += length;
  }
  return changes;
}

/** Scripts that NFKC leaves alone and that hold no look-alikes, by far the most non-ASCII text: Latin-1 letters, kana, CJK, Hangul. */
function isPlainNonAscii(code: number): boolean {
  return (
    (code >= 0xc0 && code <= 0xff) || (code >= 0x3040 && code <= 0x309a) || (code >= 0x30a0 && code <= 0x30fe) || (code >= 0x4e00 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7a3) || code === 0x3001 || code === 0x3002
  );
}

type Fold = "none" | "invisible" | "compatible" | "fullwidth-punctuation" | "confusable";

/** What each code point is, worked out on first sight: most text repeats a few hundred. */
const folds = new Map<number, Fold>();
const compatibleForms = new Map<number, string | null>();

function foldAt(text: string, at: number, point: number, runs: RunScripts): string | undefined {
  let fold = folds.get(point);
  if (fold === undefined) {
    fold = classify(point);
    folds.set(point, fold);
  }
  switch (fold) {
    case "invisible":
      return "";
    case "compatible":
      return compatibleForms.get(point) ?? undefined;
    case "fullwidth-punctuation":
      // Ordinary in CJK prose ("（注）", "パスワード："); folded only where it joins characters of a token ("ｇｈｐ＿ａ").
      return isTokenCharacter(text.charCodeAt(at - 1)) || isTokenCharacter(text.charCodeAt(at + 1)) ? String.fromCharCode(point - 0xfee0) : undefined;
    case "confusable":
      return runs.mixesWithLatin(at) ? confusableFold(point) : undefined;
    default:
      return undefined;
  }
}

function classify(point: number): Fold {
  const char = String.fromCodePoint(point);
  if (isInvisible(char)) return "invisible";
  if (isFullwidthPunctuation(point)) return "fullwidth-punctuation";
  if (compatibilityForm(point, char) !== undefined) return "compatible";
  return confusableFold(point) !== undefined ? "confusable" : "none";
}

/** NFKC's form of one character, where it holds an ASCII letter or digit (ｇ → g, 𝐠 → g, ² → 2; not … → ...). */
function compatibilityForm(point: number, char: string): string | undefined {
  let form = compatibleForms.get(point);
  if (form === undefined) {
    const normalised = char.normalize("NFKC");
    form = normalised !== char && /[A-Za-z0-9_]/.test(normalised) ? normalised : null;
    compatibleForms.set(point, form);
  }
  return form ?? undefined;
}

function isFullwidthPunctuation(code: number): boolean {
  return (code >= 0xff01 && code <= 0xff0f) || (code >= 0xff1a && code <= 0xff20) || (code >= 0xff3b && code <= 0xff40) || (code >= 0xff5b && code <= 0xff5e);
}

/** An ASCII or fullwidth letter or digit (NaN, past either end, is none). */
function isTokenCharacter(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0xff10 && code <= 0xff19) || (code >= 0xff21 && code <= 0xff3a) || (code >= 0xff41 && code <= 0xff5a)
  );
}

/**
 * Whether the word around an offset mixes look-alikes with Latin letters or digits. Only then
 * are they folded: a Russian or Greek word is itself, `ghр_aB3…` is a disguised token. Each
 * word is looked at once (the last answer is kept), and at most RUN_REACH characters each way.
 */
class RunScripts {
  private start = -1;
  private end = -1;
  private mixed = false;

  constructor(private readonly text: string) {}

  mixesWithLatin(at: number): boolean {
    if (at >= this.start && at < this.end) return this.mixed;
    const limitBack = Math.max(0, at - RUN_REACH);
    const limitAhead = Math.min(this.text.length, at + RUN_REACH);
    let start = at;
    while (start > limitBack && !isWordBreak(this.text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < limitAhead && !isWordBreak(this.text.charCodeAt(end))) end++;
    let mixed = false;
    for (let i = start; i < end && !mixed; i++) mixed = isTokenCharacter(this.text.charCodeAt(i));
    this.start = start;
    this.end = end;
    this.mixed = mixed;
    return mixed;
  }
}

const RUN_REACH = 128;

/** ASCII other than letters, digits, `_` and `-`, and the wide spaces. */
function isWordBreak(code: number): boolean {
  if (code < 0x80) return !((code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2d);
  return code === 0xa0 || code === 0x3000 || (code >= 0x2000 && code <= 0x200a);
}

/** `\u0067`, `\u{67}`, `\x67`, or a "\" that continues the line. Returns the length rewritten, 0 for none. */
function backslashAt(text: string, at: number, changes: Changes): number {
  const next = text.charCodeAt(at + 1);
  if (next === 0x0a) return rewritten(changes, at, 2, "");
  if (next === 0x0d && text.charCodeAt(at + 2) === 0x0a) return rewritten(changes, at, 3, "");
  if (next === 0x75 /* u */) {
    const braced = /^\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(at + 2, at + 10));
    if (braced !== null) return decoded(changes, at, 2 + braced[0].length, parseInt(braced[1], 16));
    const hex = text.slice(at + 2, at + 6);
    return /^[0-9A-Fa-f]{4}$/.test(hex) ? decoded(changes, at, 6, parseInt(hex, 16)) : 0;
  }
  if (next === 0x78 /* x */) {
    const hex = text.slice(at + 2, at + 4);
    return /^[0-9A-Fa-f]{2}$/.test(hex) ? decoded(changes, at, 4, parseInt(hex, 16)) : 0;
  }
  return 0;
}

/** `%5F`: only the characters a URL never needs to escape (RFC 3986 "unreserved"), so that escaping them can only disguise. */
function percentAt(text: string, at: number, changes: Changes): number {
  const hex = text.slice(at + 1, at + 3);
  if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return 0;
  const char = String.fromCharCode(parseInt(hex, 16));
  return /^[A-Za-z0-9._~-]$/.test(char) ? rewritten(changes, at, 3, char) : 0;
}

/** `&#103;`, `&#x67;`. */
function entityAt(text: string, at: number, changes: Changes): number {
  const entity = /^&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));/.exec(text.slice(at, at + 11));
  if (entity === null) return 0;
  return decoded(changes, at, entity[0].length, entity[1] !== undefined ? parseInt(entity[1], 16) : parseInt(entity[2], 10));
}

function rewritten(changes: Changes, at: number, length: number, replacement: string): number {
  changes.add(at, length, replacement);
  return length;
}

/**
 * An escape is rewritten when it stands for a character a token is made of: printable ASCII
 * other than quotes, backslash and angle brackets (which would change the syntax around it:
 * `\u0022`, `\u003c` in HTML-safe JSON), or a compatibility form of one (`\uff47`). Escaped
 * accented or non-Latin text (`\u00e9` in a translation file) stays as it is.
 */
function decoded(changes: Changes, at: number, length: number, point: number): number {
  if (point > 0x10ffff) return 0;
  if (point >= 0x21 && point <= 0x7e) return /["'`\\<>]/.test(String.fromCharCode(point)) ? 0 : rewritten(changes, at, length, String.fromCharCode(point));
  if (point < 0x80 || (point >= 0xd800 && point <= 0xdfff)) return 0;
  const compatible = compatibilityForm(point, String.fromCodePoint(point));
  return compatible === undefined ? 0 : rewritten(changes, at, length, compatible);
}
