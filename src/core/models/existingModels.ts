// Models already on this machine, so Hearth can offer a copy instead of downloading gigabytes
// again: its own storage, llama.cpp's cache, LM Studio's folders and Ollama's blobs (found
// through its manifests). Every folder is someone else's: only regular files are read, links
// are never followed (a store's own root excepted: that is where the tool keeps it), walks
// and reads are bounded, and a file is only offered when its GGUF header says what it is.
import { constants } from "node:fs";
import { lstat, open, readdir, realpath } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import { readRegular } from "../fs/readRegular.js";
import { KNOWN_MODELS, recognizeModel, type KnownModel, type QuantName } from "../hardware/knownModels.js";
import { GGUF_VALUE, parseGgufMetadataPrefix, type GgufMetaEntry } from "./ggufHeader.js";

export type ModelSource = "hearth" | "llama.cpp" | "lmstudio" | "ollama";

export const SOURCE_NAMES: Readonly<Record<ModelSource, string>> = { hearth: "Hearth's storage", "llama.cpp": "llama.cpp's cache", lmstudio: "LM Studio's models", ollama: "Ollama's models" };

export interface ModelStore {
  readonly source: ModelSource;
  readonly root: string;
}

/** What a GGUF header says about the model (the `general.*` keys Hearth matches on). */
export interface GgufIdentity {
  readonly architecture?: string;
  readonly name?: string;
  readonly basename?: string;
  readonly sizeLabel?: string;
  /** llama.cpp's `llama_ftype` (15 = Q4_K_M). */
  readonly fileType?: number;
}

export interface ModelFile {
  readonly path: string;
  readonly sizeBytes: number;
  readonly source: ModelSource;
  /** Ollama's name for it ("qwen3.5:9b"), from the manifest's path. */
  readonly tag?: string;
  readonly identity: GgufIdentity;
}

export interface DiscoveryLimits {
  /** Folder levels below a store's root. */
  readonly maxDepth: number;
  /** Directory entries looked at, over all stores. */
  readonly maxEntries: number;
  /** GGUF headers read, over all stores. */
  readonly maxFiles: number;
  readonly maxManifestBytes: number;
  /** Bytes of a file's start read for its metadata (general.* keys come first). */
  readonly headerBytes: number;
}

export const DEFAULT_DISCOVERY_LIMITS: DiscoveryLimits = { maxDepth: 6, maxEntries: 20_000, maxFiles: 200, maxManifestBytes: 64 * 1024, headerBytes: 256 * 1024 };

/** Where each tool keeps its models on this platform (environment overrides as the tools honour them). */
export function defaultModelStores(options: { home: string; hearthModelsDir: string; platform?: string; env?: NodeJS.ProcessEnv }): ModelStore[] {
  const { home } = options;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const llamaCache =
    env.LLAMA_CACHE ??
    (platform === "darwin" ? join(home, "Library", "Caches", "llama.cpp") : platform === "win32" ? join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "llama.cpp") : join(env.XDG_CACHE_HOME ?? join(home, ".cache"), "llama.cpp"));
  return [
    { source: "hearth", root: options.hearthModelsDir },
    { source: "llama.cpp", root: llamaCache },
    { source: "lmstudio", root: join(home, ".lmstudio", "models") },
    { source: "lmstudio", root: join(home, ".cache", "lm-studio", "models") },
    { source: "ollama", root: env.OLLAMA_MODELS ?? join(home, ".ollama", "models") },
  ];
}

interface Budget {
  entries: number;
  files: number;
}

/** Every GGUF model file in `stores` whose header could be read, in the stores' order. */
export async function findModelFiles(stores: readonly ModelStore[], limits: DiscoveryLimits = DEFAULT_DISCOVERY_LIMITS): Promise<ModelFile[]> {
  const budget: Budget = { entries: limits.maxEntries, files: limits.maxFiles };
  const found: ModelFile[] = [];
  const seen = new Set<string>();
  for (const store of stores) {
    const root = await realpath(store.root).catch(() => undefined);
    if (root === undefined) continue;
    const candidates = store.source === "ollama" ? await ollamaBlobs(root, limits, budget) : (await ggufFiles(root, limits, budget)).map((path) => ({ path, tag: undefined }));
    for (const candidate of candidates) {
      if (seen.has(candidate.path) || budget.files <= 0) continue;
      budget.files--;
      const file = await readModelFile(candidate.path, limits).catch(() => undefined);
      if (!file) continue;
      seen.add(candidate.path);
      found.push({ ...file, source: store.source, ...(candidate.tag !== undefined ? { tag: candidate.tag } : {}) });
    }
  }
  return found;
}

