// The workspace glossary, `.hearth/glossary.json` in the document's workspace folder: read
// for every translation (its rules go into the prompt, and its check runs after). A broken
// file is reported with where it is broken, and the translation goes on without it.
import * as vscode from "vscode";
import { parseGlossary, type Glossary } from "../../core/edit/guards";
import type { Logger } from "../../core/logger";

export const GLOSSARY_PATH = ".hearth/glossary.json";

export async function loadGlossary(document: vscode.TextDocument, log: Logger): Promise<Glossary | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder === undefined) return undefined;
  const uri = vscode.Uri.joinPath(folder.uri, ...GLOSSARY_PATH.split("/"));
  let text: string;
  try {
    text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
  const parsed = parseGlossary(text);
  if (parsed.ok) return parsed.glossary;
  const first = parsed.errors[0];
  const line = first === undefined ? 1 : text.slice(0, first.offset).split("\n").length;
  const message = vscode.l10n.t("{0} is not valid (line {1}: {2}); translating without it. Fix the file to use the glossary.", GLOSSARY_PATH, line, first?.message ?? "?");
  log.warn(message);
  void vscode.window.showWarningMessage(`Hearth: ${message}`, vscode.l10n.t("Open Glossary")).then((choice) => {
    if (choice !== undefined) void vscode.window.showTextDocument(uri);
  });
  return undefined;
}
