// Turns source text into the sequence of its code tokens: what must not change when only
// comments and docs are translated. Layout is not a token, so reflowing a comment block or
// re-indenting is free; comments vanish; each string becomes one placeholder token.
//
// Lezer trees leave out anonymous tokens (some punctuation and keywords), so the text between
// leaf nodes is tokenized too, into words and single punctuation characters. That split is the
// same on both sides, which is all a comparison needs.
import type { TreeCursor } from "@lezer/common";
import type { CodeLanguage } from "./codeLanguages";

export interface CodeToken {
  /** The token's text, or STRING_PLACEHOLDER for a string literal. */
  readonly text: string;
  readonly from: number;
  /** For a string literal: its whole source text, quotes included. */
  readonly raw?: string;
}

export interface CodeTokens {
  readonly tokens: readonly CodeToken[];
  /** Offset of the first syntax error node (Lezer's ⚠), if the parser had to recover. */
  readonly firstErrorAt?: number;
  readonly errorCount: number;
}

export const STRING_PLACEHOLDER = "\u27e8string\u27e9";
export const BLOCK_START = "\u27e8block\u27e9";
export const BLOCK_END = "\u27e8/block\u27e9";
export const CONTINUED_COMMENT = "\u27e8comment continues on the next line\u27e9";
/** A tool directive inside a comment becomes one token: this prefix, the directive, and ⟩. */
export const DIRECTIVE_PREFIX = "\u27e8directive ";

/** Words (any script), numbers, or one non-space character. */
const GAP_TOKEN = /[\p{L}\p{N}_$]+|\S/gu;

export function codeTokens(language: CodeLanguage, text: string): CodeTokens {
  const tree = language.parser.parse(text);
  const tokens: CodeToken[] = [];
  let firstErrorAt: number | undefined;
  let errorCount = 0;
  // Everything before `covered` has been emitted or deliberately skipped.
  let covered = 0;

  const gap = (to: number): void => {
    if (to <= covered) return;
    pushSplit(text.slice(covered, to), covered, tokens);
    covered = to;
  };

  const cursor = tree.cursor();
  const visit = (c: TreeCursor): void => {
    const name = c.name;
    if (c.type.isError) {
      errorCount++;
      firstErrorAt ??= c.from;
    }
    if (language.comments.has(name)) {
      gap(c.from);
      const comment = text.slice(c.from, c.to);
      for (const directive of language.directives ?? []) {
        for (const match of comment.matchAll(directive)) {
          tokens.push({ text: `${DIRECTIVE_PREFIX}${match[0].trim().replace(/\s+/g, " ")}\u27e9`, from: c.from + (match.index ?? 0) });
        }
      }
      if (language.backslashContinuesLineComment === true && name === "LineComment" && /\\\s*$/.test(comment)) {
        tokens.push({ text: CONTINUED_COMMENT, from: c.from });
      }
      covered = Math.max(covered, c.to);
      return;
    }
    if (language.strings.has(name) && language.stringIsCode?.(c.node, text) === true) {
      // A path or tag: compared whole, like any other code token.
      gap(c.from);
      tokens.push({ text: text.slice(c.from, c.to), from: c.from });
      covered = Math.max(covered, c.to);
      return;
    }
    if (language.strings.has(name)) {
      gap(c.from);
      tokens.push({ text: STRING_PLACEHOLDER, from: c.from, raw: text.slice(c.from, c.to) });
      covered = Math.max(covered, c.from);
      // Only interpolations inside the string are code; the text around them is skipped.
      if (c.firstChild()) {
        do {
          if (language.codeInsideStrings.has(c.name)) {
            covered = c.from;
            visit(c);
          } else if (c.type.isError) {
            errorCount++;
            firstErrorAt ??= c.from;
          }
        } while (c.nextSibling());
        c.parent();
      }
      covered = Math.max(covered, c.to);
      return;
    }
    if (language.blocks?.has(name) === true) {
      gap(c.from);
      tokens.push({ text: BLOCK_START, from: c.from });
      const end = c.to;
      if (c.firstChild()) {
        do visit(c);
        while (c.nextSibling());
        c.parent();
      }
      gap(end);
      tokens.push({ text: BLOCK_END, from: Math.max(c.from, end - 1) });
      return;
    }
    if (c.firstChild()) {
      do visit(c);
      while (c.nextSibling());
      c.parent();
      return;
    }
    gap(c.from);
    if (c.to > covered) {
      const leaf = text.slice(Math.max(c.from, covered), c.to);
      // A leaf with inner spaces (C's #define arguments) is split like a gap, so layout stays free.
      if (/\s/.test(leaf)) pushSplit(leaf, Math.max(c.from, covered), tokens);
      else if (leaf.length > 0) tokens.push({ text: leaf, from: Math.max(c.from, covered) });
      covered = c.to;
    }
  };
  visit(cursor);
  gap(text.length);
  return { tokens, firstErrorAt, errorCount };
}

function pushSplit(chunk: string, offset: number, into: CodeToken[]): void {
  for (const match of chunk.matchAll(GAP_TOKEN)) into.push({ text: match[0], from: offset + (match.index ?? 0) });
}