/** Regular `.gguf` files under `root`: no links, no projector or later split parts. */
async function ggufFiles(root: string, limits: DiscoveryLimits, budget: Budget): Promise<string[]> {
  const files: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget.entries < 0) return;
      const path = join(folder, entry.name);
      if (entry.isSymbolicLink()) continue;
      if (entry.isDirectory()) {
        if (depth < limits.maxDepth && !entry.name.startsWith(".")) await walk(path, depth + 1);
      } else if (entry.isFile() && /\.gguf$/i.test(entry.name) && !/^mmproj|-0000[2-9]-of-|-000[1-9]\d-of-/i.test(entry.name)) {
        files.push(path);
      }
    }
  };
  await walk(root, 0);
  return files;
}

const OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model";

/** Ollama keeps models as content-addressed blobs; its manifests say which blob is a model and under which name. */
async function ollamaBlobs(root: string, limits: DiscoveryLimits, budget: Budget): Promise<{ path: string; tag: string }[]> {
  const manifests: string[] = [];
  const walk = async (folder: string, depth: number): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (--budget.entries < 0) return;
      const path = join(folder, entry.name);
      if (entry.isDirectory() && depth < limits.maxDepth) await walk(path, depth + 1);
      else if (entry.isFile()) manifests.push(path);
    }
  };
  const manifestRoot = join(root, "manifests");
  await walk(manifestRoot, 0);
  const blobs: { path: string; tag: string }[] = [];
  for (const manifest of manifests) {
    const text = await readSmallFile(manifest, limits.maxManifestBytes);
    if (text === undefined) continue;
    let layers: unknown;
    try {
      layers = (JSON.parse(text) as { layers?: unknown }).layers;
    } catch {
      continue;
    }
    if (!Array.isArray(layers)) continue;
    const model = layers.find((layer: unknown) => typeof layer === "object" && layer !== null && (layer as { mediaType?: unknown }).mediaType === OLLAMA_MODEL_LAYER) as { digest?: unknown } | undefined;
    const digest = typeof model?.digest === "string" ? /^sha256:([a-f0-9]{64})$/.exec(model.digest)?.[1] : undefined;
    if (digest === undefined) continue;
    const parts = manifest.slice(manifestRoot.length + 1).split(sep);
    blobs.push({ path: join(root, "blobs", `sha256-${digest}`), tag: parts.length >= 2 ? `${parts[parts.length - 2]}:${parts[parts.length - 1]}` : parts.join(":") });
  }
  return blobs;
}

/** A regular file's text, if it is one (not through a link) and no larger than `maxBytes` as read. */
async function readSmallFile(path: string, maxBytes: number): Promise<string | undefined> {
  const read = await readRegular(path, maxBytes);
  return "data" in read && !read.over ? read.data.toString("utf8") : undefined;
}

/**
 * The size and GGUF identity of `path`, read through one handle that is checked to be the
 * regular file the path named when looked at without following links.
 */
async function readModelFile(path: string, limits: DiscoveryLimits): Promise<Omit<ModelFile, "source" | "tag"> | undefined> {
  const before = await lstat(path);
  if (!before.isFile()) return undefined;
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.ino !== before.ino || info.dev !== before.dev) return undefined;
    const buffer = Buffer.alloc(Math.min(info.size, limits.headerBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const metadata = parseGgufMetadataPrefix(buffer.subarray(0, bytesRead), { maxKeys: 65_536, maxStringBytes: 65_536, maxArrayItems: 1 << 24 });
    return { path, sizeBytes: info.size, identity: identityOf(metadata) };
  } finally {
    await handle.close();
  }
}

