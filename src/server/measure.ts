// `node dist/server.mjs measure --model <gguf> --threads <n> [--gpu auto|cpu] [--storage <dir>]`:
// the hardware probe with every GPU binary node-llama-cpp has (build never, download never),
// then a short speed measurement of the engine on one model file, on the CPU with the plan's
// threads and, when a GPU was found, once more on the GPU. It runs in a process of its own,
// never beside a serving engine: the GPU probe loads each backend's binary in turn, and two
// binaries in one process do not mix. The result is one `measured` line on stdout
// (core/hardware/machineMeasurement.ts reads it).
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { currentMachineKey, MEASURED_EVENT, readEngineVersion, type MeasuredLine, type MeasuredRun } from "../core/hardware/machineMeasurement.js";
import { probeGpus, probeHardware, type GetLlama, type HardwareProbe } from "../core/hardware/probe.js";
import { measureSpeed, type SpeedMeasurement } from "../core/hardware/speedProbe.js";
import { errorMessage } from "./engine.js";
import { checkModelFile } from "./ggufCheck.js";
import { GPU_PACKAGES_ENV } from "./gpuPackageResolve.js";
import { StartupError } from "./startupErrors.js";

export const MEASURE_USAGE = "Usage: node dist/server.mjs measure --model <file.gguf> --threads <n> [--gpu auto|cpu] [--storage <folder>]";

export interface MeasureArgs {
  model: string;
  threads: number;
  gpu: "auto" | "cpu";
  /** Folder whose free space the probe reports (where models go). */
  storage?: string;
}

/**
 * Short on purpose: about a second on the 0.8B shape with a fast core, a few on a slow one.
 * The planner scales one model's figures to the others, so one small file is enough.
 */
const MEASURE_OPTIONS = { promptTokens: 128, lineTokens: 12, suggestionTokens: 16, suggestions: 2, generationTokens: 16 } as const;

