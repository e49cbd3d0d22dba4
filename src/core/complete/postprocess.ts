// Turns a model's raw completion into the text an inline suggestion shows,
// or into nothing. Pure and synchronous: it runs on every keystroke, so it
// reads the prefix and suffix once (postprocessContext) and then applies
// cutting rules (postprocessRules) to the short completion, in an order
// where each rule sees what the previous ones left.

import { isBlank } from "./indent";
import { buildCursorContext } from "./postprocessContext";
import {
  balanceBrackets,
  closeBlockOnOwnLine,
  cutAtCodeFence,
  cutAtSpecialToken,
  cutRepeatedSuffixLines,
  dropDoubleSpace,
  limitLines,
  reindent,
  stripPrefixEcho,
  trimSuffixOverlap,
  trimTrailing,
  unwrapFence,
  type PostprocessRule,
} from "./postprocessRules";

export type { PostprocessRule } from "./postprocessRules";

export interface PostprocessInput {
  /** Document text before the cursor (may be a window that starts mid-file). */
  readonly prefix: string;
  /** Document text after the cursor (may be a window). */
  readonly suffix: string;
  /** The model's raw output for the insertion point. */
  readonly completion: string;
  /** VS Code language id (`typescript`, `python`, `markdown`, …). */
  readonly languageId: string;
  /** Columns per tab, for comparing indentation; 4 when absent. */
  readonly tabSize?: number;
  /** When given, continuation lines take the document's tabs-or-spaces style. */
  readonly insertSpaces?: boolean;
}

export interface PostprocessResult {
  readonly text: string;
  /** The rules that changed the completion, comma-separated, in the order they applied (for logs and tests). */
  readonly reason?: string;
}

export interface PostprocessTrace {
  /** What to show; undefined when nothing should be shown. */
  readonly text: string | undefined;
  /** Every rule that changed the completion, in order; an undefined text ends the list with `whitespace-only`, after the rule that emptied it. */
  readonly rules: readonly PostprocessRule[];
}

export function postprocessCompletion(input: PostprocessInput): PostprocessResult | undefined {
  const trace = tracePostprocess(input);
  if (trace.text === undefined) return undefined;
  return trace.rules.length === 0 ? { text: trace.text } : { text: trace.text, reason: trace.rules.join(",") };
}

/** `postprocessCompletion` with the full list of rules that fired, also when the answer is nothing. */
export function tracePostprocess(input: PostprocessInput): PostprocessTrace {
  const rules: PostprocessRule[] = [];
  const tabSize = input.tabSize !== undefined && input.tabSize >= 1 ? Math.floor(input.tabSize) : 4;
  const crlf = usesCrlf(input.prefix, input.suffix);

  let text = cutAtSpecialToken(toLf(input.completion), rules);
  if (isBlank(text)) return nothing(rules);

  const ctx = buildCursorContext(toLf(input.prefix), toLf(input.suffix), input.languageId, tabSize);

  // In Markdown, or in a comment or string, a fence in the answer is content, not a chat model's wrapping.
  const unwrapped = ctx.markdown || ctx.lexer.mode !== "code" ? undefined : unwrapFence(text);
  if (unwrapped !== undefined) {
    text = unwrapped;
    rules.push("fence-unwrap");
  }
  text = stripPrefixEcho(text, ctx, unwrapped !== undefined, rules);
  text = dropDoubleSpace(text, ctx, rules);
  if (ctx.markdown && !ctx.prose) text = cutAtCodeFence(text, ctx, rules);
  text = limitLines(text, ctx, rules);
  text = cutRepeatedSuffixLines(text, ctx, rules);
  text = balanceBrackets(text, ctx, rules);
  text = trimSuffixOverlap(text, ctx, rules);
  text = closeBlockOnOwnLine(text, ctx, rules);
  if (input.insertSpaces !== undefined) text = reindent(text, tabSize, input.insertSpaces, rules);
  text = trimTrailing(text, ctx, rules);
  if (isBlank(text)) return nothing(rules);
  return { text: crlf ? text.replace(/\n/g, "\r\n") : text, rules };
}

function nothing(rules: PostprocessRule[]): PostprocessTrace {
  rules.push("whitespace-only");
  return { text: undefined, rules };
}

/** The document's line ending: the prefix's last one, else the suffix's first; LF when there is none. */
function usesCrlf(prefix: string, suffix: string): boolean {
  const inPrefix = prefix.lastIndexOf("\n");
  if (inPrefix >= 0) return inPrefix > 0 && prefix.charCodeAt(inPrefix - 1) === 13;
  const inSuffix = suffix.indexOf("\n");
  return inSuffix > 0 && suffix.charCodeAt(inSuffix - 1) === 13;
}

function toLf(text: string): string {
  return text.indexOf("\r") < 0 ? text : text.replace(/\r\n?/g, "\n");
}