function identityOf(metadata: ReadonlyMap<string, GgufMetaEntry>): GgufIdentity {
  const text = (key: string): string | undefined => {
    const entry = metadata.get(key);
    return entry && "value" in entry && entry.type === GGUF_VALUE.STRING && typeof entry.value === "string" ? entry.value.slice(0, 256) : undefined;
  };
  const fileType = metadata.get("general.file_type");
  const architecture = text("general.architecture");
  const name = text("general.name");
  const base = text("general.basename");
  const sizeLabel = text("general.size_label");
  return {
    ...(architecture !== undefined ? { architecture } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(base !== undefined ? { basename: base } : {}),
    ...(sizeLabel !== undefined ? { sizeLabel } : {}),
    ...(fileType && "value" in fileType && typeof fileType.value === "number" ? { fileType: fileType.value } : {}),
  };
}

/** llama.cpp's `llama_ftype` of each quantisation Hearth plans with. */
export const FILE_TYPE_OF_QUANT: Readonly<Record<QuantName, number>> = { Q8_0: 7, Q4_K_M: 15, Q5_K_M: 17, Q6_K: 18 };

/** Architectures llama.cpp names the models of the table by. */
const ARCHITECTURES = new Set(["qwen35", "qwen35moe"]);

export type MatchReason = "name" | "tag" | "metadata" | "size";

export interface ModelMatch {
  readonly file: ModelFile;
  readonly by: readonly MatchReason[];
}

/**
 * The files that hold the model `uri` names, best first. A model of the table must be the same
 * model and quantisation by its file name, Ollama tag or GGUF metadata, and within 10 % of the
 * published size (15 % of an estimated one); the very file (same size) ranks first. Any other
 * URI matches by file name.
 */
export function matchModel(uri: string, files: readonly ModelFile[], table: readonly KnownModel[] = KNOWN_MODELS): ModelMatch[] {
  const wanted = recognizeModel(uri, table);
  const matches: ModelMatch[] = [];
  for (const file of files) {
    const by: MatchReason[] = [];
    if (wanted) {
      const byName = recognizeModel(basename(file.path), table);
      if (byName?.model === wanted.model && byName.quant.quant === wanted.quant.quant) by.push("name");
      if (file.tag !== undefined && sameModelName(file.tag.replace(":", "-"), wanted.model)) by.push("tag");
      const identity = file.identity;
      const named = [identity.sizeLabel?.toLowerCase() === wanted.model.label.toLowerCase() && identity.architecture !== undefined && ARCHITECTURES.has(identity.architecture), sameModelName(identity.name, wanted.model), sameModelName(identity.basename, wanted.model)].some(Boolean);
      const quantOk = identity.fileType === undefined ? by.includes("name") : identity.fileType === FILE_TYPE_OF_QUANT[wanted.quant.quant];
      if (named && quantOk) by.push("metadata");
      if (!quantOk || by.length === 0) continue;
      // Another tool's quantisation of the same model differs by a few percent; a finetune
      // or another model under the same name would differ more.
      const expected = wanted.quant.fileBytes;
      if (Math.abs(file.sizeBytes - expected) > (wanted.quant.estimate ? 0.15 : 0.1) * expected) continue;
      if (!wanted.quant.estimate && file.sizeBytes === expected) by.push("size");
    } else if (sameFileName(uri, file)) {
      by.push("name");
    } else continue;
    matches.push({ file, by });
  }
  const rank = (match: ModelMatch): number => match.by.length * 10 - (match.file.source === "hearth" ? 0 : 1);
  return matches.sort((a, b) => rank(b) - rank(a));
}

/** "Qwen3.5 9B", "Qwen3.5-9B-Instruct", "qwen3.5-9b" all name the 9B; "Qwen3.5 9B Coder" does too (a finetune is caught by the size). */
function sameModelName(name: string | undefined, model: KnownModel): boolean {
  if (name === undefined) return false;
  const normalized = name.toLowerCase().replace(/[\s_]+/g, "-");
  const label = model.label.toLowerCase();
  return new RegExp(`(^|[^a-z0-9.])qwen3\\.5-${label.replace(/\./g, "\\.")}($|[^a-z0-9.])`).test(normalized);
}

/** For a URI Hearth has no table entry for: the same file name (an `hf:` path or URL's last part), or the repository and quantisation. */
function sameFileName(uri: string, file: ModelFile): boolean {
  const name = basename(file.path).toLowerCase();
  const last = uri.split(/[/:]/).pop()?.toLowerCase() ?? "";
  if (last.endsWith(".gguf")) return name === last;
  const repoQuant = /^(?:hf:|huggingface:)[^/]+\/([^:/]+):([\w.-]+)$/i.exec(uri);
  if (!repoQuant) return false;
  const squash = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, "");
  const repo = squash(repoQuant[1]!.replace(/-gguf$/i, ""));
  return squash(name).includes(repo) && squash(name).includes(squash(repoQuant[2]!));
}
