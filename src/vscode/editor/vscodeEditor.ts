// The editor port (src/core/editor) in VS Code: the active text editor as a snapshot with
// offsets, the diagnostics VS Code shows, and the document symbols a language extension
// provides.
import * as vscode from "vscode";
import type { DiagnosticSeverity, EditorDiagnostic, EditorDocument, EditorPort, EditorView, SymbolNode, SymbolShape } from "../../core/editor/editorPort";
import { requestFolders } from "../policy/requestFolders";

/** How long to wait for a language extension's outline before working without it. */
const SYMBOLS_TIMEOUT_MS = 3000;

const SEVERITIES: readonly DiagnosticSeverity[] = ["error", "warning", "info", "hint"];

const SHAPES: ReadonlyMap<vscode.SymbolKind, SymbolShape> = new Map([
  [vscode.SymbolKind.Function, "function"],
  [vscode.SymbolKind.Method, "method"],
  [vscode.SymbolKind.Constructor, "constructor"],
  [vscode.SymbolKind.Class, "class"],
  [vscode.SymbolKind.Struct, "class"],
  [vscode.SymbolKind.Interface, "class"],
  [vscode.SymbolKind.Enum, "class"],
]);

export class VscodeEditor implements EditorPort {
  activeEditor(): EditorView | undefined {
    const editor = vscode.window.activeTextEditor;
    return editor === undefined ? undefined : editorView(editor);
  }

  diagnostics(document: EditorDocument): readonly EditorDiagnostic[] {
    const open = openDocument(document);
    if (open === undefined) return [];
    return vscode.languages.getDiagnostics(open.uri).map((d) => ({
      start: open.offsetAt(d.range.start),
      end: open.offsetAt(d.range.end),
      severity: SEVERITIES[d.severity] ?? "error",
      message: d.message,
      ...(d.source !== undefined ? { source: d.source } : {}),
    }));
  }

  async symbols(document: EditorDocument): Promise<readonly SymbolNode[] | undefined> {
    const open = openDocument(document);
    if (open === undefined) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SYMBOLS_TIMEOUT_MS)));
    const symbols = await Promise.race([
      Promise.resolve(vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>("vscode.executeDocumentSymbolProvider", open.uri)).catch(() => undefined),
      timeout,
    ]);
    clearTimeout(timer);
    if (symbols === undefined) return undefined;
    const convert = (symbol: vscode.DocumentSymbol | vscode.SymbolInformation): SymbolNode => {
      const range = "range" in symbol ? symbol.range : symbol.location.range;
      return {
        name: symbol.name,
        shape: SHAPES.get(symbol.kind) ?? "other",
        start: open.offsetAt(range.start),
        end: open.offsetAt(range.end),
        children: "children" in symbol ? symbol.children.map(convert) : [],
      };
    };
    return symbols.map(convert);
  }
}

/** A VS Code editor as the core sees it: a snapshot of its document and selections (the primary first). */
export function editorView(editor: vscode.TextEditor): EditorView {
  const { document } = editor;
  return {
    document: documentSnapshot(document),
    selections: editor.selections.map((s) => ({ start: document.offsetAt(s.start), end: document.offsetAt(s.end), active: document.offsetAt(s.active) })),
  };
}

export function documentSnapshot(document: vscode.TextDocument): EditorDocument {
  const { uri } = document;
  const path = vscode.workspace.getWorkspaceFolder(uri) !== undefined ? vscode.workspace.asRelativePath(uri, false) : uri.fsPath || uri.toString();
  return {
    uri: uri.toString(),
    path,
    fileName: uri.path.split("/").pop() || path,
    languageId: document.languageId,
    version: document.version,
    text: document.getText(),
    folders: requestFolders(uri),
  };
}

/** The open document a snapshot was taken of (offsets are converted against it). */
function openDocument(document: EditorDocument): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === document.uri);
}
