import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { StateLoading } from "../core/model/index.js";
import type { StateStore } from "./stateStore.js";

/** How far a prompt's evaluation has got: `cached` tokens were reused, not evaluated. */
export interface PrefillProgress {
  evaluated: number;
  total: number;
  cached: number;
  /** While a saved state is checked and loaded from disk (gigabytes for a large pack). */
  loading?: StateLoading;
}

export interface PrefillRequest {
  /** Every prompt token but the last, which the generation loop evaluates for its logits. */
  head: readonly Token[];
  /** Token indices (≤ head.length) after which to checkpoint the state in memory. */
  checkpoints: readonly number[];
  /** Token indices after which to save the state to disk (with `store`). */
  persistAt: readonly number[];
  /** Look on disk for a longer saved prefix than memory holds, and save at `persistAt`. */
  store?: StateStore;
  /** False evaluates the whole prompt afresh (benchmarks' baseline). */
  reuse?: boolean;
  signal: AbortSignal;
  onProgress?: (progress: PrefillProgress) => void;
}

export interface PrefillResult {
  /** Tokens reused from memory or disk. */
  cachedTokens: number;
  /** Of those, the tokens loaded from a state file. */
  diskTokens: number;
  /** States written to disk during this prefill. */
  saved: number;
  /** Time spent restoring the reused prefix (checkpoint or state file), ms. */
  restoreMs: number;
  /** Time spent evaluating the rest (and saving states on the way), ms. */
  evaluateMs: number;
}

/**
 * Aim for one chunk per ~second: progress that often, and a disconnect stops within one.
 * Never below llama.cpp's batch (512): measured on the 0.8B shape on this project's 2-core
 * machine, 512 tokens took 16–20 s in one call and 2.5× as long in 128-token calls. On a
 * slow machine a chunk takes longer than a second; the HTTP layer repeats the last
 * progress figures meanwhile.
 */
const CHUNK_TARGET_MS = 1000;
const MIN_CHUNK = 512;
const MAX_CHUNK = 8192;
const FIRST_CHUNK = 512;

/**
 * Brings the sequence to `head`: restores the longest reusable prefix (memory checkpoints,
 * else a state file), then evaluates the rest in chunks, stopping at each checkpoint and
 * persist index. Chunks are sized by the measured speed so that each takes about a second:
 * big enough to keep batches full, small enough to report progress and to notice a cancel.
 */
export async function prefill(sequence: LlamaContextSequence, request: PrefillRequest): Promise<PrefillResult> {
  const { head, signal, store } = request;
  const started = performance.now();
  if (request.reuse === false) await sequence.clearHistory();
  // Without shifting, llama.cpp restores the newest checkpoint at or before the first
  // differing token and evaluates nothing: what is left is evaluated below, in chunks.
  await sequence.adaptStateToTokens(head as Token[], false);
  let cachedTokens = sequence.nextTokenIndex;
  let diskTokens = 0;
  if (store !== undefined && request.reuse !== false && cachedTokens < head.length) {
    const found = await store.findLongestPrefix(head, cachedTokens);
    if (found !== undefined) {
      const onLoading = (loading: StateLoading): void => request.onProgress?.({ evaluated: 0, total: head.length, cached: 0, loading });
      if (await store.load(found.key, head.slice(0, found.tokens), sequence, onLoading)) {
        cachedTokens = found.tokens;
        diskTokens = found.tokens;
      } else {
        // A failed load may have cleared the sequence: start from what it still holds.
        await sequence.adaptStateToTokens(head as Token[], false);
        cachedTokens = sequence.nextTokenIndex;
      }
    }
  }
  signal.throwIfAborted();
  const restored = performance.now();
  // The last prompt token is evaluated with the first generated one; it is not prefill.
  const total = head.length;
  const report = (evaluated: number): void => request.onProgress?.({ evaluated, total, cached: cachedTokens });
  report(cachedTokens);

  const checkpointAt = new Set(request.checkpoints);
  const persistAt = new Set(store !== undefined ? request.persistAt : []);
  const stops = [...new Set([...checkpointAt, ...persistAt])].filter((at) => at > cachedTokens && at <= head.length).sort((a, b) => a - b);
  let saved = 0;
  let position = cachedTokens;
  // Memory already held this point (the file was deleted, or persistence was asked late).
  if (persistAt.has(position) && store !== undefined && position > 0 && !(await store.has(head.slice(0, position)))) {
    if (await store.save(head.slice(0, position), sequence)) saved++;
  }
  let chunk = FIRST_CHUNK;
  while (position < head.length) {
    const nextStop = stops.find((at) => at > position) ?? head.length;
    const end = Math.min(nextStop, position + chunk);
    const started = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(head.slice(position, end) as Token[]);
    const elapsed = performance.now() - started;
    const count = end - position;
    position = end;
    // Only full chunks say how fast a chunk runs; a short one before a stop says little.
    if (count >= chunk / 2 && elapsed > 0) chunk = clampChunk(Math.round((count * CHUNK_TARGET_MS) / elapsed));
    signal.throwIfAborted();
    if (checkpointAt.has(position) && sequence.needsCheckpoints) await sequence.takeCheckpoint();
    if (persistAt.has(position) && store !== undefined && !(await store.has(head.slice(0, position)))) {
      if (await store.save(head.slice(0, position), sequence)) saved++;
    }
    report(position);
  }
  return { cachedTokens, diskTokens, saved, restoreMs: restored - started, evaluateMs: performance.now() - restored };
}

function clampChunk(size: number): number {
  // Whole batches: a partial batch costs nearly as much as a full one.
  return Math.max(MIN_CHUNK, Math.min(MAX_CHUNK, Math.round(size / 512) * 512));
}
