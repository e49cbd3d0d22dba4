/**
 * Builds a raw prompt string in which template text (control tokens such as
 * `<|fim_prefix|>`) and user content sit side by side, and records checkpoint offsets:
 * places where the server should keep its state because the next request will likely
 * share the prompt up to there.
 *
 * The server parses control tokens anywhere in a raw prompt, so content must never
 * contain one: `literal` breaks any `<|name|>` in user text with a zero-width space
 * (a file that talks about FIM tokens stays readable; it can no longer end the prompt).
 *
 * Offsets are UTF-16 code units, as `String.prototype.slice` counts them.
 */
export class PromptBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly marks: { offset: number; afterSpecial: boolean }[] = [];
  private lastWasSpecial = false;

  /** Template text: its control tokens are meant. */
  special(text: string): this {
    if (text !== "") this.lastWasSpecial = true;
    return this.push(text);
  }

  /** User content: any control-token lookalike is broken. */
  literal(text: string): this {
    if (text !== "") this.lastWasSpecial = false;
    return this.push(neutralizeControlTokens(text));
  }

  /**
   * Asks for a checkpoint here: right after a control token, or right after a line break.
   * `build` drops a mark after a line break when the next line is blank, because Qwen's
   * pre-tokenizer joins a line break with the blank lines after it into one token, and a
   * token spanning the mark would make the prompt's tokens up to it differ from the
   * whole prompt's tokens there.
   */
  checkpoint(): this {
    this.marks.push({ offset: this.length, afterSpecial: this.lastWasSpecial });
    return this;
  }

  get offset(): number {
    return this.length;
  }

  build(): { prompt: string; checkpoints: number[] } {
    const prompt = this.parts.join("");
    const valid = this.marks.filter((mark) => mark.offset > 0 && mark.offset < prompt.length && (mark.afterSpecial || safeLineBoundary(prompt, mark.offset)));
    const checkpoints = [...new Set(valid.map((mark) => mark.offset))].sort((a, b) => a - b);
    return { prompt, checkpoints };
  }

  private push(text: string): this {
    if (text !== "") {
      this.parts.push(text);
      this.length += text.length;
    }
    return this;
  }
}

/** After a line break, and the next line (up to the cursor or its end) is not blank. */
export function safeLineBoundary(text: string, offset: number): boolean {
  if (text.charCodeAt(offset - 1) !== 10) return false;
  let i = offset;
  while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  const next = text.charCodeAt(i);
  return next !== 10 && next !== 13;
}

const CONTROL_TOKEN_LOOKALIKE = /<\|(?=[A-Za-z0-9_]{1,48}\|>)/g;

export function neutralizeControlTokens(text: string): string {
  return text.indexOf("<|") < 0 ? text : text.replace(CONTROL_TOKEN_LOOKALIKE, "<\u200b|");
}
