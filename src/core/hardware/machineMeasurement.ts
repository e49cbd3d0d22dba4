// A measurement of this machine, as the server's `measure` command prints it: the hardware
// probe with GPUs as node-llama-cpp sees them, and the engine's speed on one model file on
// the CPU (and the GPU, when there is one). The extension host cannot load the engine, so
// this line, run in a child process, is how its plan gets real figures instead of reference
// ones. The line, and the copy cached in global state, are read as hostile: a garbled or
// oversized line parses to nothing, and a measurement from another machine (a copied profile)
// is never reused there.
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { detectGpuDrivers, type DriverSources } from "../gpu/gpuDrivers.js";
import type { HardwareProbe } from "./probe.js";
import { SYSTEM_SOURCES, type ProbeSources } from "./probe.js";
import type { SpeedSample } from "./speedModel.js";

export const MEASURED_EVENT = "measured";

/** A measured line is a few kilobytes; anything much larger is not one. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * What makes a measurement belong to a machine. Every field is one both the extension host
 * and the measuring child read the same way (so the host can tell, without loading the
 * engine, whether a cached measurement is still this machine's): the CPU's model and counts
 * from the OS (physical cores are not here: off Linux the host counts logical ones, the
 * engine its own), memory in whole GiB, the engine's version, and the GPU setup as the host
 * sees it (drivers on disk, binary packages Hearth downloaded). `gpus`, the names the engine
 * reported, only the child knows; it is compared when both sides have it.
 */
export interface MachineKey {
  platform: string;
  arch: string;
  cpuModel: string;
  logicalCores: number;
  usableCores: number;
  memoryGiB: number;
  engineVersion: string;
  gpuDrivers: string[];
  gpuPackages: string[];
  gpus?: string[];
}

const shortText = z.string().max(300);
const count = z.number().int().min(0).max(1_000_000);
const bytes = z.number().finite().min(0).max(1e16);
const rate = z.number().finite().positive().max(1e7);

const machineKeySchema = z.object({
  platform: z.string().max(40),
  arch: z.string().max(40),
  cpuModel: shortText,
  logicalCores: count,
  usableCores: count,
  memoryGiB: count,
  engineVersion: z.string().max(60),
  gpuDrivers: z.array(z.string().max(40)).max(8),
  gpuPackages: z.array(z.string().max(120)).max(16),
  gpus: z.array(shortText).max(16).optional(),
});

const gpuBackend = z.enum(["cuda", "vulkan", "metal"]);

const probeSchema = z.object({
  os: z.object({ platform: z.string().max(40), release: z.string().max(200), arch: z.string().max(40) }),
  cpu: z.object({
    model: shortText,
    physicalCores: count.min(1),
    logicalCores: count.min(1),
    usableCores: count.min(1),
    physicalCoresFrom: z.enum(["cpuinfo", "llama.cpp", "logical"]),
  }),
  memory: z.object({ totalBytes: bytes, availableBytes: bytes }),
  disk: z.object({ path: z.string().max(4096), freeBytes: bytes }).optional(),
  gpus: z.array(z.object({ backend: gpuBackend, name: shortText, vramTotalBytes: bytes, vramFreeBytes: bytes, unifiedMemory: z.boolean() })).max(16),
  gpusProbed: z.boolean(),
  gpuProbeErrors: z.array(z.object({ backend: gpuBackend, message: z.string().max(1000) })).max(16),
});

const costSchema = z.object({
  layerParams: z.number().finite().positive().max(1e13),
  layerBytes: z.number().finite().positive().max(1e14),
  lmHeadParams: z.number().finite().min(0).max(1e13),
  lmHeadBytes: z.number().finite().min(0).max(1e14),
  layerType: z.string().max(16),
});

const runSchema = z.object({
  backend: z.enum(["cpu", "gpu"]),
  /** The GPU's name, on a GPU run. */
  gpu: shortText.optional(),
  threads: count.min(1).max(4096),
  cost: costSchema,
  promptTokens: count,
  promptTokensPerSecond: rate,
  generationTokensPerSecond: rate,
  suggestionMs: z.number().finite().min(0).max(1e7),
  loadMs: z.number().finite().min(0).max(1e8),
  wallMs: z.number().finite().min(0).max(1e8),
});

export const measuredLineSchema = z.object({
  event: z.literal(MEASURED_EVENT),
  probe: probeSchema,
  key: machineKeySchema,
  /** The file measured: its name (not its folder) and size. */
  model: z.object({ name: shortText, bytes }),
  runs: z.array(runSchema).min(1).max(4),
  measuredAt: z.iso.datetime(),
  wallMs: z.number().finite().min(0).max(1e8),
});

export type MeasuredLine = z.infer<typeof measuredLineSchema>;
export type MeasuredRun = z.infer<typeof runSchema>;

/** A measurement as the plan uses it. */
export interface MachineMeasurement {
  probe: HardwareProbe;
  samples: SpeedSample[];
  /** ISO time of the measurement. */
  measuredAt: string;
  key: MachineKey;
  model: { name: string; bytes: number };
  /** How long the whole measurement took, probe included. */
  wallMs: number;
  /** The line itself, as cached (parsed again when read back). */
  line: MeasuredLine;
}

