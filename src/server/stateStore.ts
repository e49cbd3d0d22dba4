import { createHash, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import { readRegular } from "../core/fs/readRegular.js";
import { sha256OfOpenFile } from "../core/fs/sha256OfFile.js";
import type { StateLoading } from "../core/model/index.js";

/**
 * Sequence states saved to disk, so a repository pack evaluated once is not evaluated again
 * after a restart. Each entry is two files: `<key>.state` (node-llama-cpp's own state file,
 * which `loadStateFromFile` reads) and `<key>.header` (JSON, written last, so an entry
 * without a header is an interrupted write). The header names the model it belongs to and
 * the exact tokens it holds, and the payload's length and SHA-256: a file that is corrupt,
 * truncated or from another model is deleted, never handed to llama.cpp, which would crash
 * or silently compute on garbage.
 */

export const STATE_MAGIC = "hearth-sequence-state";
export const STATE_VERSION = 1;

export interface StateHeader {
  magic: string;
  version: number;
  /** Which model (and KV cache layout) wrote the payload; see modelIdentity. */
  model: string;
  tokenCount: number;
  /** SHA-256 of the tokens as little-endian uint32, hex. */
  tokensSha256: string;
  payloadBytes: number;
  payloadSha256: string;
}

export interface StateEntry {
  key: string;
  tokens: number;
  bytes: number;
  lastUsed: number;
}

export interface StateStoreOptions {
  dir: string;
  maxBytes: number;
  /** A string that changes whenever the payloads stop being loadable (model file, KV types). */
  model: string;
  log: { info(message: string): void; warn(message: string): void };
}

interface IndexedEntry {
  header: StateHeader;
  lastUsed: number;
}

/** Two identities of the same model path whose file size or time differ: the file was replaced. */
function sameFileChanged(a: string, b: string): boolean {
  const [pathA, sizeA, timeA] = a.split("|");
  const [pathB, sizeB, timeB] = b.split("|");
  return pathA === pathB && (sizeA !== sizeB || timeA !== timeB);
}

export function hashTokens(tokens: readonly Token[]): string {
  const words = Uint32Array.from(tokens as readonly number[]);
  return createHash("sha256").update(Buffer.from(words.buffer, words.byteOffset, words.byteLength)).digest("hex");
}

/** The identity of a model file as cheap facts: a replaced file changes its size or mtime. */
export async function modelIdentity(modelPath: string, extra: string): Promise<string> {
  const info = await stat(modelPath);
  return `${modelPath}|${info.size}|${Math.round(info.mtimeMs)}|${extra}`;
}

/** A header is a few hundred bytes of JSON; anything longer is not one of ours. */
const HEADER_CAP = 64 * 1024;

/**
 * Hashes a regular file, opened without following a link or blocking: anything else at the
 * path (a FIFO held the repo role, and the process's exit, until something wrote to it) throws.
 */
async function sha256File(path: string, onBytes?: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${path} is not a regular file`);
    return await sha256OfOpenFile(handle, onBytes === undefined ? {} : { onBytes });
  } finally {
    await handle.close();
  }
}

export class StateStore {
  private readonly index = new Map<string, IndexedEntry>();
  private scanned?: Promise<void>;

  constructor(readonly options: StateStoreOptions) {}

  /** The entry's name: model and tokens together, so two models never share a file. */
  keyFor(tokens: readonly Token[]): string {
    return createHash("sha256").update(this.options.model).update("\0").update(hashTokens(tokens)).digest("hex").slice(0, 40);
  }

  private paths(key: string): { state: string; header: string } {
    return { state: join(this.options.dir, `${key}.state`), header: join(this.options.dir, `${key}.header`) };
  }

  /** Reads the headers already on disk (once): entries of another model are left for that model. */
  private ensureScanned(): Promise<void> {
    this.scanned ??= this.scan();
    return this.scanned;
  }

  private async scan(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    const names = await readdir(this.options.dir);
    for (const name of names) {
      const path = join(this.options.dir, name);
      if (name.includes(".tmp-")) {
        // A write that never finished (the process died): nothing refers to it.
        await rm(path, { force: true });
        continue;
      }
      if (!name.endsWith(".header")) continue;
      const key = name.slice(0, -".header".length);
      const header = await this.readHeader(key);
      if (header === undefined) {
        await this.remove(key, "its header is unreadable");
        continue;
      }
      if (header.model !== this.options.model && sameFileChanged(header.model, this.options.model)) {
        await this.remove(key, "the model file it was made with has changed since (stale)");
        continue;
      }
      const info = await stat(path);
      this.index.set(key, { header, lastUsed: info.mtimeMs });
    }
    // A payload whose header was never written is an interrupted save.
    for (const name of names) {
      if (name.endsWith(".state") && !names.includes(name.replace(/\.state$/, ".header"))) await rm(join(this.options.dir, name), { force: true });
    }
  }

  private async readHeader(key: string): Promise<StateHeader | undefined> {
    try {
      const read = await readRegular(this.paths(key).header, HEADER_CAP);
      if (!("data" in read) || read.over) return undefined;
      const parsed = JSON.parse(read.data.toString("utf8")) as Partial<StateHeader>;
      if (parsed.magic !== STATE_MAGIC || parsed.version !== STATE_VERSION) return undefined;
      if (typeof parsed.model !== "string" || typeof parsed.tokensSha256 !== "string" || typeof parsed.payloadSha256 !== "string") return undefined;
      if (!Number.isInteger(parsed.tokenCount) || !Number.isInteger(parsed.payloadBytes)) return undefined;
      return parsed as StateHeader;
    } catch {
      return undefined;
    }
  }

  private async remove(key: string, why: string): Promise<void> {
    this.options.log.warn(`state ${key}: ${why}; deleting it (it will be rebuilt)`);
    this.index.delete(key);
    const { state, header } = this.paths(key);
    await rm(header, { force: true });
    await rm(state, { force: true });
  }

  /**
   * The longest saved prefix of `tokens` longer than `longerThan` tokens, checked against
   * its header's token hash (not yet its payload: see load).
   */
  async findLongestPrefix(tokens: readonly Token[], longerThan: number): Promise<{ key: string; tokens: number } | undefined> {
    await this.ensureScanned();
    const candidates = [...this.index.entries()].filter(([, entry]) => entry.header.model === this.options.model && entry.header.tokenCount > longerThan && entry.header.tokenCount <= tokens.length).sort((a, b) => b[1].header.tokenCount - a[1].header.tokenCount);
    for (const [key, entry] of candidates) {
      if (hashTokens(tokens.slice(0, entry.header.tokenCount)) === entry.header.tokensSha256) return { key, tokens: entry.header.tokenCount };
    }
    return undefined;
  }

  /** Whether a state for exactly these tokens is already saved. */
  async has(tokens: readonly Token[]): Promise<boolean> {
    await this.ensureScanned();
    return this.index.has(this.keyFor(tokens));
  }

  /**
   * Loads a saved state into the sequence after checking the header and the payload's
   * length and hash. A bad entry is deleted and false returned; the caller evaluates instead.
   * `onLoading` hears how far the check has read, then that the load has begun.
   */
  async load(key: string, expected: readonly Token[], sequence: LlamaContextSequence, onLoading?: (loading: StateLoading) => void): Promise<boolean> {
    const header = await this.readHeader(key);
    if (header === undefined) {
      await this.remove(key, "its header is unreadable");
      return false;
    }
    if (header.model !== this.options.model) {
      await this.remove(key, "it was written by another model");
      return false;
    }
    if (header.tokenCount !== expected.length || header.tokensSha256 !== hashTokens(expected)) {
      await this.remove(key, "its tokens do not match its name");
      return false;
    }
    const { state } = this.paths(key);
    let payload;
    try {
      payload = await sha256File(state, (bytes) => onLoading?.({ step: "checking", bytes, totalBytes: header.payloadBytes }));
    } catch {
      await this.remove(key, "its payload is missing");
      return false;
    }
    if (payload.bytes !== header.payloadBytes) {
      await this.remove(key, `its payload has ${payload.bytes} bytes, not ${header.payloadBytes} (truncated)`);
      return false;
    }
    if (payload.sha256 !== header.payloadSha256) {
      await this.remove(key, "its payload checksum does not match (corrupt)");
      return false;
    }
    onLoading?.({ step: "loading", bytes: 0, totalBytes: header.payloadBytes });
    // Checkpoints of whatever the sequence held before would not match the loaded state.
    await sequence.clearHistory();
    try {
      await sequence.loadStateFromFile(state, { acceptRisk: true });
    } catch (error) {
      await sequence.clearHistory();
      await this.remove(key, `llama.cpp could not load it (${error instanceof Error ? error.message : String(error)})`);
      return false;
    }
    const loaded = sequence.contextTokens;
    if (loaded.length !== expected.length || loaded.some((token, i) => token !== expected[i])) {
      await sequence.clearHistory();
      await this.remove(key, "the tokens it restored differ from its header");
      return false;
    }
    const now = new Date();
    await utimes(this.paths(key).header, now, now).catch(() => undefined);
    const entry = this.index.get(key);
    if (entry) entry.lastUsed = now.getTime();
    return true;
  }

  /**
   * Saves the sequence's current state (its tokens are `tokens`). The payload and the
   * header are each written to a temporary name and renamed, header last, so a reader
   * never sees half an entry. Then the oldest entries go until the store fits its bound.
   */
  async save(tokens: readonly Token[], sequence: LlamaContextSequence): Promise<StateEntry | undefined> {
    await this.ensureScanned();
    const key = this.keyFor(tokens);
    if (this.index.has(key)) return undefined;
    const { state, header } = this.paths(key);
    const suffix = `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    const tmpState = state + suffix;
    const tmpHeader = header + suffix;
    try {
      await sequence.saveStateToFile(tmpState);
      const payload = await sha256File(tmpState);
      if (payload.bytes > this.options.maxBytes) {
        this.options.log.warn(`state of ${tokens.length} tokens takes ${payload.bytes} bytes, over the ${this.options.maxBytes}-byte limit (--state-max-gb); not saved`);
        await rm(tmpState, { force: true });
        return undefined;
      }
      const body: StateHeader = { magic: STATE_MAGIC, version: STATE_VERSION, model: this.options.model, tokenCount: tokens.length, tokensSha256: hashTokens(tokens), payloadBytes: payload.bytes, payloadSha256: payload.sha256 };
      await rename(tmpState, state);
      const handle = await open(tmpHeader, "w");
      try {
        await handle.writeFile(JSON.stringify(body));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmpHeader, header);
      const now = Date.now();
      this.index.set(key, { header: body, lastUsed: now });
      await this.evict(key);
      return { key, tokens: tokens.length, bytes: payload.bytes, lastUsed: now };
    } catch (error) {
      await rm(tmpState, { force: true });
      await rm(tmpHeader, { force: true });
      this.options.log.warn(`could not save state of ${tokens.length} tokens: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Least recently used entries go first; the one just written stays. */
  private async evict(keep: string): Promise<void> {
    let total = this.totalBytes();
    const byAge = [...this.index.entries()].filter(([key]) => key !== keep).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key, entry] of byAge) {
      if (total <= this.options.maxBytes) break;
      total -= entry.header.payloadBytes;
      this.options.log.info(`state ${key}: evicted to stay under ${this.options.maxBytes} bytes`);
      this.index.delete(key);
      const { state, header } = this.paths(key);
      await rm(header, { force: true });
      await rm(state, { force: true });
    }
  }

  private totalBytes(): number {
    let total = 0;
    for (const entry of this.index.values()) total += entry.header.payloadBytes;
    return total;
  }

  async list(): Promise<{ dir: string; bytes: number; limitBytes: number; entries: StateEntry[] }> {
    await this.ensureScanned();
    const entries = [...this.index.entries()].map(([key, entry]) => ({ key, tokens: entry.header.tokenCount, bytes: entry.header.payloadBytes, lastUsed: Math.round(entry.lastUsed) })).sort((a, b) => b.lastUsed - a.lastUsed);
    return { dir: this.options.dir, bytes: this.totalBytes(), limitBytes: this.options.maxBytes, entries };
  }

  /** Deletes every entry, of every model. */
  async clear(): Promise<number> {
    await this.ensureScanned();
    const count = this.index.size;
    for (const key of [...this.index.keys()]) {
      const { state, header } = this.paths(key);
      await rm(header, { force: true });
      await rm(state, { force: true });
    }
    this.index.clear();
    return count;
  }
}
