// Unpacks an npm package tarball (.tgz) into a folder, refusing anything that could write
// outside it: absolute paths, `..` segments, links of any kind, devices, and more bytes than
// the caller allows. npm tarballs hold regular files and folders under `package/`; nothing
// else is needed, so nothing else is accepted.
import { createReadStream } from "node:fs";
import { mkdir, open, type FileHandle } from "node:fs/promises";
import * as path from "node:path";
import { createGunzip } from "node:zlib";

export class UnsafeTarballError extends Error {}

export interface ExtractOptions {
  /** Total bytes of file content allowed; the archive is refused past it. */
  maxBytes: number;
  /** Entries allowed (files and folders). */
  maxEntries?: number;
  /** The leading folder every entry sits under (npm: "package"); stripped on extraction. */
  stripPrefix?: string;
}

export interface ExtractResult {
  files: number;
  bytes: number;
}

const BLOCK = 512;

function readString(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? slice.length : end).toString("utf8");
}

function readOctal(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  // GNU base-256 for sizes past 8 GiB: far beyond any cap we allow.
  if ((field[0]! & 0x80) !== 0) throw new UnsafeTarballError("tar entry with a base-256 size (over 8 GiB)");
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new UnsafeTarballError(`tar header has a malformed number "${text}"`);
  return parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = readOctal(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let position = 0;
  while (position < data.length) {
    const space = data.indexOf(0x20, position);
    if (space === -1) break;
    const length = Number(data.subarray(position, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0 || position + length > data.length) throw new UnsafeTarballError("malformed pax header");
    const record = data.subarray(space + 1, position + length - 1).toString("utf8");
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    position += length;
  }
  return records;
}

/** The entry's path relative to the destination, or an error when it could leave it. */
export function safeRelativePath(entryPath: string, stripPrefix: string | undefined): string {
  const raw = entryPath.replace(/\\/g, "/");
  if (raw.startsWith("/") || /^[a-zA-Z]:/.test(raw)) throw new UnsafeTarballError(`tar entry with an absolute path: ${entryPath}`);
  const parts = raw.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.some((part) => part === "..")) throw new UnsafeTarballError(`tar entry that climbs out of its folder: ${entryPath}`);
  if (stripPrefix !== undefined) {
    if (parts[0] !== stripPrefix) throw new UnsafeTarballError(`tar entry outside "${stripPrefix}/": ${entryPath}`);
    parts.shift();
  }
  return parts.join("/");
}

/**
 * Streams `tgzPath` through gunzip and writes its files below `destination` (created if
 * missing). Throws UnsafeTarballError for a hostile or malformed archive, and zlib's error
 * for a corrupt one; on any error the caller discards `destination`.
 */
export async function extractTgz(tgzPath: string, destination: string, options: ExtractOptions): Promise<ExtractResult> {
  const root = path.resolve(destination);
  await mkdir(root, { recursive: true });
  const maxEntries = options.maxEntries ?? 10_000;
  let pending: Buffer = Buffer.alloc(0);
  let entries = 0;
  let files = 0;
  let bytes = 0;
  let sawEnd = false;
  // The current entry's remaining content and where it goes.
  let remaining = 0;
  let padding = 0;
  let output: FileHandle | undefined;
  let collecting: { kind: "pax" | "longname"; chunks: Buffer[]; size: number } | undefined;
  let nextPath: string | undefined;

  const startEntry = async (header: Buffer): Promise<void> => {
    if (!checksumOk(header)) throw new UnsafeTarballError("tar header checksum mismatch (corrupt archive)");
    const type = String.fromCharCode(header[156]!);
    const size = readOctal(header, 124, 12);
    const magic = readString(header, 257, 6);
    const prefix = magic.startsWith("ustar") ? readString(header, 345, 155) : "";
    const name = nextPath ?? (prefix ? `${prefix}/${readString(header, 0, 100)}` : readString(header, 0, 100));
    remaining = size;
    padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (type === "x" || type === "L") {
      if (size > 1 << 20) throw new UnsafeTarballError("oversized extended tar header");
      collecting = { kind: type === "x" ? "pax" : "longname", chunks: [], size };
      return;
    }
    if (type === "g") {
      collecting = { kind: "pax", chunks: [], size };
      nextPath = undefined;
      return;
    }
    nextPath = undefined;
    if (++entries > maxEntries) throw new UnsafeTarballError(`tarball has more than ${maxEntries} entries`);
    const relative = safeRelativePath(name, options.stripPrefix);
    const target = path.resolve(root, relative);
    if (target !== root && !target.startsWith(root + path.sep)) throw new UnsafeTarballError(`tar entry outside the destination: ${name}`);
    if (type === "5") {
      await mkdir(target, { recursive: true });
      return;
    }
    if (type !== "0" && type !== "\0" && type !== "7") {
      throw new UnsafeTarballError(`tar entry of a kind an npm package never holds (type "${type}", e.g. a link): ${name}`);
    }
    if (relative === "") throw new UnsafeTarballError(`tar file entry without a name: ${name}`);
    bytes += size;
    if (bytes > options.maxBytes) throw new UnsafeTarballError(`tarball unpacks to more than ${options.maxBytes} bytes`);
    await mkdir(path.dirname(target), { recursive: true });
    const mode = readOctal(header, 100, 8) & 0o755;
    // "wx": an entry never overwrites an earlier one (two entries for one path are refused).
    output = await open(target, "wx", mode | 0o600);
    files++;
  };

  const finishEntry = async (): Promise<void> => {
    if (output) {
      await output.close();
      output = undefined;
    }
    if (collecting) {
      const data = Buffer.concat(collecting.chunks);
      if (collecting.kind === "longname") nextPath = readString(data, 0, data.length);
      else {
        const pax = parsePax(data);
        if (pax.has("path")) nextPath = pax.get("path");
      }
      collecting = undefined;
    }
  };

  try {
    for await (const chunk of createReadStream(tgzPath).pipe(createGunzip())) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      while (!sawEnd) {
        if (remaining > 0) {
          if (pending.length === 0) break;
          const take = Math.min(remaining, pending.length);
          const part = pending.subarray(0, take);
          if (output) await output.write(part);
          else if (collecting) collecting.chunks.push(Buffer.from(part));
          pending = pending.subarray(take);
          remaining -= take;
          if (remaining > 0) break;
        }
        if (padding > 0) {
          const skip = Math.min(padding, pending.length);
          pending = pending.subarray(skip);
          padding -= skip;
          if (padding > 0) break;
        }
        await finishEntry();
        if (pending.length < BLOCK) break;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((byte) => byte === 0)) {
          sawEnd = true;
          break;
        }
        await startEntry(header);
      }
    }
    if (!sawEnd && (remaining > 0 || padding > 0 || pending.length > 0)) throw new UnsafeTarballError("tarball ends in the middle of an entry (truncated archive)");
    if (!sawEnd && entries === 0) throw new UnsafeTarballError("tarball holds no entries");
  } finally {
    await output?.close().catch(() => undefined);
  }
  return { files, bytes };
}
