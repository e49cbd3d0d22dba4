// A one-character-at-a-time lexer that only knows code, comments and
// strings: enough to count brackets honestly ("(" inside "a(b" or a comment
// is not an opener). It keeps its state in four fields so the state at the
// cursor can be copied and resumed over the suffix and the completion.

import type { LanguageSpec } from "./postprocessLanguage";

export type LexMode = "code" | "line-comment" | "block-comment" | "string";

const NEWLINE = 10;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const QUOTE = 39;
const BACKTICK = 96;
const DOLLAR = 36;

// Per-character flags of a language, so the hot loop asks one table.
const QUOTE_FLAG = 1;
const TRIPLE_FLAG = 2;
const MULTILINE_FLAG = 4;
const RAW_FLAG = 8;
const SLASH_FLAG = 16;
const HASH_FLAG = 32;
const TEMPLATE_FLAG = 64;

const tables = new WeakMap<LanguageSpec, Uint8Array>();

function tableFor(spec: LanguageSpec): Uint8Array {
  const cached = tables.get(spec);
  if (cached) return cached;
  const table = new Uint8Array(128);
  const mark = (chars: string, flag: number): void => {
    for (let k = 0; k < chars.length; k++) {
      const ch = chars.charCodeAt(k);
      table[ch] = (table[ch] ?? 0) | flag;
    }
  };
  mark(spec.quotes, QUOTE_FLAG);
  mark(spec.tripleQuotes, TRIPLE_FLAG);
  mark(spec.multilineQuotes, MULTILINE_FLAG);
  mark(spec.rawQuotes, RAW_FLAG);
  if (spec.slashComments) mark("/", SLASH_FLAG);
  if (spec.hashComments) mark("#", HASH_FLAG);
  if (spec.templateLiterals) mark("{}", TEMPLATE_FLAG);
  tables.set(spec, table);
  return table;
}

export class Lexer {
  mode: LexMode = "code";
  /** The quote that opened the current string (a char code). */
  quote = 0;
  /** Whether the current string was opened by a tripled quote. */
  triple = false;
  /** Set by `step`: the unit just consumed was one plain code character. */
  isCode = false;
  /**
   * Open `${ … }` expressions of template literals, innermost last: the
   * count of `{` open inside each, -1 before its own `{`. Their `{` and `}`
   * are brackets like any other, so `${|}` works as `(|)` does.
   */
  private templates: number[] = [];
  /** Per-character flags (ASCII); 0 means a plain code character in any state but strings and comments. */
  readonly table: Uint8Array;

  constructor(readonly spec: LanguageSpec) {
    this.table = tableFor(spec);
  }

  clone(): Lexer {
    const copy = new Lexer(this.spec);
    copy.mode = this.mode;
    copy.quote = this.quote;
    copy.triple = this.triple;
    copy.templates = this.templates.slice();
    return copy;
  }

  /** How many template expressions (`${`) are open. */
  get templateDepth(): number {
    return this.templates.length;
  }

  sameState(other: Lexer): boolean {
    return (
      this.mode === other.mode && this.quote === other.quote && this.triple === other.triple && this.templates.length === other.templates.length
    );
  }

