// One download of a model file at a time, across processes: each VS Code window has its own
// extension host and download queue, and two `download` commands writing the same partial
// file corrupt it (or one renames the file while the other still writes it). The lock is a
// file beside the model, created exclusively, holding the holder's pid and start time.
import { constants } from "node:fs";
import { lstat, open, rename, rm, link, type FileHandle } from "node:fs/promises";
import { uptime } from "node:os";
import { processAlive } from "../core/server/serverLock.js";
import { StartupError } from "./startupErrors.js";

export interface DownloadLockRecord {
  pid: number;
  startedAt: number;
}

export interface HeldDownloadLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's; safe to call twice. */
  release(): Promise<void>;
}

export interface DownloadLockOptions {
  /** How often a waiting process looks at the lock again. */
  readonly pollMs?: number;
}

/** Beside the model file, so windows sharing a models folder share the lock. */
export function downloadLockPath(modelPath: string): string {
  return `${modelPath}.download-lock`;
}

/** A lock record is a few dozen bytes; reading more of a hostile file is pointless. */
const MAX_RECORD_BYTES = 1024;
/** A clock adjusted since boot can misplace the boot time by this much. */
const BOOT_MARGIN_MS = 60_000;

/**
 * Takes the download lock of `modelPath`, waiting (`onWaiting` once, then looking every `pollMs`)
 * while a live process holds it; rejects when `signal` aborts. A lock whose holder is gone
 * (pid dead, or the lock older than this boot: its pid may now be another program's), or a
 * regular file that holds no record on two looks in a row, is taken over. Anything else at
 * the path (a symlink, a FIFO, a folder) is an error naming what to remove: it is never
 * followed, read or removed.
 */
export async function acquireDownloadLock(modelPath: string, signal: AbortSignal, onWaiting: () => void, options: DownloadLockOptions = {}): Promise<HeldDownloadLock> {
  const path = downloadLockPath(modelPath);
  const pollMs = options.pollMs ?? 500;
  let waited = false;
  // The inode last seen holding no record: a holder between creating its file and writing it.
  let unreadableIno: number | undefined;
  for (;;) {
    signal.throwIfAborted();
    const held = await tryCreate(path);
    if (held !== undefined) return { path, release: releaser(path, held) };
    const holder = await inspect(path);
    if (holder.kind === "gone") continue;
    const stale = holder.kind === "record" ? !holderAlive(holder.record) : unreadableIno === holder.ino;
    unreadableIno = holder.kind === "unreadable" ? holder.ino : undefined;
    if (stale && (await takeOver(path, holder.ino))) continue;
    // A file with no record yet is most likely a holder about to write it; said once it has.
    if (!waited && holder.kind === "record") {
      waited = true;
      onWaiting();
    }
    await sleep(pollMs, signal);
  }
}

/** The new lock's inode, or undefined when the path already exists. */
async function tryCreate(path: string): Promise<number | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
  try {
    const record: DownloadLockRecord = { pid: process.pid, startedAt: Date.now() };
    await handle.writeFile(JSON.stringify(record));
    return (await handle.stat()).ino;
  } finally {
    await handle.close();
  }
}

type Holder = { kind: "gone" } | { kind: "record"; ino: number; record: DownloadLockRecord } | { kind: "unreadable"; ino: number };

async function inspect(path: string): Promise<Holder> {
  const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) return { kind: "gone" };
  if (!info.isFile()) throw new StartupError("download_failed", `${path} is ${describeKind(info)}, not a Hearth download lock. Remove it and try again.`);
  let handle: FileHandle;
  try {
    // O_NOFOLLOW and O_NONBLOCK: if the path became a link or a FIFO since lstat, neither is followed nor waited on.
    handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "gone" };
    if (code === "ELOOP") throw new StartupError("download_failed", `${path} is a symbolic link, not a Hearth download lock. Remove it and try again.`);
    throw error;
  }
  try {
    const opened = await handle.stat();
    // Replaced between lstat and open: look again.
    if (!opened.isFile() || opened.ino !== info.ino) return { kind: "gone" };
    const buffer = Buffer.alloc(MAX_RECORD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const record = parseRecord(buffer.subarray(0, bytesRead).toString("utf8"));
    return record ? { kind: "record", ino: info.ino, record } : { kind: "unreadable", ino: info.ino };
  } finally {
    await handle.close();
  }
}

function parseRecord(text: string): DownloadLockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<DownloadLockRecord> | null;
    if (typeof value?.pid !== "number" || !Number.isSafeInteger(value.pid) || value.pid <= 0 || typeof value.startedAt !== "number") return undefined;
    return { pid: value.pid, startedAt: value.startedAt };
  } catch {
    return undefined;
  }
}

function holderAlive(record: DownloadLockRecord): boolean {
  const bootedAt = Date.now() - uptime() * 1000;
  if (record.startedAt + BOOT_MARGIN_MS < bootedAt) return false;
  return record.pid !== process.pid && processAlive(record.pid);
}

/**
 * Removes the stale lock with inode `ino`; false when the path no longer holds it. It is
 * moved aside first and checked there, so a lock another process created after this one
 * looked is put back instead of removed.
 */
async function takeOver(path: string, ino: number): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
  const moved = await lstat(aside);
  if (moved.ino !== ino) {
    // A third process's fresh lock: back where it was (unless yet another appeared, which only
    // three windows racing over one stale lock within microseconds could cause).
    await link(aside, path).catch(() => undefined);
    await rm(aside, { force: true });
    return false;
  }
  await rm(aside, { force: true });
  return true;
}

function releaser(path: string, ino: number): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const info = await lstat(path).catch(() => undefined);
    // Taken over meanwhile (this process looked dead to another): that lock is not this one's to remove.
    if (info?.isFile() && info.ino === ino) await rm(path, { force: true });
  };
}

function describeKind(info: { isSymbolicLink(): boolean; isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isSymbolicLink()) return "a symbolic link";
  if (info.isDirectory()) return "a folder";
  if (info.isFIFO()) return "a named pipe";
  if (info.isSocket()) return "a socket";
  return "a special file";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
