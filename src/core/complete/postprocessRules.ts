// The rules that shape a raw model completion into what the editor shows.
// Each takes the text so far and returns a prefix-derived piece of it (none
// adds text, except that a block closed on the cursor's line gets its line
// break back), recording its name when it changes something. All are linear
// in the completion, which is short; the prefix and suffix were read once
// into the CursorContext.

import { indentWidth, isBlank, isHorizontalSpace, leadingSpaceLength, reindentLine } from "./indent";
import type { CursorContext } from "./postprocessContext";
import { closerOf, isCloser, isOpener, type Lexer } from "./postprocessLexer";

export type PostprocessRule =
  | "special-token"
  | "fence-unwrap"
  | "prefix-echo"
  | "double-space"
  | "code-fence"
  | "single-line"
  | "block-end"
  | "sentence"
  | "suffix-lines"
  | "string-end"
  | "bracket"
  | "suffix-overlap"
  | "block-close-line"
  | "indentation"
  | "trailing-space"
  | "whitespace-only";

export type RuleLog = PostprocessRule[];

/** End-of-text and turn markers of FIM and chat templates (Qwen, StarCoder, DeepSeek, CodeLlama). */
const SPECIAL_TOKEN = /<\|[A-Za-z0-9_]{1,40}\|>|<｜[^｜\n]{1,40}｜>|<EOT>/;
/** A FIM model may open its answer with the marker of the middle part; what follows it is the answer. */
const LEADING_MIDDLE = /^\s*(?:<\|fim_middle\|>|<fim_middle>|<｜fim▁middle｜>|<MID>)/;

export function cutAtSpecialToken(text: string, log: RuleLog): string {
  const lead = LEADING_MIDDLE.exec(text);
  if (lead) {
    text = text.slice(lead[0].length);
    log.push("special-token");
  }
  const token = SPECIAL_TOKEN.exec(text);
  if (!token) return text;
  if (!lead) log.push("special-token");
  return text.slice(0, token.index);
}

function isFenceAt(text: string, i: number): boolean {
  const ch = text.charCodeAt(i);
  return (ch === 96 || ch === 126) && text.charCodeAt(i + 1) === ch && text.charCodeAt(i + 2) === ch;
}

/**
 * Chat-tuned models wrap code in a Markdown fence. Returns the fenced body
 * (up to the closing fence, or the end) when the text opens with a fence,
 * else undefined.
 */
export function unwrapFence(text: string): string | undefined {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) <= 32) i++;
  if (!isFenceAt(text, i)) return undefined;
  const bodyStart = text.indexOf("\n", i) + 1;
  if (bodyStart === 0) return "";
  for (let from = bodyStart; from < text.length; ) {
    const lineEnd = text.indexOf("\n", from);
    const lead = leadingSpaceLength(text, from);
    if (isFenceAt(text, from + lead)) return from === bodyStart ? "" : text.slice(bodyStart, from - 1);
    if (lineEnd < 0) break;
    from = lineEnd + 1;
  }
  return text.slice(bodyStart);
}

function isWordChar(ch: number): boolean {
  return (ch >= 48 && ch <= 57) || (ch >= 65 && ch <= 90) || (ch >= 97 && ch <= 122) || ch === 95 || ch > 127;
}

function countWordChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isWordChar(text.charCodeAt(i))) n++;
  return n;
}

/**
 * The completion's version of the cursor's line, with what is already typed
 * there removed; undefined when it does not start with the typed text. An
 * empty typed text means the cursor sits in indentation: drop up to that much
 * of the completion's indentation.
 */
function stripTypedText(rest: string, linePrefix: string, tabSize: number): string | undefined {
  const typed = linePrefix.trimStart();
  const lead = leadingSpaceLength(rest);
  if (typed === "") {
    const want = indentWidth(linePrefix, tabSize);
    let i = 0;
    for (let column = 0; i < lead && column < want; i++) column += rest.charCodeAt(i) === 9 ? tabSize - (column % tabSize) : 1;
    return rest.slice(i);
  }
  return rest.startsWith(typed, lead) ? rest.slice(lead + typed.length) : undefined;
}

/**
 * Completions that begin by repeating what is before the cursor: whole lines
 * above (chat models re-quote the function they were shown) and then the
 * cursor's typed text, or only the typed text, or the last word restarted
 * ("comp" + "compute(x)"). Without the chat signal (an unwrapped fence) it
 * asks for more evidence, since a FIM model may legitimately repeat a line.
 */
export function stripPrefixEcho(text: string, ctx: CursorContext, chatStyle: boolean, log: RuleLog): string {
  const stripped = stripEchoedLines(text, ctx, chatStyle) ?? stripEchoedLineStart(text, ctx, chatStyle);
  if (stripped === undefined || stripped === text) return text;
  log.push("prefix-echo");
  return stripped;
}

