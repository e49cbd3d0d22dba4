// The one way Hearth reads a file it does not control (a repository's files, another tool's
// model folders, its own index that anything could have replaced): a regular file only, never
// through a link, never blocking on a FIFO or a device, and at most `cap` bytes, counted while
// reading (a /proc file says 0 bytes; a file may grow after its stat).
import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

const READ_CHUNK = 64 * 1024;

export type ReadResult = { data: Buffer; over: boolean; size: number } | { reason: "special" | "symlink" | "unreadable" | "binary" };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a regular file, at most `cap` bytes: `over` when it holds more. Opened without
 * following a link and without blocking (a FIFO that appeared since the listing), then
 * checked to be a regular file on the open handle. The cap holds while reading, whatever
 * stat says; with `isBinary`, a first chunk it calls binary stops the read there. `signal`
 * ends it as unreadable between steps (its caller stopped waiting: a share that hangs), and
 * the file is closed then, even where the open itself ended late.
 */
export async function readRegular(absPath: string, cap: number, isBinary?: (head: Buffer) => boolean, signal?: AbortSignal): Promise<ReadResult> {
  if (isAborted(signal)) return { reason: "unreadable" };
  let handle;
  try {
    handle = await open(absPath, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === "ELOOP" ? "symlink" : code === "ENXIO" ? "special" : "unreadable" };
  }
  try {
    if (isAborted(signal)) return { reason: "unreadable" };
    const info = await handle.stat();
    if (isAborted(signal)) return { reason: "unreadable" };
    if (!info.isFile()) return { reason: "special" };
    if (info.size > cap) return { data: Buffer.alloc(0), over: true, size: info.size };
    const read = await readUpTo(handle, cap, { ...(isBinary === undefined ? {} : { stopAtFirst: isBinary }), ...(signal === undefined ? {} : { signal }) });
    if (read.kind === "stopped") return { reason: "binary" };
    if (read.kind === "over") return { data: Buffer.alloc(0), over: true, size: Math.max(read.bytesRead, info.size) };
    if (read.kind !== "data") return { reason: "unreadable" };
    return { data: read.data, over: false, size: read.data.length };
  } catch {
    return { reason: "unreadable" };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** A function, not `signal?.aborted` inline: the flag changes while a read awaits, which a type check inline would not expect. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

export type CappedRead = { readonly kind: "data"; readonly data: Buffer } | { readonly kind: "over"; readonly bytesRead: number } | { readonly kind: "stopped" } | { readonly kind: "aborted" };

/**
 * Reads an open file from its current position, never more than `cap` + 1 bytes whatever its
 * stat said: "over" once it holds more than `cap`. `stopAtFirst` may end the read after the
 * first chunk (a binary file); `signal` ends it between chunks (a stalled share).
 */
export async function readUpTo(handle: FileHandle, cap: number, options: { readonly stopAtFirst?: (head: Buffer) => boolean; readonly signal?: AbortSignal } = {}): Promise<CappedRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return { kind: "aborted" };
    const want = Math.min(READ_CHUNK, cap + 1 - total);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(chunk, 0, want, null);
    if (bytesRead === 0) break;
    chunks.push(bytesRead === want ? chunk : chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > cap) return { kind: "over", bytesRead: total };
    if (options.stopAtFirst !== undefined && chunks.length === 1 && options.stopAtFirst(chunks[0]!)) return { kind: "stopped" };
  }
  return { kind: "data", data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) };
}
