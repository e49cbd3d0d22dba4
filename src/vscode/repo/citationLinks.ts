// Clickable `path:line` citations in repo answers. Links are made only for files of the
// answer's folder (parseCitations checks each path), and they run Hearth's own command
// with a path and a line, never a URI taken from the model's text.
import * as vscode from "vscode";
import { parseCitations } from "../../core/repo/index.js";
import type { ReadOnlyDocuments } from "../readOnlyDocuments.js";

export const OPEN_CITATION_COMMAND = "hearth.repo.openCitation";

/** Which folder an answer's citations point into, and which of its files exist. */
export interface CitationScope {
  readonly folder: vscode.Uri;
  isFile(path: string): boolean;
}

/** Repository answers and pack reports: read-only documents that carry their citations' scope. */
export type AnswerDocuments = ReadOnlyDocuments<CitationScope>;

export interface CitationTarget {
  /** The workspace folder, as a URI string. */
  readonly folder: string;
  readonly path: string;
  readonly line: number;
  readonly endLine?: number;
}

export class CitationLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly documents: AnswerDocuments) {}

  provideDocumentLinks(document: vscode.TextDocument): vscode.DocumentLink[] {
    const scope = this.documents.dataOf(document.uri);
    if (scope === undefined) return [];
    return parseCitations(document.getText(), (path) => scope.isFile(path)).map((citation) => {
      const target: CitationTarget = { folder: scope.folder.toString(), path: citation.path, line: citation.line, ...(citation.endLine !== undefined ? { endLine: citation.endLine } : {}) };
      const link = new vscode.DocumentLink(
        new vscode.Range(document.positionAt(citation.offset), document.positionAt(citation.offset + citation.length)),
        vscode.Uri.parse(`command:${OPEN_CITATION_COMMAND}?${encodeURIComponent(JSON.stringify([target]))}`),
      );
      link.tooltip = vscode.l10n.t("Open {0} at line {1}", citation.path, citation.line);
      return link;
    });
  }
}

/** Opens the cited file with the cited lines selected and in view. */
export async function openCitation(target: CitationTarget): Promise<vscode.TextEditor> {
  // The command is public: a path that climbs out of its folder is refused, whoever asked.
  if (typeof target?.path !== "string" || target.path.startsWith("/") || target.path.split("/").includes("..") || !Number.isSafeInteger(target.line) || target.line < 1) {
    throw new Error(vscode.l10n.t("Hearth: not a citation of a file in this workspace."));
  }
  const uri = vscode.Uri.joinPath(vscode.Uri.parse(target.folder), ...target.path.split("/"));
  const document = await vscode.workspace.openTextDocument(uri);
  const last = Math.max(0, document.lineCount - 1);
  const start = Math.min(target.line - 1, last);
  const end = Math.min((target.endLine ?? target.line) - 1, last);
  const selection = new vscode.Range(start, 0, end, document.lineAt(end).text.length);
  return vscode.window.showTextDocument(document, { selection, preview: true, viewColumn: vscode.ViewColumn.One });
}

export function registerCitationLinks(documents: AnswerDocuments): vscode.Disposable[] {
  return [
    vscode.languages.registerDocumentLinkProvider({ scheme: documents.scheme }, new CitationLinkProvider(documents)),
    vscode.commands.registerCommand(OPEN_CITATION_COMMAND, (target: CitationTarget) => openCitation(target)),
  ];
}
