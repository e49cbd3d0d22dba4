import type { DocumentLines } from "./documentLines.js";
import type { TokenEstimator } from "./tokenEstimate.js";

/**
 * A file as the ring knows it. The scope says which files may share a prompt: those the
 * privacy policy judges alike (in the editor, one workspace folder). A prompt is judged by
 * its current file's policy, so a chunk of a file under another policy must never ride in it.
 */
export interface ChunkSource {
  /** Opaque here: compared, never read. */
  readonly scope: string;
  /** The file as the prompt and the gateway name it; unique within its scope only (two folders may both hold src/app.ts). */
  readonly path: string;
}

/** A piece of another file shown to the model ahead of the current file. */
export interface ContextChunk extends ChunkSource {
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
  offer(source: ChunkSource, document: DocumentLines, line: number): void {
    const { chunkLines } = this.options;
    const half = Math.max(1, Math.floor(chunkLines / 2));
    // Chunk starts sit on a grid of half a chunk, so nearby offers cut the very same lines.
    const start = Math.max(0, Math.min(Math.round((line - half) / half) * half, document.lineCount - chunkLines));
    const end = Math.min(document.lineCount, start + chunkLines);
    const lines: string[] = [];
    for (let i = start; i < end; i++) lines.push(document.lineAt(i));
    this.offerText(source, start, lines.join("\n"));
  }

  offerText(source: ChunkSource, startLine: number, text: string): void {
    let body = text.trimEnd();
    if (body.replace(/\s+/g, "").length < 24) return; // nothing worth the tokens
    const maxChars = this.estimator.charsFor(Math.floor(this.options.budgetTokens / 2));
    if (body.length > maxChars) body = body.slice(0, body.lastIndexOf("\n", maxChars) > 0 ? body.lastIndexOf("\n", maxChars) : maxChars);
    const { scope, path } = source;
    const key = JSON.stringify([scope, path, startLine]);
    this.pending.delete(key);
    this.pending.set(key, { scope, path, startLine, text: body, tokens: this.estimator.estimate(body) + this.estimator.estimate(path) + 2 });
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
      const same = this.ring.find((c) => sameFile(c, chunk) && c.startLine === chunk.startLine && c.text === chunk.text);
      if (same) continue;
      for (let i = this.ring.length - 1; i >= 0; i--) {
        const old = this.ring[i]!;
        if (sameFile(old, chunk) && overlaps(old, chunk)) {
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

  /**
   * The ring as the prompt shows it while `current` is the current file: only chunks of its
   * scope (another scope's are judged by another policy), its own chunks left out.
   */
  chunksFor(current: ChunkSource): readonly ContextChunk[] {
    return this.ring.filter((c) => c.scope === current.scope && c.path !== current.path);
  }

  /** Forgets a file (deleted, renamed): its chunks would show text that no longer exists. */
  forget(source: ChunkSource): void {
    for (const key of [...this.pending.keys()]) if (sameFile(this.pending.get(key)!, source)) this.pending.delete(key);
    const before = this.ring.length;
    for (let i = this.ring.length - 1; i >= 0; i--) {
      if (sameFile(this.ring[i]!, source)) {
        this.total -= this.ring[i]!.tokens;
        this.ring.splice(i, 1);
      }
    }
    if (this.ring.length !== before) this.changes++;
  }
}

function sameFile(a: ChunkSource, b: ChunkSource): boolean {
  return a.scope === b.scope && a.path === b.path;
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
