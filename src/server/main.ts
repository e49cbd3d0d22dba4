// The model server's entry point: `node dist/server.mjs --model <gguf> ...`.
// stdout carries exactly one JSON line for the supervisor (ready or error); logs go to stderr.
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseServerArgs } from "./args.js";
import { ModelEngine, errorMessage } from "./engine.js";
import { downloadModel } from "./download.js";
import { describeProbe, probeHardware } from "../core/hardware/probe.js";
import { createHttpServer } from "./http.js";
import { LeaseTracker } from "./leases.js";
import { StartupError } from "./startupErrors.js";
import { useDownloadedGpuPackages } from "./gpuPackageResolve.js";
import { measure } from "./measure.js";

const log = {
  info: (message: string) => process.stderr.write(`[info] ${message}\n`),
  warn: (message: string) => process.stderr.write(`[warn] ${message}\n`),
};

function announce(event: object): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new StartupError("port_in_use", `Port ${port} on ${host} is already in use. Choose another port or 0 for any free port.`, { cause: error }));
      else reject(error);
    });
    server.listen(port, host, resolve);
  });
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const args = parseServerArgs(process.argv.slice(2));
  const token = process.env.HEARTH_SERVER_TOKEN || randomBytes(24).toString("base64url");
  const started = Date.now();
  // GPU binaries Hearth downloaded into global storage (HEARTH_GPU_PACKAGES_DIR) resolve before getLlama runs.
  if (useDownloadedGpuPackages()) log.info(`GPU binary packages are looked up in ${process.env.HEARTH_GPU_PACKAGES_DIR}`);
  const engine = await ModelEngine.load({ modelPath: args.model, completionModelPath: args.completionModel, contextSize: args.contextSize, gpu: args.gpu, threads: args.threads, repoContextSize: args.repoContextSize, repoKvType: args.repoKvType, stateDir: args.stateDir, stateMaxBytes: args.stateMaxBytes, lora: args.lora, log });
  let shuttingDown = false;
  const shutdown = (reason: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info(`shutting down: ${reason}`);
    // SIGTERM must finish within 2 s even if a request hangs in native code.
    setTimeout(() => process.exit(0), 1500).unref();
    leases.dispose();
    server.close();
    server.closeAllConnections();
    engine
      .dispose()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  };
  const leases = new LeaseTracker(args.idleExitSeconds * 1000, () => shutdown(`no client for ${args.idleExitSeconds} s`));
  // Tests and scripts may shorten the time a client has to send its request (LIMITS.requestTimeoutMs).
  const requestTimeoutMs = Number(process.env.HEARTH_SERVER_REQUEST_TIMEOUT_MS) || undefined;
  const server = createHttpServer({ engine, token, host: args.host, maxBodyBytes: args.maxBodyBytes, leases, log, requestTimeoutMs, repoRoots: args.repoRoots });
  const port = await listen(server, args.host, args.port);
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  const { id, architecture, contextSize, fim, hybrid, warnings, completionModel, repo } = engine.info;
  log.info(`ready in ${Date.now() - started} ms: ${id} (${architecture}${hybrid ? ", hybrid" : ""}), context ${contextSize}, repo context ${repo.contextSize} (${repo.kvType} KV cache${repo.flashAttention ? ", flash attention" : ""}, ${Math.round(repo.budgetBytes / 2 ** 20)} MiB of free ${repo.memory} budgeted), http://${args.host}:${port}`);
  announce({
    event: "ready",
    port,
    host: args.host,
    pid: process.pid,
    model: id,
    contextSize,
    architecture,
    fim,
    hybrid,
    contexts: engine.contextSizes(),
    repoKvType: repo.kvType,
    repoFlashAttention: repo.flashAttention,
    onGpu: repo.memory === "vram",
    ...(args.stateDir ? { stateDir: args.stateDir } : {}),
    warnings: warnings.map((warning) => warning.message),
    ...(completionModel ? { completionModel: completionModel.id, completionFim: completionModel.fim } : {}),
    // CPU, memory, disk and OS as the model plan sees them; GPUs are probed by the plan, not here (other GPU binaries must not load beside the engine's).
    hardware: describeProbe(await probeHardware({ storageDir: args.stateDir })),
    ...(process.env.HEARTH_SERVER_TOKEN ? {} : { token }),
  });
}

async function download(argv: readonly string[]): Promise<void> {
  const option = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const uri = option("model");
  const dir = option("dir");
  if (!uri || !dir) throw new StartupError("usage", "Usage: node dist/server.mjs download --model <hf:user/repo:quant|url> --dir <folder> [--endpoint <url>]");
  const controller = new AbortController();
  process.on("SIGTERM", () => controller.abort(new Error("cancelled")));
  process.on("SIGINT", () => controller.abort(new Error("cancelled")));
  try {
    const path = await downloadModel({ uri, dir, endpoint: option("endpoint") }, announce, controller.signal);
    announce({ event: "done", path });
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError("download_failed", `Could not download ${uri}: ${errorMessage(error)}. Check the hearth.model URI and your connection; the next try resumes.`, { cause: error });
  }
}

async function measureCommand(argv: readonly string[]): Promise<void> {
  // The GPU probe must see the GPU binaries Hearth downloaded, as the engine would.
  if (useDownloadedGpuPackages()) log.info(`GPU binary packages are looked up in ${process.env.HEARTH_GPU_PACKAGES_DIR}`);
  await measure(argv, announce, log);
}

const subcommand = process.argv[2];
const command = subcommand === "download" ? download(process.argv.slice(3)) : subcommand === "measure" ? measureCommand(process.argv.slice(3)) : main();
command.then(
  () => {
    // One-shot commands end here, whatever native handles the engine left open.
    if (subcommand === "download" || subcommand === "measure") process.exit(0);
  },
  (error: unknown) => {
  const startup = error instanceof StartupError ? error : new StartupError("load_failed", errorMessage(error), { cause: error });
  announce({ event: "error", code: startup.code, permanent: startup.permanent, message: startup.message });
  log.warn(error instanceof Error && error.stack ? error.stack : String(error));
  process.exit(startup.permanent ? 2 : 1);
  },
);
