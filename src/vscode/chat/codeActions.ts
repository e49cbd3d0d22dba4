// What a code block's buttons and a message's links do in the editor: insert at the
// cursor, apply to the selection after a diff (one undoable edit), open a checked link.
// Each returns a message for the user when it cannot do what was asked.
import * as vscode from "vscode";
import { classifyLink, isInside } from "../../core/chat";

export const PROPOSAL_SCHEME = "hearth-chat-proposal";

/** The editor a code block goes into: the active one, or the last visible one while the chat has focus. */
function targetEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

export async function insertAtCursor(code: string): Promise<string | undefined> {
  const editor = targetEditor();
  if (editor === undefined) return vscode.l10n.t("Open a file in an editor to insert the code block.");
  const { selection, document } = editor;
  // At the start of a non-empty line the block goes above it, not glued to its first word.
  const aboveLine = selection.isEmpty && selection.active.character === 0 && !document.lineAt(selection.active.line).isEmptyOrWhitespace && !code.endsWith("\n");
  const text = aboveLine ? `${code}\n` : code;
  const ok = await editor.edit((builder) => builder.replace(selection, text));
  if (!ok) return vscode.l10n.t("The code block could not be inserted: the editor is read-only or changed meanwhile.");
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  return undefined;
}

/** Read-only documents holding proposed file contents, shown on the right of the diff. */
export class ProposalDocuments implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private sequence = 0;

  add(fileName: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PROPOSAL_SCHEME, path: `/${++this.sequence}/${fileName}` });
    this.contents.set(uri.toString(), content);
    return uri;
  }

  forget(uri: vscode.Uri): void {
    this.contents.delete(uri.toString());
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }
}

/**
 * Opens a diff of the active file against the file with the block in place of the
 * selection (or at the cursor), then asks; "Apply" makes exactly one edit, which one Undo
 * takes back. A document that changed while the diff was open is not edited.
 */
export async function applyWithDiff(code: string, proposals: ProposalDocuments): Promise<string | undefined> {
  const editor = targetEditor();
  if (editor === undefined) return vscode.l10n.t("Open the file to change in an editor (and select the code to replace) to apply the code block.");
  const { document } = editor;
  const selection = editor.selection;
  const version = document.version;
  const text = document.getText();
  const start = document.offsetAt(selection.start);
  const end = document.offsetAt(selection.end);
  const proposed = text.slice(0, start) + code + text.slice(end);
  const name = document.uri.path.split("/").pop() ?? "file";
  const proposal = proposals.add(name, proposed);
  try {
    await vscode.commands.executeCommand("vscode.diff", document.uri, proposal, vscode.l10n.t("{0} ↔ with the code block applied", name), { preview: true });
    const apply = vscode.l10n.t("Apply");
    const answer = await vscode.window.showInformationMessage(vscode.l10n.t("Apply the code block to {0}?", name), apply, vscode.l10n.t("Discard"));
    if (answer !== apply) return undefined;
    if (document.version !== version) return vscode.l10n.t("{0} changed while the diff was open; apply the code block again.", name);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(selection.start, selection.end), code);
    if (!(await vscode.workspace.applyEdit(edit))) return vscode.l10n.t("The code block could not be applied to {0}.", name);
    await vscode.window.showTextDocument(document, editor.viewColumn);
    return undefined;
  } finally {
    proposals.forget(proposal);
  }
}

/** Opens an http(s) link through openExternal or a workspace file; refuses everything else. */
export async function openLink(href: string): Promise<string | undefined> {
  const target = classifyLink(href);
  if (target.kind === "blocked") return vscode.l10n.t("Hearth did not open the link {0}: {1}.", JSON.stringify(href.slice(0, 200)), target.reason);
  if (target.kind === "external") {
    await vscode.env.openExternal(vscode.Uri.parse(target.url, true));
    return undefined;
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, target.relativePath);
    if (!isInside(folder.uri.fsPath, uri.fsPath)) continue;
    const exists = await vscode.workspace.fs.stat(uri).then(
      (stat) => stat.type === vscode.FileType.File,
      () => false,
    );
    if (!exists) continue;
    const line = target.line !== undefined ? target.line - 1 : 0;
    const position = new vscode.Position(line, 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true });
    return undefined;
  }
  return vscode.l10n.t("{0} is not a file in this workspace.", target.relativePath);
}
