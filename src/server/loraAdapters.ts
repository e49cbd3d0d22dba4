import { createHash } from "node:crypto";
import { lstat, stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import type { LlamaContextOptions, LlamaModel } from "node-llama-cpp";
import type { HearthRole } from "../core/model/index.js";
import { alignUp, GGUF_VALUE, GgufHeaderError, openRegularFile, readGgufHeaderFacts, type GgufHeaderFacts, type GgufMetaEntry, type GgufTensorEntry } from "../core/models/ggufHeader.js";

/**
 * LoRA adapters (hearth.model.lora): which adapter goes on which role's context, and whether
 * a file is safe to hand to llama.cpp. Its adapter loader trusts the file: a value of the wrong
 * type aborts the process (gguf_get_val_str / gguf_get_val_f32 assert), and a tensor with a
 * third dimension or a rank that does not match its partner reaches a matrix multiplication
 * that asserts too. So everything llama.cpp would read is checked here first, and an adapter
 * that fails is reported and left out: the server runs without it.
 */

/** One adapter on one role, as `--lora <role>=<path>[:<scale>]` gives it. */
export interface LoraRequest {
  readonly role: HearthRole;
  readonly path: string;
  readonly scale: number;
}

/** What /health and the ready line say about each requested adapter. */
export interface LoraAdapterStatus {
  readonly role: HearthRole;
  readonly path: string;
  readonly scale: number;
  readonly loaded: boolean;
  /** Why it was left out. */
  readonly error?: string;
  /** Adapted weight matrices and the largest rank among them, when the file passed the checks. */
  readonly tensors?: number;
  readonly rank?: number;
}

/** The base model an adapter must fit. */
export interface LoraBaseModel {
  readonly architecture: string;
  /** Tensor shapes by name, ggml order. */
  readonly tensors: ReadonlyMap<string, readonly number[]>;
}

export interface LoraFacts {
  /** Adapted weight matrices (lora_a/lora_b pairs). */
  readonly tensors: number;
  readonly rank: number;
  readonly alpha: number;
  readonly bytes: number;
  readonly modifiedMs: number;
}

export const LORA_LIMITS = {
  /** Adapters of a 9B model at rank 64 on every matrix are about 0.5 GB in F16. */
  maxFileBytes: 4 * 1024 ** 3,
  maxHeaderBytes: 8 * 1024 * 1024,
  maxKeys: 4096,
  maxTensors: 16_384,
  maxStringBytes: 1024 * 1024,
  maxArrayItems: 1 << 20,
  maxRank: 8192,
  /** |scale|: llama.cpp takes any float; past this an adapter only produces noise. */
  maxScale: 10,
  adaptersPerRole: 8,
} as const;

export class LoraAdapterError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`LoRA adapter ${path} was not loaded: ${reason}. Fix or remove it in hearth.model.lora; the model runs without it.`);
    this.name = "LoraAdapterError";
  }
}

// ggml types an adapter's tensors may have (what convert_lora_to_gguf.py writes): elements
// and bytes per block. Anything else is refused before its size is even computed.
const TENSOR_TYPES: ReadonlyMap<number, { name: string; elements: number; bytes: number }> = new Map([
  [0, { name: "F32", elements: 1, bytes: 4 }],
  [1, { name: "F16", elements: 1, bytes: 2 }],
  [8, { name: "Q8_0", elements: 32, bytes: 34 }],
  [30, { name: "BF16", elements: 1, bytes: 2 }],
]);

/**
 * Reads `--lora` values: `<role>=<path>` or `<role>=<path>:<scale>`. A suffix after the last
 * colon is a scale only when it is a number, so Windows paths (`C:\…`) need none. Returns an
 * error message for a value that does not have this shape; the adapter itself is checked later.
 */
export function parseLoraArg(value: string, roles: readonly HearthRole[]): LoraRequest | string {
  const eq = value.indexOf("=");
  const role = roles.find((r) => r === value.slice(0, eq));
  if (eq <= 0 || role === undefined) return `--lora must be <role>=<path>[:<scale>] with a role of ${roles.join(", ")}, not "${value}"`;
  const rest = value.slice(eq + 1);
  const colon = rest.lastIndexOf(":");
  const suffix = colon > 0 ? rest.slice(colon + 1) : "";
  const scale = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(suffix) ? Number(suffix) : undefined;
  const path = scale === undefined ? rest : rest.slice(0, colon);
  if (path === "") return `--lora ${value} names no file`;
  return { role, path, scale: scale ?? 1 };
}

