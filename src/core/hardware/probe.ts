// What this machine has to run a model on: CPU (model, physical cores), memory, disk where
// models go, OS and architecture, and the GPUs node-llama-cpp can use with each of its
// binaries. Every source is injectable, so tests describe any machine; the defaults read
// this one.
import { readFile, statfs } from "node:fs/promises";
import * as os from "node:os";

export type GpuBackend = "cuda" | "vulkan" | "metal";

export interface GpuInfo {
  backend: GpuBackend;
  /** Device names as llama.cpp reports them (several when the backend sees several). */
  name: string;
  vramTotalBytes: number;
  vramFreeBytes: number;
  /** Memory shared with the CPU (Apple silicon): the model competes with everything else. */
  unifiedMemory: boolean;
}

export interface HardwareProbe {
  os: { platform: string; release: string; arch: string };
  cpu: {
    model: string;
    /** Cores, not hardware threads: llama.cpp's threads gain nothing from SMT siblings. */
    physicalCores: number;
    logicalCores: number;
    /** Cores this process may use (container limits, affinity). */
    usableCores: number;
    physicalCoresFrom: "cpuinfo" | "llama.cpp" | "logical";
  };
  memory: { totalBytes: number; availableBytes: number };
  /** Free space where models are stored, when a folder was given. */
  disk?: { path: string; freeBytes: number };
  gpus: GpuInfo[];
  /** Whether GPUs were probed at all (the extension host does not load the engine). */
  gpusProbed: boolean;
  /** Backends that could not be tried or failed, and why. */
  gpuProbeErrors: { backend: GpuBackend; message: string }[];
}

/** The parts of the OS the probe reads; tests replace them. */
export interface ProbeSources {
  platform(): string;
  release(): string;
  arch(): string;
  cpuModels(): string[];
  usableCores(): number;
  totalMemory(): number;
  freeMemory(): number;
  readTextFile(path: string): Promise<string | undefined>;
  freeDiskBytes(path: string): Promise<number | undefined>;
}

export const SYSTEM_SOURCES: ProbeSources = {
  platform: () => process.platform,
  release: () => os.release(),
  arch: () => process.arch,
  cpuModels: () => os.cpus().map((cpu) => cpu.model.trim()),
  usableCores: () => os.availableParallelism(),
  totalMemory: () => os.totalmem(),
  freeMemory: () => os.freemem(),
  readTextFile: (path) => readFile(path, "utf8").catch(() => undefined),
  freeDiskBytes: async (path) => {
    try {
      const stats = await statfs(path);
      return stats.bavail * stats.bsize;
    } catch {
      return undefined;
    }
  },
};

/** The slice of node-llama-cpp the GPU probe uses (injectable: tests pass a fake machine). */
export interface LlamaLike {
  readonly gpu: false | string;
  readonly cpuMathCores: number;
  getVramState(): Promise<{ total: number; free: number; unifiedSize: number }>;
  getGpuDeviceNames(): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * node-llama-cpp's `getLlama`, as the caller binds it (with its log level): core code never
 * imports the engine itself.
 */
export type GetLlama = (options: { gpu: GpuBackend | false; build: "never"; progressLogs: false; skipDownload: true }) => Promise<LlamaLike>;

export interface GpuProbeResult {
  gpus: GpuInfo[];
  errors: { backend: GpuBackend; message: string }[];
  /** Physical cores as llama.cpp counts them, from the CPU binary. */
  cpuMathCores?: number;
}

export interface ProbeOptions {
  sources?: Partial<ProbeSources>;
  /** Lists GPUs; by default none are probed (see probeGpus for node-llama-cpp's view). */
  probeGpus?: () => Promise<GpuProbeResult>;
  /** Folder whose free space counts for downloads. */
  storageDir?: string;
}

/** Physical cores from Linux's /proc/cpuinfo: distinct (physical id, core id) pairs. */
export function physicalCoresFromCpuinfo(cpuinfo: string): number | undefined {
  const cores = new Set<string>();
  let physical = "0";
  for (const line of cpuinfo.split("\n")) {
    const [key, value] = line.split(":").map((part) => part.trim());
    if (key === "physical id") physical = value ?? "0";
    else if (key === "core id") cores.add(`${physical}:${value}`);
    else if (key === "" || key === undefined) physical = "0";
  }
  return cores.size > 0 ? cores.size : undefined;
}

/** Linux's MemAvailable (free plus what the kernel can reclaim); os.freemem() undercounts it. */
export function availableFromMeminfo(meminfo: string): number | undefined {
  const match = /^MemAvailable:\s+(\d+)\s+kB/m.exec(meminfo);
  return match ? Number(match[1]) * 1024 : undefined;
}

export async function probeHardware(options: ProbeOptions = {}): Promise<HardwareProbe> {
  const sources: ProbeSources = { ...SYSTEM_SOURCES, ...options.sources };
  const platform = sources.platform();
  const cpuModels = sources.cpuModels();
  const logicalCores = Math.max(1, cpuModels.length);
  const usableCores = Math.max(1, Math.min(sources.usableCores(), logicalCores));
  const [cpuinfo, meminfo, diskFree, gpuResult] = await Promise.all([
    platform === "linux" ? sources.readTextFile("/proc/cpuinfo") : Promise.resolve(undefined),
    platform === "linux" ? sources.readTextFile("/proc/meminfo") : Promise.resolve(undefined),
    options.storageDir ? sources.freeDiskBytes(options.storageDir) : Promise.resolve(undefined),
    options.probeGpus ? options.probeGpus() : Promise.resolve(undefined),
  ]);
  const fromCpuinfo = cpuinfo ? physicalCoresFromCpuinfo(cpuinfo) : undefined;
  const physical: Pick<HardwareProbe["cpu"], "physicalCores" | "physicalCoresFrom"> =
    fromCpuinfo !== undefined ? { physicalCores: fromCpuinfo, physicalCoresFrom: "cpuinfo" }
      : gpuResult?.cpuMathCores ? { physicalCores: gpuResult.cpuMathCores, physicalCoresFrom: "llama.cpp" }
        : { physicalCores: logicalCores, physicalCoresFrom: "logical" };
  return {
    os: { platform, release: sources.release(), arch: sources.arch() },
    cpu: { model: cpuModels[0] ?? "unknown CPU", logicalCores, usableCores, ...physical },
    memory: { totalBytes: sources.totalMemory(), availableBytes: (meminfo ? availableFromMeminfo(meminfo) : undefined) ?? sources.freeMemory() },
    ...(options.storageDir && diskFree !== undefined ? { disk: { path: options.storageDir, freeBytes: diskFree } } : {}),
    gpus: gpuResult?.gpus ?? [],
    gpusProbed: gpuResult !== undefined,
    gpuProbeErrors: gpuResult?.errors ?? [],
  };
}

/** The GPU backends node-llama-cpp ships binaries for on a platform. */
export function gpuBackendsFor(platform: string): GpuBackend[] {
  return platform === "darwin" ? ["metal"] : ["cuda", "vulkan"];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 300);
}