function stripEchoedLines(text: string, ctx: CursorContext, chatStyle: boolean): string | undefined {
  const above = ctx.linesAbove;
  if (above.length === 0) return undefined;
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0 && starts.length <= above.length; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  for (let first = 0; first < above.length; first++) {
    const full = above.length - first;
    if (starts.length < full + 1) continue; // the echo must run on into the cursor's line
    let matches = true;
    let wordChars = 0;
    for (let j = 0; j < full && matches; j++) {
      const line = text.slice(starts[j], (starts[j + 1] ?? 0) - 1).trim();
      matches = line === (above[first + j] ?? "").trim();
      wordChars += countWordChars(line);
    }
    if (!matches || wordChars === 0) continue;
    if (!chatStyle && (full < 2 || wordChars < 8)) continue;
    const rest = stripTypedText(text.slice(starts[full]), ctx.linePrefix, ctx.tabSize);
    if (rest !== undefined) return rest;
  }
  return undefined;
}

/** The longest restart of the cursor line's last word(s) that we accept: shorter is too likely a real continuation. */
const MIN_RESTART = 4;
const MAX_RESTART = 120;

function stripEchoedLineStart(text: string, ctx: CursorContext, chatStyle: boolean): string | undefined {
  const linePrefix = ctx.linePrefix;
  const typed = linePrefix.trimStart();
  if (chatStyle) {
    const stripped = stripTypedText(text, linePrefix, ctx.tabSize);
    if (stripped !== undefined) return stripped;
  }
  if (typed.length >= 2 && countWordChars(typed) > 0) {
    const lead = leadingSpaceLength(text);
    if (text.startsWith(typed, lead)) return text.slice(lead + typed.length);
  }
  if (!isWordChar(text.charCodeAt(0))) return undefined;
  const last = linePrefix.charCodeAt(linePrefix.length - 1);
  for (let k = Math.min(text.length, typed.length, MAX_RESTART); k >= MIN_RESTART; k--) {
    if (text.charCodeAt(k - 1) !== last) continue;
    const start = linePrefix.length - k;
    if (start > 0 && isWordChar(linePrefix.charCodeAt(start - 1))) continue;
    if (linePrefix.startsWith(text.slice(0, k), start)) return text.slice(k);
  }
  return undefined;
}

/** "return a " + " + b": the space the line already ends with is not typed twice (in code and prose, not in strings). */
export function dropDoubleSpace(text: string, ctx: CursorContext, log: RuleLog): string {
  const linePrefix = ctx.linePrefix;
  if (ctx.lexer.mode !== "code" || linePrefix.charCodeAt(linePrefix.length - 1) !== 32 || isBlank(linePrefix)) return text;
  const lead = leadingSpaceLength(text);
  if (lead === 0) return text;
  log.push("double-space");
  return text.slice(lead);
}

/** Inside a Markdown code block: the completion ends where it writes a fence line. */
export function cutAtCodeFence(text: string, ctx: CursorContext, log: RuleLog): string {
  let from = isBlank(ctx.linePrefix) ? 0 : text.indexOf("\n") + 1;
  if (from === 0 && !isBlank(ctx.linePrefix)) return text;
  while (from <= text.length) {
    if (isFenceAt(text, from + leadingSpaceLength(text, from))) {
      log.push("code-fence");
      return text.slice(0, Math.max(0, from - 1));
    }
    const next = text.indexOf("\n", from);
    if (next < 0) break;
    from = next + 1;
  }
  return text;
}

/** Where a sentence ends in a line of prose (the index after its terminator), or -1. */
function sentenceEnd(line: string, linePrefix: string): number {
  for (let i = 0; i < line.length - 1; i++) {
    const ch = line.charCodeAt(i);
    if (ch !== 46 && ch !== 33 && ch !== 63) continue; // . ! ?
    if (!isHorizontalSpace(line.charCodeAt(i + 1))) continue;
    if (line.slice(i + 1).trim() === "") return -1;
    if (ch === 46 && !isSentenceDot(line, i, linePrefix)) continue;
    return i + 1;
  }
  return -1;
}

/** A full stop, not the dot of "e.g." or "J." or "1." (a list number). */
function isSentenceDot(line: string, i: number, linePrefix: string): boolean {
  const at = (k: number): number => (k >= 0 ? line.charCodeAt(k) : linePrefix.charCodeAt(linePrefix.length + k));
  const a = at(i - 1);
  const b = at(i - 2);
  if (a === 41 || a === 34 || a === 39 || a === 42 || a === 95 || a === 96) return true; // ) " ' * _ `
  const letter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
  const digit = (c: number): boolean => c >= 48 && c <= 57;
  return (letter(a) && letter(b)) || (digit(a) && digit(b));
}

/**
 * One line, unless the cursor opens a block; then the block, ended by
 * indentation. Prose: to the end of the sentence, within the line.
 */