/** An adapter that passed the checks, held open so that what llama.cpp loads is what was checked. */
export interface CheckedLoraAdapter {
  readonly facts: LoraFacts;
  /**
   * The path to give llama.cpp. On Linux it names the open file itself (/proc/self/fd/N), so
   * a file renamed over the adapter's path after the check is not the one loaded; elsewhere
   * it is the adapter's path, compared with the open file after loading (see planLoraAdapters).
   */
  readonly loadPath: string;
  /** Whether loadPath is bound to the checked file rather than to its name. */
  readonly pinned: boolean;
  /** Whether the adapter's path still names the checked file. */
  stillSameFile(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Checks that the file at `path` is a LoRA adapter llama.cpp can apply to `base` without
 * failing an assertion; throws LoraAdapterError saying what is wrong.
 */
export async function checkLoraAdapter(path: string, base: LoraBaseModel): Promise<LoraFacts> {
  const checked = await openCheckedLoraAdapter(path, base);
  await checked.close();
  return checked.facts;
}

/** checkLoraAdapter, keeping the file open for the load; the caller closes it. */
export async function openCheckedLoraAdapter(path: string, base: LoraBaseModel, procFd = "/proc/self/fd"): Promise<CheckedLoraAdapter> {
  if (!isAbsolute(path)) throw new LoraAdapterError(path, "its path is not absolute");
  let opened;
  try {
    opened = await openRegularFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LoraAdapterError(path, error instanceof GgufHeaderError ? error.message : code === "ENOENT" ? "the file does not exist" : `it cannot be opened (${code ?? String(error)})`);
  }
  const { handle, size, modifiedMs } = opened;
  let facts: LoraFacts;
  try {
    let header: GgufHeaderFacts;
    try {
      if (size > LORA_LIMITS.maxFileBytes) throw new GgufHeaderError(`it is ${size} bytes; adapters of more than ${LORA_LIMITS.maxFileBytes} bytes are refused`);
      header = await readGgufHeaderFacts(handle, size, LORA_LIMITS);
      facts = { ...checkAdapterHeader(header, base), modifiedMs };
    } catch (error) {
      if (error instanceof GgufHeaderError) throw new LoraAdapterError(path, error.message);
      throw new LoraAdapterError(path, `it cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  const identity = await handle.stat();
  const pinned = process.platform === "linux" && (await isDirectory(procFd));
  return {
    facts,
    loadPath: pinned ? `${procFd}/${handle.fd}` : path,
    pinned,
    stillSameFile: async () => {
      try {
        const now = await lstat(path);
        return now.isFile() && now.dev === identity.dev && now.ino === identity.ino && now.size === identity.size && now.mtimeMs === identity.mtimeMs;
      } catch {
        return false;
      }
    },
    close: () => handle.close(),
  };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function stringValue(entry: GgufMetaEntry | undefined): string | undefined {
  return entry !== undefined && entry.type === GGUF_VALUE.STRING && "value" in entry && typeof entry.value === "string" ? entry.value : undefined;
}

/** The metadata and tensor checks, on a header already read within the limits. */
export function checkAdapterHeader(header: GgufHeaderFacts, base: LoraBaseModel): Omit<LoraFacts, "modifiedMs"> {
  const fail = (reason: string): never => {
    throw new GgufHeaderError(reason);
  };
  const { metadata } = header;
  // llama.cpp reads these with accessors that abort the process on any other type.
  const requireString = (key: string, expected: string | undefined, what: string): string => {
    const entry = metadata.get(key);
    const value = stringValue(entry);
    if (entry === undefined) fail(`it has no ${key}: ${what}`);
    if (value === undefined) fail(`its ${key} is not a string`);
    if (expected !== undefined && value !== expected) fail(`its ${key} is "${value}", not "${expected}": ${what}`);
    return value!;
  };
  requireString("general.type", "adapter", "it is not an adapter (a model file, perhaps)");
  const architecture = requireString("general.architecture", undefined, "the adapter does not say which model it is for");
  if (architecture !== base.architecture) fail(`it is for ${architecture} models, and this model is ${base.architecture}`);
  requireString("adapter.type", "lora", "only LoRA adapters are supported");
  let alpha = 0;
  const alphaEntry = metadata.get("adapter.lora.alpha");
  if (alphaEntry !== undefined) {
    if (alphaEntry.type !== GGUF_VALUE.FLOAT32 || !("value" in alphaEntry) || typeof alphaEntry.value !== "number") fail("its adapter.lora.alpha is not a 32-bit float");
    alpha = (alphaEntry as { value: number }).value;
    if (!Number.isFinite(alpha)) fail("its adapter.lora.alpha is not a finite number");
  }
  // An activated LoRA switches on after an invocation sequence the engine does not track.
  if (metadata.has("adapter.alora.invocation_tokens")) fail("it is an activated LoRA (aLoRA), which Hearth does not support");

  // The data section: tensors follow each other in order, each padded to the alignment, as
  // llama.cpp's reader requires, and the last one ends inside the file.
  let expectedOffset = 0;
  for (const tensor of header.tensors) {
    const type = TENSOR_TYPES.get(tensor.type);
    if (type === undefined) fail(`tensor ${tensor.name} has ggml type ${tensor.type}; adapters may use ${[...TENSOR_TYPES.values()].map((t) => t.name).join(", ")}`);
    if (tensor.dims.some((n) => n < 1)) fail(`tensor ${tensor.name} has an empty dimension`);
    if (tensor.dims[0]! % type!.elements !== 0) fail(`tensor ${tensor.name} has rows of ${tensor.dims[0]} elements, not whole ${type!.name} blocks of ${type!.elements}`);
    const elements = tensor.dims.reduce((product, n) => product * n, 1);
    const bytes = (elements / type!.elements) * type!.bytes;
    if (!Number.isSafeInteger(bytes)) fail(`tensor ${tensor.name} is too large`);
    if (tensor.offset !== expectedOffset) fail(`tensor ${tensor.name} starts at offset ${tensor.offset} of the data section, not ${expectedOffset}`);
    if (header.dataOffset + tensor.offset + bytes > header.fileSize) fail(`tensor ${tensor.name} ends past the end of the file (the file is truncated)`);
    expectedOffset = alignUp(tensor.offset + bytes, header.alignment);
  }

  const pairs = new Map<string, { a?: GgufTensorEntry; b?: GgufTensorEntry }>();
  for (const tensor of header.tensors) {
    const suffix = tensor.name.endsWith(".lora_a") ? "a" : tensor.name.endsWith(".lora_b") ? "b" : undefined;
    // llama.cpp skips norm vectors; anything else it refuses.
    if (suffix === undefined) {
      if (tensor.name.endsWith("_norm.weight")) continue;
      fail(`tensor ${tensor.name} is neither a .lora_a nor a .lora_b tensor`);
    }
    const target = tensor.name.slice(0, -".lora_a".length);
    const pair = pairs.get(target) ?? {};
    pair[suffix!] = tensor;
    pairs.set(target, pair);
  }
  if (pairs.size === 0) fail("it has no lora_a/lora_b tensors");
  let rank = 0;
  for (const [target, { a, b }] of pairs) {
    if (a === undefined || b === undefined) fail(`${target} has a ${a === undefined ? "lora_b" : "lora_a"} tensor without its ${a === undefined ? "lora_a" : "lora_b"}`);
    const weight = base.tensors.get(target);
    if (weight === undefined) fail(`it adapts ${target}, which this model does not have (an adapter for another model?)`);
    if (weight!.length !== 2 && !(weight!.length > 2 && weight!.slice(2).every((n) => n === 1))) fail(`it adapts ${target}, which is not a weight matrix`);
    if (a!.dims.length !== 2 || b!.dims.length !== 2) fail(`the lora_a and lora_b tensors of ${target} must have two dimensions each`);
    const [aIn, aRank] = a!.dims as [number, number];
    const [bRank, bOut] = b!.dims as [number, number];
    const [wIn, wOut] = weight! as [number, number];
    // The embedding's adapter is applied by row lookup: lora_a is [rank, vocabulary] and lora_b [rank, embedding].
    const isEmbedding = target.endsWith("token_embd.weight");
    const r = isEmbedding ? aIn : aRank;
    const fits = isEmbedding ? aIn === bRank && aRank === wOut && bOut === wIn : aIn === wIn && aRank === bRank && bOut === wOut;
    if (!fits) fail(`the shapes of ${target}'s lora_a [${a!.dims.join(", ")}] and lora_b [${b!.dims.join(", ")}] do not fit its [${wIn}, ${wOut}] (an adapter for another model?)`);
    if (r > LORA_LIMITS.maxRank) fail(`${target} has rank ${r}; at most ${LORA_LIMITS.maxRank} is allowed`);
    rank = Math.max(rank, r);
  }
  return { tensors: pairs.size, rank, alpha, bytes: header.fileSize };
}

/** What the engine needs of a loaded model to put adapters on its contexts. */
export interface LoraModel extends LoraBaseModel {
  readonly model: Pick<LlamaModel, "createContext">;
  readonly threads: number;
  /** Identifies the model among the engine's (the completion role may have its own). */
  readonly path: string;
}

export interface LoraPlan {
  /** The adapters each role's context gets, for createContext's `lora` option. */
  readonly adapters: ReadonlyMap<HearthRole, ReadonlyArray<{ filePath: string; scale: number }>>;
  readonly statuses: readonly LoraAdapterStatus[];
  /** Changes whenever the repo role's adapters do: saved states depend on them. */
  readonly repoIdentity: string;
  /**
   * Closes the adapters' files, once the models are disposed: until then their descriptors
   * stay taken, so no other file gets the number a loaded adapter's path names.
   */
  release(): Promise<void>;
}

/**
 * Checks every requested adapter and loads each good one into its model once, in a small
 * context of its own, so that the role contexts made later (some on first use) only reuse
 * adapters already loaded: a native failure is then the adapter's, reported here, and a
 * failure to create a role context means memory, as createContextThatFits assumes.
 * Each adapter is loaded from the file that was checked (see CheckedLoraAdapter.loadPath).
 */
export async function planLoraAdapters(requests: readonly LoraRequest[], modelFor: (role: HearthRole) => LoraModel, warn: (message: string) => void, procFd?: string): Promise<LoraPlan> {
  const adapters = new Map<HearthRole, Array<{ filePath: string; scale: number }>>();
  const statuses: LoraAdapterStatus[] = [];
  const verdicts = new Map<string, Promise<CheckedLoraAdapter>>();
  const held: CheckedLoraAdapter[] = [];
  const repoParts: unknown[] = [];
  for (const request of requests) {
    const { role, path, scale } = request;
    const perRole = adapters.get(role) ?? [];
    let checked: CheckedLoraAdapter;
    try {
      if (!Number.isFinite(scale) || Math.abs(scale) > LORA_LIMITS.maxScale) throw new LoraAdapterError(path, `its scale ${scale} is not a number from -${LORA_LIMITS.maxScale} to ${LORA_LIMITS.maxScale}`);
      if (perRole.length >= LORA_LIMITS.adaptersPerRole) throw new LoraAdapterError(path, `the ${role} role already has ${LORA_LIMITS.adaptersPerRole} adapters`);
      const model = modelFor(role);
      const key = `${model.path}\0${path}`;
      let verdict = verdicts.get(key);
      if (verdict === undefined) {
        verdict = openCheckedLoraAdapter(path, model, procFd).then(async (opened) => {
          try {
            await loadIntoModel(model, opened.loadPath);
            // Without a path bound to the open file, a swap is only seen after the load.
            if (!opened.pinned && !(await opened.stillSameFile())) throw new LoraAdapterError(path, "the file was replaced while it was being loaded");
          } catch (error) {
            await opened.close();
            throw error;
          }
          held.push(opened);
          return opened;
        });
        verdicts.set(key, verdict);
      }
      checked = await verdict;
    } catch (error) {
      const message = error instanceof LoraAdapterError ? error.message : new LoraAdapterError(path, `llama.cpp could not load it (${error instanceof Error ? error.message : String(error)})`).message;
      warn(`${role} role: ${message}`);
      statuses.push({ role, path, scale, loaded: false, error: message });
      continue;
    }
    const { facts } = checked;
    perRole.push({ filePath: checked.loadPath, scale });
    adapters.set(role, perRole);
    statuses.push({ role, path, scale, loaded: true, tensors: facts.tensors, rank: facts.rank });
    if (role === "repo") repoParts.push([path, scale, facts.bytes, facts.modifiedMs]);
  }
  const repoIdentity = repoParts.length === 0 ? "" : createHash("sha256").update(JSON.stringify(repoParts)).digest("hex").slice(0, 16);
  const release = async (): Promise<void> => {
    await Promise.all(held.splice(0).map((adapter) => adapter.close()));
  };
  return { adapters, statuses, repoIdentity, release };
}

async function loadIntoModel(model: LoraModel, path: string): Promise<void> {
  const options: LlamaContextOptions = { contextSize: 256, sequences: 1, threads: model.threads, failedCreationRemedy: false, lora: { adapters: [{ filePath: path }] } };
  const probe = await model.model.createContext(options);
  await probe.dispose();
}
