// Token counts with the model's own tokenizer (injected: in the extension, the gateway's
// countTokens for "repoQuestion"), cached by the SHA-256 of the text so a rebuild after
// one edit asks only about the edited file. Whether every count was exact (the server
// tokenized) or estimated (~4 chars a token) is kept, because the budget depends on it.
import { createHash } from "node:crypto";

export type CountTokens = (texts: readonly string[], signal?: AbortSignal) => Promise<{ counts: readonly number[]; exact: boolean }>;

/** Texts sent to the tokenizer in one call, so one huge repo is not one huge request. */
const BATCH_TEXTS = 64;
const BATCH_CHARS = 2_000_000;
/** Bounds the cache: about this many distinct texts are remembered. */
const MAX_ENTRIES = 50_000;

export class TokenCounter {
  private readonly cache = new Map<string, number>();
  /** Estimates, held for the current build only: the next build may reach the real tokenizer. */
  private readonly pending = new Map<string, number>();
  private estimated = false;

  constructor(private readonly count: CountTokens) {}

  /** False once any count came from an estimate rather than the tokenizer. */
  get exact(): boolean {
    return !this.estimated;
  }

  async countAll(texts: readonly string[], signal?: AbortSignal): Promise<number[]> {
    const keys = texts.map(hashOf);
    const missing: number[] = [];
    const wanted = new Set<string>();
    keys.forEach((key, i) => {
      if (!this.cache.has(key) && !wanted.has(key)) {
        wanted.add(key);
        missing.push(i);
      }
    });
    for (let start = 0; start < missing.length; ) {
      let end = start;
      let chars = 0;
      while (end < missing.length && end - start < BATCH_TEXTS && (end === start || chars + texts[missing[end]].length <= BATCH_CHARS)) {
        chars += texts[missing[end]].length;
        end++;
      }
      const batch = missing.slice(start, end);
      signal?.throwIfAborted();
      const result = await this.count(
        batch.map((i) => texts[i]),
        signal,
      );
      if (result.counts.length !== batch.length) throw new Error(`The tokenizer returned ${result.counts.length} counts for ${batch.length} texts.`);
      if (!result.exact) this.estimated = true;
      batch.forEach((i, j) => this.remember(keys[i], result.counts[j], result.exact));
      start = end;
    }
    return keys.map((key) => this.cache.get(key) ?? this.pending.get(key) ?? 0);
  }

  async countOne(text: string, signal?: AbortSignal): Promise<number> {
    return (await this.countAll([text], signal))[0];
  }

  /** Forgets estimates (call before a new build). */
  startBuild(): void {
    this.pending.clear();
    this.estimated = false;
  }

  private remember(key: string, count: number, exact: boolean): void {
    if (!exact) {
      this.pending.set(key, count);
      return;
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, count);
  }
}

function hashOf(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("base64");
}