export function limitLines(text: string, ctx: CursorContext, log: RuleLog): string {
  const firstBreak = text.indexOf("\n");
  if (ctx.prose) {
    let line = firstBreak < 0 ? text : text.slice(0, firstBreak);
    if (firstBreak >= 0) log.push("single-line");
    const end = sentenceEnd(line, ctx.linePrefix);
    if (end >= 0) {
      line = line.slice(0, end);
      log.push("sentence");
    }
    return line;
  }
  if (firstBreak < 0) return text;
  if (!ctx.opensBlock) {
    log.push("single-line");
    return text.slice(0, firstBreak);
  }
  return limitToBlock(text, ctx, log);
}

function limitToBlock(text: string, ctx: CursorContext, log: RuleLog): string {
  const lines = text.split("\n");
  const tabSize = ctx.tabSize;
  const fresh = isBlank(ctx.linePrefix);
  const cursorColumn = indentWidth(ctx.linePrefix, tabSize);
  // The first line continues the cursor's line: on a fresh line its indentation adds to the cursor's column.
  const indentOf = (k: number): number => {
    const line = lines[k] ?? "";
    return k === 0 ? cursorColumn + indentWidth(line, tabSize, 0, line.length, cursorColumn) : indentWidth(line, tabSize);
  };
  let body = fresh ? 0 : 1;
  while (body < lines.length && isBlank(lines[body] ?? "")) body++;
  if (body >= lines.length) return text;
  const bodyIndent = indentOf(body);
  let end = body;
  if (bodyIndent > ctx.openerIndent) {
    end = body + 1;
    while (end < lines.length && (isBlank(lines[end] ?? "") || indentOf(end) >= bodyIndent)) end++;
    if (end >= lines.length) return text;
  } else if (body === 0) {
    // A fresh line not indented past the opener is no block body: treat it as one line.
    log.push("single-line");
    return lines[0] ?? "";
  }
  const kept = lines.slice(0, end);
  const closing = closingLine(lines[end] ?? "", indentOf(end), ctx);
  if (closing !== undefined) kept.push(closing);
  log.push("block-end");
  return kept.join("\n");
}

/**
 * The line that ends the block, if it is the block's closing bracket line
 * (whether the suffix already closes it is the bracket rule's call). A line
 * like `} else {` that opens the next block keeps only its closers.
 */
function closingLine(line: string, indent: number, ctx: CursorContext): string | undefined {
  const lead = leadingSpaceLength(line);
  if (!isCloser(line.charCodeAt(lead)) || indent < ctx.openerIndent) return undefined;
  const trimmed = line.trimEnd();
  if (!isOpener(trimmed.charCodeAt(trimmed.length - 1))) return line;
  let end = lead;
  while (end < line.length && isCloser(line.charCodeAt(end))) end++;
  return line.slice(0, end);
}

/**
 * The model wrote a line that is already the next line below the cursor
 * (or the next two, when one is too plain to tell, like `}`): cut there.
 */
export function cutRepeatedSuffixLines(text: string, ctx: CursorContext, log: RuleLog): string {
  const next = ctx.nextLine;
  if (next === undefined) return text;
  const distinctive = countWordChars(next) > 0;
  const lines = text.split("\n");
  const first = isBlank(ctx.linePrefix) && isBlank(ctx.lineSuffix) ? 0 : 1;
  for (let k = first; k < lines.length; k++) {
    if ((lines[k] ?? "").trim() !== next) continue;
    const confirmed = distinctive || (ctx.lineAfterNext !== undefined && (lines[k + 1] ?? "").trim() === ctx.lineAfterNext);
    if (!confirmed) continue;
    log.push("suffix-lines");
    return lines.slice(0, k).join("\n");
  }
  return text;
}

/**
 * Brackets: a closer matching an opener in the completion is fine; one that
 * closes a bracket opened before the cursor is kept only when the suffix
 * does not close that bracket itself; a stray or mismatched closer ends the
 * completion (code only). The same for a string the cursor is in, when the
 * rest of the line already closes it (an auto-closed quote).
 */
