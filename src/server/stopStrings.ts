/**
 * Finds stop strings in streamed text. Text that could still turn into a stop string is
 * held back until the next piece decides, so a client never sees half of a stop string.
 */
export class StopStringMatcher {
  private pending = "";

  constructor(private readonly stops: readonly string[]) {}

  /** Returns the text safe to emit now, and whether a stop string was reached. */
  push(text: string): { emit: string; stopped: boolean } {
    if (this.stops.length === 0) return { emit: text, stopped: false };
    this.pending += text;
    let firstStop = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at >= 0 && (firstStop < 0 || at < firstStop)) firstStop = at;
    }
    if (firstStop >= 0) {
      const emit = this.pending.slice(0, firstStop);
      this.pending = "";
      return { emit, stopped: true };
    }
    const hold = this.longestPartialStopAtEnd();
    const emit = this.pending.slice(0, this.pending.length - hold);
    this.pending = this.pending.slice(this.pending.length - hold);
    return { emit, stopped: false };
  }

  /** Text still held back when generation ends for another reason. */
  flush(): string {
    const rest = this.pending;
    this.pending = "";
    return rest;
  }

  private longestPartialStopAtEnd(): number {
    let longest = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > longest; length--) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
