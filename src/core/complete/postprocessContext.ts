// Everything the post-processing rules need to know about the place where a
// completion will be inserted, computed once per request in linear passes
// over the prefix and suffix: the effective language (a Markdown fence's
// language inside a fence), the lexer state and open brackets at the cursor,
// whether the cursor opens a block, and the lines around it.

import { indentWidth, isBlank, leadingSpaceLength } from "./indent";
import { closerOf, firstUnmatchedCloser, isCloser, isOpener, Lexer, scanPrefix } from "./postprocessLexer";
import { isMarkdownId, languageSpecFor, PROSE, type LanguageSpec } from "./postprocessLanguage";

/** How many lines above the cursor are compared when the model echoes them. */
const ECHO_LINES = 8;

export interface CursorContext {
  readonly spec: LanguageSpec;
  /** Markdown (or plain) text, not code: sentences instead of blocks. */
  readonly prose: boolean;
  /** A Markdown document, in prose or inside a fence. */
  readonly markdown: boolean;
  readonly tabSize: number;
  /** Lexer state at the cursor; clone before use. */
  readonly lexer: Lexer;
  /** Openers (char codes) still open at the cursor, innermost last. */
  readonly openBrackets: readonly number[];
  /** Whether the suffix already closes `openBrackets[index]`, the innermost bracket left open after the completion. */
  readonly suffixCloses: (index: number) => boolean;
  /** The cursor sits in a string that the rest of its line closes (an auto-closed quote). */
  readonly suffixClosesString: boolean;
  /** Text of the cursor's line before / after the cursor. */
  readonly linePrefix: string;
  readonly lineSuffix: string;
  /** Up to ECHO_LINES full lines above the cursor's line, nearest last. */
  readonly linesAbove: readonly string[];
  /** The next two non-blank lines below the cursor's line, trimmed. */
  readonly nextLine: string | undefined;
  readonly lineAfterNext: string | undefined;
  /** The cursor opens a block: a multi-line suggestion may be kept. */
  readonly opensBlock: boolean;
  /** Indentation (width and text) of the line holding the block opener. */
  readonly openerIndent: number;
  readonly openerIndentText: string;
  /** The bracket opening the block (char code), 0 for `:`, `=>` and the like. */
  readonly openerBracket: number;
}

interface Fence {
  readonly marker: number;
  readonly length: number;
  readonly info: string;
  /** Where the fence's first content line starts. */
  readonly contentStart: number;
}

export function buildCursorContext(prefix: string, suffix: string, languageId: string, tabSize: number): CursorContext {
  const lineStart = prefix.lastIndexOf("\n") + 1;
  const linePrefix = prefix.slice(lineStart);
  const lineEndInSuffix = suffix.indexOf("\n");
  const lineSuffix = lineEndInSuffix < 0 ? suffix : suffix.slice(0, lineEndInSuffix);

  const markdown = isMarkdownId(languageId);
  let spec = languageSpecFor(languageId);
  let scanFrom = 0;
  let suffixEnd = suffix.length;
  if (markdown) {
    const fence = openFenceAt(prefix, lineStart);
    if (fence) {
      spec = languageSpecFor(fence.info); // no or an unknown info string: C-like
      scanFrom = fence.contentStart;
      const closing = closingFenceIn(suffix, fence, isBlank(linePrefix));
      if (closing >= 0) suffixEnd = closing;
    } else {
      spec = PROSE;
    }
  }
  const prose = spec.family === "prose";
  if (prose) {
    // Brackets in prose only pair up within a line; earlier paragraphs say nothing about this one.
    scanFrom = lineStart;
    suffixEnd = lineSuffix.length;
  }

  const lexer = new Lexer(spec);
  const { openBrackets, openIndents, lastCode } = scanPrefix(prefix, scanFrom, lexer, tabSize);

  const suffixCloses = suffixClosing(suffix, suffixEnd, lineSuffix.length, lexer.clone(), openBrackets, openIndents, tabSize);
  let suffixClosesString = false;
  if (lexer.mode === "string") {
    const probe = lexer.clone();
    for (let i = 0; i < lineSuffix.length && probe.mode === "string"; ) i = probe.step(lineSuffix, i);
    suffixClosesString = probe.mode !== "string";
  }

  let opensBlock = false;
  let openerIndent = 0;
  let openerIndentText = "";
  let openerBracket = 0;
  if (!prose && lexer.mode === "code" && lastCode >= scanFrom) {
    const onCursorLine = lastCode >= lineStart;
    const restOfLine = lineSuffix.trimStart();
    const restAllows = restOfLine === "" || isCloser(restOfLine.charCodeAt(0));
    if ((onCursorLine || isBlank(linePrefix)) && restAllows) {
      const token = blockOpenerEndingAt(prefix, lastCode, spec, openBrackets.length === 0);
      if (token !== undefined) {
        opensBlock = true;
        const openerLineStart = prefix.lastIndexOf("\n", lastCode) + 1;
        const indentLength = leadingSpaceLength(prefix, openerLineStart, lastCode);
        openerIndentText = prefix.slice(openerLineStart, openerLineStart + indentLength);
        openerIndent = indentWidth(openerIndentText, tabSize);
        openerBracket = token.length === 1 && isOpener(token.charCodeAt(0)) ? token.charCodeAt(0) : 0;
      }
    }
  }

  const [nextLine, lineAfterNext] = nextNonBlankLines(suffix, lineEndInSuffix, suffixEnd);

  return {
    spec,
    prose,
    markdown,
    tabSize,
    lexer,
    openBrackets,
    suffixCloses,
    suffixClosesString,
    linePrefix,
    lineSuffix,
    linesAbove: linesAbove(prefix, lineStart, markdown ? scanFrom : 0),
    nextLine,
    lineAfterNext,
    opensBlock,
    openerIndent,
    openerIndentText,
    openerBracket,
  };
}

