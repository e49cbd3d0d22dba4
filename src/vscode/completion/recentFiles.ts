import * as vscode from "vscode";
import type { ChunkSource, ContextRing } from "../../core/complete/contextRing.js";
import type { DocumentLines } from "../../core/complete/documentLines.js";

/** A TextDocument as the completion core reads it: lines on demand, nothing copied. */
export function documentLines(document: vscode.TextDocument): DocumentLines {
  return { lineCount: document.lineCount, lineAt: (index) => document.lineAt(index).text };
}

/** The path a prompt names a document by: relative to its workspace folder when it has one. */
export function promptPath(document: Pick<vscode.TextDocument, "uri">): string {
  if (document.uri.scheme === "untitled") return document.uri.path;
  return vscode.workspace.asRelativePath(document.uri, false);
}

/**
 * Which documents' context may share a completion prompt: those the gateway judges by the
 * same policy with the same paths. A request names its document's folder (requestFolders),
 * whose policy and neverSend (rooted there) then judge every path in the prompt; so a chunk
 * rides only with documents of its own workspace folder. Outside every folder, a file (local
 * or remote) is named by its absolute path, which makes the gateway apply the user's own
 * policy to it; such files share among themselves. An unsaved buffer outside every folder is
 * judged by whatever request carries it (the one of a folder's file, or the stricter of all
 * folders), so it shares with none: undefined.
 */
export function contextScope(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder !== undefined) return `folder:${folder.uri.toString()}`;
  if (uri.scheme === "file" || uri.scheme === "vscode-remote") return `outside:${uri.scheme}`;
  return undefined;
}

/** A document as the context ring knows it; undefined when its context may join no other document's prompt. */
export function chunkSource(document: Pick<vscode.TextDocument, "uri">): ChunkSource | undefined {
  const scope = contextScope(document.uri);
  return scope === undefined ? undefined : { scope, path: promptPath(document) };
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
        for (const uri of event.files) this.forget(uri);
      }),
      vscode.workspace.onDidRenameFiles((event) => {
        for (const { oldUri } of event.files) this.forget(oldUri);
      }),
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private forget(uri: vscode.Uri): void {
    const source = chunkSource({ uri });
    if (source !== undefined) this.ring.forget(source);
  }

  private offerEdits(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const lines = this.edited.get(key);
    if (!lines) return;
    this.edited.delete(key);
    // An unsaved buffer has no source (see contextScope), closed or not.
    const source = chunkSource(document);
    if (source === undefined) return;
    const view = documentLines(document);
    for (const line of [...lines].sort((a, b) => a - b)) this.ring.offer(source, view, Math.min(line + EDIT_GRID / 2, document.lineCount - 1));
  }

  private offerViewed(editor: vscode.TextEditor): void {
    const visible = editor.visibleRanges[0];
    const line = visible ? Math.floor((visible.start.line + visible.end.line) / 2) : editor.selection.active.line;
    const source = chunkSource(editor.document);
    if (source !== undefined) this.ring.offer(source, documentLines(editor.document), line);
  }
}
