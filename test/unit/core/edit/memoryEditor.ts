// The editor port (src/core/editor) over plain objects: one open document, its selections,
// diagnostics and outline, all set by the test. It stands in for the EDITOR only; the flows
// under test run on a real Gateway.
import type { EditorDiagnostic, EditorDocument, EditorPort, EditorSelection, EditorView, SymbolNode } from "../../../../src/core/editor/editorPort";

export class MemoryEditor implements EditorPort {
  document: EditorDocument | undefined;
  selections: EditorSelection[] = [];
  problems: EditorDiagnostic[] = [];
  outline: SymbolNode[] | undefined;
  /** How often the flow asked for the outline. */
  symbolRequests = 0;

  /** Opens `text` as `path` with the cursor at the start (or the given selections). */
  open(path: string, text: string, options: { languageId?: string; version?: number; folders?: string[]; selections?: EditorSelection[] } = {}): this {
    this.document = {
      uri: `memory:/${path}`,
      path,
      fileName: path.split("/").pop() ?? path,
      languageId: options.languageId ?? "typescript",
      version: options.version ?? 1,
      text,
      folders: options.folders ?? ["file:///workspace"],
    };
    this.selections = options.selections ?? [{ start: 0, end: 0, active: 0 }];
    return this;
  }

  /** Selects the text between two substrings' first occurrences (the end one included). */
  select(from: string, through: string): this {
    const text = this.document?.text ?? "";
    const start = text.indexOf(from);
    const end = text.indexOf(through, start) + through.length;
    if (start < 0 || end < through.length) throw new Error(`cannot select ${from}…${through}`);
    this.selections = [{ start, end, active: end }];
    return this;
  }

  activeEditor(): EditorView | undefined {
    return this.document === undefined ? undefined : { document: this.document, selections: this.selections };
  }

  diagnostics(document: EditorDocument): readonly EditorDiagnostic[] {
    return document.uri === this.document?.uri ? this.problems : [];
  }

  async symbols(): Promise<readonly SymbolNode[] | undefined> {
    this.symbolRequests++;
    return this.outline;
  }
}
