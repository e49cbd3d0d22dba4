// What chat and edit need of the editor, and nothing more: the document the user works in
// (a snapshot of its text, language, name and version), where the selections and cursor
// are, the problems the editor shows on it, and its outline. The core drives the features
// through this port; src/vscode/editor implements it with VS Code, tests with plain objects.
// Positions are offsets into the snapshot's text, so no feature needs to know about lines
// and characters the way one editor counts them.

/** A stretch of a document's text, as offsets (end exclusive). */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

/** A document as it was when the port was asked: later edits make a new snapshot with another version. */
export interface EditorDocument {
  /** Names the document to the editor (to open, diff or edit it later); opaque to the core. */
  readonly uri: string;
  /** As prompts, attachments and context files name it: relative to its workspace folder, else its own path. */
  readonly path: string;
  /** The last part of its path (`total.ts`), for titles and messages. */
  readonly fileName: string;
  /** The editor's language id (`typescript`, `markdown`). */
  readonly languageId: string;
  /** Changes with every edit: a proposal made for one version applies to that text only. */
  readonly version: number;
  readonly text: string;
  /**
   * The workspace folders a request about this document concerns (GatewayRequest.folders):
   * its folder, or the document itself outside every folder; none for an untitled one.
   */
  readonly folders: readonly string[];
}

/** A selection; an empty one (start === end) is the cursor. */
export interface EditorSelection extends TextSpan {
  /** Where the cursor is: the end the user moved (start or end). */
  readonly active: number;
}

/** An editor showing a document; the first selection is the primary one. */
export interface EditorView {
  readonly document: EditorDocument;
  readonly selections: readonly EditorSelection[];
}

export type DiagnosticSeverity = "error" | "warning" | "info" | "hint";

/** A problem the editor shows (a compiler error, a lint warning). */
export interface EditorDiagnostic extends TextSpan {
  readonly severity: DiagnosticSeverity;
  readonly message: string;
  /** Who reported it (`ts`, `eslint`), when it says. */
  readonly source?: string;
}

export type SymbolShape = "function" | "method" | "constructor" | "class" | "other";

/** An entry of the document's outline, with the entries nested in it. */
export interface SymbolNode extends TextSpan {
  readonly name: string;
  readonly shape: SymbolShape;
  readonly children: readonly SymbolNode[];
}

export interface EditorPort {
  /** The editor the user types in; undefined when no text editor has focus. */
  activeEditor(): EditorView | undefined;
  /** The problems shown on the document now. */
  diagnostics(document: EditorDocument): readonly EditorDiagnostic[];
  /** The document's outline; undefined when no language support answers in time. */
  symbols(document: EditorDocument): Promise<readonly SymbolNode[] | undefined>;
}

/** 0-based line of an offset in a text. */
export function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
