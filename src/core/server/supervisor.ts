import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Logger } from "../logger.js";
import type { ServerErrorEvent, ServerReadyEvent } from "./serverEvents.js";
import { ServerLock, processAlive, serverKey, type ServerLockRecord } from "./serverLock.js";

export interface ServerEndpoint {
  /** OpenAI-style base URL, ending in `/v1`. */
  baseUrl: string;
  token: string;
}

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
  log: Logger;
  readyTimeoutMs?: number;
  leaseIntervalMs?: number;
  backoff?: { initialMs: number; maxMs: number; maxAttempts: number };
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

const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|EPIPE|fetch failed|socket hang up|other side closed/i;

/**
 * Starts, shares, watches and restarts the model server. One supervisor per window; all
 * windows that want the same model share one server process through a lock file, and
 * each keeps a lease on it so the server leaves once the last window has gone.
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
   * was killed) it brings a server back and tries once more.
   */
  async withServer<T>(request: (endpoint: ServerEndpoint) => Promise<T>): Promise<T> {
    const endpoint = await this.endpoint();
    try {
      return await request(endpoint);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      this.options.log.warn(`model server unreachable (${describe(error)}); starting it again`);
      this.markLost("the server stopped answering");
      return request(await this.endpoint());
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
    if (pid !== undefined && processAlive(pid)) {
      const exited = child ? new Promise<void>((resolve) => child.once("exit", () => resolve())) : waitForExit(pid);
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exited, delay(5000)]);
      if (processAlive(pid)) process.kill(pid, "SIGKILL");
    }
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
    if (state.kind === "ready") {
      await fetch(`${state.endpoint.baseUrl.replace(/\/v1$/, "")}/hearth/lease?client=${encodeURIComponent(this.options.clientId)}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${state.endpoint.token}` },
        signal: AbortSignal.timeout(2000),
      }).catch(() => undefined);
    }
  }

  private setState(state: ServerState): void {
    this.current = state;
    for (const listener of [...this.listeners]) listener(state);
  }

  private async startOnce(): Promise<ServerEndpoint> {
    try {
      const attached = await this.attachToRunning();
      if (attached) return attached;
      for (let waited = 0; ; waited++) {
        const release = await this.lock.claimSpawn(this.options.readyTimeoutMs ?? 15 * 60_000);
        if (release) {
          try {
            // Another window may have finished spawning while we waited for the claim.
            return (await this.attachToRunning()) ?? (await this.spawnServer());
          } finally {
            await release();
          }
        }
        this.setState({ kind: "starting", detail: "waiting for another window to start the server" });
        await delay(Math.min(250 * 2 ** waited, 2000));
        const other = await this.attachToRunning();
        if (other) return other;
      }
    } catch (error) {
      const failure = error instanceof ServerStartError ? error : new ServerStartError("start_failed", describe(error), false);
      this.setState({ kind: "error", code: failure.code, message: failure.message, permanent: failure.permanent });
      if (!failure.permanent) this.scheduleRestart(failure.message);
      throw failure;
    }
  }

  private async attachToRunning(): Promise<ServerEndpoint | undefined> {
    const record = await this.lock.read();
    if (!record || record.modelPath !== this.options.modelPath || (record.completionModelPath ?? "") !== (this.options.completionModelPath ?? "") || !processAlive(record.pid)) return undefined;
    const endpoint = endpointOf(record);
    const healthy = await checkHealth(endpoint);
    if (!healthy) return undefined;
    this.options.log.info(`using the model server another window started (pid ${record.pid}, port ${record.port})`);
    this.becomeReady(endpoint, { model: record.model, contextSize: record.contextSize, ...(record.contexts !== undefined ? { contexts: record.contexts } : {}), pid: record.pid, shared: true });
    return endpoint;
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
    ];
    options.log.info(`starting model server: ${options.modelPath} (context ${options.contextSize}, gpu ${options.gpu})`);
    const child = spawn(options.nodePath, args, {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1", HEARTH_SERVER_TOKEN: token },
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
    this.becomeReady(endpoint, { model: first.model, contextSize: first.contextSize, ...(first.contexts !== undefined ? { contexts: first.contexts } : {}), architecture: first.architecture, fim: first.fim, pid: first.pid, shared: false, warnings: first.warnings });
    return endpoint;
  }

  private becomeReady(endpoint: ServerEndpoint, info: ServerInfo): void {
    this.stopWatching();
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
      const response = await fetch(`${endpoint.baseUrl.replace(/\/v1$/, "")}/hearth/lease`, {
        method: "POST",
        headers: { authorization: `Bearer ${endpoint.token}`, "content-type": "application/json" },
        body: JSON.stringify({ client: this.options.clientId, ttl_seconds: Math.max(5, ttlSeconds), ...(this.options.repoRoots ? { roots: this.options.repoRoots() } : {}) }),
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) throw new Error(`lease refused with HTTP ${response.status}`);
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
  return { baseUrl: `http://${host}:${record.port}/v1`, token: record.token };
}

async function checkHealth(endpoint: ServerEndpoint): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint.baseUrl.replace(/\/v1$/, "")}/health`, {
      headers: { authorization: `Bearer ${endpoint.token}` },
      signal: AbortSignal.timeout(3000),
    });
    return response.ok;
  } catch {
    return false;
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

async function waitForExit(pid: number): Promise<void> {
  while (processAlive(pid)) await delay(50);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isConnectionError(error: unknown): boolean {
  const text = `${describe(error)} ${describe((error as { cause?: unknown })?.cause)}`;
  return CONNECTION_ERRORS.test(text) || (error as { name?: string })?.name === "APIConnectionError";
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.message}${(error as NodeJS.ErrnoException).code ? ` (${(error as NodeJS.ErrnoException).code})` : ""}`;
  return String(error ?? "");
}
