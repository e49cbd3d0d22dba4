import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "../logger.js";
import { HEARTH_PATHS } from "../wire/hearthProtocol.js";
import { HearthServerClient, HearthServerError, type ServerEndpoint } from "../wire/serverClient.js";
import type { ServerErrorEvent, ServerReadyEvent } from "./serverEvents.js";
import { ServerLock, processAlive, serverKey, type ServerLockRecord } from "./serverLock.js";

export type { ServerEndpoint } from "../wire/serverClient.js";

export interface ServerInfo {
  model: string;
  contextSize: number;
  /** Per role; the repo context may be larger or smaller than the chat's. */
  contexts?: { completion?: number; chat?: number; repo?: number };
  architecture?: string;
  fim?: boolean;
  pid: number;
  /** Another window started this server; this one only uses it. */
  shared: boolean;
  /** Whether the model runs on a GPU (absent when the server did not say). */
  onGpu?: boolean;
  /** What the server could not do as asked (e.g. a smaller context than configured). */
  warnings?: string[];
}

export type ServerState =
  | { kind: "stopped" }
  | { kind: "starting"; detail: string }
  | { kind: "ready"; endpoint: ServerEndpoint; info: ServerInfo }
  | { kind: "restarting"; attempt: number; delayMs: number; reason: string }
  | { kind: "error"; code: string; message: string; permanent: boolean };

export interface SupervisorOptions {
  /** The server bundle, `dist/server.mjs`. */
  serverScript: string;
  /** The Node to run it with; VS Code's own binary works with ELECTRON_RUN_AS_NODE. */
  nodePath: string;
  modelPath: string;
  /** A second model for the completion role, loaded in the same process. */
  completionModelPath?: string;
  contextSize: number | "auto";
  gpu: "auto" | "cpu";
  /** Where lock files and server logs live (the extension's global storage). */
  stateDir: string;
  /** Disk bound of the server's saved repo states (`--state-max-gb`); the server's default is 8. */
  repoStateMaxGb?: number;
  /** Identifies this window's lease on a shared server. */
  clientId: string;
  /** The window's workspace folders, sent with each lease: the server packs `hearth.repo` folders only below registered roots. */
  repoRoots?: () => readonly string[];
  idleExitSeconds: number;
  /** More arguments for the server (hearth.model.lora's `--lora`); part of the key windows share a server under. */
  extraArgs?: readonly string[];
  /** Extra environment for the server (e.g. HEARTH_GPU_PACKAGES_DIR). */
  env?: Record<string, string>;
  log: Logger;
  readyTimeoutMs?: number;
  leaseIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number; maxAttempts: number };
  /** How long a lease renewal or a /health probe may take before it counts as unanswered; default 3 s. */
  healthTimeoutMs?: number;
  /** Unanswered /health probes in a row before a live server is taken for wedged and stopped; default 3. */
  wedgedAfterProbes?: number;
  /** Pause between those probes; default 0.5 s. */
  probeIntervalMs?: number;
  /** How long a server has to leave after SIGTERM before it gets SIGKILL; default 5 s. */
  killGraceMs?: number;
}

export class ServerStartError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "ServerStartError";
  }
}

/** What a look at the lock file found: a server to use, one that does not answer, or none. */
type Found = { kind: "healthy"; endpoint: ServerEndpoint } | { kind: "wedged"; record: ServerLockRecord } | { kind: "none" };

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|EPIPE|fetch failed|socket hang up|other side closed/i;

/**
 * Starts, shares, watches and restarts the model server. One supervisor per window; all
 * windows that want the same model share one server process through a lock file, and
 * each keeps a lease on it so the server leaves once the last window has gone.
 *
 * One server per key, ever: a server that stops answering but stays alive (wedged) is
 * confirmed unresponsive by several /health probes, then stopped by pid (SIGTERM, SIGKILL
 * after a grace) and seen gone before another is spawned, whichever window started it.
 * Only the window holding the spawn claim stops or spawns.
 */
export class ServerSupervisor {
  private current: ServerState = { kind: "stopped" };
  private readonly listeners = new Set<(state: ServerState) => void>();
  private readonly lock: ServerLock;
  private readonly logPath: string;
  private child?: ChildProcess;
  private starting?: Promise<ServerEndpoint>;
  private leaseTimer?: NodeJS.Timeout;
  private restartTimer?: NodeJS.Timeout;
  private crashes = 0;
  /** Aborted when the server this window uses is declared lost, so requests in flight to it end at once. */
  private lost = new AbortController();
  private readySince = 0;
  private disposed = false;
  private readonly backoff: { initialMs: number; maxMs: number; maxAttempts: number };

