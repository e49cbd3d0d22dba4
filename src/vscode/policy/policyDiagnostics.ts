// The problems of each policy file in the Problems panel: those of the file on disk, or of
// the open editor's text while it has unsaved edits (debounced, and parsed off the
// keystroke's path), so a mistake shows while it is typed.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import type { FolderPolicyRead, PolicyDiagnostic, PolicyParseCache } from "../../core/policy/index.js";

export const DIAGNOSTICS_NAME = "Hearth policy";

/** A policy file as the diagnostics need it (a FolderPolicyFile). */
export interface DiagnosedPolicyFile {
  readonly uri: vscode.Uri;
  readonly label: string;
  readonly lastRead?: FolderPolicyRead;
}

export interface PolicyDiagnosticsOptions {
  readonly log: Logger;
  readonly parseCache: PolicyParseCache;
  /** Defaults to a new collection named "Hearth policy", disposed with this. */
  readonly collection?: vscode.DiagnosticCollection;
  /** Quiet time while the file is edited before its problems are shown. */
  readonly liveDelayMs: number;
}

export class PolicyDiagnostics implements vscode.Disposable {
  private readonly collection: vscode.DiagnosticCollection;
  private readonly ownsCollection: boolean;
  private readonly liveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;

  constructor(private readonly options: PolicyDiagnosticsOptions) {
    this.ownsCollection = options.collection === undefined;
    this.collection = options.collection ?? vscode.languages.createDiagnosticCollection(DIAGNOSTICS_NAME);
  }

  /** The problems of the open editor's text while it has unsaved edits, else of the file on disk. */
  publish(file: DiagnosedPolicyFile): void {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file.uri.toString());
    if (open?.isDirty) {
      this.publishLive(file, open);
      return;
    }
    const read = file.lastRead;
    if (read === undefined || read.kind === "absent") this.collection.delete(file.uri);
    else this.collection.set(file.uri, read.result.diagnostics.map(toDiagnostic));
  }

  /** The file's editor text changed: show its problems after a quiet moment. */
  edited(file: DiagnosedPolicyFile, document: vscode.TextDocument): void {
    const key = file.uri.toString();
    clearTimeout(this.liveTimers.get(key));
    this.liveTimers.set(
      key,
      setTimeout(() => {
        if (this.disposed || document.isClosed) return;
        if (document.isDirty) this.publishLive(file, document);
        else this.publish(file);
      }, this.options.liveDelayMs),
    );
  }

  /** The file's folder has gone: its problems go too. */
  forget(file: DiagnosedPolicyFile): void {
    const key = file.uri.toString();
    clearTimeout(this.liveTimers.get(key));
    this.liveTimers.delete(key);
    this.collection.delete(file.uri);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.liveTimers.values()) clearTimeout(timer);
    this.liveTimers.clear();
    // A collection handed in belongs to the caller: emptied, not disposed.
    if (this.ownsCollection) this.collection.dispose();
    else this.collection.clear();
  }

  /** Diagnostics of unsaved text, parsed off the keystroke's path (and once per content). */
  private publishLive(file: DiagnosedPolicyFile, document: vscode.TextDocument): void {
    const version = document.version;
    this.options.parseCache.parse(document.getText(), file.label).then(
      ({ result }) => {
        if (this.disposed || document.isClosed || !document.isDirty || document.version !== version) return;
        this.collection.set(file.uri, result.diagnostics.map(toDiagnostic));
      },
      (error: unknown) => this.options.log.warn(`Hearth policy: could not check the unsaved policy: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

function toDiagnostic(d: PolicyDiagnostic): vscode.Diagnostic {
  const range = new vscode.Range(d.start.line, d.start.character, d.end.line, d.end.character);
  const diagnostic = new vscode.Diagnostic(range, d.message, d.severity === "error" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.source = DIAGNOSTICS_NAME;
  diagnostic.code = d.code;
  return diagnostic;
}