/**
 * Asks node-llama-cpp, binary by binary, which GPUs it can use: `getLlama` with each GPU
 * backend's prebuilt binary (never building from source, never downloading), then the CPU
 * binary for llama.cpp's count of math cores. A backend whose binary is missing or whose
 * driver is absent lands in `errors`; each attempt is bounded by `timeoutMs`.
 */
export async function probeGpus(getLlama: GetLlama, platform: string = process.platform, timeoutMs = 20_000): Promise<GpuProbeResult> {
  const gpus: GpuInfo[] = [];
  const errors: GpuProbeResult["errors"] = [];
  for (const backend of gpuBackendsFor(platform)) {
    try {
      const llama = await withTimeout(getLlama({ gpu: backend, build: "never", progressLogs: false, skipDownload: true }), timeoutMs, `node-llama-cpp's ${backend} binary`);
      try {
        if (llama.gpu !== backend) {
          errors.push({ backend, message: `the ${backend} binary loaded without a ${backend} device` });
          continue;
        }
        const [vram, names] = await Promise.all([llama.getVramState(), llama.getGpuDeviceNames()]);
        if (vram.total > 0) gpus.push({ backend, name: names.join(", ") || backend, vramTotalBytes: vram.total, vramFreeBytes: vram.free, unifiedMemory: vram.unifiedSize > 0 });
        else errors.push({ backend, message: "no device memory reported" });
      } finally {
        await llama.dispose();
      }
    } catch (error) {
      errors.push({ backend, message: `no usable ${backend} binary or device: ${message(error)}` });
    }
  }
  let cpuMathCores: number | undefined;
  try {
    const cpu = await withTimeout(getLlama({ gpu: false, build: "never", progressLogs: false, skipDownload: true }), timeoutMs, "node-llama-cpp's CPU binary");
    cpuMathCores = cpu.cpuMathCores;
    await cpu.dispose();
  } catch {
    // The CPU count then comes from /proc/cpuinfo or the logical count.
  }
  return { gpus: dedupeGpus(gpus), errors, ...(cpuMathCores ? { cpuMathCores } : {}) };
}

/** The same card seen through CUDA and Vulkan counts once, under the faster backend (CUDA). */
function dedupeGpus(gpus: GpuInfo[]): GpuInfo[] {
  const cuda = gpus.filter((gpu) => gpu.backend === "cuda");
  return gpus.filter((gpu) => gpu.backend !== "vulkan" || !cuda.some((other) => Math.abs(other.vramTotalBytes - gpu.vramTotalBytes) < 2 ** 28));
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} KB`;
}

/** One line for people: "Intel Xeon · 2 cores · 21.9 of 23.4 GB RAM free · linux x64 · no GPU". */
export function describeProbe(probe: HardwareProbe): string {
  const cores = probe.cpu.physicalCores === probe.cpu.logicalCores ? `${probe.cpu.physicalCores} cores` : `${probe.cpu.physicalCores} cores (${probe.cpu.logicalCores} threads)`;
  const gpus = !probe.gpusProbed ? "GPUs not probed" : probe.gpus.length === 0 ? "no GPU" : probe.gpus.map((gpu) => `${gpu.name} (${gpu.backend}, ${formatBytes(gpu.vramFreeBytes)} of ${formatBytes(gpu.vramTotalBytes)} free${gpu.unifiedMemory ? ", unified" : ""})`).join(", ");
  return [probe.cpu.model.replace(/\(R\)|\(TM\)/g, "").replace(/\s+/g, " ").trim(), cores, `${formatBytes(probe.memory.availableBytes)} of ${formatBytes(probe.memory.totalBytes)} RAM free`, `${probe.os.platform} ${probe.os.arch}`, gpus].join(" · ");
}
