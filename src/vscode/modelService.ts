import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { gpuPackagesRoot } from "../core/gpu/gpuPackages.js";
import type { Logger } from "../core/logger.js";
import { ServerSupervisor, type ServerEndpoint, type ServerState } from "../core/server/supervisor.js";
import { HearthServerClient, HearthServerError } from "../core/wire/serverClient.js";
import { serverSettingsChanged, type Config, type LoraAdapterSetting } from "./config.js";
import { ModelUnavailableError, type ModelResolver } from "./modelResolver.js";

export const EXTERNAL_API_KEY_SECRET = "hearth.server.apiKey";

export type ModelServiceState =
  | ServerState
  | { kind: "resolving"; detail: string }
  | { kind: "downloading"; percent: number; detail: string }
  | { kind: "external"; endpoint: ServerEndpoint; url: string; model?: string; reachable: boolean; message?: string };

/**
 * Where model requests go: a server Hearth supervises, or the user's own
 * OpenAI-compatible endpoint (`hearth.server.url`), in which case nothing is spawned.
 * Settings changes take effect at once, without a reload.
 */
export class ModelService implements vscode.Disposable {
  private supervisor?: ServerSupervisor;
  private supervisorSubscription?: { dispose(): void };
  private current: ModelServiceState = { kind: "stopped" };
  private readonly emitter = new vscode.EventEmitter<ModelServiceState>();
  readonly onDidChangeState = this.emitter.event;
  private readonly clientId = `window-${randomUUID()}`;
  private readonly disposables: vscode.Disposable[] = [];
  private generation = 0;

  constructor(
    private readonly config: Config,
    private readonly resolver: ModelResolver,
    private readonly secrets: vscode.SecretStorage,
    private readonly options: { serverScript: string; stateDir: string; log: Logger },
  ) {
    this.disposables.push(
      config.onDidChange(({ previous, current }) => {
        if (serverSettingsChanged(previous, current)) {
          options.log.info("server settings changed; applying them");
          void this.start();
        }
      }),
      secrets.onDidChange((event) => {
        if (event.key === EXTERNAL_API_KEY_SECRET && this.config.value.serverUrl) void this.start();
      }),
    );
  }

  get state(): ModelServiceState {
    return this.current;
  }

  /** (Re)starts according to the current settings; never throws, the state tells. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    await this.detachSupervisor();
    const config = this.config.value;
    if (config.serverUrl) {
      await this.useExternal(config.serverUrl, generation);
      return;
    }
    this.setState({ kind: "resolving", detail: "finding the model" });
    let modelPath: string;
    let completionModelPath: string | undefined;
    try {
      const onDownload = (percent: number, detail: string): void => {
        if (generation === this.generation) this.setState({ kind: "downloading", percent, detail });
      };
      modelPath = await this.resolver.resolve(config.model, onDownload);
      completionModelPath = config.completionModel ? await this.resolver.resolve(config.completionModel, onDownload) : undefined;
    } catch (error) {
      if (generation !== this.generation) return;
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.error(message);
      this.setState({ kind: "error", code: error instanceof ModelUnavailableError ? error.code : "model_unavailable", message, permanent: true });
      if (!(error instanceof ModelUnavailableError) || !(error.announced || /cancelled|Choose a model/.test(message))) {
        void this.showError(message);
      }
      return;
    }
    if (generation !== this.generation) return;
    const supervisor = new ServerSupervisor({
      serverScript: this.options.serverScript,
      nodePath: process.execPath,
      modelPath,
      completionModelPath,
      contextSize: config.contextSize,
      gpu: config.gpu,
      stateDir: this.options.stateDir,
      clientId: this.clientId,
      repoRoots: () => (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
      idleExitSeconds: config.idleShutdownSeconds,
      extraArgs: loraServerArgs(config.lora),
      // GPU binary packages downloaded by Hearth: Download GPU Support (the server resolves them there when present).
      env: { HEARTH_GPU_PACKAGES_DIR: gpuPackagesRoot(this.options.stateDir) },
      log: this.options.log,
    });
    this.supervisor = supervisor;
    this.supervisorSubscription = supervisor.onDidChangeState((state) => {
      this.setState(state);
      if (state.kind === "error" && state.permanent) void this.showError(state.message);
      if (state.kind === "ready" && !state.info.shared) {
        for (const warning of state.info.warnings ?? []) void vscode.window.showWarningMessage(`Hearth: ${warning}`);
      }
    });
    await supervisor.endpoint().catch(() => undefined);
  }

  async restart(): Promise<void> {
    if (this.supervisor) {
      const supervisor = this.supervisor;
      await supervisor.restart().catch((error: unknown) => this.options.log.error(error instanceof Error ? error : String(error)));
      if (supervisor.state.kind === "error" && supervisor.state.permanent) await this.start();
      return;
    }
    await this.start();
  }

  /** Runs a request against the current endpoint, bringing a crashed local server back once. */
  async withEndpoint<T>(request: (endpoint: ServerEndpoint) => Promise<T>): Promise<T> {
    if (this.current.kind === "external") return request(this.current.endpoint);
    if (!this.supervisor) throw new Error(this.current.kind === "error" ? this.current.message : "The model server is not running.");
    return this.supervisor.withServer(request);
  }

