// The downloads Hearth needs, as people see them: every file (a model per role, the GPU
// package) in one queue behind ONE cancellable progress notification, a row per file in the
// Hearth view, and a clear word when it cannot go on (no room on the disk, offline). The work
// is in src/core/models; this file queues, shows and reports.
import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { recognizeModel } from "../../core/hardware/knownModels.js";
import { downloadAndInstall, fetchPackageInfo, gpuPackagesRoot, isInstalled, type GpuPackageInfo } from "../../core/gpu/gpuPackages.js";
import { readNpmSettings, type NpmSettings } from "../../core/gpu/npmConfig.js";
import type { Logger } from "../../core/logger.js";
import { DiskSpaceError, formatGigabytes } from "../../core/models/diskSpace.js";
import { DownloadQueue, type DownloadItem, type DownloadJob, type QueueOutcome } from "../../core/models/downloadQueue.js";
import { modelDownloadJob } from "../../core/models/modelDownloadJob.js";
import { readModelIndex, rememberModel } from "../../core/models/modelIndex.js";
import { looksOffline, OfflineError } from "../../core/models/offline.js";
import { wantedPackages } from "../commands/gpuCommands.js";
import { isRemote } from "../modelResolver.js";

export interface DownloadCenterDeps {
  readonly modelsDir: string;
  readonly stateDir: string;
  readonly serverScript: string;
  readonly extensionPath: string;
  readonly log: Logger;
  /** hearth.server.gpu: "cpu" wants no GPU package. */
  readonly gpuSetting: () => "auto" | "cpu";
  /** (Re)starts the model service, which waits for queued models and then starts the server. */
  readonly startModels: () => void;
  readonly queue?: DownloadQueue;
}

/** "Qwen3.5 9B Q4_K_M" for a model of the table, "Tiny-GGUF F32" for another `hf:` repository, else the URI's last part. */
export function modelLabel(uri: string): string {
  const known = recognizeModel(uri);
  if (known) return `Qwen3.5 ${known.model.label} ${known.quant.quant}`;
  const repo = /^(?:hf|huggingface):[^/]+\/([^/:]+):([\w.-]+)$/i.exec(uri);
  if (repo) return `${repo[1]} ${repo[2]}`;
  return uri.split(/[/:]/).filter(Boolean).pop() ?? uri;
}

/** The size the table gives a model, if it knows it. */
export function modelBytes(uri: string): number | undefined {
  return recognizeModel(uri)?.quant.fileBytes;
}

export class DownloadCenter implements vscode.Disposable {
  readonly queue: DownloadQueue;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: { dispose(): void };
  private showing: Promise<QueueOutcome> | undefined;

  constructor(private readonly deps: DownloadCenterDeps) {
    this.queue = deps.queue ?? new DownloadQueue();
    let busy = false;
    this.subscription = this.queue.onDidChange(() => {
      this.emitter.fire();
      // package.json shows Cancel Downloads in the palette only while something downloads.
      if (busy !== this.queue.busy) void vscode.commands.executeCommand("setContext", "hearth.downloads.busy", (busy = this.queue.busy));
    });
  }

  get items(): readonly DownloadItem[] {
    return this.queue.items;
  }

  get busy(): boolean {
    return this.queue.busy;
  }

  isQueued(uri: string): boolean {
    const state = this.queue.item(uri)?.state;
    return state === "queued" || state === "downloading";
  }

  /** The models among `uris` that are neither a local path nor downloaded already. */
  async missingModels(uris: readonly string[]): Promise<string[]> {
    const index = await readModelIndex(this.deps.modelsDir);
    return [...new Set(uris)].filter((uri) => uri !== "" && isRemote(uri) && !(index[uri] !== undefined && existsSync(index[uri])));
  }

  /**
   * Queues the models among `uris` that are not on disk and, unless `gpu` is false, the GPU
   * package this machine's driver calls for; then runs the queue behind one notification
   * (files queued while it runs join it). Undefined when there was nothing to download.
   */
  async download(uris: readonly string[], options: { gpu?: boolean } = {}): Promise<QueueOutcome | undefined> {
    const models = await this.missingModels(uris);
    for (const uri of models) this.queue.add(this.modelJob(uri));
    if (options.gpu !== false && this.deps.gpuSetting() !== "cpu") for (const job of await this.gpuJobs()) this.queue.add(job);
    const waiting = this.queue.items.filter((item) => item.state !== "done");
    if (waiting.length === 0) return undefined;
    // The model service waits for the queued models, then starts the server on them.
    if (models.length > 0) this.deps.startModels();
    return this.run();
  }