  /** Consumes the unit (one char, an escape, a comment or quote delimiter) at `i`; returns the index after it. */
  step(text: string, i: number): number {
    const ch = text.charCodeAt(i);
    const flags = ch < 128 ? (this.table[ch] ?? 0) : 0;
    this.isCode = false;
    switch (this.mode) {
      case "code": {
        if (flags === 0) {
          this.isCode = true;
          return i + 1;
        }
        if (flags & TEMPLATE_FLAG) {
          this.isCode = true;
          const open = this.templates.length - 1;
          if (open < 0) return i + 1;
          const depth = this.templates[open] ?? 0;
          if (ch === CLOSE_CURLY && depth === 0) {
            this.templates.pop();
            this.mode = "string";
            this.quote = BACKTICK;
            this.triple = false;
          } else {
            this.templates[open] = depth + (ch === CLOSE_CURLY ? -1 : 1);
          }
          return i + 1;
        }
        if (flags & SLASH_FLAG) {
          const next = text.charCodeAt(i + 1);
          if (next === SLASH) {
            this.mode = "line-comment";
            return i + 2;
          }
          if (next === STAR) {
            this.mode = "block-comment";
            return i + 2;
          }
        } else if (flags & HASH_FLAG) {
          this.mode = "line-comment";
          return i + 1;
        }
        if (flags & QUOTE_FLAG) {
          if (this.spec.lifetimes && ch === QUOTE && !isCharLiteral(text, i)) {
            this.isCode = true;
            return i + 1;
          }
          this.mode = "string";
          this.quote = ch;
          this.triple = (flags & TRIPLE_FLAG) !== 0 && text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch;
          return this.triple ? i + 3 : i + 1;
        }
        this.isCode = true;
        return i + 1;
      }
      case "line-comment":
        if (ch === NEWLINE) {
          this.mode = "code";
          this.isCode = true;
        }
        return i + 1;
      case "block-comment":
        if (ch === STAR && text.charCodeAt(i + 1) === SLASH) {
          this.mode = "code";
          return i + 2;
        }
        return i + 1;
      case "string": {
        const quote = this.quote;
        if (ch === BACKSLASH) {
          return (this.table[quote] ?? 0) & RAW_FLAG ? i + 1 : i + 2;
        }
        if (ch === DOLLAR && quote === BACKTICK && this.spec.templateLiterals && text.charCodeAt(i + 1) === OPEN_CURLY) {
          this.templates.push(-1);
          this.mode = "code";
          return i + 1;
        }
        if (ch === quote) {
          if (!this.triple) {
            this.mode = "code";
            return i + 1;
          }
          if (text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch) {
            this.mode = "code";
            return i + 3;
          }
          return i + 1;
        }
        if (ch === NEWLINE && !this.triple && ((this.table[quote] ?? 0) & MULTILINE_FLAG) === 0) {
          // An unterminated one-line string ends at the line's end; resyncing here keeps one stray quote from poisoning the rest.
          this.mode = "code";
          this.isCode = true;
        }
        return i + 1;
      }
    }
  }

  inComment(): boolean {
    return this.mode === "line-comment" || this.mode === "block-comment";
  }
}

/** Rust: `'x'` and `'\n'` are char literals; `'a` in `&'a str` is a lifetime. */
function isCharLiteral(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  if (next === BACKSLASH) return true;
  if (Number.isNaN(next)) return false;
  // A surrogate pair is one char in the source but two UTF-16 units.
  const width = next >= 0xd800 && next <= 0xdbff ? 2 : 1;
  return text.charCodeAt(i + 1 + width) === QUOTE;
}

export const OPEN_PAREN = 40;
export const CLOSE_PAREN = 41;
export const OPEN_SQUARE = 91;
export const CLOSE_SQUARE = 93;
export const OPEN_CURLY = 123;
export const CLOSE_CURLY = 125;

export function isOpener(ch: number): boolean {
  return ch === OPEN_PAREN || ch === OPEN_SQUARE || ch === OPEN_CURLY;
}

export function isCloser(ch: number): boolean {
  return ch === CLOSE_PAREN || ch === CLOSE_SQUARE || ch === CLOSE_CURLY;
}

/** The closer that matches an opener (char codes); 0 for anything else. */
export function closerOf(opener: number): number {
  if (opener === OPEN_PAREN) return CLOSE_PAREN;
  if (opener === OPEN_SQUARE) return CLOSE_SQUARE;
  if (opener === OPEN_CURLY) return CLOSE_CURLY;
  return 0;
}

/**
 * Pops the opener that `closer` closes. A closer that matches nothing on the
 * stack is ignored; one that matches a deeper opener pops down to it, the
 * usual recovery when the text in between was unbalanced.
 */