/**
 * Which open bracket the suffix's first unmatched closer closes. On the
 * cursor's line (an auto-closed `foo(|)`) it closes the innermost one;
 * further down, its line's indentation tells: a `}` indented less than the
 * `if (…) {` line closes the function around it, not the `if`.
 */
function suffixClosing(
  suffix: string,
  suffixEnd: number,
  cursorLineLength: number,
  lexer: Lexer,
  openBrackets: readonly number[],
  openIndents: readonly number[],
  tabSize: number,
): (index: number) => boolean {
  const at = firstUnmatchedCloser(suffix, 0, suffixEnd, lexer);
  if (at < 0) return () => false;
  const closer = suffix.charCodeAt(at);
  const onCursorLine = at < cursorLineLength;
  const lineStart = suffix.lastIndexOf("\n", at) + 1;
  const indent = onCursorLine ? 0 : indentWidth(suffix, tabSize, lineStart, at);
  return (index) =>
    closerOf(openBrackets[index] ?? 0) === closer && (onCursorLine || indent >= (openIndents[index] ?? 0));
}

function isWordChar(ch: number): boolean {
  return (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95 || ch > 127;
}

/** The block-opening token that ends at `end` (inclusive), if any. */
function blockOpenerEndingAt(text: string, end: number, spec: LanguageSpec, topLevel: boolean): string | undefined {
  for (const token of spec.blockOpeners) {
    const start = end - token.length + 1;
    if (start < 0 || !text.startsWith(token, start)) continue;
    if (token === ":" && spec.colonNeedsTopLevel && !topLevel) continue;
    // A keyword opener must be a whole word: `do`, not `undo`.
    if (isWordChar(token.charCodeAt(0)) && start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
    return token;
  }
  return undefined;
}

/** A Markdown fence line (up to 3 spaces, then 3+ backticks or tildes): its marker, run length and info string. */
function parseFenceLine(text: string, from: number, to: number): { marker: number; length: number; info: string } | undefined {
  let i = from;
  while (i < to && i - from < 3 && text.charCodeAt(i) === 32) i++;
  const marker = text.charCodeAt(i);
  if (marker !== 96 && marker !== 126) return undefined;
  const runStart = i;
  while (i < to && text.charCodeAt(i) === marker) i++;
  const length = i - runStart;
  if (length < 3) return undefined;
  const info = text.slice(i, to).trim();
  const word = /^[^\s{}`]*/.exec(info)?.[0] ?? "";
  return { marker, length, info: word.toLowerCase() };
}

/** The fence still open at the end of the full lines of `prefix[0, lineStart)`, if any. */
function openFenceAt(prefix: string, lineStart: number): Fence | undefined {
  let open: Fence | undefined;
  for (let from = 0; from < lineStart; ) {
    let to = prefix.indexOf("\n", from);
    if (to < 0 || to >= lineStart) to = lineStart - 1;
    const line = parseFenceLine(prefix, from, to);
    if (line) {
      if (!open) open = { ...line, contentStart: to + 1 };
      else if (line.marker === open.marker && line.length >= open.length && line.info === "") open = undefined;
    }
    from = to + 1;
  }
  return open;
}

/** Where the fence closing `fence` starts in `suffix` (-1 if absent); the cursor's own line counts only when the cursor is at its start. */
function closingFenceIn(suffix: string, fence: Fence, cursorAtLineStart: boolean): number {
  let from = 0;
  if (!cursorAtLineStart) {
    const firstBreak = suffix.indexOf("\n");
    if (firstBreak < 0) return -1;
    from = firstBreak + 1;
  }
  while (from <= suffix.length) {
    let to = suffix.indexOf("\n", from);
    if (to < 0) to = suffix.length;
    const line = parseFenceLine(suffix, from, to);
    if (line && line.marker === fence.marker && line.length >= fence.length && line.info === "") return from;
    from = to + 1;
  }
  return -1;
}

/** The two non-blank lines after the cursor's line in `suffix[…, end)`, trimmed. */
function nextNonBlankLines(suffix: string, cursorLineEnd: number, end: number): [string | undefined, string | undefined] {
  const found: string[] = [];
  if (cursorLineEnd < 0) return [undefined, undefined];
  for (let from = cursorLineEnd + 1; from < end && found.length < 2; ) {
    let to = suffix.indexOf("\n", from);
    if (to < 0 || to > end) to = end;
    const line = suffix.slice(from, to).trim();
    if (line !== "") found.push(line);
    from = to + 1;
  }
  return [found[0], found[1]];
}

/** Up to ECHO_LINES full lines before the cursor's line (not before `floor`), in document order. */
function linesAbove(prefix: string, lineStart: number, floor: number): string[] {
  const lines: string[] = [];
  let end = lineStart - 1; // the "\n" ending the line above
  while (end >= floor && lines.length < ECHO_LINES) {
    const start = end === 0 ? 0 : Math.max(prefix.lastIndexOf("\n", end - 1) + 1, floor);
    lines.push(prefix.slice(start, end));
    end = start - 1;
  }
  return lines.reverse();
}
