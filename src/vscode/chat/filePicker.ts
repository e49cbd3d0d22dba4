// The `@` picker: a QuickPick over the workspace's files; the chosen one is read and attached.
import * as vscode from "vscode";
import type { Attachments } from "../../core/chat";
import { requestFolders } from "../policy/requestFolders";

/** Files larger than this are not attached (they would not fit any local context anyway). */
const MAX_FILE_BYTES = 512 * 1024;

/** Returns a message for the person when nothing could be attached. */
export async function pickFile(attachments: Attachments): Promise<string | undefined> {
  const uris = await vscode.workspace.findFiles("**/*", "{**/node_modules/**,**/.git/**,**/dist/**}", 5000);
  if (uris.length === 0) return vscode.l10n.t("No files in this workspace to attach.");
  const items = uris.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri })).sort((a, b) => a.label.localeCompare(b.label));
  const chosen = await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Attach a file to the chat"), placeHolder: vscode.l10n.t("Type to search the workspace's files"), matchOnDescription: true });
  if (chosen === undefined) return undefined;
  const stat = await vscode.workspace.fs.stat(chosen.uri);
  if (stat.size > MAX_FILE_BYTES) return vscode.l10n.t("{0} is too large to attach ({1} KB; the limit is {2} KB).", chosen.label, Math.round(stat.size / 1024), MAX_FILE_BYTES / 1024);
  const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(chosen.uri));
  await attachments.addFile({ label: chosen.label, content, folders: requestFolders(chosen.uri) });
  return undefined;
}
