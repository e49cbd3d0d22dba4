// The files Hearth downloads before it can run (a model per role, the GPU package), one after
// another in the order they were queued, with one cancel for all of them and a state per file
// that the editor shows (one progress notification, a row per file in the Hearth view).
// The free disk space is checked for the whole queue before the first byte comes, per folder.
// A cancelled or failed queue keeps its files; start() again resumes where each one stopped
// (each job resumes its own partial file).
import { checkDiskSpace, type StatFs } from "./diskSpace.js";

export type DownloadKind = "model" | "gpu";

export interface DownloadProgressEvent {
  readonly receivedBytes: number;
  readonly totalBytes?: number;
  readonly bytesPerSecond?: number;
  /** Another window is downloading this file; the job waits for it (and then uses its file). */
  readonly waitingForOtherWindow?: boolean;
  /** The file is downloaded and being checked against its published digest. */
  readonly verifying?: boolean;
}

export interface DownloadJob {
  /** One per file: a model URI, a package name. Queuing the same id twice queues it once. */
  readonly id: string;
  readonly label: string;
  readonly kind: DownloadKind;
  /** Where the file goes: the disk of this folder is checked before the queue starts. */
  readonly folder: string;
  /** The size as known before starting (the plan's table, the registry); the job's own reports replace it. */
  readonly expectedBytes?: number;
  /** Downloads, resuming a partial file; resolves with what the file became (a path). Rejects on abort. */
  run(signal: AbortSignal, report: (progress: DownloadProgressEvent) => void): Promise<string>;
}

export type DownloadItemState = "queued" | "downloading" | "done" | "cancelled" | "failed";

export interface DownloadItem {
  readonly id: string;
  readonly label: string;
  readonly kind: DownloadKind;
  readonly state: DownloadItemState;
  readonly receivedBytes: number;
  readonly totalBytes?: number;
  readonly bytesPerSecond?: number;
  /** Set while the job waits for another window's download of the same file. */
  readonly waitingForOtherWindow?: boolean;
  /** Set while the downloaded file is checked against its published digest. */
  readonly verifying?: boolean;
  /** The job's result once done. */
  readonly result?: string;
  /** Why it failed (or why the queue did not start). */
  readonly error?: string;
}

export interface QueueOutcome {
  readonly outcome: "done" | "cancelled" | "failed";
  /** The failure that stopped the queue (a DiskSpaceError before anything started, or a job's). */
  readonly error?: unknown;
  readonly items: readonly DownloadItem[];
}

export interface DownloadQueueOptions {
  readonly statfs?: StatFs;
  readonly marginBytes?: number;
}

interface Entry {
  job: DownloadJob;
  item: DownloadItem;
  waiters: { resolve(path: string): void; reject(error: unknown): void }[];
}

export class DownloadCancelledError extends Error {
  constructor(label: string) {
    super(`The download of ${label} was cancelled; it resumes where it stopped next time.`);
    this.name = "DownloadCancelledError";
  }
}

export class DownloadQueue {
  private readonly entries: Entry[] = [];
  private readonly listeners = new Set<(items: readonly DownloadItem[]) => void>();
  private running: Promise<QueueOutcome> | undefined;
  private controller: AbortController | undefined;
  private cancelRequested = false;

  constructor(private readonly options: DownloadQueueOptions = {}) {}

