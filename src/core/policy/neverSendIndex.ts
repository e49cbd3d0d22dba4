// What the workspace's neverSend files say, kept on this machine so that their text is found
// in a request that leaves even when no file is named: an agent's read_file of `.env` that
// comes back as a tool result of a language-model request, a value pasted into the chat, a
// history turn. Per file it keeps what neverSendText derives (the text, its distinctive lines,
// its distinctive `name=value` values), the same values the gateway takes out of a request
// when it leaves a named neverSend file out.
//
// The editor side lists the candidate files per workspace folder (src/vscode/policy/
// neverSendFiles.ts); this reads them, within caps, and keeps them current as they change.
// Work is done one operation at a time, in the order asked, so a change that arrives during a
// scan is applied after it, never lost under it; a read that does not end (a `.env` on a hung
// network share) is given up after READ_TIMEOUT_MS, so that it cannot hold the queue.
import { realpath } from "node:fs/promises";
import { readRegular, type ReadResult } from "../fs/readRegular";
import { NeverSendLookup, type NeverSendContent } from "./neverSendLookup";
import { neverSendText, type NeverSendSecret } from "./neverSendText";

/**
 * The caps, so that a workspace cannot make the index large or slow:
 *   - files: a repository holds a few neverSend files (`.env`, a key, a kubeconfig), a
 *     monorepo one `.env` per package; 200 covers that, and bounds the reads of a scan
 *     (about 200 opens, some milliseconds) whatever a workspace holds;
 *   - fileBytes: `.env` files, keys, credentials and tfvars are a few KB; 256 KB (as the
 *     policy file's own cap) takes the large ones, and leaves out data dumps (a big tfstate);
 *   - totalBytes: bounds the derived values (the text, each line, each value) in the extension
 *     host's memory. Measured at the caps with the densest text there is, 200 files of short
 *     `NAME=value` lines (190,000 values): about 23 MB of heap and 2.5 s to read on a loaded
 *     2-core machine, within the gateway's 5 s wait; real neverSend files (KBs) take well under 1 MB.
 * A file past a cap is not read at all; the log says how many were left out and why.
 */
export const NEVER_SEND_INDEX_LIMITS = { files: 200, fileBytes: 256 * 1024, totalBytes: 4 * 1024 * 1024 } as const;

/**
 * How long one file's read may take. A `.env` of a few KB on a local disk reads in well under
 * a millisecond, on a slow share in some; one that takes seconds is on a file system that
 * hangs, and every request that leaves waits for the index (the gateway waits 5 s at most).
 */
export const READ_TIMEOUT_MS = 2_000;
/**
 * Reads that timed out in one pass before the pass gives up on the rest: a file system that
 * hangs one read hangs the next, and Node's few file-system threads are held by each.
 */
const TIMEOUTS_PER_PASS = 2;

/** Reads a file, at most `cap` bytes (readRegular's contract), ending early when `signal` aborts; injected by tests. */
export type NeverSendRead = (absPath: string, cap: number, signal?: AbortSignal) => Promise<ReadResult>;

/**
 * Why a candidate file holds no values in the index. `unreadable` includes a read that timed
 * out; `notRead`: not tried, since reads of the same pass timed out (tried again next pass).
 */
export type NeverSendSkip = "fileCount" | "fileBytes" | "totalBytes" | "binary" | "unreadable" | "notRead";

export interface NeverSendIndexStats {
  readonly files: number;
  /** Bytes of text read from them. */
  readonly bytes: number;
  /** Distinct values kept. */
  readonly values: number;
  /** UTF-16 characters of those values, about the index's memory in the extension host (two bytes each at most). */
  readonly valueChars: number;
  readonly skipped: Readonly<Record<NeverSendSkip, number>>;
}

interface IndexedFile {
  readonly bytes: number;
  readonly secrets: readonly NeverSendSecret[];
}

/** A skip that a later scan would find again while the file is unchanged: not worth reading again. */
const LASTING_SKIPS: ReadonlySet<NeverSendSkip> = new Set(["fileBytes", "binary", "unreadable"]);

export class NeverSendIndex {
  /** Per workspace folder (its key), the candidate files' absolute paths, shallowest first. */
  private readonly folders = new Map<string, string[]>();
  private files = new Map<string, IndexedFile>();
  private skipped = new Map<string, NeverSendSkip>();
  private lookup: NeverSendLookup | undefined;
  /** The last operation failed (a read that threw): nothing is known until one succeeds. */
  private failure: Error | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly read: NeverSendRead;
  private readonly readTimeoutMs: number;

  /** `readTimeoutMs`: default READ_TIMEOUT_MS (tests shorten it). */
  constructor(options: { readonly read?: NeverSendRead; readonly readTimeoutMs?: number } = {}) {
    this.read = options.read ?? readNeverSendFile;
    this.readTimeoutMs = options.readTimeoutMs ?? READ_TIMEOUT_MS;
  }

  /** The folder's candidate files are now `paths` (absolute); files no longer listed are forgotten. */
  setFolder(folder: string, paths: readonly string[]): Promise<void> {
    return this.enqueue(() => {
      this.folders.set(folder, sortedCandidates(paths));
      return new Set(paths);
    });
  }

  /** A candidate file of `folder` was created or changed: read again. */
  changed(folder: string, path: string): Promise<void> {
    return this.enqueue(() => {
      const listed = this.folders.get(folder) ?? [];
      if (!listed.includes(path)) this.folders.set(folder, sortedCandidates([...listed, path]));
      return new Set([path]);
    });
  }

