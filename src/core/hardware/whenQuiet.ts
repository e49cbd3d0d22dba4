import { setTimeout as sleep } from "node:timers/promises";

export interface WhenQuietOptions {
  /** How often to look again while something is busy. */
  readonly pollMs: number;
  /** Past this many looks it goes on anyway: a machine that is always busy is still measured. */
  readonly maxWaits: number;
  readonly signal?: AbortSignal;
  /** Told what it waits for, the first time it waits. */
  readonly onWait?: (busy: string) => void;
}

/**
 * Waits until `busyWith` names nothing (Hearth's own start or a download would be measured
 * instead of the machine), or until it has looked `maxWaits` times. Resolves false when
 * `signal` aborts first.
 */
export async function whenQuiet(busyWith: () => string | undefined, options: WhenQuietOptions): Promise<boolean> {
  for (let waits = 0; ; waits++) {
    if (options.signal?.aborted) return false;
    const busy = busyWith();
    if (busy === undefined || waits >= options.maxWaits) return true;
    if (waits === 0) options.onWait?.(busy);
    try {
      await sleep(options.pollMs, undefined, { signal: options.signal });
    } catch {
      return false;
    }
  }
}
