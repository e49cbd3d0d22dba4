// Checks a downloaded model file against the SHA-256 the hub gave for it. A resume gone wrong
// or a bad mirror leaves a file whose GGUF header is fine and whose weights are garbage: the
// model then answers noise. A file that matches gets a sidecar (`<file>.sha256.json`) so the
// next download run skips hashing it while it stays the same file; one that does not is
// deleted, so that the next try downloads it whole.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, rename, rm, writeFile } from "node:fs/promises";
import { readRegular } from "../core/fs/readRegular.js";
import { sha256OfOpenFile } from "../core/fs/sha256OfFile.js";
import { StartupError } from "./startupErrors.js";

/** What the sidecar says, and what it is compared with: the file as stat saw it. */
interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  /** Changes with any write, even one that puts the modification time back (cp -p, rsync -t). */
  readonly ctimeMs: number;
}

interface Sidecar extends FileIdentity {
  readonly sha256: string;
}

export function sidecarPath(modelPath: string): string {
  return `${modelPath}.sha256.json`;
}

export interface VerifyOptions {
  readonly signal: AbortSignal;
  /** Called once before the file is read (not when the sidecar vouches for it). */
  readonly onHashing?: (totalSize: number) => void;
}

/**
 * Resolves when `modelPath` holds the bytes whose SHA-256 is `expectedSha256` (`hashed`: false
 * when the sidecar vouched for it and nothing was read); rejects with `checksum_mismatch` after
 * deleting the file, its sidecar and any partial download of it when it does not.
 */
export async function verifyModelFile(modelPath: string, expectedSha256: string, options: VerifyOptions): Promise<{ hashed: boolean }> {
  const handle = await open(modelPath, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  let actual: string;
  let hashed = false;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new StartupError("download_failed", `${modelPath} is not a regular file, so it is no model Hearth downloaded. Remove it and download again.`);
    const before = identity(info);
    const known = await readSidecar(modelPath);
    if (known !== undefined && sameFile(known, before)) {
      actual = known.sha256;
    } else {
      options.onHashing?.(before.size);
      actual = (await sha256OfOpenFile(handle, { signal: options.signal })).sha256;
      hashed = true;
      const after = identity(await handle.stat());
      // A file written while it was read has no one digest to remember.
      if (actual === expectedSha256 && sameFile(before, after)) await writeSidecar(modelPath, { sha256: actual, ...before });
    }
  } finally {
    await handle.close();
  }
  if (actual === expectedSha256) return { hashed };
  await Promise.all([modelPath, sidecarPath(modelPath), `${modelPath}.ipull`].map((path) => rm(path, { force: true }).catch(() => undefined)));
  throw new StartupError(
    "checksum_mismatch",
    `The downloaded model ${modelPath} is damaged: its SHA-256 is ${short(actual)}… where the hub says ${short(expectedSha256)}…. The file was deleted; download it again (the next try starts over).`,
  );
}

async function readSidecar(modelPath: string): Promise<Sidecar | undefined> {
  // The models folder is Hearth's, but the sidecar is still only data: a FIFO, a link or a huge file is no sidecar.
  const read = await readRegular(sidecarPath(modelPath), 4096);
  if (!("data" in read) || read.over) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(read.data.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { sha256, size, mtimeMs, ctimeMs } = value as Record<string, unknown>;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  if (typeof size !== "number" || typeof mtimeMs !== "number" || typeof ctimeMs !== "number") return undefined;
  return { sha256, size, mtimeMs, ctimeMs };
}

/** Written beside and renamed over, so a sidecar is whole or absent, and a link at its name is replaced, not followed. */
async function writeSidecar(modelPath: string, sidecar: Sidecar): Promise<void> {
  const target = sidecarPath(modelPath);
  const temporary = `${target}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(sidecar)}\n`, { flag: "wx" });
    await rename(temporary, target);
  } catch {
    // Without a sidecar the next run hashes the file again; nothing else depends on it.
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

function identity(info: { size: number; mtimeMs: number; ctimeMs: number }): FileIdentity {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

function short(sha256: string): string {
  return sha256.slice(0, 12);
}