/** "0.8B" from 0.75e9 parameters (the weights a token goes through): the size as people name a model. */
function paramsWords(params: number): string {
  if (params >= 0.5e9) return `${(params / 1e9).toFixed(params >= 1e10 ? 0 : 1)}B`;
  return params >= 1e6 ? `${Math.round(params / 1e6)}M` : `${Math.max(1, Math.round(params / 1e3))}K`;
}

/** What a run measured, in the plan's words: "tiny.gguf (0.8B parameters, Q8_0, CPU)". */
function labelOf(line: MeasuredLine, run: MeasuredRun): string {
  const where = run.backend === "gpu" ? (run.gpu ?? "GPU") : `CPU, ${run.threads} thread${run.threads === 1 ? "" : "s"}`;
  return `${line.model.name} (${paramsWords(run.cost.layerParams + run.cost.lmHeadParams)} parameters, ${run.cost.layerType}, ${where})`;
}

export function measurementOf(line: MeasuredLine): MachineMeasurement {
  return {
    probe: line.probe,
    samples: line.runs.map((run) => ({
      cost: run.cost,
      backend: run.backend,
      threads: run.threads,
      promptTokensPerSecond: run.promptTokensPerSecond,
      generationTokensPerSecond: run.generationTokensPerSecond,
      label: labelOf(line, run),
    })),
    measuredAt: line.measuredAt,
    key: line.key,
    model: line.model,
    wallMs: line.wallMs,
    line,
  };
}

/** The measurement in a line of the child's stdout, or undefined for anything else. */
export function parseMeasuredLine(text: string): MachineMeasurement | undefined {
  if (typeof text !== "string" || text.length > MAX_LINE_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return parseMeasured(value);
}

/** A measurement from an already-parsed value (the copy cached in global state). */
export function parseMeasured(value: unknown): MachineMeasurement | undefined {
  const parsed = measuredLineSchema.safeParse(value);
  return parsed.success ? measurementOf(parsed.data) : undefined;
}

/** A machine key from anywhere (global state): undefined unless it has the key's shape. */
export function parseMachineKey(value: unknown): MachineKey | undefined {
  const parsed = machineKeySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Whether a measurement keyed `stored` was taken on the machine keyed `here`. */
export function sameMachine(stored: MachineKey, here: MachineKey): boolean {
  const list = (values: readonly string[] | undefined): string => JSON.stringify([...(values ?? [])].sort());
  return (
    stored.platform === here.platform &&
    stored.arch === here.arch &&
    stored.cpuModel === here.cpuModel &&
    stored.logicalCores === here.logicalCores &&
    stored.usableCores === here.usableCores &&
    stored.memoryGiB === here.memoryGiB &&
    stored.engineVersion === here.engineVersion &&
    list(stored.gpuDrivers) === list(here.gpuDrivers) &&
    list(stored.gpuPackages) === list(here.gpuPackages) &&
    (stored.gpus === undefined || here.gpus === undefined || list(stored.gpus) === list(here.gpus))
  );
}

/**
 * node-llama-cpp's version, from the package.json of the copy found walking up from
 * `fromDir` (the extension's folder, or the server bundle's): "unknown" when none is found.
 */
export async function readEngineVersion(fromDir: string): Promise<string> {
  let dir = fromDir;
  for (let depth = 0; depth < 8; depth++) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, "node_modules", "node-llama-cpp", "package.json"), "utf8")) as unknown;
      const version = z.object({ version: z.string().max(60) }).safeParse(manifest);
      if (version.success) return version.data.version;
    } catch {
      // Not here; try the folder above.
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return "unknown";
}

/** The `@node-llama-cpp/*` binary packages unpacked below `root` (Hearth's GPU package folder). */
async function installedGpuPackages(root: string | undefined): Promise<string[]> {
  if (!root) return [];
  try {
    const names = await readdir(join(root, "node_modules", "@node-llama-cpp"));
    return names.filter((name) => !name.startsWith(".")).map((name) => `@node-llama-cpp/${basename(name)}`).sort();
  } catch {
    return [];
  }
}

export interface MachineKeyOptions {
  engineVersion: string;
  /** Hearth's GPU package folder (HEARTH_GPU_PACKAGES_DIR). */
  gpuPackagesDir?: string;
  /** GPU names the engine reported (the measuring child only). */
  gpus?: readonly string[];
  sources?: Partial<ProbeSources>;
  drivers?: Partial<DriverSources>;
}

/** This machine's key, read the same way in the extension host and in the measuring child. */
export async function currentMachineKey(options: MachineKeyOptions): Promise<MachineKey> {
  const sources: ProbeSources = { ...SYSTEM_SOURCES, ...options.sources };
  const cpus = sources.cpuModels();
  const [drivers, packages] = await Promise.all([detectGpuDrivers({ platform: sources.platform(), ...options.drivers }).catch(() => []), installedGpuPackages(options.gpuPackagesDir)]);
  return {
    platform: sources.platform(),
    arch: sources.arch(),
    cpuModel: (cpus[0] ?? "unknown CPU").slice(0, 300),
    logicalCores: Math.max(1, cpus.length),
    usableCores: Math.max(1, Math.min(sources.usableCores(), Math.max(1, cpus.length))),
    memoryGiB: Math.round(sources.totalMemory() / 2 ** 30),
    engineVersion: options.engineVersion,
    gpuDrivers: [...new Set(drivers.map((driver) => driver.backend))].sort(),
    gpuPackages: packages,
    ...(options.gpus ? { gpus: [...options.gpus].sort() } : {}),
  };
}
