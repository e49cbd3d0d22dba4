import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";

/**
 * A GGUF header reader for files Hearth must not trust (LoRA adapters named in a settings
 * file, models found in other tools' folders): every count and length is bounded before anything is allocated, and array
 * values are skipped rather than kept, so a hostile header costs at most `maxHeaderBytes` of
 * memory and never reaches llama.cpp's loader, whose accessors abort the process on a value
 * of the wrong type.
 *
 * Layout (little-endian): magic "GGUF", version u32, tensor count u64, key count u64, the
 * key/value pairs, the tensor infos (name, dims, ggml type, offset into the data section),
 * padding to the alignment, then the data section.
 */

export const GGUF_VALUE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** Byte size of each fixed-size GGUF value type (strings and arrays have none). */
const SCALAR_BYTES: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** A metadata value: scalars with their value, arrays with their item type and length only. */
export type GgufMetaEntry =
  | { readonly type: number; readonly value: string | number | bigint | boolean }
  | { readonly type: typeof GGUF_VALUE.ARRAY; readonly itemType: number; readonly length: number };

export interface GgufTensorEntry {
  readonly name: string;
  /** ggml order: dims[0] is the contiguous one (a weight matrix's input size). */
  readonly dims: readonly number[];
  readonly type: number;
  /** Offset inside the data section. */
  readonly offset: number;
}

export interface GgufHeaderFacts {
  readonly version: number;
  readonly alignment: number;
  readonly metadata: ReadonlyMap<string, GgufMetaEntry>;
  readonly tensors: readonly GgufTensorEntry[];
  /** Absolute file offset of the data section. */
  readonly dataOffset: number;
  readonly fileSize: number;
}

export interface GgufHeaderLimits {
  readonly maxHeaderBytes: number;
  readonly maxKeys: number;
  readonly maxTensors: number;
  readonly maxStringBytes: number;
  readonly maxArrayItems: number;
}

export class GgufHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GgufHeaderError";
  }
}

/** llama.cpp's GGML_MAX_NAME is 64 bytes with the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;
const MAX_DIMS = 4;
const DEFAULT_ALIGNMENT = 32;

/**
 * Opens `path` for reading without blocking on a FIFO or device (a settings file may name
 * one), and checks through the open handle that it is a regular file: checking the path first
 * and opening it after would leave a gap in which it could be swapped.
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number; modifiedMs: number }> {
  // O_NONBLOCK is POSIX only; Windows has no FIFOs to block on.
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new GgufHeaderError("it is not a regular file");
    return { handle, size: info.size, modifiedMs: Math.round(info.mtimeMs) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads and checks the header of an open GGUF file; throws GgufHeaderError saying what is wrong. */
export async function readGgufHeaderFacts(handle: FileHandle, fileSize: number, limits: GgufHeaderLimits): Promise<GgufHeaderFacts> {
  const length = Math.min(fileSize, limits.maxHeaderBytes);
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return parseGgufHeader(buffer.subarray(0, filled), fileSize, limits);
}

/** Parses a header from the first bytes of a file of `fileSize` bytes. */
export function parseGgufHeader(bytes: Buffer, fileSize: number, limits: GgufHeaderLimits): GgufHeaderFacts {
  const cursor = new Cursor(bytes, bytes.length < fileSize ? `its header is larger than ${limits.maxHeaderBytes} bytes` : "the file ends inside its header");
  if (bytes.length < 4 || bytes.toString("latin1", 0, 4) !== "GGUF") throw new GgufHeaderError('it is not a GGUF file (it does not start with "GGUF")');
  cursor.skip(4);
  const version = cursor.u32();
  // Version 1 used 32-bit counts and is no longer read by llama.cpp.
  if (version !== 2 && version !== 3) throw new GgufHeaderError(`it is GGUF version ${version}; only versions 2 and 3 are read`);
  const tensorCount = cursor.count("tensors", limits.maxTensors);
  const keyCount = cursor.count("metadata keys", limits.maxKeys);
  const metadata = new Map<string, GgufMetaEntry>();
  for (let i = 0; i < keyCount; i++) {
    const key = cursor.str(limits.maxStringBytes, "a metadata key");
    if (metadata.has(key)) throw new GgufHeaderError(`metadata key ${key} appears twice`);
    const type = cursor.u32();
    if (type === GGUF_VALUE.ARRAY) {
      const itemType = cursor.u32();
      if (itemType === GGUF_VALUE.ARRAY || !(itemType in SCALAR_BYTES || itemType === GGUF_VALUE.STRING)) throw new GgufHeaderError(`metadata key ${key} has an array of unknown type ${itemType}`);
      const items = cursor.count(`items in ${key}`, limits.maxArrayItems);
      if (itemType === GGUF_VALUE.STRING) {
        for (let j = 0; j < items; j++) cursor.str(limits.maxStringBytes, `an item of ${key}`);
      } else {
        cursor.skip(items * SCALAR_BYTES[itemType]!);
      }
      metadata.set(key, { type, itemType, length: items });
    } else {
      metadata.set(key, { type, value: cursor.scalar(type, limits.maxStringBytes, key) });
    }
  }
  const alignmentEntry = metadata.get("general.alignment");
  let alignment = DEFAULT_ALIGNMENT;
  if (alignmentEntry !== undefined) {
    const value = "value" in alignmentEntry ? alignmentEntry.value : undefined;
    if (alignmentEntry.type !== GGUF_VALUE.UINT32 || typeof value !== "number" || value === 0 || (value & (value - 1)) !== 0) {
      throw new GgufHeaderError("general.alignment is not a power of two stored as u32");
    }
    alignment = value;
  }
  const names = new Set<string>();
  const tensors: GgufTensorEntry[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = cursor.str(MAX_TENSOR_NAME_BYTES, "a tensor name");
    if (names.has(name)) throw new GgufHeaderError(`tensor ${name} appears twice`);
    names.add(name);
    const dimCount = cursor.u32();
    if (dimCount > MAX_DIMS) throw new GgufHeaderError(`tensor ${name} has ${dimCount} dimensions; at most ${MAX_DIMS} are allowed`);
    const dims: number[] = [];
    for (let d = 0; d < dimCount; d++) dims.push(cursor.count(`elements in dimension ${d} of tensor ${name}`, Number.MAX_SAFE_INTEGER));
    const type = cursor.u32();
    const offset = cursor.count(`the offset of tensor ${name}`, Number.MAX_SAFE_INTEGER);
    tensors.push({ name, dims, type, offset });
  }
  const dataOffset = alignUp(cursor.position, alignment);
  return { version, alignment, metadata, tensors, dataOffset, fileSize };
}

