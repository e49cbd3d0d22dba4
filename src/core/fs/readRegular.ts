// The one way Hearth reads a file it does not control (a repository's files, another tool's
// model folders, its own index that anything could have replaced): a regular file only, never
// through a link, never blocking on a FIFO or a device, and at most `cap` bytes, counted while
// reading (a /proc file says 0 bytes; a file may grow after its stat).
import { constants } from "node:fs";
import { open } from "node:fs/promises";

const READ_CHUNK = 64 * 1024;

export type ReadResult = { data: Buffer; over: boolean; size: number } | { reason: "special" | "symlink" | "unreadable" | "binary" };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a regular file, at most `cap` bytes: `over` when it holds more. Opened without
 * following a link and without blocking (a FIFO that appeared since the listing), then
 * checked to be a regular file on the open handle. The cap holds while reading, whatever
 * stat says; with `isBinary`, a first chunk it calls binary stops the read there.
 */
export async function readRegular(absPath: string, cap: number, isBinary?: (head: Buffer) => boolean): Promise<ReadResult> {
  let handle;
  try {
    handle = await open(absPath, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === "ELOOP" ? "symlink" : code === "ENXIO" ? "special" : "unreadable" };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { reason: "special" };
    if (info.size > cap) return { data: Buffer.alloc(0), over: true, size: info.size };
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(READ_CHUNK, cap + 1 - total);
      const chunk = Buffer.allocUnsafe(want);
      const { bytesRead } = await handle.read(chunk, 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(bytesRead === want ? chunk : chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > cap) return { data: Buffer.alloc(0), over: true, size: Math.max(total, info.size) };
      if (isBinary !== undefined && chunks.length === 1 && isBinary(chunks[0])) return { reason: "binary" };
    }
    return { data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total), over: false, size: total };
  } catch {
    return { reason: "unreadable" };
  } finally {
    await handle.close().catch(() => undefined);
  }
}