export function parseMeasureArgs(argv: readonly string[]): MeasureArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new StartupError("usage", `Unexpected argument "${arg}".\n${MEASURE_USAGE}`);
    const name = arg.slice(2);
    if (!["model", "threads", "gpu", "storage"].includes(name)) throw new StartupError("usage", `Unknown option ${arg}.\n${MEASURE_USAGE}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith("--")) throw new StartupError("usage", `Missing value for ${arg}.\n${MEASURE_USAGE}`);
    values.set(name, value);
    i++;
  }
  const model = values.get("model");
  if (!model) throw new StartupError("usage", `--model is required.\n${MEASURE_USAGE}`);
  const threadsText = values.get("threads");
  if (threadsText === undefined) throw new StartupError("usage", `--threads is required.\n${MEASURE_USAGE}`);
  const threads = Number(threadsText);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new StartupError("usage", `--threads must be an integer from 1 to 256, not "${threadsText}".`);
  const gpu = values.get("gpu") ?? "auto";
  if (gpu !== "auto" && gpu !== "cpu") throw new StartupError("usage", `--gpu must be "auto" or "cpu", not "${gpu}".`);
  const storage = values.get("storage");
  return { model, threads, gpu, ...(storage ? { storage } : {}) };
}

/** A missing path, a folder, a device or a file that is not GGUF: said plainly, before the engine sees it. */
async function checkMeasuredFile(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new StartupError("model_not_found", `Cannot measure with ${path}: the file does not exist.`, { cause: error });
  }
  if (!info.isFile()) throw new StartupError("model_not_found", `Cannot measure with ${path}: it is not a regular file.`);
  try {
    await checkModelFile(path);
  } catch (error) {
    if (error instanceof StartupError && error.code === "not_gguf") throw new StartupError("not_gguf", `Cannot measure with ${path}: it is not a GGUF model file.`, { cause: error });
    throw error;
  }
  return info.size;
}

function runOf(measurement: SpeedMeasurement, gpuName?: string): MeasuredRun {
  return {
    backend: measurement.backend,
    ...(gpuName !== undefined ? { gpu: gpuName } : {}),
    threads: measurement.threads,
    cost: measurement.cost,
    promptTokens: measurement.promptTokens,
    promptTokensPerSecond: measurement.promptTokensPerSecond,
    generationTokensPerSecond: measurement.generationTokensPerSecond,
    suggestionMs: measurement.suggestionMs,
    loadMs: measurement.loadMs,
    wallMs: measurement.wallMs,
  };
}

export async function measureMachine(args: MeasureArgs, log: { info(message: string): void; warn(message: string): void }, signal?: AbortSignal): Promise<MeasuredLine> {
  const started = performance.now();
  const bytes = await checkMeasuredFile(args.model);
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const quietLlama: GetLlama = (options) => getLlama({ ...options, logLevel: LlamaLogLevel.error });
  const probe: HardwareProbe = await probeHardware({ ...(args.storage ? { storageDir: args.storage } : {}), probeGpus: () => probeGpus(quietLlama) });
  signal?.throwIfAborted();
  log.info(`measuring ${basename(args.model)} on the CPU, ${args.threads} thread(s)`);
  const runs: MeasuredRun[] = [];
  const cpu = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
  try {
    runs.push(runOf(await measureSpeed(cpu, { modelPath: args.model, threads: args.threads, ...MEASURE_OPTIONS, ...(signal ? { signal } : {}) })));
  } finally {
    await cpu.dispose();
  }
  const gpu = args.gpu === "cpu" ? undefined : [...probe.gpus].sort((a, b) => b.vramFreeBytes - a.vramFreeBytes)[0];
  if (gpu) {
    signal?.throwIfAborted();
    log.info(`measuring ${basename(args.model)} on ${gpu.name} (${gpu.backend})`);
    try {
      const llama = await getLlama({ gpu: gpu.backend, build: "never", skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
      try {
        runs.push(runOf(await measureSpeed(llama, { modelPath: args.model, threads: args.threads, gpu: true, ...MEASURE_OPTIONS, ...(signal ? { signal } : {}) }), gpu.name));
      } finally {
        await llama.dispose();
      }
    } catch (error) {
      // The CPU figures still stand; the plan keeps its GPU estimate and the probe says why.
      if (signal?.aborted) throw error;
      log.warn(`measuring on ${gpu.name} failed: ${errorMessage(error)}`);
      probe.gpuProbeErrors.push({ backend: gpu.backend, message: `measuring on ${gpu.name} failed: ${errorMessage(error).split("\n")[0]!.slice(0, 300)}` });
    }
  }
  // The script's own folder (dist/ in the extension, or src/server/ under tsx): node_modules is above it.
  const engineVersion = await readEngineVersion(dirname(process.argv[1] ?? process.cwd()));
  const key = await currentMachineKey({ engineVersion, gpuPackagesDir: process.env[GPU_PACKAGES_ENV], gpus: probe.gpus.map((entry) => entry.name) });
  return {
    event: MEASURED_EVENT,
    probe,
    key,
    model: { name: basename(args.model), bytes },
    runs,
    measuredAt: new Date().toISOString(),
    wallMs: performance.now() - started,
  };
}

/** The `measure` command: prints the measured line; a failure becomes the caller's error line. */
export async function measure(argv: readonly string[], announce: (event: object) => void, log: { info(message: string): void; warn(message: string): void }): Promise<void> {
  const args = parseMeasureArgs(argv);
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort(new Error("cancelled"));
    // Native code may be mid-evaluation; the measurement is worthless once cancelled.
    setTimeout(() => process.exit(1), 1000).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    const line = await measureMachine(args, log, controller.signal);
    log.info(`measured in ${Math.round(line.wallMs)} ms: ${line.runs.map((run) => `${run.backend} prompt ${run.promptTokensPerSecond.toFixed(1)} tok/s, generation ${run.generationTokensPerSecond.toFixed(1)} tok/s`).join("; ")}`);
    announce(line);
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError("load_failed", `Could not measure this machine with ${basename(args.model)}: ${errorMessage(error)}`, { cause: error });
  }
}
