import * as vscode from "vscode";
import type { ContextRing } from "../../core/complete/contextRing.js";
import type { DocumentLines } from "../../core/complete/documentLines.js";

/** A TextDocument as the completion core reads it: lines on demand, nothing copied. */
export function documentLines(document: vscode.TextDocument): DocumentLines {
  return { lineCount: document.lineCount, lineAt: (index) => document.lineAt(index).text };
}

/** The path a prompt names a document by: relative to its workspace folder when it has one. */
export function promptPath(document: vscode.TextDocument): string {
  if (document.uri.scheme === "untitled") return document.uri.path;
  return vscode.workspace.asRelativePath(document.uri, false);
}

/** Documents worth showing the model: files and unsaved buffers, not output panes or settings UIs. */
function isSource(document: vscode.TextDocument): boolean {
  return (document.uri.scheme === "file" || document.uri.scheme === "untitled" || document.uri.scheme === "vscode-remote") && document.lineCount > 0;
}

const EDIT_GRID = 16;

/**
 * Feeds the context ring from what the user does: the lines around their edits (offered
 * when they leave the file, with its final text) and the part of a file they look at
 * (offered when it becomes the active editor). The ring takes offered chunks in only when
 * the engine commits them, so nothing here changes a prompt while the user types.
 */
export class RecentFilesFeeder implements vscode.Disposable {
  /** Edited lines per document, on a coarse grid, since the document was last left. */
  private readonly edited = new Map<string, Set<number>>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private active: vscode.TextDocument | undefined;

  constructor(private readonly ring: ContextRing) {
    this.active = vscode.window.activeTextEditor?.document;
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.contentChanges.length === 0 || !isSource(event.document)) return;
        const key = event.document.uri.toString();
        let lines = this.edited.get(key);
        if (!lines) this.edited.set(key, (lines = new Set()));
        for (const change of event.contentChanges) lines.add(Math.floor(change.range.start.line / EDIT_GRID) * EDIT_GRID);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.active) this.offerEdits(this.active);
        this.active = editor?.document;
        if (editor && isSource(editor.document)) this.offerViewed(editor);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.offerEdits(document);
      }),
      vscode.workspace.onDidDeleteFiles((event) => {
        for (const uri of event.files) this.ring.forget(vscode.workspace.asRelativePath(uri, false));
      }),
      vscode.workspace.onDidRenameFiles((event) => {
        for (const { oldUri } of event.files) this.ring.forget(vscode.workspace.asRelativePath(oldUri, false));
      }),
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private offerEdits(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const lines = this.edited.get(key);
    if (!lines) return;
    this.edited.delete(key);
    if (document.isClosed && document.uri.scheme === "untitled") return;
    const path = promptPath(document);
    const view = documentLines(document);
    for (const line of [...lines].sort((a, b) => a - b)) this.ring.offer(path, view, Math.min(line + EDIT_GRID / 2, document.lineCount - 1));
  }

  private offerViewed(editor: vscode.TextEditor): void {
    const visible = editor.visibleRanges[0];
    const line = visible ? Math.floor((visible.start.line + visible.end.line) / 2) : editor.selection.active.line;
    this.ring.offer(promptPath(editor.document), documentLines(editor.document), line);
  }
}
