// What a code block's buttons and a message's links do in the editor: insert at the
// cursor, apply to the selection after a diff (one undoable edit), open a checked link
// (after Hearth's own confirmation for anything that leaves VS Code). Each returns what
// to tell the person: what was done, or why it was not.
import * as vscode from "vscode";
import { classifyLink, escapeInvisible, hostNamedBy, isDeceptiveLink, isInside, summarizeInvisible } from "../../core/chat";
import type { ReadOnlyDocuments } from "../readOnlyDocuments";

export interface ActionOutcome {
  readonly message: string;
  readonly level: "info" | "error";
}

const info = (message: string): ActionOutcome => ({ message, level: "info" });
const error = (message: string): ActionOutcome => ({ message, level: "error" });

/** A sentence for a notice about code that holds invisible or bidirectional characters ("" when it holds none). */
export function invisibleMention(code: string): string {
  const found = summarizeInvisible(code);
  if (found.count === 0) return "";
  return ` ${vscode.l10n.t("It contains {0} invisible or bidirectional characters ({1}); check them before you run it.", found.count, found.labels.slice(0, 5).join(", "))}`;
}

/** The editor a code block goes into: the active one, or the last visible one while the chat has focus. */
function targetEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

export async function insertAtCursor(code: string): Promise<ActionOutcome> {
  const editor = targetEditor();
  if (editor === undefined) return error(vscode.l10n.t("Open a file in an editor to insert the code block."));
  const { selection, document } = editor;
  // At the start of a non-empty line the block goes above it, not glued to its first word.
  const aboveLine = selection.isEmpty && selection.active.character === 0 && !document.lineAt(selection.active.line).isEmptyOrWhitespace && !code.endsWith("\n");
  const text = aboveLine ? `${code}\n` : code;
  const ok = await editor.edit((builder) => builder.replace(selection, text));
  if (!ok) return error(vscode.l10n.t("The code block could not be inserted: the editor is read-only or changed meanwhile."));
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  const name = editor.document.uri.path.split("/").pop() ?? "";
  return info(vscode.l10n.t("Inserted the code block into {0} at line {1}.", name, selection.start.line + 1) + invisibleMention(code));
}

/**
 * Opens a diff of the active file against the file with the block in place of the
 * selection (or at the cursor), then asks; "Apply" makes exactly one edit, which one Undo
 * takes back. A document that changed while the diff was open is not edited.
 */
export async function applyWithDiff(code: string, proposals: ReadOnlyDocuments): Promise<ActionOutcome> {
  const editor = targetEditor();
  if (editor === undefined) return error(vscode.l10n.t("Open the file to change in an editor (and select the code to replace) to apply the code block."));
  const { document } = editor;
  const selection = editor.selection;
  const version = document.version;
  const text = document.getText();
  const start = document.offsetAt(selection.start);
  const end = document.offsetAt(selection.end);
  const proposed = text.slice(0, start) + code + text.slice(end);
  const name = document.uri.path.split("/").pop() ?? "file";
  const proposal = proposals.create(name, proposed, { keep: true });
  try {
    await vscode.commands.executeCommand("vscode.diff", document.uri, proposal, vscode.l10n.t("{0} ↔ with the code block applied", name), { preview: true });
    const apply = vscode.l10n.t("Apply");
    const answer = await vscode.window.showInformationMessage(vscode.l10n.t("Apply the code block to {0}?", name) + invisibleMention(code), apply, vscode.l10n.t("Discard"));
    if (answer !== apply) return info(vscode.l10n.t("Left {0} unchanged.", name));
    if (document.version !== version) return error(vscode.l10n.t("{0} changed while the diff was open; apply the code block again.", name));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(selection.start, selection.end), code);
    if (!(await vscode.workspace.applyEdit(edit))) return error(vscode.l10n.t("The code block could not be applied to {0}.", name));
    await vscode.window.showTextDocument(document, editor.viewColumn);
    return info(vscode.l10n.t("Applied the code block to {0}.", name) + invisibleMention(code));
  } finally {
    proposals.forget(proposal);
  }
}

/** Hosts the person chose to open without asking again, for this window's session. */
export class TrustedLinkHosts {
  private readonly hosts = new Set<string>();
  has(host: string): boolean {
    return this.hosts.has(host.toLowerCase());
  }
  add(host: string): void {
    this.hosts.add(host.toLowerCase());
  }
}

/**
 * Opens an http(s) link (loopback included) only after Hearth's own confirmation, which
 * names the full target (VS Code itself trusts localhost without asking); opens a
 * workspace file at its line; refuses everything else and says why.
 */
export async function openLink(href: string, text: string | undefined, trusted: TrustedLinkHosts): Promise<ActionOutcome | undefined> {
  const target = classifyLink(href);
  if (target.kind === "blocked") return error(vscode.l10n.t("Hearth did not open the link {0}: {1}.", JSON.stringify(escapeInvisible(href.slice(0, 200))), target.reason));
  if (target.kind === "external") {
    const deceptive = text !== undefined && isDeceptiveLink(text, target);
    if (deceptive || !trusted.has(target.host)) {
      const open = vscode.l10n.t("Open");
      const remember = vscode.l10n.t("Open, and do not ask again for {0} in this session", target.host);
      const items: vscode.QuickPickItem[] = [
        { label: open, detail: target.url },
        ...(deceptive ? [] : [{ label: remember, detail: target.host }]),
        { label: vscode.l10n.t("Cancel") },
      ];
      const warning = deceptive ? vscode.l10n.t("The link's text reads {0}, but it leads to {1}.", hostNamedBy(text ?? "") ?? "", target.host) : target.loopback ? vscode.l10n.t("It leads to a server on this machine ({0}).", target.host) : "";
      // A quick pick, not a modal dialog: it names the whole URL (a dialog cuts it) and works the same in tests.
      const choice = await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t("Open this link outside VS Code? {0}", warning).trim(),
        placeHolder: target.url,
        ignoreFocusOut: false,
      });
      if (choice === undefined || (choice.label !== open && choice.label !== remember)) return info(vscode.l10n.t("Did not open {0}.", target.url));
      if (choice.label === remember) trusted.add(target.host);
    }
    const opened = await vscode.env.openExternal(vscode.Uri.parse(target.url, true));
    return opened ? info(vscode.l10n.t("Opened {0}.", target.url)) : error(vscode.l10n.t("VS Code did not open {0}.", target.url));
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
    const column = target.column !== undefined ? target.column - 1 : 0;
    const position = new vscode.Position(line, column);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position), preview: true });
    return undefined;
  }
  return error(vscode.l10n.t("{0} is not a file in this workspace.", target.relativePath));
}