export function balanceBrackets(text: string, ctx: CursorContext, log: RuleLog): string {
  const lexer = ctx.lexer.clone();
  const strict = ctx.spec.strictBrackets;
  const inner: number[] = [];
  let outer = ctx.openBrackets.length - 1;
  let inInitialString = lexer.mode === "string";
  const templateDepth = lexer.templateDepth;
  for (let i = 0; i < text.length; ) {
    const at = i;
    const ch = text.charCodeAt(at);
    i = lexer.step(text, at);
    // A `${ … }` inside the string is still inside it.
    if (inInitialString && lexer.mode !== "string" && lexer.templateDepth === templateDepth) {
      inInitialString = false;
      if (ctx.suffixClosesString && ch === ctx.lexer.quote) {
        log.push("string-end");
        return text.slice(0, at);
      }
    }
    if (!lexer.isCode) continue;
    if (isOpener(ch)) {
      inner.push(ch);
      continue;
    }
    if (!isCloser(ch)) continue;
    if (inner.length > 0) {
      if (closerOf(inner[inner.length - 1] ?? 0) === ch || !strict) {
        inner.pop();
        continue;
      }
      log.push("bracket");
      return text.slice(0, at);
    }
    const closes = outer >= 0 && closerOf(ctx.openBrackets[outer] ?? 0) === ch;
    if (closes && !ctx.suffixCloses(outer)) {
      outer--;
      continue;
    }
    if (!closes && !strict) continue;
    log.push("bracket");
    return text.slice(0, at);
  }
  return text;
}

/**
 * The end of the completion repeats the start of the rest of the cursor's
 * line (the model re-typed `;` or `")`): cut where the repetition starts.
 * Only at the top level of the completion, so `foo()` before `)` stays whole.
 */
export function trimSuffixOverlap(text: string, ctx: CursorContext, log: RuleLog): string {
  const rest = ctx.lineSuffix.trimEnd();
  if (rest === "") return text;
  const lastLine = text.lastIndexOf("\n") + 1;
  const initial = ctx.lexer;
  const lexer: Lexer = initial.clone();
  let leftInitial = false;
  let depth = 0;
  for (let i = 0; i < text.length; ) {
    if (i >= lastLine && depth === 0 && (lexer.mode === "code" || !leftInitial) && overlapsAt(text, i, rest)) {
      log.push("suffix-overlap");
      return text.slice(0, i);
    }
    const ch = text.charCodeAt(i);
    i = lexer.step(text, i);
    if (!lexer.sameState(initial)) leftInitial = true;
    if (!lexer.isCode) continue;
    if (isOpener(ch)) depth++;
    else if (isCloser(ch) && depth > 0) depth--;
  }
  return text;
}

function overlapsAt(text: string, i: number, rest: string): boolean {
  const length = Math.min(text.length - i, rest.length);
  for (let j = 0; j < length; j++) if (text.charCodeAt(i + j) !== rest.charCodeAt(j)) return false;
  // Never split a word: "a + b" before "b = 3" overlaps, "bar()" before "b" does not.
  if (i > 0 && isWordChar(text.charCodeAt(i - 1)) && isWordChar(text.charCodeAt(i))) return false;
  const end = i + length;
  if (end < text.length && isWordChar(text.charCodeAt(end - 1)) && isWordChar(text.charCodeAt(end))) return false;
  if (length === rest.length || length >= 3) return true;
  for (let j = i; j < end; j++) {
    const ch = text.charCodeAt(j);
    if (!isWordChar(ch) && ch > 32) return true;
  }
  return false;
}

/**
 * A multi-line block written between an opener and its closer on the same
 * line (`{|}`) ends with a line break, so the closer lands on its own line
 * at the opener's indentation.
 */
export function closeBlockOnOwnLine(text: string, ctx: CursorContext, log: RuleLog): string {
  if (!ctx.opensBlock || ctx.openerBracket === 0) return text;
  const rest = ctx.lineSuffix.trimStart();
  if (rest.charCodeAt(0) !== closerOf(ctx.openerBracket)) return text;
  const lastBreak = text.lastIndexOf("\n");
  if (lastBreak < 0 || isBlank(text.slice(lastBreak + 1))) return text;
  log.push("block-close-line");
  return `${text}\n${ctx.openerIndentText}`;
}

/** Lines after the first take the document's tabs-or-spaces style. */
export function reindent(text: string, tabSize: number, insertSpaces: boolean, log: RuleLog): string {
  if (text.indexOf("\n") < 0) return text;
  const lines = text.split("\n");
  let changed = false;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k] ?? "";
    const fixed = reindentLine(line, tabSize, insertSpaces);
    if (fixed !== line) {
      lines[k] = fixed;
      changed = true;
    }
  }
  if (!changed) return text;
  log.push("indentation");
  return lines.join("\n");
}

/**
 * Trailing whitespace goes, unless the cursor's line continues right after
 * the insertion: then a trailing space or line break is a separator.
 */
export function trimTrailing(text: string, ctx: CursorContext, log: RuleLog): string {
  const follow = ctx.lineSuffix.charCodeAt(0);
  let trimmed = text;
  if (isBlank(ctx.lineSuffix)) {
    trimmed = text.trimEnd();
  } else if (isHorizontalSpace(follow)) {
    let end = text.length;
    while (end > 0 && isHorizontalSpace(text.charCodeAt(end - 1))) end--;
    trimmed = text.slice(0, end);
  }
  if (trimmed !== text) log.push("trailing-space");
  return trimmed;
}
