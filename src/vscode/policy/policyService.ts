// The privacy policy in VS Code: answers "what may leave this machine, from this folder?" for
// the gateway, from every workspace folder's `.hearth/policy.json`, the user's `hearth.policy`
// setting and workspace trust, and keeps the answer current as they change. All the rules are
// in src/core/policy; the parts that feed them are beside this file: FolderPolicyFile (reading
// and watching a folder's file), UserPolicySetting, PolicyDiagnostics, PolicyAnnouncer
// (notifications and the consent question).
//
// It never throws to its callers: a file it cannot read or parse makes that folder
// local-only, with diagnostics and one notification per distinct problem.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import {
  NeverSendMatcherCache,
  PolicyParseCache,
  policyFileState,
  resolveEffectivePolicy,
  strictestPolicy,
  workspacePolicyOf,
  type EffectivePolicy,
} from "../../core/policy/index.js";
import { userPolicySetting } from "../config.js";
import { ConsentStore, type ConsentDecision } from "./consentStore.js";
import { FolderPolicyFile, POLICY_FILE } from "./folderPolicyFile.js";
import { PolicyAnnouncer } from "./policyAnnouncer.js";
import { PolicyDiagnostics } from "./policyDiagnostics.js";
import { NotificationPolicyPrompts, type PolicyPrompts } from "./policyPrompts.js";
import type { PolicyChangeEvent, PolicyConsentState, PolicySnapshot } from "./policySnapshot.js";
import { UserPolicySetting } from "./userPolicySetting.js";

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

interface FolderEntry {
  readonly folder: vscode.WorkspaceFolder;
  readonly file: FolderPolicyFile;
  effective: EffectivePolicy;
  /** What `effective` was computed from: a change event fires only when it changes. */
  fingerprint: string;
}

export class PolicyService implements vscode.Disposable {
  private readonly folders = new Map<string, FolderEntry>();
  private readonly emitter = new vscode.EventEmitter<PolicyChangeEvent>();
  /** Fires when the effective policy of a folder (or of all of them) may have changed. */
  readonly onDidChange = this.emitter.event;
  /** Settles once every folder's file has been read for the first time. */
  readonly ready: Promise<void>;

  private readonly log: Logger;
  private readonly consents: ConsentStore;
  private readonly userSetting: UserPolicySetting;
  private readonly diagnostics: PolicyDiagnostics;
  private readonly announcer: PolicyAnnouncer;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly readTimeoutMs: number;
  /** Parses once per content hash, checking long pattern lists in slices that yield to the event loop. */
  private readonly parseCache = new PolicyParseCache();
  private readonly matcherCache = new NeverSendMatcherCache();
  private disposed = false;

