// One workspace folder's `.hearth/policy.json`: watched, read without trusting it, and
// remembered as last read. A read never throws: a file Hearth cannot read is "unreadable",
// which leaves the folder local-only. Of reads that overlap, the newest wins.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import { MAX_POLICY_BYTES, formatPolicyDiagnostic, policyProblem, readPolicyFile, type FolderPolicyRead, type PolicyParseCache } from "../../core/policy/index.js";

export const POLICY_FILE = ".hearth/policy.json";

export interface FolderPolicyFileOptions {
  readonly log: Logger;
  /** Shared with the live diagnostics: a content is parsed once. */
  readonly parseCache: PolicyParseCache;
  /** A read that takes longer gives up, and the folder stays local-only. */
  readonly readTimeoutMs: number;
  /** The file (or its .hearth folder) was created, changed or deleted on disk. */
  readonly changedOnDisk: () => void;
}

export class FolderPolicyFile implements vscode.Disposable {
  readonly uri: vscode.Uri;
  /** The file as named in messages; the folder name is prepended in a multi-root workspace. */
  label = POLICY_FILE;
  /** Undefined until the first read has finished. */
  lastRead?: FolderPolicyRead;
  private readsInProgress = 0;
  private generation = 0;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly options: FolderPolicyFileOptions,
  ) {
    this.uri = vscode.Uri.joinPath(folder.uri, ".hearth", "policy.json");
    // The file itself, and the .hearth folder (deleting it reports only the folder).
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, "{.hearth,.hearth/policy.json}"));
    this.watcher.onDidCreate(options.changedOnDisk);
    this.watcher.onDidChange(options.changedOnDisk);
    this.watcher.onDidDelete(options.changedOnDisk);
  }

  /** While a read is in progress the file on disk may have changed: the folder is local-only. */
  get reading(): boolean {
    return this.readsInProgress > 0;
  }

  /** Reads the file again and logs what it found; undefined when a newer read started meanwhile, or the file was disposed. */
  async read(): Promise<FolderPolicyRead | undefined> {
    const generation = ++this.generation;
    this.readsInProgress++;
    let read: FolderPolicyRead;
    try {
      read = await this.load();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      read = { kind: "unreadable", result: policyProblem(this.label, "unreadable", `could not read the policy file (${message.slice(0, 120)}); Hearth stays local-only in this folder`) };
    } finally {
      this.readsInProgress--;
    }
    if (generation !== this.generation) return undefined;
    this.lastRead = read;
    this.logRead(read);
    return read;
  }

  dispose(): void {
    // A read still in progress is dropped when it ends.
    this.generation++;
    this.watcher.dispose();
  }

  /**
   * Reads the file without trusting it: on disk through node (a regular file only, or a link to
   * one inside the folder; never a FIFO or a device; size capped while reading; a stalled read
   * times out), elsewhere (a virtual file system) through workspace.fs with the same cap and
   * timeout. Then parses it, once per content hash, in slices that keep the host responsive.
   */
  private async load(): Promise<FolderPolicyRead> {
    let text: string;
    if (this.uri.scheme === "file") {
      const read = await readPolicyFile(this.uri.fsPath, { root: this.folder.uri.fsPath, maxBytes: MAX_POLICY_BYTES, timeoutMs: this.options.readTimeoutMs });
      if (read.kind === "absent") return { kind: "absent" };
      if (read.kind === "refused") return { kind: "unreadable", result: policyProblem(this.label, read.code, read.message) };
      text = read.text;
    } else {
      const read = await this.loadVirtual();
      if (read.kind !== "text") return read;
      text = read.text;
    }
    const parsed = await this.options.parseCache.parse(text, this.label);
    return { kind: "parsed", contentHash: parsed.contentHash, result: parsed.result };
  }

  private async loadVirtual(): Promise<FolderPolicyRead | { kind: "text"; text: string }> {
    const timeoutMs = this.options.readTimeoutMs;
    const timedOut = Symbol("timeout");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), timeoutMs);
    });
    const stalled: FolderPolicyRead = {
      kind: "unreadable",
      result: policyProblem(this.label, "read-timeout", `reading the policy file took longer than ${Math.round(timeoutMs / 1000)} s, so it was not used; Hearth stays local-only in this folder`),
    };
    try {
      let stat: vscode.FileStat | typeof timedOut;
      try {
        stat = await Promise.race([vscode.workspace.fs.stat(this.uri), deadline]);
      } catch (error) {
        if (error instanceof vscode.FileSystemError && error.code === "FileNotFound") return { kind: "absent" };
        throw error;
      }
      if (stat === timedOut) return stalled;
      if ((stat.type & vscode.FileType.File) === 0 || (stat.type & vscode.FileType.Directory) !== 0) {
        return { kind: "unreadable", result: policyProblem(this.label, "not-a-regular-file", "is not a regular file, so it was not read; Hearth stays local-only in this folder until it is a JSON file") };
      }
      const tooLarge: FolderPolicyRead = {
        kind: "unreadable",
        result: policyProblem(this.label, "file-too-large", `policy file is larger than ${MAX_POLICY_BYTES / 1024} KB, the limit, so it was not read; the workspace stays local-only until it is smaller`),
      };
      if (stat.size > MAX_POLICY_BYTES) return tooLarge;
      const bytes = await Promise.race([vscode.workspace.fs.readFile(this.uri), deadline]);
      if (bytes === timedOut) return stalled;
      // A file system may report one size and deliver another.
      if (bytes.byteLength > MAX_POLICY_BYTES) return tooLarge;
      return { kind: "text", text: new TextDecoder("utf-8").decode(bytes) };
    } finally {
      clearTimeout(timer);
    }
  }

  private logRead(read: FolderPolicyRead): void {
    const log = this.options.log;
    if (read.kind === "absent") {
      log.debug(`Hearth policy: no ${this.label}; ${this.folder.name} uses your settings.`);
      return;
    }
    for (const d of read.result.diagnostics) {
      const line = formatPolicyDiagnostic(d);
      if (d.severity === "error") log.warn(`Hearth policy: ${line}`);
      else log.info(`Hearth policy: ${line}`);
    }
    if (read.kind === "parsed" && !read.result.localOnly) log.info(`Hearth policy: read ${this.label} (sha256 ${read.contentHash.slice(0, 12)}…).`);
    else log.warn(`Hearth policy: ${this.label} has errors; ${this.folder.name} is local-only until it is fixed.`);
  }
}