  get items(): readonly DownloadItem[] {
    return this.entries.map((entry) => entry.item);
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  onDidChange(listener: (items: readonly DownloadItem[]) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Queues a job at the end; false when a job with its id is already waiting or running
   * (a finished one is queued again, to fetch the file anew).
   */
  add(job: DownloadJob): boolean {
    const existing = this.entries.find((entry) => entry.job.id === job.id);
    if (existing && existing.item.state !== "done") return false;
    if (existing) this.entries.splice(this.entries.indexOf(existing), 1);
    this.entries.push({ job, item: { id: job.id, label: job.label, kind: job.kind, state: "queued", receivedBytes: 0, ...(job.expectedBytes !== undefined ? { totalBytes: job.expectedBytes } : {}) }, waiters: [] });
    this.changed();
    return true;
  }

  /** The item with this id, if queued. */
  item(id: string): DownloadItem | undefined {
    return this.entries.find((entry) => entry.job.id === id)?.item;
  }

  /**
   * Resolves with the job's result once that file is downloaded; rejects when the queue stops
   * before it (cancelled: DownloadCancelledError; failed: the failure). Undefined when no job
   * with this id is queued.
   */
  whenDone(id: string): Promise<string> | undefined {
    const entry = this.entries.find((candidate) => candidate.job.id === id);
    if (!entry) return undefined;
    if (entry.item.state === "done" && entry.item.result !== undefined) return Promise.resolve(entry.item.result);
    if (entry.item.state !== "queued" && entry.item.state !== "downloading") return undefined;
    return new Promise((resolve, reject) => entry.waiters.push({ resolve, reject }));
  }

  /**
   * Runs every file not yet done, in order (jobs queued meanwhile join at the end); the
   * running call is returned when there is one. Checks the disk first.
   */
  start(): Promise<QueueOutcome> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      this.controller = undefined;
    });
    return this.running;
  }

  /** Stops the file being downloaded (its partial file stays) and the files after it. */
  cancel(): void {
    if (!this.running) return;
    this.cancelRequested = true;
    this.controller?.abort(new Error("cancelled"));
  }

  /** Forgets the files that are done. */
  clearFinished(): void {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.item.state === "done") this.entries.splice(i, 1);
    this.changed();
  }

  private async run(): Promise<QueueOutcome> {
    this.cancelRequested = false;
    for (const entry of this.entries) if (entry.item.state !== "done") this.update(entry, { state: "queued", error: undefined });
    try {
      await this.checkDisk();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      for (const entry of this.pending()) this.update(entry, { state: "failed", error: message });
      return this.finish("failed", error);
    }
    for (let entry = this.pending()[0]; entry !== undefined; entry = this.pending()[0]) {
      if (this.cancelRequested) return this.finish("cancelled");
      const controller = new AbortController();
      this.controller = controller;
      this.update(entry, { state: "downloading" });
      try {
        const current = entry;
        const result = await entry.job.run(controller.signal, (progress) => {
          if (current.item.state === "downloading") this.update(current, { receivedBytes: progress.receivedBytes, ...(progress.totalBytes !== undefined ? { totalBytes: progress.totalBytes } : {}), bytesPerSecond: progress.bytesPerSecond, waitingForOtherWindow: progress.waitingForOtherWindow === true ? true : undefined, verifying: progress.verifying === true ? true : undefined });
        });
        if (controller.signal.aborted) throw controller.signal.reason;
        this.update(entry, { state: "done", result, ...(entry.item.totalBytes !== undefined ? { receivedBytes: entry.item.totalBytes } : {}), bytesPerSecond: undefined, waitingForOtherWindow: undefined, verifying: undefined });
        for (const waiter of entry.waiters.splice(0)) waiter.resolve(result);
      } catch (error) {
        if (controller.signal.aborted || this.cancelRequested) {
          this.update(entry, { state: "cancelled", bytesPerSecond: undefined, waitingForOtherWindow: undefined, verifying: undefined });
          return this.finish("cancelled");
        }
        this.update(entry, { state: "failed", error: error instanceof Error ? error.message : String(error), bytesPerSecond: undefined, waitingForOtherWindow: undefined, verifying: undefined });
        return this.finish("failed", error);
      }
    }
    return this.finish("done");
  }

  /** Per folder, the bytes still to come of every file not done. */
  private async checkDisk(): Promise<void> {
    const needed = new Map<string, number>();
    for (const entry of this.pending()) {
      const remaining = Math.max(0, (entry.item.totalBytes ?? 0) - entry.item.receivedBytes);
      needed.set(entry.job.folder, (needed.get(entry.job.folder) ?? 0) + remaining);
    }
    for (const [folder, bytes] of needed) await checkDiskSpace(folder, bytes, { statfs: this.options.statfs, marginBytes: this.options.marginBytes });
  }

  private pending(): Entry[] {
    return this.entries.filter((entry) => entry.item.state === "queued" || entry.item.state === "downloading");
  }

  private finish(outcome: QueueOutcome["outcome"], error?: unknown): QueueOutcome {
    for (const entry of this.entries) {
      if (entry.item.state === "done" || entry.waiters.length === 0) continue;
      const reason = outcome === "cancelled" ? new DownloadCancelledError(entry.item.label) : (error ?? new Error(entry.item.error ?? "the download stopped"));
      for (const waiter of entry.waiters.splice(0)) waiter.reject(reason);
    }
    return { outcome, ...(error !== undefined ? { error } : {}), items: this.items };
  }

  private update(entry: Entry, change: { [K in keyof DownloadItem]?: DownloadItem[K] | undefined }): void {
    const next: Record<string, unknown> = { ...entry.item, ...change };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    entry.item = next as unknown as DownloadItem;
    this.changed();
  }

  private changed(): void {
    const items = this.items;
    for (const listener of [...this.listeners]) listener(items);
  }
}