  constructor(options: PolicyServiceOptions) {
    this.log = options.log;
    const prompts = options.prompts ?? new NotificationPolicyPrompts();
    this.consents = new ConsentStore(options.state);
    this.diagnostics = new PolicyDiagnostics({ log: this.log, parseCache: this.parseCache, collection: options.diagnostics, liveDelayMs: options.liveDelayMs ?? 200 });
    this.announcer = new PolicyAnnouncer({
      log: this.log,
      prompts,
      consents: this.consents,
      delayMs: options.announceDelayMs ?? 750,
      answered: (folder, contentHash, decision) => void this.setConsent(folder, contentHash, decision),
    });
    this.readTimeoutMs = options.readTimeoutMs ?? 5_000;

    this.userSetting = new UserPolicySetting({ log: this.log, prompts, value: options.userSetting ?? userPolicySetting, changed: () => this.userSettingChanged() });
    this.subscriptions.push(
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.log.info("Hearth policy: the workspace is now trusted; workspace policy files apply.");
        this.recomputeAll();
        for (const entry of this.folders.values()) this.announcer.schedule(entry);
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
        if (entry && event.contentChanges.length > 0) this.diagnostics.edited(entry.file, event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        // Unsaved edits are gone: show the problems of the file on disk again.
        const entry = this.entryForFile(document.uri);
        if (entry) this.diagnostics.publish(entry.file);
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
    const settingProblems = this.userSetting.problems;
    if (!entry) {
      return { trusted, fileState: "absent", diagnostics: [], consent: "notNeeded", settingProblems, effective: this.resolveWithoutFolder() };
    }
    const read = entry.file.lastRead;
    return {
      trusted,
      folder: { uri: entry.folder.uri, name: entry.folder.name },
      file: entry.file.uri,
      fileLabel: entry.file.label,
      fileState: policyFileState(read, entry.file.reading),
      contentHash: read?.kind === "parsed" ? read.contentHash : undefined,
      diagnostics: read === undefined || read.kind === "absent" ? [] : read.result.diagnostics,
      consent: this.consentState(entry),
      settingProblems,
      effective: entry.effective,
    };
  }

  /** Re-reads the settings and every folder's file (after an edit Hearth was not told about). */
  async reload(): Promise<void> {
    this.userSetting.read();
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
    this.log.info(`Hearth policy: ${decision === "allow" ? "allowed" : "kept the user's defaults for"} ${entry.file.label} (sha256 ${contentHash.slice(0, 12)}…).`);
    this.recompute(entry);
  }

  dispose(): void {
    this.disposed = true;
    for (const entry of this.folders.values()) this.disposeEntry(entry);
    this.folders.clear();
    this.userSetting.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.announcer.dispose();
    this.diagnostics.dispose();
    this.emitter.dispose();
  }

  // ---- folders ------------------------------------------------------------------------------

  private async addFolder(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    if (this.folders.has(key)) return;
    const entry: FolderEntry = {
      folder,
      file: new FolderPolicyFile(folder, { log: this.log, parseCache: this.parseCache, readTimeoutMs: this.readTimeoutMs, changedOnDisk: () => void this.readFile(entry) }),
      // Local-only until the file has been read and accepted.
      effective: this.resolve(undefined, folder, true),
      fingerprint: "",
    };
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
    entry.file.dispose();
    this.diagnostics.forget(entry.file);
    this.announcer.forget(entry);
  }

  private relabel(): void {
    const multiRoot = this.folders.size > 1;
    for (const entry of this.folders.values()) entry.file.label = multiRoot ? `${entry.folder.name}/${POLICY_FILE}` : POLICY_FILE;
  }

  /** Reads the folder's file from disk and applies it; never throws. */
  private async readFile(entry: FolderEntry): Promise<void> {
    // The file may have changed: until it has been read again, nothing leaves from this folder.
    // (No change event: the state is momentary, and the gateway asks at each request.)
    const reading = entry.file.read();
    entry.effective = this.resolve(undefined, entry.folder, true);
    await reading;
    if (this.disposed || this.folders.get(entry.folder.uri.toString()) !== entry) return;
    // Reads overlap when the watcher reports changes in a burst, and may end in any order. The
    // last one to end applies the newest read's result (file.lastRead, whichever read produced
    // it): applying only when this read is the newest left a folder local-only for good when
    // the newest ended first (its recompute waits for reads in progress) and an older one last.
    if (entry.file.reading) return;
    this.diagnostics.publish(entry.file);
    this.recompute(entry);
    this.announcer.schedule(entry);
  }

  // ---- effective policy ---------------------------------------------------------------------

  private userSettingChanged(): void {
    this.recomputeAll();
    for (const entry of this.folders.values()) this.announcer.schedule(entry);
  }

  private recomputeAll(): void {
    for (const entry of this.folders.values()) this.recompute(entry, false);
    this.emitter.fire({});
  }

  private recompute(entry: FolderEntry, fire = true): void {
    if (entry.file.reading) {
      // A settings change during a read: stay local-only until the read is done (it recomputes).
      entry.effective = this.resolve(undefined, entry.folder, true);
      return;
    }
    const workspace = workspacePolicyOf(entry.file.lastRead);
    entry.effective = this.resolve(workspace, entry.folder);
    const fingerprint = JSON.stringify({
      hash: workspace?.contentHash,
      defaults: this.userSetting.defaults,
      features: entry.effective.features,
      redactSecrets: entry.effective.redactSecrets,
      reason: entry.effective.localOnlyReason,
      consent: this.consentState(entry),
    });
    if (fingerprint === entry.fingerprint) return;
    entry.fingerprint = fingerprint;
    if (fire) this.emitter.fire({ folder: entry.folder.uri });
  }

  private resolve(workspace: ReturnType<typeof workspacePolicyOf>, folder: vscode.WorkspaceFolder, loading = false): EffectivePolicy {
    return resolveEffectivePolicy({
      userDefaults: this.userSetting.defaults,
      workspace,
      trusted: vscode.workspace.isTrusted,
      loading,
      consents: (hash) => this.consents.isAllowed(folder.uri, hash),
      root: folder.uri.scheme === "file" ? folder.uri.fsPath : undefined,
      compileNeverSend: this.matcherCache.compile,
    });
  }

  private resolveWithoutFolder(): EffectivePolicy {
    return resolveEffectivePolicy({ userDefaults: this.userSetting.defaults, trusted: vscode.workspace.isTrusted, consents: new Set<string>(), compileNeverSend: this.matcherCache.compile });
  }

  private consentState(entry: FolderEntry): PolicyConsentState {
    const read = entry.file.lastRead;
    if (read?.kind !== "parsed" || entry.effective.loosenings.length === 0 || entry.effective.localOnlyReason !== undefined) return "notNeeded";
    const decision = this.consents.decision(entry.folder.uri, read.contentHash);
    return decision === "allow" ? "allowed" : decision === "keep" ? "kept" : "pending";
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
    for (const entry of this.folders.values()) if (entry.file.uri.toString() === text) return entry;
    return undefined;
  }
}
