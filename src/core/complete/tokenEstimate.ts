/**
 * A fast token count for sizing prompt windows on every keystroke, where exact
 * tokenization (a round trip to the server, or the vocabulary in this process) costs more
 * than the whole rest of the request. It starts at Qwen's typical 3.5 characters per token
 * for code and learns the real ratio from the server's `usage.prompt_tokens`: the test
 * models, whose vocabulary is mostly single bytes, settle near 1.
 */
export class TokenEstimator {
  private charsPerToken: number;
  private observed = false;

  constructor(
    initialCharsPerToken = 3.5,
    /** Weight of each new observation in the running ratio. */
    private readonly learningRate = 0.3,
  ) {
    this.charsPerToken = initialCharsPerToken;
  }

  get ratio(): number {
    return this.charsPerToken;
  }

  /** Estimated tokens of `text`, rounded up; at least 1 for non-empty text. */
  estimate(text: string): number {
    return this.estimateLength(text.length);
  }

  estimateLength(chars: number): number {
    return chars === 0 ? 0 : Math.ceil(chars / this.charsPerToken);
  }

  /** Characters that fit in `tokens` tokens. */
  charsFor(tokens: number): number {
    return Math.floor(tokens * this.charsPerToken);
  }

  /** Learns from a prompt of `chars` characters that the server counted as `tokens` tokens. */
  observe(chars: number, tokens: number): void {
    // Tiny prompts are dominated by control tokens and say little about the ratio.
    if (tokens < 32 || chars <= 0) return;
    const observed = Math.min(8, Math.max(0.5, chars / tokens));
    if (!this.observed) {
      // The first real count replaces the guess outright: converging step by step would
      // move the window edges on several requests in a row.
      this.observed = true;
      this.charsPerToken = observed;
      return;
    }
    // Small drifts are ignored: every change of the ratio may move a window's edge, and a
    // moved edge costs a prompt evaluation; a ratio within 10% sizes windows well enough.
    if (Math.abs(observed - this.charsPerToken) < this.charsPerToken * 0.1) return;
    this.charsPerToken += (observed - this.charsPerToken) * this.learningRate;
  }
}
