// "Hearth: Open Privacy Policy": opens the active folder's `.hearth/policy.json`, creating it
// from a template (valid, and as strict as Hearth's defaults) when the folder has none.
import * as vscode from "vscode";

/** A starting point that parses cleanly: every feature local, secrets redacted. */
export const POLICY_TEMPLATE = `// Hearth privacy policy for this folder. Nothing leaves this machine unless this file and
// your own Hearth settings (hearth.policy) both allow it; where this file asks for more than
// your settings, Hearth asks you once before applying it. Hover a key for its meaning.
{
  "version": 1,
  "features": {
    "completion": { "route": "local" },
    "chat": { "route": "local" },
    "edit": { "route": "local" },
    "translate": { "route": "local" },
    "repoQuestion": { "route": "local" },
    "languageModel": { "route": "local" }
  },
  "neverSend": [".env", "*.pem", "secrets/"],
  "redactSecrets": true
}
`;

/** The folder of the active editor, the only folder, or the one the user picks. */
async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const fromEditor = active ? vscode.workspace.getWorkspaceFolder(active) : undefined;
  if (fromEditor) return fromEditor;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length <= 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder: "Open the privacy policy of which folder?" });
}

export async function openPolicyFile(): Promise<void> {
  const folder = await pickFolder();
  if (!folder) {
    void vscode.window.showInformationMessage("Hearth: open a folder first; its privacy policy lives in .hearth/policy.json.");
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, ".hearth", "policy.json");
  let exists = true;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    exists = false;
  }
  if (!exists) await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(POLICY_TEMPLATE));
  await vscode.window.showTextDocument(uri);
}