  constructor(private readonly options: SupervisorOptions) {
    const key = serverKey(options);
    this.lock = new ServerLock(options.stateDir, key);
    this.logPath = join(options.stateDir, `server-${key}.log`);
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000, maxAttempts: 5 };
  }

  get state(): ServerState {
    return this.current;
  }

  onDidChangeState(listener: (state: ServerState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The endpoint of a ready server, starting or attaching to one when needed. */
  async endpoint(): Promise<ServerEndpoint> {
    if (this.disposed) throw new ServerStartError("disposed", "Hearth is shutting down.", true);
    if (this.current.kind === "ready") return this.current.endpoint;
    if (this.current.kind === "error" && this.current.permanent) {
      throw new ServerStartError(this.current.code, this.current.message, true);
    }
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Runs a request against the server; when the connection fails (the server crashed or
   * was killed) or the server is declared lost meanwhile (it stopped answering), it brings
   * a server back and tries once more. `signal` aborts when the server is declared lost:
   * a request that passes it on does not wait on a wedged server.
   */
  async withServer<T>(request: (endpoint: ServerEndpoint, signal: AbortSignal) => Promise<T>): Promise<T> {
    const endpoint = await this.endpoint();
    const lost = this.lost.signal;
    try {
      return await request(endpoint, lost);
    } catch (error) {
      if (!isConnectionError(error) && !lost.aborted) throw error;
      if (!lost.aborted) {
        this.options.log.warn(`model server unreachable (${describe(error)}); starting it again`);
        this.markLost("the server stopped answering");
      }
      const next = await this.endpoint();
      return request(next, this.lost.signal);
    }
  }

  /** Stops the server this configuration uses (whichever window started it) and starts a new one. */
  async restart(): Promise<ServerEndpoint> {
    await this.stopServer();
    this.crashes = 0;
    return this.endpoint();
  }

  /** Stops the server for good: used by "restart" and by tests. Other windows will notice and start their own. */
  async stopServer(): Promise<void> {
    const record = await this.lock.read();
    const pid = this.child?.pid ?? (this.current.kind === "ready" ? this.current.info.pid : record?.pid);
    this.stopWatching();
    const child = this.child;
    this.child = undefined;
    if (pid !== undefined && serverAlive(pid)) await stopProcess(pid, child?.pid === pid ? child : undefined, this.options.killGraceMs ?? 5000);
    await this.lock.remove(pid);
    this.setState({ kind: "stopped" });
  }

  /** The window is going away: give up the lease, leave the server to other windows. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const state = this.current;
    this.stopWatching();
    this.listeners.clear();
    if (state.kind === "ready") await new HearthServerClient(state.endpoint).release(this.options.clientId, { timeoutMs: 2000 }).catch(() => undefined);
  }

  private setState(state: ServerState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  private async startOnce(): Promise<ServerEndpoint> {
    try {
      let found = await this.findRunning();
      if (found.kind === "healthy") return found.endpoint;
      for (let waited = 0; ; waited++) {
        const release = await this.lock.claimSpawn(this.options.readyTimeoutMs ?? 15 * 60_000);
        if (release) {
          try {
            return await this.replaceServer(found);
          } finally {
            await release();
          }
        }
        this.setState({ kind: "starting", detail: "waiting for another window to start the server" });
        await delay(Math.min(250 * 2 ** waited, 2000));
        found = await this.findRunning();
        if (found.kind === "healthy") return found.endpoint;
      }
    } catch (error) {
      const failure = error instanceof ServerStartError ? error : new ServerStartError("start_failed", describe(error), false);
      this.setState({ kind: "error", code: failure.code, message: failure.message, permanent: failure.permanent });
      if (!failure.permanent) this.scheduleRestart(failure.message);
      throw failure;
    }
  }

  /**
   * Holding the spawn claim: use the server in the lock if it answers (another window may
   * have finished spawning while we waited), stop it if it is alive but does not answer,
   * stop this window's own earlier server if it is still around, and only then spawn.
   */
  private async replaceServer(before: Found): Promise<ServerEndpoint> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const record = await this.lock.read();
      // Probed already and the lock still names the same process: no need to probe again.
      const found = before.kind === "wedged" && record && sameRecord(record, before.record) && serverAlive(record.pid) ? before : await this.findRunning();
      before = { kind: "none" };
      if (found.kind === "healthy") return found.endpoint;
      if (found.kind === "wedged" && !(await this.retire(found.record))) continue;
      const child = this.child;
      if (child?.pid !== undefined && serverAlive(child.pid)) {
        this.child = undefined;
        this.options.log.warn(`stopping this window's earlier model server (pid ${child.pid}) before starting another`);
        await this.stopOrFail(child.pid, child);
      }
      return await this.spawnServer();
    }
    throw new ServerStartError("lock_contended", "Another window keeps replacing the model server. Close the other VS Code windows, then run \"Hearth: Restart Model Server\".", false);
  }

  /** The server named in the lock file, probed: one answer is enough, several silences in a row make it wedged. */
  private async findRunning(): Promise<Found> {
    const record = await this.lock.read();
    if (!record || record.modelPath !== this.options.modelPath || (record.completionModelPath ?? "") !== (this.options.completionModelPath ?? "") || !serverAlive(record.pid)) return { kind: "none" };
    const endpoint = endpointOf(record);
    const probes = Math.max(1, this.options.wedgedAfterProbes ?? 3);
    const timeoutMs = this.options.healthTimeoutMs ?? 3000;
    for (let probe = 0; probe < probes; probe++) {
      if (probe > 0) await delay(this.options.probeIntervalMs ?? 500);
      if (await checkHealth(endpoint, timeoutMs)) {
        const own = this.child?.pid === record.pid;
        if (!own) this.options.log.info(`using the model server another window started (pid ${record.pid}, port ${record.port})`);
        this.becomeReady(endpoint, { model: record.model, contextSize: record.contextSize, ...(record.contexts !== undefined ? { contexts: record.contexts } : {}), pid: record.pid, shared: !own });
        return { kind: "healthy", endpoint };
      }
      if (!serverAlive(record.pid)) return { kind: "none" };
    }
    return { kind: "wedged", record };
  }

  /**
   * Stops a server that is alive but did not answer, after confirming the lock still names
   * that very process (a server another window has just started must not be stopped), then
   * clears the lock. False when the lock changed meanwhile: look again.
   */
  private async retire(record: ServerLockRecord): Promise<boolean> {
    const current = await this.lock.read();
    if (!current || !sameRecord(current, record)) return false;
    if (serverAlive(record.pid) && (await isServerProcess(record.pid, this.options.modelPath))) {
      this.options.log.warn(`model server (pid ${record.pid}) is running but did not answer ${this.options.wedgedAfterProbes ?? 3} health checks in a row; stopping it before starting another`);
      const child = this.child?.pid === record.pid ? this.child : undefined;
      if (child) this.child = undefined;
      await this.stopOrFail(record.pid, child);
    }
    await this.lock.remove(record.pid);
    return true;
  }

  private async stopOrFail(pid: number, child: ChildProcess | undefined): Promise<void> {
    const outcome = await stopProcess(pid, child, this.options.killGraceMs ?? 5000);
    if (outcome === "killed") this.options.log.warn(`model server (pid ${pid}) ignored SIGTERM; stopped it with SIGKILL`);
    if (outcome === "alive") {
      throw new ServerStartError("unstoppable", `The model server (pid ${pid}) stopped answering and could not be stopped, so no second one was started beside it. End process ${pid}, then run "Hearth: Restart Model Server".`, true);
    }
  }

  private async spawnServer(): Promise<ServerEndpoint> {
    const { options } = this;
    const token = randomBytes(24).toString("base64url");
    this.setState({ kind: "starting", detail: "loading the model" });
    await mkdir(options.stateDir, { recursive: true });
    const logFile = await open(this.logPath, "a");
    const args = [
      options.serverScript,
      "--model", options.modelPath,
      "--port", "0",
      "--context-size", String(options.contextSize),
      "--gpu", options.gpu,
      "--idle-exit-seconds", String(options.idleExitSeconds),
      ...(options.completionModelPath ? ["--completion-model", options.completionModelPath] : []),
      // Evaluated repo packs are saved beside the lock files, so a restart does not pay for them again.
      "--state-dir", join(options.stateDir, "repo-state"),
      ...(options.repoStateMaxGb !== undefined ? ["--state-max-gb", String(options.repoStateMaxGb)] : []),
      ...(options.extraArgs ?? []),
    ];
    options.log.info(`starting model server: ${options.modelPath} (context ${options.contextSize}, gpu ${options.gpu})`);
    const child = spawn(options.nodePath, args, {
      env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: "1", HEARTH_SERVER_TOKEN: token },
      // Detached: the server outlives this window while other windows use it.
      detached: true,
      stdio: ["ignore", "pipe", logFile.fd],
    });
    await logFile.close();
    this.child = child;
    const first = await readFirstLine(child, options.readyTimeoutMs ?? 15 * 60_000);
    if (first.event === "error") {
      this.child = undefined;
      options.log.error(`model server failed to start (${first.code}): ${first.message}\n${await this.logTail()}`);
      throw new ServerStartError(first.code, first.message, first.permanent);
    }
    child.unref();
    const record: ServerLockRecord = {
      pid: first.pid,
      host: first.host,
      port: first.port,
      token,
      model: first.model,
      modelPath: options.modelPath,
      ...(options.completionModelPath ? { completionModelPath: options.completionModelPath } : {}),
      contextSize: first.contextSize,
      ...(first.contexts !== undefined ? { contexts: first.contexts } : {}),
      startedAt: Date.now(),
    };
    await this.lock.write(record);
    child.once("exit", (code, signal) => this.onChildExit(child, code, signal));
    const endpoint = endpointOf(record);
    options.log.info(`model server ready: ${first.model} (${first.architecture}), context ${first.contextSize}, port ${first.port}, pid ${first.pid}`);
    for (const warning of first.warnings ?? []) options.log.warn(warning);
    this.becomeReady(endpoint, { model: first.model, contextSize: first.contextSize, ...(first.contexts !== undefined ? { contexts: first.contexts } : {}), architecture: first.architecture, fim: first.fim, pid: first.pid, shared: false, warnings: first.warnings, ...(first.onGpu !== undefined ? { onGpu: first.onGpu } : {}) });
    return endpoint;
  }

  private becomeReady(endpoint: ServerEndpoint, info: ServerInfo): void {
    this.stopWatching();
    if (this.lost.signal.aborted) this.lost = new AbortController();
    this.readySince = Date.now();
    this.setState({ kind: "ready", endpoint, info });
    // A window that closed while its server was loading holds no lease on it.
    if (this.disposed) return;
    void this.renewLease(endpoint);
    const interval = this.options.leaseIntervalMs ?? 20_000;
    this.leaseTimer = setInterval(() => void this.renewLease(endpoint), interval);
    this.leaseTimer.unref();
  }

  /** The lease doubles as a liveness check for servers other windows started. */
  private async renewLease(endpoint: ServerEndpoint): Promise<void> {
    const ttlSeconds = Math.ceil(((this.options.leaseIntervalMs ?? 20_000) * 3) / 1000);
    try {
      await new HearthServerClient(endpoint).lease({ client: this.options.clientId, ttl_seconds: Math.max(5, ttlSeconds), ...(this.options.repoRoots ? { roots: [...this.options.repoRoots()] } : {}) }, { timeoutMs: this.options.healthTimeoutMs ?? 3000 });
    } catch (error) {
      if (this.current.kind === "ready" && this.current.endpoint === endpoint && !this.disposed) {
        this.options.log.warn(`model server lease failed: ${describe(error)}`);
        this.markLost("the server stopped answering");
      }
    }
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || this.disposed) return;
    this.child = undefined;
    void this.lock.remove(child.pid);
    this.options.log.warn(`model server exited (${signal ?? `code ${code}`})`);
    this.markLost(`the server exited (${signal ?? `code ${code}`})`);
  }

  /** The server is gone: forget it and bring one back with backoff. */
  private markLost(reason: string): void {
    if (this.current.kind !== "ready" || this.disposed) return;
    this.lost.abort(new ServerStartError("server_lost", `The model server stopped answering (${reason}); Hearth is starting it again.`, false));
    this.stopWatching();
    this.scheduleRestart(reason);
  }

  private scheduleRestart(reason: string): void {
    if (this.disposed || this.restartTimer) return;
    // A server that ran for a minute is not crash-looping: start counting afresh.
    if (this.readySince > 0 && Date.now() - this.readySince > 60_000) this.crashes = 0;
    this.crashes++;
    if (this.crashes > this.backoff.maxAttempts) {
      const message = `The model server failed ${this.backoff.maxAttempts} times in a row (${reason}). See Hearth's log, then run "Hearth: Restart Model Server".`;
      this.options.log.error(message);
      this.setState({ kind: "error", code: "crash_loop", message, permanent: true });
      return;
    }
    const delayMs = Math.min(this.backoff.initialMs * 2 ** (this.crashes - 1), this.backoff.maxMs);
    this.setState({ kind: "restarting", attempt: this.crashes, delayMs, reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.endpoint().catch(() => undefined);
    }, delayMs);
    this.restartTimer.unref();
  }

  private stopWatching(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.leaseTimer = undefined;
    this.restartTimer = undefined;
  }

  private async logTail(): Promise<string> {
    const text = await readFile(this.logPath, "utf8").catch(() => "");
    return text.split("\n").slice(-20).join("\n");
  }
}

