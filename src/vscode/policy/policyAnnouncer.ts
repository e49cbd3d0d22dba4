// What the user hears about a folder's policy file, after a quiet moment so that saving
// mid-edit does not nag: one notification per distinct set of errors, and one question
// per file content that loosens the user's defaults. Nothing in Restricted Mode, where the
// file is ignored anyway.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import type { EffectivePolicy } from "../../core/policy/index.js";
import type { ConsentDecision, ConsentStore } from "./consentStore.js";
import type { FolderPolicyFile } from "./folderPolicyFile.js";
import type { PolicyPrompts } from "./policyPrompts.js";

/** A folder as the announcer needs it: its file and the policy now in force there. */
export interface AnnouncedFolder {
  readonly file: FolderPolicyFile;
  readonly effective: EffectivePolicy;
}

export interface PolicyAnnouncerOptions {
  readonly log: Logger;
  readonly prompts: PolicyPrompts;
  readonly consents: ConsentStore;
  readonly delayMs: number;
  /** The user answered the consent question for this folder and content. */
  readonly answered: (folder: vscode.Uri, contentHash: string, decision: ConsentDecision) => void;
}

interface Announced {
  timer?: ReturnType<typeof setTimeout>;
  /** Problem sets already notified this session. */
  readonly notifiedProblems: Set<string>;
  /** Content hashes already asked about this session (answered or dismissed). */
  readonly askedHashes: Set<string>;
}

export class PolicyAnnouncer implements vscode.Disposable {
  private readonly folders = new Map<string, Announced>();
  private disposed = false;

  constructor(private readonly options: PolicyAnnouncerOptions) {}

  /** After a quiet moment, tells the user about a broken file or asks about a loosening one, once each. */
  schedule(folder: AnnouncedFolder): void {
    const state = this.stateOf(folder);
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      if (!this.disposed) this.announce(folder, state);
    }, this.options.delayMs);
  }

  /** The folder has gone; were it added again, it would be a new one. */
  forget(folder: AnnouncedFolder): void {
    const key = folder.file.folder.uri.toString();
    clearTimeout(this.folders.get(key)?.timer);
    this.folders.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const state of this.folders.values()) clearTimeout(state.timer);
    this.folders.clear();
  }

  private stateOf(folder: AnnouncedFolder): Announced {
    const key = folder.file.folder.uri.toString();
    let state = this.folders.get(key);
    if (state === undefined) {
      state = { notifiedProblems: new Set(), askedHashes: new Set() };
      this.folders.set(key, state);
    }
    return state;
  }

  private announce(folder: AnnouncedFolder, state: Announced): void {
    // In Restricted Mode the file is ignored: nothing to notify or to ask.
    if (!vscode.workspace.isTrusted) return;
    const { file } = folder;
    const read = file.lastRead;
    if (read === undefined || read.kind === "absent") return;
    if (read.result.localOnly) {
      const errors = read.result.diagnostics.filter((d) => d.severity === "error");
      // Positions change with every edit; what is wrong does not.
      const key = errors.map((d) => `${d.code}|${d.path}`).sort().join("\n");
      if (state.notifiedProblems.has(key)) return;
      state.notifiedProblems.add(key);
      this.options.prompts.invalidFile(file.uri, file.label, errors);
      return;
    }
    const pending = folder.effective.needsConsent;
    if (pending === undefined || read.kind !== "parsed" || pending.contentHash !== read.contentHash) return;
    if (this.options.consents.decision(file.folder.uri, pending.contentHash) !== undefined || state.askedHashes.has(pending.contentHash)) return;
    state.askedHashes.add(pending.contentHash);
    this.options.log.info(`Hearth policy: ${file.label} loosens your settings (${pending.loosenings.map((l) => l.path).join(", ")}); asking once for this content.`);
    this.options.prompts.askConsent(file.uri, file.label, pending.loosenings).then(
      (decision) => {
        if (decision !== undefined && !this.disposed) this.options.answered(file.folder.uri, pending.contentHash, decision);
      },
      (error: unknown) => this.options.log.warn(`Hearth policy: the consent question failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
