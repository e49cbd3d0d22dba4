// Characters that change what a reader sees without being seen themselves: bidirectional
// controls reorder text (Trojan Source, CVE-2021-42574), zero-width and other invisible
// characters hide differences (in a link's text, a file name, a code block). Wherever model
// text is shown, the panel shows each one as a marked escape (`<U+202E>`), as the editor's
// own rendering does, and says so around code that is copied or inserted. Pure: the webview
// and the extension both use it.

const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x17b4, 0x17b5], // Khmer inherent vowels
  [0x180b, 0x180f], // Mongolian variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x202a, 0x202e], // LRE, RLE, PDF, LRO, RLO
  [0x2060, 0x206f], // word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated format controls
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0e], // variation selectors (VS16, U+FE0F, is left alone: emoji use it)
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xffa0, 0xffa0], // halfwidth Hangul filler
  [0xfff9, 0xfffb], // interlinear annotation controls
  [0x1d173, 0x1d17a], // musical symbol format controls
  [0xe0000, 0xe007f], // tag characters (ASCII smuggling)
  [0xe0100, 0xe01ef], // variation selectors supplement
];

const BIDI: ReadonlyArray<readonly [number, number]> = [
  [0x061c, 0x061c],
  [0x200e, 0x200f],
  [0x202a, 0x202e],
  [0x2066, 0x2069],
];

const inRanges = (code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean => ranges.some(([from, to]) => code >= from && code <= to);

const classOf = (ranges: ReadonlyArray<readonly [number, number]>): string =>
  ranges.map(([from, to]) => (from === to ? `\\u{${from.toString(16)}}` : `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`)).join("");

/** Matches one invisible or bidirectional character (global, unicode-aware). */
export const INVISIBLE_PATTERN = new RegExp(`[${classOf(RANGES)}]`, "gu");
const ANY_INVISIBLE = new RegExp(`[${classOf(RANGES)}]`, "u");

export function isInvisible(char: string): boolean {
  const code = char.codePointAt(0);
  return code !== undefined && inRanges(code, RANGES);
}

export function isBidiControl(char: string): boolean {
  const code = char.codePointAt(0);
  return code !== undefined && inRanges(code, BIDI);
}

export function hasInvisible(text: string): boolean {
  return ANY_INVISIBLE.test(text);
}

/** `U+202E`, as the editor names a code point. */
export function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

export type TextPiece = { readonly text: string } | { readonly invisible: string; readonly label: string; readonly bidi: boolean };

/** Splits text into plain runs and single invisible characters, in order. */
export function splitInvisible(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(INVISIBLE_PATTERN)) {
    const at = match.index;
    if (at > last) pieces.push({ text: text.slice(last, at) });
    pieces.push({ invisible: match[0], label: codePointLabel(match[0]), bidi: isBidiControl(match[0]) });
    last = at + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}

/** The text with each invisible character written as `<U+XXXX>` (for tooltips and plain-text places). */
export function escapeInvisible(text: string): string {
  return hasInvisible(text) ? text.replace(INVISIBLE_PATTERN, (char) => `<${codePointLabel(char)}>`) : text;
}

/** The text without its invisible characters (to compare what a reader sees). */
export function stripInvisible(text: string): string {
  return hasInvisible(text) ? text.replace(INVISIBLE_PATTERN, "") : text;
}

export interface InvisibleSummary {
  readonly count: number;
  readonly bidi: number;
  /** Distinct code points, in order of first appearance (`U+202E`, …). */
  readonly labels: readonly string[];
}

export function summarizeInvisible(text: string): InvisibleSummary {
  let count = 0;
  let bidi = 0;
  const labels = new Set<string>();
  for (const match of text.matchAll(INVISIBLE_PATTERN)) {
    count++;
    if (isBidiControl(match[0])) bidi++;
    labels.add(codePointLabel(match[0]));
  }
  return { count, bidi, labels: [...labels] };
}
