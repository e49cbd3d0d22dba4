// The workspace's neverSend files, found and watched for the neverSend index (src/core/policy/
// neverSendIndex.ts), which the gateway consults for every request that leaves the machine.
//
// Per workspace folder: findFiles with globs drawn from the folder's effective neverSend
// patterns (neverSendGlobs: a net that may take in more), then only the paths the real matcher
// says are neverSend and the index reads (neverSendIndexMatcher: not the files of a
// virtualenv named `.env/`); a file system watcher on the same globs keeps the index current,
// and a change of the folder's patterns (a policy edit, the user's setting) searches again.
// Each search lists at most MAX_LISTED files in the order it walks, so the files matched by
// name in the folder's top two levels (its `.env`) are searched for first, on their own.
// files.exclude does not hide a secret from the search (a `.env` is often excluded from the
// explorer); node_modules and .git are skipped (packages' and git's own files).
//
// Reading the workspace's files on this machine is what the editor does anyway, so Restricted
// Mode changes nothing here, and nothing is run. The scan starts a few seconds after
// activation, where some feature's policy reaches beyond this machine, or at the first request
// that leaves; activation itself does nothing but set the timer.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import {
  combinedGlob,
  neverSendGlobs,
  NeverSendIndex,
  neverSendIndexMatcher,
  NEVER_SEND_INDEX_LIMITS,
  shallowNeverSendGlobs,
  type EffectivePolicy,
  type NeverSendContent,
  type NeverSendIndexStats,
  type NeverSendMatcher,
} from "../../core/policy/index.js";
import type { PolicyChangeEvent } from "./policySnapshot.js";

/** Folders whose files are not the workspace's own secrets, and which hold the most files. */
const SKIPPED_FOLDERS = "**/{node_modules,.git}/**";
/**
 * The most paths one search lists (a folder has two: its top two levels, then all of it): a
 * net wider than the index's 200 files, since the matcher throws back what the globs take in
 * besides (`!.env.example`, look-alikes), and small enough to list quickly.
 */
const MAX_LISTED = 2_000;
/** After activation, before the scan starts on its own (activation stays fast). */
const START_DELAY_MS = 3_000;

/** What this needs of the PolicyService. */
export interface NeverSendPolicySource {
  getEffectivePolicy(uri?: vscode.Uri): EffectivePolicy;
  readonly onDidChange: vscode.Event<PolicyChangeEvent>;
  /** Settles once every folder's policy file has been read. */
  readonly ready: Promise<void>;
}

export interface NeverSendFilesOptions {
  readonly policy: NeverSendPolicySource;
  readonly log: Logger;
  /** Default START_DELAY_MS; tests start at once with 0. */
  readonly startDelayMs?: number;
  /** Default: a new index reading with readRegular. */
  readonly index?: NeverSendIndex;
}

interface FolderPlan {
  /** The patterns the search was made for. */
  readonly signature: string;
  /** The files of the folder the index reads, by those patterns. */
  readonly indexed: NeverSendMatcher;
  /** The watcher and its listeners. */
  readonly watching: readonly vscode.Disposable[];
  /** The search and the index's update for it; the watcher's events are applied after it. */
  readonly done: Promise<void>;
}

