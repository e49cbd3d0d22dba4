// A model download as a queue job: the model server bundle's `download` command (node-llama-cpp's
// downloader, which resolves `hf:` URIs and resumes partial files with Range requests) in a
// child process, so the multi-gigabyte transfer and the native code stay out of the editor's
// process. Its JSON lines become progress (or a wait for another window downloading the same
// model, or the check of the finished file against the hub's SHA-256); SIGTERM cancels it and
// keeps the partial file.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Logger } from "../logger.js";
import type { DownloadJob, DownloadProgressEvent } from "./downloadQueue.js";
import { connectionProblem, hostInFailure, looksOffline, OfflineError } from "./offline.js";

export interface ModelDownloadSpec {
  /** `hf:user/repo:quant`, `hf:user/repo/file.gguf` or an https URL. */
  readonly uri: string;
  readonly label: string;
  /** Hearth's models folder (global storage). */
  readonly dir: string;
  /** dist/server.mjs. */
  readonly serverScript: string;
  /** The Node to run it with (the editor's own, as Node). */
  readonly nodePath: string;
  readonly expectedBytes?: number;
  /** The child's environment (HF_ENDPOINT points it at a mirror, or at a loopback server in tests). */
  readonly env?: NodeJS.ProcessEnv;
  /** Told when the file could not be checked against the hub's SHA-256 (and is used as it is). */
  readonly log?: Pick<Logger, "warn">;
}

interface DownloadLine {
  event?: string;
  totalSize?: number;
  downloadedSize?: number;
  speed?: number;
  path?: string;
  code?: string;
  message?: string;
  reason?: string;
}

/** A model download failed for a reason other than the connection (a bad URI, a full disk). */
export class ModelDownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ModelDownloadError";
  }
}

export function modelDownloadJob(spec: ModelDownloadSpec): DownloadJob {
  return {
    id: spec.uri,
    label: spec.label,
    kind: "model",
    folder: spec.dir,
    ...(spec.expectedBytes !== undefined ? { expectedBytes: spec.expectedBytes } : {}),
    run: (signal, report) => runDownload(spec, signal, report),
  };
}

async function runDownload(spec: ModelDownloadSpec, signal: AbortSignal, report: (progress: DownloadProgressEvent) => void): Promise<string> {
  signal.throwIfAborted();
  const child = spawn(spec.nodePath, [spec.serverScript, "download", "--model", spec.uri, "--dir", spec.dir], {
    env: { ...(spec.env ?? process.env), ELECTRON_RUN_AS_NODE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The command keeps its partial file on SIGTERM and exits once the cancel has settled.
  const onAbort = (): void => void child.kill("SIGTERM");
  signal.addEventListener("abort", onAbort, { once: true });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 16_384) stderr += chunk.toString();
  });
  let result: string | undefined;
  let failure: DownloadLine | undefined;
  let total: number | undefined;
  try {
    for await (const text of createInterface({ input: child.stdout })) {
      let line: DownloadLine;
      try {
        line = JSON.parse(text) as DownloadLine;
      } catch {
        continue;
      }
      if (line.event === "size" && typeof line.totalSize === "number") {
        total = line.totalSize;
        report({ receivedBytes: 0, totalBytes: total });
      } else if (line.event === "progress" && typeof line.downloadedSize === "number") {
        total = typeof line.totalSize === "number" && line.totalSize > 0 ? line.totalSize : total;
        report({ receivedBytes: line.downloadedSize, ...(total !== undefined ? { totalBytes: total } : {}), ...(typeof line.speed === "number" ? { bytesPerSecond: line.speed } : {}) });
      } else if (line.event === "waiting") {
        // Another window holds this model's download; its bytes are not this job's to count.
        report({ receivedBytes: 0, ...(total !== undefined ? { totalBytes: total } : {}), waitingForOtherWindow: true });
      } else if (line.event === "verifying") {
        // All bytes are here; what is left is reading them back to compare with the hub's digest.
        total = typeof line.totalSize === "number" && line.totalSize > 0 ? line.totalSize : total;
        report({ receivedBytes: total ?? 0, ...(total !== undefined ? { totalBytes: total } : {}), verifying: true });
      } else if (line.event === "unverified") {
        spec.log?.warn(`${spec.label} could not be checked against the hub's SHA-256 (${typeof line.reason === "string" ? line.reason.slice(0, 300).replace(/\s+/g, " ") : "no reason given"}); it is used as it is.`);
      } else if (line.event === "done" && typeof line.path === "string") {
        result = line.path;
      } else if (line.event === "error") {
        failure = line;
      }
    }
    const code = await exited;
    signal.throwIfAborted();
    if (result !== undefined && code === 0) return result;
    const message = failure?.message ?? (stderr.trim().split("\n").pop() || `the download command exited with code ${code}`);
    if (looksOffline(message) || looksOffline(stderr)) throw new OfflineError(hostInFailure(`${message}\n${stderr}`) ?? hostOf(spec)?.host, message);
    const source = hostOf(spec);
    const problem = /fetch failed|network|socket|ECONNRESET/i.test(message) && source ? await connectionProblem(source) : undefined;
    if (problem !== undefined && looksOffline(problem)) throw new OfflineError(source?.host, problem);
    throw new ModelDownloadError(failure?.code ?? "download_failed", message);
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  }
}

/** Where a URI downloads from: the URL itself, else the Hugging Face endpoint node-llama-cpp uses. */
function hostOf(spec: ModelDownloadSpec): URL | undefined {
  try {
    if (/^https?:/i.test(spec.uri)) return new URL(spec.uri);
    const env = spec.env ?? process.env;
    return new URL(env.MODEL_ENDPOINT ?? env.HF_ENDPOINT ?? "https://huggingface.co/");
  } catch {
    return undefined;
  }
}