  /** `path` of `folder` was deleted (a file, or a folder with everything under it). */
  deleted(folder: string, path: string): Promise<void> {
    return this.enqueue(() => {
      const listed = this.folders.get(folder);
      if (listed !== undefined) this.folders.set(folder, listed.filter((p) => p !== path && !isUnder(p, path)));
      return new Set();
    });
  }

  /** The folder left the workspace: its files are forgotten (unless another folder lists them too). */
  removeFolder(folder: string): Promise<void> {
    return this.enqueue(() => {
      this.folders.delete(folder);
      return new Set();
    });
  }

  /** Settles when every operation asked so far is done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The values as of now; throws when the last operation failed (the caller must then not send). */
  content(): NeverSendContent {
    if (this.failure !== undefined) throw this.failure;
    this.lookup ??= new NeverSendLookup(
      [...this.files.values()].flatMap((f) => f.secrets),
      this.files.size,
    );
    return this.lookup;
  }

  stats(): NeverSendIndexStats {
    const skipped: Record<NeverSendSkip, number> = { fileCount: 0, fileBytes: 0, totalBytes: 0, binary: 0, unreadable: 0, notRead: 0 };
    for (const reason of this.skipped.values()) skipped[reason]++;
    const distinct = new Set([...this.files.values()].flatMap((f) => f.secrets.map((s) => s.value)));
    return {
      files: this.files.size,
      bytes: [...this.files.values()].reduce((n, f) => n + f.bytes, 0),
      values: distinct.size,
      valueChars: [...distinct].reduce((n, v) => n + v.length, 0),
      skipped,
    };
  }

  /** Applies a change of the candidate lists, then brings the files in line with them; `change` says which files to read again. */
  private enqueue(change: () => ReadonlySet<string>): Promise<void> {
    const run = this.queue.then(async () => {
      try {
        await this.reconcile(change());
        this.failure = undefined;
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        throw this.failure;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Walks the candidates in order (folder by folder, shallowest first) and keeps the first
   * ones that fit the caps: a file already read and unchanged is kept as it is, another is
   * read with what is left of the caps. A file past a cap is not read.
   */
  private async reconcile(dirty: ReadonlySet<string>): Promise<void> {
    const order = [...new Set([...this.folders.values()].flat())];
    const files = new Map<string, IndexedFile>();
    const skipped = new Map<string, NeverSendSkip>();
    let total = 0;
    let timeouts = 0;
    for (const [i, path] of order.entries()) {
      if (i >= NEVER_SEND_INDEX_LIMITS.files) {
        skipped.set(path, "fileCount");
        continue;
      }
      const room = NEVER_SEND_INDEX_LIMITS.totalBytes - total;
      const known = dirty.has(path) ? undefined : this.files.get(path);
      if (known !== undefined) {
        if (known.bytes <= room) {
          files.set(path, known);
          total += known.bytes;
        } else {
          skipped.set(path, "totalBytes");
        }
        continue;
      }
      const lasting = dirty.has(path) ? undefined : this.skipped.get(path);
      if (lasting !== undefined && LASTING_SKIPS.has(lasting)) {
        skipped.set(path, lasting);
        continue;
      }
      if (timeouts >= TIMEOUTS_PER_PASS) {
        skipped.set(path, "notRead");
        continue;
      }
      const result = await this.readWithin(path, Math.min(NEVER_SEND_INDEX_LIMITS.fileBytes, room));
      if (result === "timeout") {
        timeouts++;
        skipped.set(path, "unreadable");
      } else if ("reason" in result) {
        skipped.set(path, result.reason === "binary" ? "binary" : "unreadable");
      } else if (result.over) {
        skipped.set(path, result.size > NEVER_SEND_INDEX_LIMITS.fileBytes ? "fileBytes" : "totalBytes");
      } else {
        files.set(path, { bytes: result.data.length, secrets: neverSendText(result.data.toString("utf8"), { path }) });
        total += result.data.length;
      }
    }
    this.files = files;
    this.skipped = skipped;
    this.lookup = undefined;
  }

  /**
   * The read, or "timeout" when it has not ended within readTimeoutMs: its signal then aborts
   * it (readRegular closes the file when it gets to), and the pass goes on without waiting. A
   * read stuck inside the operating system cannot be ended from here; it only holds a thread.
   */
  private async readWithin(path: string, cap: number): Promise<ReadResult | "timeout"> {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve("timeout");
      }, this.readTimeoutMs);
    });
    try {
      return await Promise.race([this.read(path, cap, abort.signal), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Shallowest first, then by name: at the file cap, the files at a folder's top (its `.env`) are the ones kept. */
function sortedCandidates(paths: readonly string[]): string[] {
  const depth = (p: string): number => p.split(/[\\/]/).length;
  return [...new Set(paths)].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
}

function isUnder(path: string, folder: string): boolean {
  return path.startsWith(folder.endsWith("/") || folder.endsWith("\\") ? folder : `${folder}/`) || path.startsWith(`${folder}\\`);
}

/** A NUL byte in the first chunk: a keystore or a .p12, whose bytes are no text to look for. */
function isBinary(head: Buffer): boolean {
  return head.includes(0);
}

/**
 * readRegular, and through a link to its target: a `.env` linked from a shared folder is what
 * an agent's read of `.env` returns, and the index only looks for its text (it sends nothing).
 */
export async function readNeverSendFile(absPath: string, cap: number, signal?: AbortSignal): Promise<ReadResult> {
  const result = await readRegular(absPath, cap, isBinary, signal);
  if (!("reason" in result) || result.reason !== "symlink") return result;
  let target: string;
  try {
    target = await realpath(absPath);
  } catch {
    return { reason: "unreadable" };
  }
  if (signal?.aborted === true) return { reason: "unreadable" };
  return readRegular(target, cap, isBinary, signal);
}