export class NeverSendFiles implements vscode.Disposable {
  private readonly index: NeverSendIndex;
  private readonly plans = new Map<string, FolderPlan>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly policy: NeverSendPolicySource;
  private readonly log: Logger;
  private begun: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(options: NeverSendFilesOptions) {
    this.policy = options.policy;
    this.log = options.log;
    this.index = options.index ?? new NeverSendIndex();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.anyRouteLeaves()) void this.begin();
    }, options.startDelayMs ?? START_DELAY_MS);
    this.subscriptions.push(
      this.policy.onDidChange((event) => {
        if (this.begun === undefined) {
          if (this.timer === undefined && this.anyRouteLeaves()) void this.begin();
          return;
        }
        const folders = vscode.workspace.workspaceFolders ?? [];
        const changed = event.folder === undefined ? folders : folders.filter((f) => f.uri.toString() === event.folder?.toString());
        for (const folder of changed) void this.plan(folder).catch(() => undefined);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const folder of event.removed) this.forget(folder);
        if (this.begun !== undefined) for (const folder of event.added) void this.plan(folder).catch(() => undefined);
      }),
    );
  }

  /**
   * The index's values once every folder has been searched and every change reported so far
   * is read. A folder whose search failed is searched again; a second failure throws (the
   * gateway then keeps the request on this machine).
   */
  async content(): Promise<NeverSendContent> {
    await this.begin();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const key = folder.uri.toString();
      try {
        await (this.plans.get(key)?.done ?? this.plan(folder));
      } catch {
        this.drop(key);
        await this.plan(folder);
      }
    }
    await this.index.settled();
    return this.index.content();
  }

  stats(): NeverSendIndexStats {
    return this.index.stats();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const key of [...this.plans.keys()]) this.drop(key);
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  /** The first scan of every folder, once; the folders' policy files are read first (their patterns count). */
  private begin(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.begun ??= (async () => {
      const started = Date.now();
      await this.policy.ready;
      const folders = vscode.workspace.workspaceFolders ?? [];
      const scans = await Promise.allSettled(folders.map((folder) => this.plan(folder)));
      await this.index.settled().catch(() => undefined);
      const failed = scans.filter((s) => s.status === "rejected").length;
      this.log.info(`Hearth neverSend index: ${describeStats(this.index.stats())}, ${folders.length} folder${folders.length === 1 ? "" : "s"} in ${Date.now() - started} ms${failed > 0 ? `; the search failed in ${failed} (requests that leave stay on this machine until it works)` : ""}.`);
    })();
    return this.begun;
  }

  /** Searches the folder again when its patterns changed since the last search. */
  private plan(folder: vscode.WorkspaceFolder): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const key = folder.uri.toString();
    const current = this.plans.get(key);
    const effective = this.policy.getEffectivePolicy(folder.uri);
    // While the folder's policy file is read again, its patterns are the user's alone for a moment: the last search stands until the read ends (which fires a change).
    if (current !== undefined && effective.localOnlyReason === "loading") return current.done;
    const signature = JSON.stringify(effective.neverSend.patterns);
    if (current !== undefined && current.signature === signature) return current.done;
    this.drop(key);

    const patterns = effective.neverSend.patterns;
    const glob = folder.uri.scheme === "file" ? combinedGlob(neverSendGlobs(patterns)) : undefined;
    const indexed = neverSendIndexMatcher(effective.neverSend, { root: folder.uri.fsPath });
    if (glob === undefined) {
      if (folder.uri.scheme !== "file") this.log.warn(`Hearth neverSend index: ${folder.name} is not on this machine's disk (${folder.uri.scheme}:), so its neverSend files are not read.`);
      const done = this.index.setFolder(key, []);
      this.plans.set(key, { signature, indexed, watching: [], done });
      return done;
    }
    const pattern = new vscode.RelativePattern(folder, glob);
    const shallowGlob = combinedGlob(shallowNeverSendGlobs(patterns));
    const shallow = shallowGlob === undefined ? undefined : new vscode.RelativePattern(folder, shallowGlob);
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const watching: vscode.Disposable[] = [watcher];
    const plan: FolderPlan = { signature, indexed, watching, done: Promise.resolve() };
    this.plans.set(key, plan);
    const done = this.search(folder, key, [shallow, pattern], plan);
    this.plans.set(key, { ...plan, done });
    // Reported during the search or after it, applied after it (the index does one thing at a time, in order).
    const after = (apply: () => Promise<void>): void => void done.then(apply, () => undefined).catch((error: unknown) => this.log.warn(`Hearth neverSend index: ${errorText(error)}`));
    const changed = (uri: vscode.Uri): void => {
      if (isCandidate(indexed, uri)) after(() => this.index.changed(key, uri.fsPath));
    };
    watching.push(watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete((uri) => after(() => this.index.deleted(key, uri.fsPath))));
    return done;
  }

  /** Stops watching the folder's last search (its index entries stay until replaced or forgotten). */
  private drop(key: string): void {
    for (const disposable of this.plans.get(key)?.watching ?? []) disposable.dispose();
    this.plans.delete(key);
  }

  /** Lists the folder's files for each pattern in turn (the shallow one first), each search within MAX_LISTED. */
  private async search(folder: vscode.WorkspaceFolder, key: string, patterns: readonly (vscode.RelativePattern | undefined)[], plan: FolderPlan): Promise<void> {
    const started = Date.now();
    const uris = new Map<string, vscode.Uri>();
    let full = false;
    for (const pattern of patterns) {
      if (pattern === undefined) continue;
      let listed: vscode.Uri[];
      try {
        listed = await vscode.workspace.findFiles(pattern, SKIPPED_FOLDERS, MAX_LISTED);
      } catch (error) {
        this.log.warn(`Hearth neverSend index: searching ${folder.name} for neverSend files failed (${errorText(error)}).`);
        throw error;
      }
      full ||= listed.length >= MAX_LISTED;
      for (const uri of listed) uris.set(uri.toString(), uri);
    }
    // A newer search of the folder (its patterns changed meanwhile) or its removal decides instead.
    if (this.disposed || this.plans.get(key)?.watching !== plan.watching) return;
    const candidates = [...uris.values()].filter((uri) => isCandidate(plan.indexed, uri)).map((uri) => uri.fsPath);
    if (full) this.log.warn(`Hearth neverSend index: a search of ${folder.name} stopped at ${MAX_LISTED} files; ${candidates.length} of the ${uris.size} listed are read.`);
    await this.index.setFolder(key, candidates);
    this.log.debug(`Hearth neverSend index: ${folder.name}: ${candidates.length} neverSend file${candidates.length === 1 ? "" : "s"} to read of ${uris.size} found in ${Date.now() - started} ms.`);
  }

  private forget(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    this.drop(key);
    void this.index.removeFolder(key).catch(() => undefined);
  }

  /** Some feature of some folder may go beyond this machine: the index will be needed. */
  private anyRouteLeaves(): boolean {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const policies = folders.length > 0 ? folders.map((f) => this.policy.getEffectivePolicy(f.uri)) : [this.policy.getEffectivePolicy()];
    return policies.some((p) => Object.values(p.features).some((rule) => rule.route !== "local"));
  }
}