/**
 * The metadata in the first bytes of a GGUF file, as far as they go: enough to tell which
 * model a file holds (writers put `general.*` first) without reading its tokenizer, which can
 * take megabytes. Stops quietly where the bytes end; a malformed header is still an error.
 * Array values are skipped, as in `parseGgufHeader`.
 */
export function parseGgufMetadataPrefix(bytes: Buffer, limits: Pick<GgufHeaderLimits, "maxKeys" | "maxStringBytes" | "maxArrayItems">): ReadonlyMap<string, GgufMetaEntry> {
  const metadata = new Map<string, GgufMetaEntry>();
  const truncated = "the bytes end";
  const cursor = new Cursor(bytes, truncated);
  if (bytes.length < 4 || bytes.toString("latin1", 0, 4) !== "GGUF") throw new GgufHeaderError('it is not a GGUF file (it does not start with "GGUF")');
  try {
    cursor.skip(4);
    const version = cursor.u32();
    if (version !== 2 && version !== 3) throw new GgufHeaderError(`it is GGUF version ${version}; only versions 2 and 3 are read`);
    cursor.count("tensors", Number.MAX_SAFE_INTEGER);
    const keyCount = cursor.count("metadata keys", limits.maxKeys);
    for (let i = 0; i < keyCount; i++) {
      const key = cursor.str(limits.maxStringBytes, "a metadata key");
      const type = cursor.u32();
      if (type === GGUF_VALUE.ARRAY) {
        const itemType = cursor.u32();
        if (itemType === GGUF_VALUE.ARRAY || !(itemType in SCALAR_BYTES || itemType === GGUF_VALUE.STRING)) throw new GgufHeaderError(`metadata key ${key} has an array of unknown type ${itemType}`);
        const items = cursor.count(`items in ${key}`, limits.maxArrayItems);
        if (itemType === GGUF_VALUE.STRING) for (let j = 0; j < items; j++) cursor.str(limits.maxStringBytes, `an item of ${key}`);
        else cursor.skip(items * SCALAR_BYTES[itemType]!);
        metadata.set(key, { type, itemType, length: items });
      } else {
        metadata.set(key, { type, value: cursor.scalar(type, limits.maxStringBytes, key) });
      }
    }
  } catch (error) {
    if (!(error instanceof GgufHeaderError) || error.message !== truncated) throw error;
  }
  return metadata;
}

export function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Reads little-endian values from a buffer; running past its end is a header error. */
class Cursor {
  position = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly pastEnd: string,
  ) {}

  private need(n: number): number {
    if (n > this.bytes.length - this.position) throw new GgufHeaderError(this.pastEnd);
    const at = this.position;
    this.position += n;
    return at;
  }

  skip(n: number): void {
    this.need(n);
  }

  u32(): number {
    return this.bytes.readUInt32LE(this.need(4));
  }

  /** A u64 count or size that must fit a safe integer and `max`. */
  count(what: string, max: number): number {
    const value = this.bytes.readBigUInt64LE(this.need(8));
    if (value > BigInt(max)) throw new GgufHeaderError(`it declares ${value} ${what}; at most ${max} are allowed`);
    return Number(value);
  }

  str(maxBytes: number, what: string): string {
    const length = this.count(`bytes in ${what}`, maxBytes);
    const at = this.need(length);
    return this.bytes.toString("utf8", at, at + length);
  }

  scalar(type: number, maxStringBytes: number, key: string): string | number | bigint | boolean {
    switch (type) {
      case GGUF_VALUE.UINT8: return this.bytes.readUInt8(this.need(1));
      case GGUF_VALUE.INT8: return this.bytes.readInt8(this.need(1));
      case GGUF_VALUE.UINT16: return this.bytes.readUInt16LE(this.need(2));
      case GGUF_VALUE.INT16: return this.bytes.readInt16LE(this.need(2));
      case GGUF_VALUE.UINT32: return this.bytes.readUInt32LE(this.need(4));
      case GGUF_VALUE.INT32: return this.bytes.readInt32LE(this.need(4));
      case GGUF_VALUE.FLOAT32: return this.bytes.readFloatLE(this.need(4));
      case GGUF_VALUE.BOOL: return this.bytes.readUInt8(this.need(1)) !== 0;
      case GGUF_VALUE.STRING: return this.str(maxStringBytes, `the value of ${key}`);
      case GGUF_VALUE.UINT64: return this.bytes.readBigUInt64LE(this.need(8));
      case GGUF_VALUE.INT64: return this.bytes.readBigInt64LE(this.need(8));
      case GGUF_VALUE.FLOAT64: return this.bytes.readDoubleLE(this.need(8));
      default: throw new GgufHeaderError(`metadata key ${key} has unknown value type ${type}`);
    }
  }
}