  /** Runs what is queued (resumes after a cancel or a failure), behind the one notification. */
  run(): Promise<QueueOutcome> {
    if (this.showing) return this.showing;
    const shown = Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: downloading"), cancellable: true }, async (progress, token) => {
        const cancel = token.onCancellationRequested(() => this.queue.cancel());
        let reported = 0;
        const show = (items: readonly DownloadItem[]): void => {
          const { percent, message } = describeQueue(items);
          progress.report({ increment: Math.max(0, percent - reported), message });
          reported = Math.max(reported, percent);
        };
        show(this.queue.items);
        const listener = this.queue.onDidChange(show);
        try {
          return await this.queue.start();
        } finally {
          cancel.dispose();
          listener.dispose();
        }
      }),
    );
    this.showing = shown.finally(() => (this.showing = undefined));
    void this.showing.then((outcome) => this.report(outcome));
    return this.showing;
  }

  cancel(): void {
    this.queue.cancel();
  }

  /** The path once `uri`'s queued download is done, with its progress; undefined when it is not queued. */
  whenDownloaded(uri: string, onProgress?: (percent: number, detail: string) => void): Promise<string> | undefined {
    const pending = this.queue.whenDone(uri);
    if (!pending || !onProgress) return pending;
    const listener = this.queue.onDidChange(() => {
      const item = this.queue.item(uri);
      if (item?.state === "downloading" && item.totalBytes) onProgress((100 * item.receivedBytes) / item.totalBytes, describeItem(item));
    });
    void pending.then(
      () => listener.dispose(),
      () => listener.dispose(),
    );
    return pending;
  }

  dispose(): void {
    this.queue.cancel();
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private modelJob(uri: string): DownloadJob {
    const expected = modelBytes(uri);
    const job = modelDownloadJob({ uri, label: modelLabel(uri), dir: this.deps.modelsDir, serverScript: this.deps.serverScript, nodePath: process.execPath, log: this.deps.log, ...(expected !== undefined ? { expectedBytes: expected } : {}) });
    return {
      ...job,
      run: async (signal, report) => {
        const path = await job.run(signal, report);
        await rememberModel(this.deps.modelsDir, uri, path);
        this.deps.log.info(`downloaded ${uri} to ${path}`);
        return path;
      },
    };
  }

  /** The GPU package as queue jobs, when this machine's driver calls for one not installed yet. */
  private async gpuJobs(): Promise<DownloadJob[]> {
    try {
      const wanted = await wantedPackages({ extensionPath: this.deps.extensionPath });
      if (!wanted) return [];
      const root = gpuPackagesRoot(this.deps.stateDir);
      const missing = [];
      for (const spec of wanted.specs) if (!(await isInstalled(root, spec))) missing.push(spec);
      if (missing.length === 0) return [];
      const settings = await readNpmSettings();
      const jobs: DownloadJob[] = [];
      for (const spec of missing) jobs.push(gpuJob(await fetchPackageInfo(spec, settings), settings, root));
      return jobs;
    } catch (error) {
      // The models matter more: they download, and the GPU package is offered again later.
      this.deps.log.warn(`GPU package not queued: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
  }

  private async report(outcome: QueueOutcome): Promise<void> {
    const items = outcome.items;
    if (outcome.outcome === "done") {
      const done = items.filter((item) => item.state === "done");
      this.deps.log.info(`downloads done: ${done.map((item) => item.label).join(", ")}`);
      // A GPU package takes effect when the server starts again; models are picked up by the waiting start.
      if (done.some((item) => item.kind === "gpu")) this.deps.startModels();
      return;
    }
    if (outcome.outcome === "cancelled") {
      const resume = vscode.l10n.t("Resume");
      const choice = await vscode.window.showInformationMessage(vscode.l10n.t("Hearth paused its downloads. They resume where they stopped."), resume);
      if (choice === resume) void this.run();
      return;
    }
    const error = outcome.error;
    this.deps.log.error(`downloads stopped: ${error instanceof Error ? error.message : String(error)}`);
    const choose = vscode.l10n.t("Choose Model…");
    const again = vscode.l10n.t("Try Again");
    let choice: string | undefined;
    if (error instanceof DiskSpaceError) {
      choice = await vscode.window.showErrorMessage(vscode.l10n.t("Not enough disk space in {0}: Hearth's downloads need {1} and {2} are free. Free some space there, or choose a model file you already have.", error.folder, formatGigabytes(error.neededBytes), formatGigabytes(error.freeBytes)), choose, again);
    } else if (error instanceof OfflineError || looksOffline(error)) {
      const host = error instanceof OfflineError ? error.host : undefined;
      choice = await vscode.window.showWarningMessage(vscode.l10n.t("Hearth could not reach {0}: this machine seems to be offline. Choose a model file you already have, or try again when online.", host ?? vscode.l10n.t("the download server")), choose, again);
    } else {
      const failed = items.find((item) => item.state === "failed");
      choice = await vscode.window.showErrorMessage(vscode.l10n.t("Hearth could not download {0}: {1}", failed?.label ?? vscode.l10n.t("a file"), error instanceof Error ? error.message : String(error)), again, choose);
    }
    if (choice === choose) await vscode.commands.executeCommand("hearth.chooseModel");
    if (choice === again) void this.run();
  }
}

function gpuJob(info: GpuPackageInfo, settings: NpmSettings, root: string): DownloadJob {
  return {
    id: info.name,
    label: info.name.split("/").pop() ?? info.name,
    kind: "gpu",
    folder: root,
    ...(info.unpackedSize !== undefined ? { expectedBytes: info.unpackedSize } : {}),
    run: (signal, report) =>
      downloadAndInstall(info, {
        root,
        settings,
        signal,
        onProgress: (event) => {
          if (event.phase === "download") report({ receivedBytes: event.receivedBytes, ...(event.totalBytes !== undefined ? { totalBytes: event.totalBytes } : {}) });
        },
      }),
  };
}

/** "45% · 2.50 / 5.63 GB · 12.3 MB/s" (MB for files under a gigabyte). */
export function describeItem(item: DownloadItem): string {
  if (item.waitingForOtherWindow === true) return `waiting for another window's download of ${item.label}`;
  if (item.verifying === true) return "verifying…";
  const [unit, scale, digits] = (item.totalBytes ?? item.receivedBytes) >= 1e9 ? ["GB", 1e9, 2] : ["MB", 1e6, 1];
  const size = (bytes: number): string => (bytes / scale).toFixed(digits);
  const percent = item.totalBytes ? `${Math.floor((100 * item.receivedBytes) / item.totalBytes)}%` : "";
  const amount = item.totalBytes ? `${size(item.receivedBytes)} / ${size(item.totalBytes)} ${unit}` : `${size(item.receivedBytes)} ${unit}`;
  const speed = item.bytesPerSecond ? `${(item.bytesPerSecond / 1e6).toFixed(1)} MB/s` : "";
  return [percent, amount, speed].filter(Boolean).join(" · ");
}

/** The whole queue in one line and one percentage (by bytes, over the files of known size). */
export function describeQueue(items: readonly DownloadItem[]): { percent: number; message: string } {
  const total = items.reduce((sum, item) => sum + (item.totalBytes ?? 0), 0);
  const received = items.reduce((sum, item) => sum + (item.state === "done" ? (item.totalBytes ?? item.receivedBytes) : item.receivedBytes), 0);
  const percent = total > 0 ? Math.min(100, (100 * received) / total) : 0;
  const current = items.find((item) => item.state === "downloading") ?? items.find((item) => item.state === "queued");
  if (!current) return { percent, message: "" };
  const position = items.length > 1 ? ` (${items.indexOf(current) + 1}/${items.length})` : "";
  // The waiting text names the file itself.
  if (current.waitingForOtherWindow === true) return { percent, message: `${describeItem(current)}${position}` };
  return { percent, message: `${current.label}${position}: ${describeItem(current)}` };
}
