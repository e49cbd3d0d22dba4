// The privacy policy in VS Code: reads `.hearth/policy.json` in every workspace folder and the
// user's `hearth.policy` setting, publishes the file's problems as diagnostics, asks once per
// file content before a workspace file may loosen the user's defaults, and answers "what may
// leave this machine, from this folder?" for the gateway. All the rules are in
// src/core/policy; this is the adapter that feeds them and keeps them current.
//
// It never throws to its callers: a file it cannot read or parse makes that folder
// local-only, with diagnostics and one notification per distinct problem.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import {
  BUILTIN_USER_DEFAULTS,
  MAX_POLICY_BYTES,
  NeverSendMatcherCache,
  PolicyParseCache,
  applyUserOverrides,
  formatPolicyDiagnostic,
  parsePolicy,
  readPolicyFile,
  resolveEffectivePolicy,
  strictestPolicy,
  type EffectivePolicy,
  type PolicyDiagnostic,
  type PolicyParseResult,
  type UserPolicyDefaults,
} from "../../core/policy/index.js";
import { ConsentStore, type ConsentDecision } from "./consentStore.js";
import { NotificationPolicyPrompts, type PolicyPrompts } from "./policyPrompts.js";

export const POLICY_FILE = ".hearth/policy.json";
export const POLICY_SETTING = "hearth.policy";
export const DIAGNOSTICS_NAME = "Hearth policy";

/** What Hearth knows about one folder's policy file. */
export type PolicyFileState = "loading" | "absent" | "valid" | "invalid";

/** Where the folder stands with the user's consent to its file's loosenings. */
export type PolicyConsentState = "notNeeded" | "pending" | "allowed" | "kept";

/** A description of the policy that applies to one folder (or to files outside any folder). */
export interface PolicySnapshot {
  readonly trusted: boolean;
  /** Absent for files outside every workspace folder (and for an empty window). */
  readonly folder?: { readonly uri: vscode.Uri; readonly name: string };
  readonly file?: vscode.Uri;
  /** The file as named in messages: `.hearth/policy.json`, prefixed by the folder name in a multi-root workspace. */
  readonly fileLabel?: string;
  readonly fileState: PolicyFileState;
  readonly contentHash?: string;
  /** Problems in the file as last read from disk. */
  readonly diagnostics: readonly PolicyDiagnostic[];
  readonly consent: PolicyConsentState;
  /** Problems in the user's `hearth.policy` setting. */
  readonly settingProblems: readonly PolicyDiagnostic[];
  readonly effective: EffectivePolicy;
}

export interface PolicyChangeEvent {
  /** The folder whose policy changed; undefined when every folder's may have (settings, trust). */
  readonly folder?: vscode.Uri;
}

export interface PolicyServiceOptions {
  /** Where consents live: the extension's `globalState` (outside the workspace). */
  readonly state: vscode.Memento;
  readonly log: Logger;
  readonly prompts?: PolicyPrompts;
  /** Defaults to a new collection named "Hearth policy". */
  readonly diagnostics?: vscode.DiagnosticCollection;
  /** Quiet time after a change before a notification or consent question (default 750 ms), so saving mid-edit does not nag. */
  readonly announceDelayMs?: number;
  /** Debounce of diagnostics while the file is edited (default 200 ms). */
  readonly liveDelayMs?: number;
  /** The user's own `hearth.policy` value; default: the setting's user (global) value. For tests. */
  readonly userSetting?: () => unknown;
  /** A read of the policy file that takes longer gives up and leaves the folder local-only (default 5 s). */
  readonly readTimeoutMs?: number;
}

type FileRead =
  | { readonly kind: "absent" }
  | { readonly kind: "parsed"; readonly contentHash: string; readonly result: PolicyParseResult }
  | { readonly kind: "unreadable"; readonly result: PolicyParseResult };

interface FolderEntry {
  readonly folder: vscode.WorkspaceFolder;
  readonly file: vscode.Uri;
  label: string;
  read?: FileRead;
  /** Reads in progress: while any is, the folder is local-only (the file on disk may have changed). */
  reading: number;
  effective: EffectivePolicy;
  fingerprint: string;
  generation: number;
  readonly watcher: vscode.FileSystemWatcher;
  liveTimer?: ReturnType<typeof setTimeout>;
  announceTimer?: ReturnType<typeof setTimeout>;
  /** Problem sets already notified this session. */
  readonly notifiedProblems: Set<string>;
  /** Content hashes already asked about this session (answered or dismissed). */
  readonly askedHashes: Set<string>;
}

