// The SHA-256 of an open file, read in 4 MiB pieces from where it stands: a downloaded model
// checked against the hub's digest, a saved sequence state checked against its header. The
// caller opens it (and decides what may be opened); `signal` ends a long read between pieces.
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";

const READ_CHUNK = 4 * 1024 * 1024;

export interface HashOptions {
  readonly signal?: AbortSignal;
  /** Told the bytes read so far after each piece. */
  readonly onBytes?: (bytes: number) => void;
}

export async function sha256OfOpenFile(handle: FileHandle, options: HashOptions = {}): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  let bytes = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    bytes += bytesRead;
    options.onBytes?.(bytes);
  }
  return { sha256: hash.digest("hex"), bytes };
}