export function popMatching(stack: number[], closer: number): void {
  for (let k = stack.length - 1; k >= 0; k--) {
    if (closerOf(stack[k] ?? 0) === closer) {
      while (stack.length > k) stack.pop();
      return;
    }
  }
}

export interface PrefixScan {
  /** Openers (char codes) still open at the end, innermost last. */
  readonly openBrackets: number[];
  /** Indentation width of the line each open bracket is on. */
  readonly openIndents: number[];
  /** Index of the last character of code or of a string (not whitespace, not a comment); -1 if none. */
  readonly lastCode: number;
}

/** Lexes `text[from, end)` and reports the brackets left open; `lexer` ends in the state at the end. */
export function scanPrefix(text: string, from: number, lexer: Lexer, tabSize: number): PrefixScan {
  const openBrackets: number[] = [];
  const openIndents: number[] = [];
  let lastCode = -1;
  let lineStart = from;
  const table = lexer.table;
  const bracket = (ch: number, at: number): void => {
    if (ch === OPEN_PAREN || ch === OPEN_SQUARE || ch === OPEN_CURLY) {
      openBrackets.push(ch);
      let column = 0;
      for (let k = lineStart; k < at; k++) {
        const c = text.charCodeAt(k);
        if (c === 32) column++;
        else if (c === 9) column += tabSize - (column % tabSize);
        else break;
      }
      openIndents.push(column);
    } else if (ch === CLOSE_PAREN || ch === CLOSE_SQUARE || ch === CLOSE_CURLY) {
      popMatching(openBrackets, ch);
      while (openIndents.length > openBrackets.length) openIndents.pop();
    }
  };
  for (let i = from; i < text.length; ) {
    const mode = lexer.mode;
    if (mode === "code") {
      // Fast path for the common case, a plain code character; the lexer would say the same.
      const ch = text.charCodeAt(i);
      if (ch < 128 && table[ch] === 0) {
        if (ch === NEWLINE) lineStart = i + 1;
        else if (ch > 32) lastCode = i;
        if (ch >= 40) bracket(ch, i);
        i++;
        continue;
      }
    } else if (mode === "line-comment") {
      // Jump to the line break, which the lexer then consumes as the comment's end.
      const end = text.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if (mode === "block-comment") {
      const end = text.indexOf("*/", i);
      if (end < 0) break;
      const lastBreak = text.lastIndexOf("\n", end);
      if (lastBreak >= i) lineStart = lastBreak + 1;
      i = end;
    }
    const at = i;
    const ch = text.charCodeAt(at);
    const wasComment = lexer.inComment();
    i = lexer.step(text, at);
    if (ch === NEWLINE) lineStart = i;
    else if (i - at > 1 && text.charCodeAt(i - 1) === NEWLINE) lineStart = i; // an escaped line break
    if (!wasComment && ch > 32 && !lexer.inComment()) lastCode = i - 1;
    if (lexer.isCode) bracket(ch, at);
  }
  return { openBrackets, openIndents, lastCode };
}

/**
 * Where the first closer in `text[from, to)` that closes something opened
 * before `from` is (-1 if none), lexing from the given state (the lexer is
 * advanced).
 */
export function firstUnmatchedCloser(text: string, from: number, to: number, lexer: Lexer): number {
  const stack: number[] = [];
  const table = lexer.table;
  for (let i = from; i < to; ) {
    const at = i;
    const ch = text.charCodeAt(at);
    if (lexer.mode === "code" && ch < 128 && table[ch] === 0) {
      i++; // a plain code character, as in scanPrefix
    } else {
      i = lexer.step(text, at);
      if (!lexer.isCode) continue;
    }
    if (ch === OPEN_PAREN || ch === OPEN_SQUARE || ch === OPEN_CURLY) {
      stack.push(ch);
    } else if (ch === CLOSE_PAREN || ch === CLOSE_SQUARE || ch === CLOSE_CURLY) {
      if (stack.length === 0) return at;
      popMatching(stack, ch);
    }
  }
  return -1;
}
