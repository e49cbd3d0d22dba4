/**
 * Long texts are tokenized in slices, with the event loop free between them, so that a
 * 4-million-character prompt does not stop /health (or SIGTERM) for seconds: tokenizing
 * 5 MB in one native call took 4.3 s on a loaded 2-core machine.
 *
 * A slice ends only where the byte-level BPE pre-tokenizer of Qwen's models (llama.cpp's
 * `qwen2`/`qwen35` pre-types) ends a pre-token whatever follows, and starts one whatever
 * came before. BPE merges never cross pre-tokens, so tokenizing the slices one by one gives
 * exactly the tokens of the whole text. The pre-tokenizer's pattern is
 *
 *     (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+
 *     |\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * and these cuts (before index `at`) are safe under it:
 *
 * - after a newline, before a letter, digit or ASCII punctuation: every alternative that
 *   takes a newline ends at the first character that is not whitespace, and none that starts
 *   at a letter, digit or punctuation mark looks back;
 * - between a letter and a space followed by a letter (`foo| bar`): the letter run ends at
 *   the space, and ` bar` is matched from the space alike in both;
 * - between a letter and two punctuation marks of code (`foo|);`): the letter run ends
 *   there, and the optional prefix of a word cannot take the mark (no letter follows it).
 *
 * Added tokens are found before the pre-tokenizer runs: control tokens (`<|file_sep|>`) in
 * text parsed with special tokens, user-defined ones (`<think>`, `<tool_call>`) always. None
 * of Qwen's contains a newline or a space, and the marks of the third kind leave out `<`,
 * `>`, `|`, `/` and `_`, so no cut falls inside one. A text with no safe cut in
 * `maxSlice` characters (no newline or space between letters for 64K characters: not code
 * or prose) is cut there anyway, between code points. Other vocabularies (SentencePiece)
 * are never sliced; see ModelEngine.tokenizeAsync.
 */

/** Characters per slice: about 10 ms of tokenizing on a loaded 2-core machine. */
export const SLICE_CHARS = 8_192;
/** Where a slice is cut even without a safe cut (see above). */
export const MAX_SLICE_CHARS = 65_536;

const LETTER = /[\p{L}\p{M}]/u;
const WORD_START = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function isAsciiPunctuation(char: string | undefined): boolean {
  if (char === undefined || char.length !== 1) return false;
  const code = char.charCodeAt(0);
  return (code >= 0x21 && code <= 0x2f) || (code >= 0x3a && code <= 0x40) || (code >= 0x5b && code <= 0x60) || (code >= 0x7b && code <= 0x7e);
}

/** Marks that appear in no added token's text (see above). */
const CODE_MARKS = new Set("!\"#$%&()*+,-.:;=?@[]{}");

/** Whether the pre-tokenizer ends a pre-token before `text[at]` whatever surrounds the cut (see above). */
export function isSafeCut(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const before = text[at - 1]!;
  const next = text[at]!;
  if (before === "\n") return LETTER_OR_DIGIT.test(next) || isAsciiPunctuation(next);
  if (!LETTER.test(before)) return false;
  const after = text[at + 1];
  if (next === " ") return after !== undefined && WORD_START.test(after);
  return after !== undefined && CODE_MARKS.has(next) && CODE_MARKS.has(after);
}

/**
 * The ends of the slices of `text`: the last safe cut at or before `target` characters
 * into each slice (or the first after it), and at most `maxSlice` characters apart.
 */
export function sliceEnds(text: string, options: { target?: number; maxSlice?: number } = {}): number[] {
  const target = options.target ?? SLICE_CHARS;
  const maxSlice = options.maxSlice ?? MAX_SLICE_CHARS;
  const ends: number[] = [];
  let start = 0;
  while (text.length - start > target) {
    let cut = -1;
    for (let at = start + target; at > start; at--) {
      if (isSafeCut(text, at)) {
        cut = at;
        break;
      }
    }
    if (cut < 0) {
      const limit = Math.min(text.length, start + maxSlice);
      for (let at = start + target + 1; at < limit; at++) {
        if (isSafeCut(text, at)) {
          cut = at;
          break;
        }
      }
    }
    if (cut < 0) {
      if (start + maxSlice >= text.length) break;
      cut = start + maxSlice;
      // Never between the halves of a surrogate pair.
      const code = text.charCodeAt(cut);
      if (code >= 0xdc00 && code <= 0xdfff) cut++;
    }
    ends.push(cut);
    start = cut;
  }
  ends.push(text.length);
  return ends;
}

/**
 * Appends `items` to `target`, giving way every 65,536 items when the pacer says so:
 * copying the 4 million tokens of the largest prompt took ~100 ms on a loaded machine.
 * A loop, not push(...): a long piece has more tokens than a call may take arguments.
 */
export async function appendPaced<T>(target: T[], items: readonly T[], breathe?: () => Promise<void>): Promise<void> {
  const block = 65_536;
  for (let start = 0; start < items.length; start += block) {
    const end = Math.min(items.length, start + block);
    for (let i = start; i < end; i++) target.push(items[i]!);
    if (breathe !== undefined && end < items.length) await breathe();
  }
}