function endpointOf(record: ServerLockRecord): ServerEndpoint {
  const host = record.host.includes(":") ? `[${record.host}]` : record.host;
  return { baseUrl: `http://${host}:${record.port}${HEARTH_PATHS.openAiRoot}`, token: record.token };
}

/** Whether the server answers /health, and says it is well, within `timeoutMs`. */
async function checkHealth(endpoint: ServerEndpoint, timeoutMs: number): Promise<boolean> {
  try {
    await new HearthServerClient(endpoint).health({ timeoutMs });
    return true;
  } catch {
    return false;
  }
}

function sameRecord(a: ServerLockRecord, b: ServerLockRecord): boolean {
  return a.pid === b.pid && a.startedAt === b.startedAt && a.port === b.port;
}

/** Alive and not a zombie (a zombie holds no memory, and only its parent can reap it). */
function serverAlive(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // No /proc (macOS, Windows), or it went away: trust kill(pid, 0).
  }
}

/**
 * Whether `pid` is still a server for this model and not another program that got the pid
 * after it: where /proc exists, its command line names the model. Elsewhere the lock record
 * and the failed probes have to do.
 */
async function isServerProcess(pid: number, modelPath: string): Promise<boolean> {
  const commandLine = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  return commandLine === undefined || commandLine.split("\0").includes(modelPath);
}

