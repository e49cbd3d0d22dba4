// Turns the server's prompt-evaluation progress ({evaluated, total, cached}) into what a
// person wants to see: tokens done of how many, the rate, and the time left. The rate
// counts only tokens actually evaluated since the first report, so a prefix restored from
// a checkpoint or from disk does not look like a burst of speed.

import type { PromptProgress } from "../model";

export type { PromptProgress };

export interface ProgressView {
  readonly done: number;
  readonly total: number;
  readonly cached: number;
  /** Tokens per second, undefined until there is a second report to measure from. */
  readonly rate?: number;
  /** Seconds left at that rate. */
  readonly secondsLeft?: number;
}

export class ProgressMeter {
  private first?: { at: number; evaluated: number };

  constructor(private readonly now: () => number = () => Date.now()) {}

  update(progress: PromptProgress): ProgressView {
    const at = this.now();
    const view = { done: progress.evaluated, total: progress.total, cached: progress.cached };
    if (this.first === undefined) {
      this.first = { at, evaluated: progress.evaluated };
      return view;
    }
    const seconds = (at - this.first.at) / 1000;
    const tokens = progress.evaluated - this.first.evaluated;
    if (seconds <= 0 || tokens <= 0) return view;
    const rate = tokens / seconds;
    return { ...view, rate, secondsLeft: Math.max(0, (progress.total - progress.evaluated) / rate) };
  }
}