/** A file of the folder that its policy's real matcher says is neverSend and the index reads (the globs only narrow the search). */
function isCandidate(indexed: NeverSendMatcher, uri: vscode.Uri): boolean {
  if (uri.scheme !== "file" || /[\\/](?:node_modules|\.git)[\\/]/.test(uri.fsPath)) return false;
  return indexed.matches(uri.fsPath);
}

function describeStats(stats: NeverSendIndexStats): string {
  const skipped = Object.entries(stats.skipped)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${SKIP_WORDS[reason as keyof NeverSendIndexStats["skipped"]]}`);
  return `${stats.files} file${stats.files === 1 ? "" : "s"} (${Math.round(stats.bytes / 1024)} KB, ${stats.values} values)${skipped.length > 0 ? `, left out: ${skipped.join(", ")}` : ""}`;
}

const SKIP_WORDS: Readonly<Record<keyof NeverSendIndexStats["skipped"], string>> = {
  fileCount: `past the ${NEVER_SEND_INDEX_LIMITS.files}-file cap`,
  fileBytes: `over ${NEVER_SEND_INDEX_LIMITS.fileBytes / 1024} KB`,
  totalBytes: `past the ${NEVER_SEND_INDEX_LIMITS.totalBytes / 1024 / 1024} MB cap`,
  binary: "binary",
  unreadable: "unreadable",
  notRead: "not read after reads that did not end",
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
