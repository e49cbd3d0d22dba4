// What a request names as "the folders it concerns" (GatewayRequest.folders): the workspace
// folder of each document it draws on, or the document itself when it lies outside every
// folder (then the user's own policy applies to it). Untitled and virtual documents outside
// any folder name nothing; a request that names nothing gets the stricter of all folders.
import * as vscode from "vscode";

export function requestFolders(...uris: readonly (vscode.Uri | undefined)[]): string[] {
  const named = new Set<string>();
  for (const uri of uris) {
    if (uri === undefined) continue;
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder !== undefined) named.add(folder.uri.toString());
    else if (uri.scheme === "file") named.add(uri.toString());
  }
  return [...named];
}

/** The URIs a request names, and the absolute paths of its files (a file names its folder too). */
export function urisOfRequest(request: { readonly folders?: readonly string[]; readonly files?: readonly { readonly path: string }[] }): vscode.Uri[] {
  const uris: vscode.Uri[] = [];
  for (const folder of request.folders ?? []) {
    try {
      uris.push(/^[A-Za-z][A-Za-z0-9+.-]+:/.test(folder) && !/^[A-Za-z]:[\\/]/.test(folder) ? vscode.Uri.parse(folder, true) : vscode.Uri.file(folder));
    } catch {
      // An unreadable entry names nothing; the others (or all folders) still decide.
    }
  }
  for (const file of request.files ?? []) {
    if (/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(file.path)) uris.push(vscode.Uri.file(file.path));
  }
  return uris;
}
