import type { DocumentLines } from "./documentLines.js";
import type { TokenEstimator } from "./tokenEstimate.js";

/** A piece of another file shown to the model ahead of the current file. */
export interface ContextChunk {
  readonly path: string;
  readonly startLine: number;
  /** Whole lines, joined with "\n", without a final line break. */
  readonly text: string;
  /** Estimated when the chunk was cut and frozen, so the ring's accounting never shifts. */
  readonly tokens: number;
}

export interface ContextRingOptions {
  /** Most tokens the ring holds. */
  readonly budgetTokens: number;
  /** Lines per chunk. */
  readonly chunkLines: number;
  /** Chunks waiting for the next commit, oldest dropped first. */
  readonly maxPending: number;
  /** When eviction starts, it goes down to this share of the budget. */
  readonly lowWater: number;
}

export const DEFAULT_RING_OPTIONS: ContextRingOptions = { budgetTokens: 1024, chunkLines: 32, maxPending: 16, lowWater: 0.7 };

/**
 * Extra context from recently edited and viewed files: an append-only ring of chunks.
 *
 * The ring sits at the start of every completion prompt, so its text must stay the same
 * from keystroke to keystroke: the server reuses the state of an unchanged prompt start,
 * and a change anywhere in the ring forces everything after it to be evaluated again.
 * So chunks are only offered while the user types; they join the ring on `commit`, which
 * the engine calls when the prompt changes anyway (another file became the current one).
 * New chunks go at the end; a chunk replaced by a newer cut of the same lines is removed;
 * the oldest chunks are evicted only when the ring is over budget, and then down to
 * `lowWater` of it, so that eviction (which changes the very start) happens rarely.
 */
export class ContextRing {
  private readonly ring: ContextChunk[] = [];
  private readonly pending = new Map<string, ContextChunk>();
  private total = 0;
  private changes = 0;

  constructor(
    private readonly estimator: TokenEstimator,
    private readonly options: ContextRingOptions = DEFAULT_RING_OPTIONS,
  ) {}

  /** Bumped whenever the ring's content changes. */
  get version(): number {
    return this.changes;
  }

  get tokens(): number {
    return this.total;
  }

  get size(): number {
    return this.ring.length;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Queues the chunk of `document` around `line` (an edit, or the middle of what is visible). */
  offer(path: string, document: DocumentLines, line: number): void {
    const { chunkLines } = this.options;
    const half = Math.max(1, Math.floor(chunkLines / 2));
    // Chunk starts sit on a grid of half a chunk, so nearby offers cut the very same lines.
    const start = Math.max(0, Math.min(Math.round((line - half) / half) * half, document.lineCount - chunkLines));
    const end = Math.min(document.lineCount, start + chunkLines);
    const lines: string[] = [];
    for (let i = start; i < end; i++) lines.push(document.lineAt(i));
    this.offerText(path, start, lines.join("\n"));
  }

  offerText(path: string, startLine: number, text: string): void {
    let body = text.replace(/\s+$/, "");
    if (body.replace(/\s+/g, "").length < 24) return; // nothing worth the tokens
    const maxChars = this.estimator.charsFor(Math.floor(this.options.budgetTokens / 2));
    if (body.length > maxChars) body = body.slice(0, body.lastIndexOf("\n", maxChars) > 0 ? body.lastIndexOf("\n", maxChars) : maxChars);
    const key = `${startLine}:${path}`;
    this.pending.delete(key);
    this.pending.set(key, { path, startLine, text: body, tokens: this.estimator.estimate(body) + this.estimator.estimate(path) + 2 });
    while (this.pending.size > this.options.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.pending.delete(oldest);
    }
  }

  /** Moves the queued chunks into the ring; true when the ring changed. */
  commit(): boolean {
    if (this.pending.size === 0) return false;
    let changed = false;
    for (const chunk of this.pending.values()) {
      const same = this.ring.find((c) => c.path === chunk.path && c.startLine === chunk.startLine && c.text === chunk.text);
      if (same) continue;
      for (let i = this.ring.length - 1; i >= 0; i--) {
        const old = this.ring[i]!;
        if (old.path === chunk.path && overlaps(old, chunk)) {
          this.total -= old.tokens;
          this.ring.splice(i, 1);
        }
      }
      this.ring.push(chunk);
      this.total += chunk.tokens;
      changed = true;
    }
    this.pending.clear();
    if (this.total > this.options.budgetTokens) {
      const target = this.options.budgetTokens * this.options.lowWater;
      while (this.ring.length > 0 && this.total > target) this.total -= this.ring.shift()!.tokens;
    }
    if (changed) this.changes++;
    return changed;
  }

  /** The ring as the prompt shows it while `currentPath` is the current file (its own chunks left out). */
  chunksFor(currentPath: string): readonly ContextChunk[] {
    return this.ring.some((c) => c.path === currentPath) ? this.ring.filter((c) => c.path !== currentPath) : this.ring;
  }

  /** Forgets a file (deleted, renamed): its chunks would show text that no longer exists. */
  forget(path: string): void {
    for (const key of [...this.pending.keys()]) if (this.pending.get(key)!.path === path) this.pending.delete(key);
    const before = this.ring.length;
    for (let i = this.ring.length - 1; i >= 0; i--) {
      if (this.ring[i]!.path === path) {
        this.total -= this.ring[i]!.tokens;
        this.ring.splice(i, 1);
      }
    }
    if (this.ring.length !== before) this.changes++;
  }
}

function overlaps(a: ContextChunk, b: ContextChunk): boolean {
  const aEnd = a.startLine + lineCount(a.text);
  const bEnd = b.startLine + lineCount(b.text);
  return a.startLine < bEnd && b.startLine < aEnd;
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) count++;
  return count;
}