/** SIGTERM, SIGKILL after `graceMs`, and waits to see it gone: "alive" if even SIGKILL did not end it. */
async function stopProcess(pid: number, child: ChildProcess | undefined, graceMs: number): Promise<"exited" | "killed" | "alive"> {
  const exited = child && child.exitCode === null && child.signalCode === null ? new Promise<void>((resolve) => child.once("exit", () => resolve())) : undefined;
  const gone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    const polled = (async () => {
      while (serverAlive(pid) && Date.now() < deadline) await delay(25);
    })();
    await Promise.race([exited ?? polled, polled]);
    return !serverAlive(pid);
  };
  if (!signal(pid, "SIGTERM") || (await gone(graceMs))) return "exited";
  if (!signal(pid, "SIGKILL") || (await gone(graceMs))) return "killed";
  return "alive";
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // Gone already (ESRCH); EPERM cannot happen for our own user's server.
  }
}

function readFirstLine(child: ChildProcess, timeoutMs: number): Promise<ServerReadyEvent | ServerErrorEvent> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      finish();
      child.kill("SIGKILL");
      reject(new ServerStartError("ready_timeout", `The model server did not become ready within ${Math.round(timeoutMs / 1000)} s. See Hearth's log.`, false));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish();
      reject(new ServerStartError("exited", `The model server exited before it was ready (${signal ?? `code ${code}`}). See Hearth's log.`, false));
    };
    const onError = (error: Error): void => {
      finish();
      reject(new ServerStartError("spawn_failed", `Could not start the model server: ${error.message}`, true));
    };
    const finish = (): void => {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      lines.close();
    };
    lines.once("line", (line) => {
      finish();
      try {
        resolve(JSON.parse(line) as ServerReadyEvent | ServerErrorEvent);
      } catch {
        reject(new ServerStartError("bad_ready_line", `The model server printed something unexpected: ${line.slice(0, 200)}`, false));
      }
    });
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isConnectionError(error: unknown): boolean {
  const cause = (error as { cause?: unknown })?.cause;
  if ([error, cause].some((e) => e instanceof HearthServerError && e.kind === "unreachable")) return true;
  const text = `${describe(error)} ${describe(cause)}`;
  return CONNECTION_ERRORS.test(text) || (error as { name?: string })?.name === "APIConnectionError";
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.message}${(error as NodeJS.ErrnoException).code ? ` (${(error as NodeJS.ErrnoException).code})` : ""}`;
  return String(error ?? "");
}
