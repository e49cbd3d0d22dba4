export interface DebounceOptions {
  /** Shortest wait, for a fast model and a pausing typist. */
  readonly minMs: number;
  /** Longest wait, reached only when the model is slow. */
  readonly maxMs: number;
  /** Gaps between keystrokes longer than this end a burst and say nothing about typing speed. */
  readonly burstGapMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = { minMs: 10, maxMs: 300, burstGapMs: 700 };

/**
 * How long to wait after a keystroke before asking the model.
 *
 * A request that the next keystroke supersedes costs server time that the next request
 * then waits for (the completion role evaluates one prompt at a time). So while the user
 * types in a burst, wait a little longer than their usual gap between keys: a continuing
 * burst cancels the wait instead of a request. How much waiting is worth it depends on
 * the model: the ceiling is half the recent request latency (a fast model answers at once,
 * a slow one is spared requests it would throw away), within [minMs, maxMs].
 */
export class AdaptiveDebounce {
  private lastKeystroke: number | undefined;
  private gapEma: number | undefined;
  private latencyEma: number | undefined;

  constructor(private readonly options: DebounceOptions = DEFAULT_DEBOUNCE) {}

  /** Records a keystroke (a request for a suggestion) at `now`. */
  keystroke(now: number): void {
    if (this.lastKeystroke !== undefined) {
      const gap = now - this.lastKeystroke;
      if (gap > 0 && gap < this.options.burstGapMs) this.gapEma = this.gapEma === undefined ? gap : this.gapEma * 0.7 + gap * 0.3;
    }
    this.lastKeystroke = now;
  }

  /** Records how long a model request took. */
  latency(ms: number): void {
    this.latencyEma = this.latencyEma === undefined ? ms : this.latencyEma * 0.7 + ms * 0.3;
  }

  /** The wait for the keystroke recorded last. */
  delay(): number {
    const { minMs, maxMs } = this.options;
    const ceiling = Math.min(maxMs, Math.max(minMs, (this.latencyEma ?? 100) / 2));
    const wanted = this.gapEma === undefined ? minMs : this.gapEma * 1.3;
    return Math.round(Math.min(ceiling, Math.max(minMs, wanted)));
  }

  get state(): { gapMs: number | undefined; latencyMs: number | undefined; delayMs: number } {
    return { gapMs: this.gapEma, latencyMs: this.latencyEma, delayMs: this.delay() };
  }
}
