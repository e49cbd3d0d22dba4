// Runs the server bundle's `measure` command in a child process (the engine never loads in
// the extension host, and the GPU probe must not load its binaries beside a serving engine),
// on the smallest model Hearth already has, and reads its one `measured` line. Bounded by a
// timeout and by the caller's signal; the child is killed either way. No VS Code API here, so
// the unit tests run it as the extension does.
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { parseMeasuredLine, type MachineMeasurement } from "../../core/hardware/machineMeasurement.js";
import { readModelIndex } from "../../core/models/modelIndex.js";

/** Long enough for the 9B on a slow CPU, short enough that a hung probe does not linger. */
export const MEASURE_TIMEOUT_MS = 120_000;

export interface MeasureSpec {
  /** dist/server.mjs. */
  readonly serverScript: string;
  /** The Node the server runs with (the editor's own, as Node). */
  readonly nodePath: string;
  readonly modelPath: string;
  readonly threads: number;
  readonly gpu: "auto" | "cpu";
  /** Where models go (the probe reports its free space). */
  readonly storageDir?: string;
  /** Extra environment (HEARTH_GPU_PACKAGES_DIR). */
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export class MeasureError extends Error {
  constructor(
    message: string,
    /** Cancelled by the user or by the extension shutting down: not the machine's fault. */
    readonly cancelled = false,
  ) {
    super(message);
    this.name = "MeasureError";
  }
}

/** The smallest regular file among the models Hearth downloaded (or was given), if any. */
export async function smallestModelOnDisk(modelsDir: string): Promise<{ uri: string; path: string; bytes: number } | undefined> {
  const index = await readModelIndex(modelsDir);
  let best: { uri: string; path: string; bytes: number } | undefined;
  for (const [uri, path] of Object.entries(index)) {
    try {
      const info = await stat(path);
      if (info.isFile() && info.size > 0 && (!best || info.size < best.bytes)) best = { uri, path, bytes: info.size };
    } catch {
      // Gone since it was recorded.
    }
  }
  return best;
}

interface ErrorLine {
  event?: unknown;
  message?: unknown;
}

/** Runs the measurement; resolves with the parsed line, rejects with a MeasureError saying why. */
export async function runMeasurement(spec: MeasureSpec, signal?: AbortSignal): Promise<MachineMeasurement> {
  if (signal?.aborted) throw new MeasureError("The measurement was cancelled.", true);
  const args = [spec.serverScript, "measure", "--model", spec.modelPath, "--threads", String(spec.threads), "--gpu", spec.gpu, ...(spec.storageDir ? ["--storage", spec.storageDir] : [])];
  const child = spawn(spec.nodePath, args, { env: { ...process.env, ...spec.env, ELECTRON_RUN_AS_NODE: "1" }, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  let stopped: "timeout" | "cancelled" | undefined;
  const stop = (why: "timeout" | "cancelled"): void => {
    stopped ??= why;
    child.kill("SIGTERM");
    // The command exits within a second of SIGTERM; a native hang does not get to keep it.
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), 3000).unref();
  };
  const timer = setTimeout(() => stop("timeout"), spec.timeoutMs ?? MEASURE_TIMEOUT_MS);
  const onAbort = (): void => stop("cancelled");
  signal?.addEventListener("abort", onAbort, { once: true });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 16_384) stderr += chunk.toString();
  });
  let measured: MachineMeasurement | undefined;
  let failure: string | undefined;
  try {
    for await (const text of createInterface({ input: child.stdout })) {
      // The child's stdout is read as hostile too: only a line the schema accepts counts.
      measured ??= parseMeasuredLine(text);
      if (measured === undefined && failure === undefined) {
        try {
          const line = JSON.parse(text) as ErrorLine;
          if (line.event === "error" && typeof line.message === "string") failure = line.message.slice(0, 1000);
        } catch {
          // Not a JSON line; the exit code tells.
        }
      }
    }
    const code = await exited;
    if (stopped === "cancelled") throw new MeasureError("The measurement was cancelled.", true);
    if (stopped === "timeout") throw new MeasureError(`The measurement did not finish within ${Math.round((spec.timeoutMs ?? MEASURE_TIMEOUT_MS) / 1000)} s.`);
    if (measured && code === 0) return measured;
    throw new MeasureError(failure ?? (stderr.trim().split("\n").pop() || `the measure command exited with code ${code}`));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  }
}
