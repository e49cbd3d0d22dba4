// The model's answer turned into replacement text: the one fenced block it was asked for
// (fences stripped, a thinking block ignored), re-indented to sit where the original did,
// with the original's line endings and its trailing-newline state. Works on a partial
// answer too, so the proposal can update while the answer streams.
import { trailingLineBreaks, trimTrailingBlankLines } from "../../shared/trimEnd";

export interface ExtractOptions {
  /** The text being replaced. */
  readonly original: string;
  /** The document's text between the start of the target's first line and the target. */
  readonly firstLinePrefix?: string;
}

const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})([^`\n]*)$/;

/** A backtick fence longer than any backtick run in `text`, so the text can sit inside it whole. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** Whether the answer has opened its fenced block yet (while streaming, words before it are not the proposal). */
export function hasOpeningFence(answer: string): boolean {
  return withoutThinking(answer).split(/\r?\n/).some((line, i, lines) => FENCE_LINE.test(line) && i < lines.length - 1);
}

/** The body of the answer's fenced block (or the whole answer when it has no fence), unchanged. */
export function fencedBody(answer: string): string {
  const text = withoutThinking(answer);
  const lines = text.split(/\r?\n/);
  const open = lines.findIndex((line) => FENCE_LINE.test(line));
  if (open < 0) return trimBlankLines(text);
  const [, fence] = FENCE_LINE.exec(lines[open]) ?? ["", "```"];
  const closes = (line: string): boolean => {
    const trimmed = line.trim();
    return trimmed.length >= fence.length && /^(`+|~+)$/.test(trimmed) && trimmed[0] === fence[0];
  };
  // The last closing fence: inner fences (a Markdown document's own code blocks) are shorter
  // than ours when the model follows the prompt, and come before it when it does not.
  let close = -1;
  for (let i = lines.length - 1; i > open; i--) {
    if (closes(lines[i])) {
      close = i;
      break;
    }
  }
  const body = lines.slice(open + 1, close < 0 ? lines.length : close);
  return body.join("\n");
}

export function extractReplacement(answer: string, options: ExtractOptions): string {
  const { original } = options;
  let body = fencedBody(answer);
  body = reindent(body, original, options.firstLinePrefix ?? "");
  body = body.trimEnd() + trailingLineBreaks(original);
  return original.includes("\r\n") ? body.replace(/\r?\n/g, "\r\n") : body.replace(/\r\n/g, "\n");
}

/** Drops `<think>…</think>` (and an unfinished one, which means no answer yet). */
function withoutThinking(answer: string): string {
  let text = answer.replace(/<think>[\s\S]*?<\/think>/g, "");
  const open = text.indexOf("<think>");
  if (open >= 0) text = text.slice(0, open);
  return text;
}

function trimBlankLines(text: string): string {
  return trimTrailingBlankLines(text.replace(/^(?:[ \t]*\r?\n)+/, ""));
}

/**
 * Moves the answer's lines so their common indentation is the original's. When the target
 * starts after the first line's indentation (a selection of whole statements), that part
 * stays in the document, so the first line gives it up.
 */
function reindent(body: string, original: string, firstLinePrefix: string): string {
  const prefixIsIndent = /^[ \t]*$/.test(firstLinePrefix);
  if (!prefixIsIndent) return body;
  const originalIndent = commonIndent((firstLinePrefix + original).split(/\r?\n/));
  const lines = body.split("\n");
  const answerIndent = commonIndent(lines);
  const moved = lines.map((line) => {
    if (line.trim() === "") return "";
    const rest = line.startsWith(answerIndent) ? line.slice(answerIndent.length) : line.trimStart();
    return originalIndent + rest;
  });
  if (moved.length > 0 && firstLinePrefix !== "") {
    moved[0] = moved[0].startsWith(firstLinePrefix) ? moved[0].slice(firstLinePrefix.length) : moved[0].trimStart();
  }
  return moved.join("\n");
}

function commonIndent(lines: readonly string[]): string {
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
    if (common === undefined) common = indent;
    else {
      let i = 0;
      while (i < common.length && i < indent.length && common[i] === indent[i]) i++;
      common = common.slice(0, i);
    }
  }
  return common ?? "";
}