  /**
   * Hearth's own server's saved repo Q&A states (GET or DELETE /hearth/state). Undefined
   * for an external server, which has none, and for a server that does not offer it.
   */
  async savedRepoState(action: "read" | "clear", signal?: AbortSignal): Promise<{ bytes: number; limitBytes: number; entries: number } | undefined> {
    if (this.current.kind === "external") return undefined;
    return this.withEndpoint(async (endpoint) => {
      const client = new HearthServerClient(endpoint, { timeoutMs: 30_000 });
      try {
        if (action === "read") {
          const listing = await client.state({ signal });
          return { bytes: listing.bytes, limitBytes: listing.limitBytes, entries: listing.entries.length };
        }
        await client.clearState({ signal });
        // Cleared: nothing is left on disk.
        return { bytes: 0, limitBytes: 0, entries: 0 };
      } catch (error) {
        if (!(error instanceof HearthServerError) || error.kind !== "http") throw error;
        if (error.status === 404) return undefined;
        throw new Error(`The model server refused ${action === "clear" ? "to clear" : "to list"} its saved repository state (HTTP ${error.status}). See "Hearth: Show Logs".`, { cause: error });
      }
    });
  }

  dispose(): void {
    this.generation++;
    void this.detachSupervisor();
    for (const disposable of this.disposables) disposable.dispose();
    this.emitter.dispose();
  }

  private async useExternal(url: string, generation: number): Promise<void> {
    const apiKey = (await this.secrets.get(EXTERNAL_API_KEY_SECRET)) ?? "";
    const baseUrl = url;
    const endpoint: ServerEndpoint = { baseUrl, token: apiKey };
    this.setState({ kind: "external", endpoint, url, reachable: false, message: "checking…" });
    try {
      const models = await new HearthServerClient(endpoint).models({ timeoutMs: 5000 });
      if (generation !== this.generation) return;
      this.setState({ kind: "external", endpoint, url, reachable: true, model: models.data[0]?.id });
    } catch (error) {
      if (generation !== this.generation) return;
      const kind = error instanceof HearthServerError ? error.kind : undefined;
      const status = error instanceof HearthServerError ? error.status : undefined;
      if (kind === "http" && (status === 401 || status === 403)) {
        this.setState({ kind: "external", endpoint, url, reachable: false, message: `${url} refused the API key (HTTP ${status}). Run "Hearth: Set API Key for External Server".` });
        return;
      }
      // It answered, with a model list Hearth cannot read: the server is there, its model unnamed.
      if (kind === "malformed") {
        this.setState({ kind: "external", endpoint, url, reachable: true });
        return;
      }
      if (kind === "http") {
        this.setState({ kind: "external", endpoint, url, reachable: false, message: `HTTP ${status}` });
        return;
      }
      const message = `${error instanceof HearthServerError ? error.message : `Cannot reach ${url} (${String(error)}).`} Check hearth.server.url.`;
      this.options.log.warn(message);
      this.setState({ kind: "external", endpoint, url, reachable: false, message });
    }
  }

  private async detachSupervisor(): Promise<void> {
    this.supervisorSubscription?.dispose();
    const supervisor = this.supervisor;
    this.supervisor = undefined;
    await supervisor?.dispose();
  }

  private setState(state: ModelServiceState): void {
    this.current = state;
    this.emitter.fire(state);
  }

  private async showError(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(`Hearth: ${message}`, "Choose Model", "Show Logs");
    if (choice === "Choose Model") await vscode.commands.executeCommand("hearth.chooseModel");
    if (choice === "Show Logs") await vscode.commands.executeCommand("hearth.showLogs");
  }
}

/** hearth.model.lora as the server takes it: `--lora <role>=<path>:<scale>` per adapter and role. */
function loraServerArgs(adapters: readonly LoraAdapterSetting[]): string[] {
  return adapters.flatMap((adapter) => adapter.roles.flatMap((role) => ["--lora", `${role}=${adapter.path}:${adapter.scale}`]));
}
