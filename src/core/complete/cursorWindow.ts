import type { DocumentLines, LinePosition } from "./documentLines.js";
import type { TokenEstimator } from "./tokenEstimate.js";

export interface WindowBudget {
  /** Tokens of text before the cursor, the cursor's line included. */
  readonly prefixTokens: number;
  /** Tokens of text after the cursor. */
  readonly suffixTokens: number;
}

/**
 * The part of the current file a completion prompt shows, cut at whole lines. The prefix is
 * `linesAbove + linePrefix`, the suffix `lineSuffix + linesBelow`.
 */
export interface CursorWindow {
  /** Whole lines from `startLine` to the line above the cursor, each ending in "\n". */
  readonly linesAbove: string;
  /** The cursor's line before the cursor (its start cut off only when it alone is over budget). */
  readonly linePrefix: string;
  /** The cursor's line after the cursor. */
  readonly lineSuffix: string;
  /** "\n" and the lines below the cursor's line through `endLine`; "" when there are none. */
  readonly linesBelow: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly line: number;
  /**
   * Where, in `linesAbove`, a line whose index is a multiple of BLOCK_LINES starts: a spot
   * for a checkpoint that survives small cursor moves up and joined lines. -1 when none.
   */
  readonly blockOffset: number;
}

/**
 * Window edges move in steps of this many lines. An edge that followed the cursor line by
 * line would change the prompt's text near its start on every new line and force the
 * whole file part to be evaluated again; a quantized edge moves once every 16 lines.
 */
export const EDGE_LINES = 16;
export const BLOCK_LINES = 8;

export function windowPrefix(window: CursorWindow): string {
  return window.linesAbove + window.linePrefix;
}

export function windowSuffix(window: CursorWindow): string {
  return window.lineSuffix + window.linesBelow;
}

/**
 * Cuts the prefix and suffix windows around `position`, sized by the estimator.
 *
 * The top edge is quantized by line index from the start of the file, the bottom edge by
 * line count from the end of the file, so that typing, new lines and deleted lines between
 * the edges leave both edges on the same text: what changes in the prompt is then only
 * what the user changed.
 */
export function cutCursorWindow(document: DocumentLines, position: LinePosition, budget: WindowBudget, estimator: TokenEstimator): CursorWindow {
  const lineCount = document.lineCount;
  const line = Math.min(Math.max(0, position.line), Math.max(0, lineCount - 1));
  const cursorLine = document.lineAt(line);
  const character = Math.min(Math.max(0, position.character), cursorLine.length);
  let linePrefix = cursorLine.slice(0, character);
  let lineSuffix = cursorLine.slice(character);

  const prefixChars = estimator.charsFor(budget.prefixTokens);
  if (linePrefix.length > prefixChars) linePrefix = linePrefix.slice(linePrefix.length - prefixChars);
  const suffixChars = estimator.charsFor(budget.suffixTokens);
  if (lineSuffix.length > suffixChars) lineSuffix = lineSuffix.slice(0, suffixChars);

  // Top edge: the first line that still fits, rounded down the file to a multiple of EDGE_LINES.
  let used = estimator.estimate(linePrefix);
  let minStart = line;
  while (minStart > 0) {
    const cost = estimator.estimateLength(document.lineAt(minStart - 1).length + 1);
    if (used + cost > budget.prefixTokens) break;
    used += cost;
    minStart--;
  }
  let startLine = minStart === 0 ? 0 : Math.ceil(minStart / EDGE_LINES) * EDGE_LINES;
  if (startLine >= line) startLine = minStart;

  // Bottom edge: the last line that still fits, rounded up the file so that the count of
  // lines below the edge is a multiple of EDGE_LINES.
  used = estimator.estimate(lineSuffix);
  let maxEnd = line;
  while (maxEnd < lineCount - 1) {
    const cost = estimator.estimateLength(document.lineAt(maxEnd + 1).length + 1);
    if (used + cost > budget.suffixTokens) break;
    used += cost;
    maxEnd++;
  }
  let endLine = maxEnd;
  if (maxEnd < lineCount - 1) {
    const below = lineCount - 1 - maxEnd;
    endLine = lineCount - 1 - Math.ceil(below / EDGE_LINES) * EDGE_LINES;
    if (endLine <= line) endLine = maxEnd;
  }

  const above: string[] = [];
  let blockOffset = -1;
  let offset = 0;
  for (let i = startLine; i < line; i++) {
    if (i > startLine && i % BLOCK_LINES === 0) blockOffset = offset;
    const text = document.lineAt(i);
    above.push(text, "\n");
    offset += text.length + 1;
  }
  const below: string[] = [];
  for (let i = line + 1; i <= endLine; i++) below.push("\n", document.lineAt(i));

  return { linesAbove: above.join(""), linePrefix, lineSuffix, linesBelow: below.join(""), startLine, endLine, line, blockOffset };
}