export class PolicyService implements vscode.Disposable {
  private readonly folders = new Map<string, FolderEntry>();
  private readonly emitter = new vscode.EventEmitter<PolicyChangeEvent>();
  /** Fires when the effective policy of a folder (or of all of them) may have changed. */
  readonly onDidChange = this.emitter.event;
  /** Settles once every folder's file has been read for the first time. */
  readonly ready: Promise<void>;

  private readonly log: Logger;
  private readonly prompts: PolicyPrompts;
  private readonly consents: ConsentStore;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly ownsDiagnostics: boolean;
  private readonly announceDelayMs: number;
  private readonly liveDelayMs: number;
  private readonly userSetting: () => unknown;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly reportedSettingProblems = new Set<string>();
  private readonly readTimeoutMs: number;
  /** Parses once per content hash, checking long pattern lists in slices that yield to the event loop. */
  private readonly parseCache = new PolicyParseCache();
  private readonly matcherCache = new NeverSendMatcherCache();
  private userDefaults: UserPolicyDefaults = BUILTIN_USER_DEFAULTS;
  private settingProblems: readonly PolicyDiagnostic[] = [];
  private disposed = false;

  constructor(options: PolicyServiceOptions) {
    this.log = options.log;
    this.prompts = options.prompts ?? new NotificationPolicyPrompts();
    this.consents = new ConsentStore(options.state);
    this.ownsDiagnostics = options.diagnostics === undefined;
    this.diagnostics = options.diagnostics ?? vscode.languages.createDiagnosticCollection(DIAGNOSTICS_NAME);
    this.announceDelayMs = options.announceDelayMs ?? 750;
    this.liveDelayMs = options.liveDelayMs ?? 200;
    this.userSetting = options.userSetting ?? userSettingValue;
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;

    this.readUserDefaults();
    this.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(POLICY_SETTING)) this.userSettingsChanged();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info("Hearth policy: the workspace is now trusted; workspace policy files apply.");
        this.recomputeAll();
        for (const entry of this.folders.values()) this.scheduleAnnounce(entry);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const removed of event.removed) this.removeFolder(removed);
        for (const added of event.added) void this.addFolder(added);
        this.relabel();
        this.emitter.fire({});
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        const entry = this.entryForFile(document.uri);
        if (entry) void this.readFile(entry);
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        const entry = this.entryForFile(event.document.uri);
        if (entry && event.contentChanges.length > 0) this.scheduleLiveDiagnostics(entry, event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        // Unsaved edits are gone: show the problems of the file on disk again.
        const entry = this.entryForFile(document.uri);
        if (entry) this.publishDiagnostics(entry);
      }),
    );
    const initial = (vscode.workspace.workspaceFolders ?? []).map((folder) => this.addFolder(folder));
    this.relabel();
    this.ready = Promise.all(initial).then(() => undefined);
  }

  /**
   * The policy for requests about `uri` (a file or a folder): its workspace folder's policy,
   * the first folder's when `uri` is undefined, the user's own (with trust) for files outside
   * every folder. Before a folder's file has been read, that folder is local-only.
   */
  getEffectivePolicy(uri?: vscode.Uri): EffectivePolicy {
    return this.entryFor(uri)?.effective ?? this.resolveWithoutFolder();
  }

  /**
   * The policy for a request about `uris` (workspace folders, or files in them): the stricter of
   * their folders' policies, feature by feature. A request that names nothing gets its only
   * folder's policy, or in a multi-root workspace the stricter of every folder's (it cannot be
   * placed, so no folder's rules may be loosened by another's). Never the active editor's.
   */
  getPolicyForRequest(uris: readonly vscode.Uri[]): EffectivePolicy {
    const policies =
      uris.length > 0
        ? uris.map((uri) => this.getEffectivePolicy(uri))
        : this.folders.size > 0
          ? [...this.folders.values()].map((entry) => entry.effective)
          : [this.resolveWithoutFolder()];
    return strictestPolicy(policies) ?? this.resolveWithoutFolder();
  }

  /** The same, with where it came from: for the status bar, commands and tests. */
  describe(uri?: vscode.Uri): PolicySnapshot {
    const entry = this.entryFor(uri);
    const trusted = vscode.workspace.isTrusted;
    if (!entry) {
      return { trusted, fileState: "absent", diagnostics: [], consent: "notNeeded", settingProblems: this.settingProblems, effective: this.resolveWithoutFolder() };
    }
    const read = entry.read;
    const fileState: PolicyFileState = read === undefined || entry.reading > 0 ? "loading" : read.kind === "absent" ? "absent" : read.result.localOnly ? "invalid" : "valid";
    const contentHash = read?.kind === "parsed" ? read.contentHash : undefined;
    return {
      trusted,
      folder: { uri: entry.folder.uri, name: entry.folder.name },
      file: entry.file,
      fileLabel: entry.label,
      fileState,
      contentHash,
      diagnostics: read === undefined || read.kind === "absent" ? [] : read.result.diagnostics,
      consent: this.consentState(entry),
      settingProblems: this.settingProblems,
      effective: entry.effective,
    };
  }

  /** Re-reads the settings and every folder's file (after an edit Hearth was not told about). */
  async reload(): Promise<void> {
    this.readUserDefaults();
    await Promise.all([...this.folders.values()].map((entry) => this.readFile(entry)));
  }

  /**
   * Records the user's answer for the file content `contentHash` of the folder containing
   * `uri`, and applies it. The notification calls this; so can a command.
   */
  async setConsent(uri: vscode.Uri, contentHash: string, decision: ConsentDecision): Promise<void> {
    const entry = this.entryFor(uri);
    if (!entry) return;
    await this.consents.record(entry.folder.uri, contentHash, decision);
    this.log.info(`Hearth policy: ${decision === "allow" ? "allowed" : "kept the user's defaults for"} ${entry.label} (sha256 ${contentHash.slice(0, 12)}…).`);
    this.recompute(entry);
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.folders.values()) this.disposeEntry(entry);
    this.folders.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
    if (this.ownsDiagnostics) this.diagnostics.dispose();
    else this.diagnostics.clear();
    this.emitter.dispose();
  }

  // ---- folders and files -------------------------------------------------------------------

  private async addFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    if (this.folders.has(key)) return;
    // The file itself, and the .hearth folder (deleting it reports only the folder).
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, "{.hearth,.hearth/policy.json}"));
    // Local-only until the file has been read and accepted.
    const effective = this.resolve(undefined, folder, true);
    const entry: FolderEntry = {
      folder,
      file: vscode.Uri.joinPath(folder.uri, ".hearth", "policy.json"),
      label: POLICY_FILE,
      reading: 0,
      effective,
      fingerprint: "",
      generation: 0,
      watcher,
      notifiedProblems: new Set(),
      askedHashes: new Set(),
    };
    const reread = (): void => void this.readFile(entry);
    watcher.onDidCreate(reread);
    watcher.onDidChange(reread);
    watcher.onDidDelete(reread);
    this.folders.set(key, entry);
    await this.readFile(entry);
  }

  private removeFolder(folder: vscode.WorkspaceFolder): void {
    const key = folder.uri.toString();
    const entry = this.folders.get(key);
    if (!entry) return;
    this.disposeEntry(entry);
    this.folders.delete(key);
  }

  private disposeEntry(entry: FolderEntry): void {
    entry.generation++;
    entry.watcher.dispose();
    clearTimeout(entry.liveTimer);
    clearTimeout(entry.announceTimer);
    this.diagnostics.delete(entry.file);
  }

  private relabel(): void {
    const multiRoot = this.folders.size > 1;
    for (const entry of this.folders.values()) entry.label = multiRoot ? `${entry.folder.name}/${POLICY_FILE}` : POLICY_FILE;
  }

  /** Reads the folder's file from disk and applies it; never throws. */
  private async readFile(entry: FolderEntry): Promise<void> {
    const generation = ++entry.generation;
    // The file may have changed: until it has been read again, nothing leaves from this folder.
    // (No change event: the state is momentary, and the gateway asks at each request.)
    entry.reading++;
    entry.effective = this.resolve(undefined, entry.folder, true);
    let read: FileRead;
    try {
      read = await this.load(entry);
    } catch (error) {
      read = { kind: "unreadable", result: problem(entry.label, "unreadable", `could not read the policy file (${errorMessage(error).slice(0, 120)}); Hearth stays local-only in this folder`) };
    } finally {
      entry.reading--;
    }
    // A newer read started meanwhile, or the folder went away: that one wins.
    if (this.disposed || generation !== entry.generation || this.folders.get(entry.folder.uri.toString()) !== entry) return;
    entry.read = read;
    this.logRead(entry, read);
    this.publishDiagnostics(entry);
    this.recompute(entry);
    this.scheduleAnnounce(entry);
  }

  /**
   * Reads the file without trusting it: on disk through node (a regular file only, or a link to
   * one inside the folder; never a FIFO or a device; size capped while reading; a stalled read
   * times out), elsewhere (a virtual file system) through workspace.fs with the same cap and
   * timeout. Then parses it, once per content hash, in slices that keep the host responsive.
   */
  private async load(entry: FolderEntry): Promise<FileRead> {
    let text: string;
    if (entry.file.scheme === "file") {
      const read = await readPolicyFile(entry.file.fsPath, { root: entry.folder.uri.fsPath, maxBytes: MAX_POLICY_BYTES, timeoutMs: this.readTimeoutMs });
      if (read.kind === "absent") return { kind: "absent" };
      if (read.kind === "refused") return { kind: "unreadable", result: problem(entry.label, read.code, read.message) };
      text = read.text;
    } else {
      const read = await this.loadVirtual(entry);
      if (read.kind !== "text") return read;
      text = read.text;
    }
    const parsed = await this.parseCache.parse(text, entry.label);
    return { kind: "parsed", contentHash: parsed.contentHash, result: parsed.result };
  }

  private async loadVirtual(entry: FolderEntry): Promise<FileRead | { kind: "text"; text: string }> {
    const timedOut = Symbol("timeout");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), this.readTimeoutMs);
    });
    const stalled: FileRead = {
      kind: "unreadable",
      result: problem(entry.label, "read-timeout", `reading the policy file took longer than ${Math.round(this.readTimeoutMs / 1000)} s, so it was not used; Hearth stays local-only in this folder`),
    };
    try {
      let stat: vscode.FileStat | typeof timedOut;
      try {
        stat = await Promise.race([vscode.workspace.fs.stat(entry.file), deadline]);
      } catch (error) {
        if (error instanceof vscode.FileSystemError && error.code === "FileNotFound") return { kind: "absent" };
        throw error;
      }
      if (stat === timedOut) return stalled;
      if ((stat.type & vscode.FileType.File) === 0 || (stat.type & vscode.FileType.Directory) !== 0) {
        return { kind: "unreadable", result: problem(entry.label, "not-a-regular-file", "is not a regular file, so it was not read; Hearth stays local-only in this folder until it is a JSON file") };
      }
      const tooLarge: FileRead = {
        kind: "unreadable",
        result: problem(entry.label, "file-too-large", `policy file is larger than ${MAX_POLICY_BYTES / 1024} KB, the limit, so it was not read; the workspace stays local-only until it is smaller`),
      };
      if (stat.size > MAX_POLICY_BYTES) return tooLarge;
      const bytes = await Promise.race([vscode.workspace.fs.readFile(entry.file), deadline]);
      if (bytes === timedOut) return stalled;
      // A file system may report one size and deliver another.
      if (bytes.byteLength > MAX_POLICY_BYTES) return tooLarge;
      return { kind: "text", text: new TextDecoder("utf-8").decode(bytes) };
    } finally {
      clearTimeout(timer);
    }
  }

  private logRead(entry: FolderEntry, read: FileRead): void {
    if (read.kind === "absent") {
      this.log.debug(`Hearth policy: no ${entry.label}; ${entry.folder.name} uses your settings.`);
      return;
    }
    for (const d of read.result.diagnostics) {
      const line = formatPolicyDiagnostic(d);
      if (d.severity === "error") this.log.warn(`Hearth policy: ${line}`);
      else this.log.info(`Hearth policy: ${line}`);
    }
    if (read.kind === "parsed" && !read.result.localOnly) this.log.info(`Hearth policy: read ${entry.label} (sha256 ${read.contentHash.slice(0, 12)}…).`);
    else this.log.warn(`Hearth policy: ${entry.label} has errors; ${entry.folder.name} is local-only until it is fixed.`);
  }

  // ---- diagnostics --------------------------------------------------------------------------

  /** The problems of the open editor's text while it has unsaved edits, else of the file on disk. */
  private publishDiagnostics(entry: FolderEntry): void {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.file.toString());
    if (open?.isDirty) {
      this.publishLive(entry, open);
      return;
    }
    const read = entry.read;
    if (read === undefined || read.kind === "absent") this.diagnostics.delete(entry.file);
    else this.diagnostics.set(entry.file, read.result.diagnostics.map(toDiagnostic));
  }

  private scheduleLiveDiagnostics(entry: FolderEntry, document: vscode.TextDocument): void {
    clearTimeout(entry.liveTimer);
    entry.liveTimer = setTimeout(() => {
      if (this.disposed || document.isClosed) return;
      if (document.isDirty) this.publishLive(entry, document);
      else this.publishDiagnostics(entry);
    }, this.liveDelayMs);
  }

  /** Diagnostics of unsaved text, parsed off the keystroke's path (and once per content). */
  private publishLive(entry: FolderEntry, document: vscode.TextDocument): void {
    const version = document.version;
    this.parseCache.parse(document.getText(), entry.label).then(
      ({ result }) => {
        if (this.disposed || document.isClosed || !document.isDirty || document.version !== version) return;
        this.diagnostics.set(entry.file, result.diagnostics.map(toDiagnostic));
      },
      (error: unknown) => this.log.warn(`Hearth policy: could not check the unsaved policy: ${errorMessage(error)}`),
    );
  }

  // ---- effective policy ---------------------------------------------------------------------

  private readUserDefaults(): void {
    const value = this.userSetting();
    let defaults = BUILTIN_USER_DEFAULTS;
    let problems: readonly PolicyDiagnostic[] = [];
    if (value !== undefined && value !== null) {
      if (typeof value !== "object" || Array.isArray(value)) {
        problems = problem(POLICY_SETTING, "not-an-object", `must be an object like a .hearth/policy.json file, not ${JSON.stringify(value)}`).diagnostics;
      } else {
        let text: string;
        try {
          text = JSON.stringify(value, null, 2);
        } catch (error) {
          text = "";
          problems = problem(POLICY_SETTING, "unreadable", `cannot be read (${errorMessage(error)})`).diagnostics;
        }
        if (text !== "") {
          const parsed = parsePolicy(text, `settings: ${POLICY_SETTING}`);
          problems = parsed.diagnostics;
          if (parsed.policy) defaults = applyUserOverrides(parsed.policy);
        }
      }
    }
    this.userDefaults = defaults;
    this.settingProblems = problems;
    if (problems.length > 0) {
      const key = problems.map((p) => `${p.code}|${p.path}|${p.message}`).join("\n");
      if (!this.reportedSettingProblems.has(key)) {
        this.reportedSettingProblems.add(key);
        const ignored = defaults === BUILTIN_USER_DEFAULTS;
        for (const p of problems) this.log.warn(`Hearth policy: ${POLICY_SETTING}: ${p.path === "" ? "" : `${p.path}: `}${p.message}`);
        this.prompts.invalidSetting(problems, ignored);
      }
    }
  }

  private userSettingsChanged(): void {
    this.readUserDefaults();
    this.recomputeAll();
    for (const entry of this.folders.values()) this.scheduleAnnounce(entry);
  }

  private recomputeAll(): void {
    for (const entry of this.folders.values()) this.recompute(entry, false);
    this.emitter.fire({});
  }

  private recompute(entry: FolderEntry, fire = true): void {
    const read = entry.read;
    if (entry.reading > 0) {
      // A settings change during a read: stay local-only until the read is done (it recomputes).
      entry.effective = this.resolve(undefined, entry.folder, true);
      return;
    }
    const workspace =
      read === undefined
        ? { policy: undefined, contentHash: "" } // not read yet: local-only until it is
        : read.kind === "absent"
          ? undefined
          : { policy: read.kind === "parsed" ? read.result.policy : undefined, contentHash: read.kind === "parsed" ? read.contentHash : "" };
    entry.effective = this.resolve(workspace, entry.folder);
    const fingerprint = JSON.stringify({
      hash: workspace?.contentHash,
      defaults: this.userDefaults,
      features: entry.effective.features,
      redactSecrets: entry.effective.redactSecrets,
      reason: entry.effective.localOnlyReason,
      consent: this.consentState(entry),
    });
    if (fingerprint === entry.fingerprint) return;
    entry.fingerprint = fingerprint;
    if (fire) this.emitter.fire({ folder: entry.folder.uri });
  }

  private resolve(workspace: { policy: PolicyParseResult["policy"]; contentHash: string } | undefined, folder: vscode.WorkspaceFolder, loading = false): EffectivePolicy {
    return resolveEffectivePolicy({
      userDefaults: this.userDefaults,
      workspace,
      trusted: vscode.workspace.isTrusted,
      loading,
      consents: (hash) => this.consents.isAllowed(folder.uri, hash),
      root: folder.uri.scheme === "file" ? folder.uri.fsPath : undefined,
      compileNeverSend: this.matcherCache.compile,
    });
  }

  private resolveWithoutFolder(): EffectivePolicy {
    return resolveEffectivePolicy({ userDefaults: this.userDefaults, trusted: vscode.workspace.isTrusted, consents: new Set<string>(), compileNeverSend: this.matcherCache.compile });
  }

  private consentState(entry: FolderEntry): PolicyConsentState {
    const read = entry.read;
    if (read?.kind !== "parsed" || entry.effective.loosenings.length === 0 || entry.effective.localOnlyReason !== undefined) return "notNeeded";
    const decision = this.consents.decision(entry.folder.uri, read.contentHash);
    return decision === "allow" ? "allowed" : decision === "keep" ? "kept" : "pending";
  }

  // ---- notifications ------------------------------------------------------------------------

  /** After a quiet moment, tells the user about a broken file or asks about a loosening one, once each. */
  private scheduleAnnounce(entry: FolderEntry): void {
    clearTimeout(entry.announceTimer);
    entry.announceTimer = setTimeout(() => {
      if (!this.disposed) this.announce(entry);
    }, this.announceDelayMs);
  }

  private announce(entry: FolderEntry): void {
    // In Restricted Mode the file is ignored: nothing to notify or to ask.
    if (!vscode.workspace.isTrusted) return;
    const read = entry.read;
    if (read === undefined || read.kind === "absent") return;
    if (read.result.localOnly) {
      const errors = read.result.diagnostics.filter((d) => d.severity === "error");
      // Positions change with every edit; what is wrong does not.
      const key = errors.map((d) => `${d.code}|${d.path}`).sort().join("\n");
      if (entry.notifiedProblems.has(key)) return;
      entry.notifiedProblems.add(key);
      this.prompts.invalidFile(entry.file, entry.label, errors);
      return;
    }
    const pending = entry.effective.needsConsent;
    if (pending === undefined || read.kind !== "parsed" || pending.contentHash !== read.contentHash) return;
    if (this.consents.decision(entry.folder.uri, pending.contentHash) !== undefined || entry.askedHashes.has(pending.contentHash)) return;
    entry.askedHashes.add(pending.contentHash);
    this.log.info(`Hearth policy: ${entry.label} loosens your settings (${pending.loosenings.map((l) => l.path).join(", ")}); asking once for this content.`);
    this.prompts.askConsent(entry.file, entry.label, pending.loosenings).then(
      (decision) => {
        if (decision !== undefined && !this.disposed) void this.setConsent(entry.folder.uri, pending.contentHash, decision);
      },
      (error: unknown) => this.log.warn(`Hearth policy: the consent question failed: ${errorMessage(error)}`),
    );
  }

  // ---- lookups ------------------------------------------------------------------------------

  private entryFor(uri: vscode.Uri | undefined): FolderEntry | undefined {
    if (uri === undefined) {
      const first = vscode.workspace.workspaceFolders?.[0];
      return first ? this.folders.get(first.uri.toString()) : undefined;
    }
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.folders.get(folder.uri.toString()) : undefined;
  }

  private entryForFile(uri: vscode.Uri): FolderEntry | undefined {
    const text = uri.toString();
    for (const entry of this.folders.values()) if (entry.file.toString() === text) return entry;
    return undefined;
  }
}

/** Only the user's own value: a workspace must not widen its own limits through settings. */
function userSettingValue(): unknown {
  return vscode.workspace.getConfiguration("hearth").inspect<unknown>("policy")?.globalValue;
}

function toDiagnostic(d: PolicyDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character);
  const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === "error" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = DIAGNOSTICS_NAME;
  diagnostic.code = d.code;
  return diagnostic;
}

/** A parse result with one error at the top of the file, for problems found before parsing. */
function problem(file: string, code: string, message: string): PolicyParseResult {
  const at = { line: 0, character: 0 };
  return { localOnly: true, diagnostics: [{ file, severity: "error", code, message, path: "", offset: 0, length: 0, start: at, end: at }] };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
