// What an edit command works on: the selections when there are any, else the innermost
// function, method or class around the cursor (from the document symbols), else the whole
// file. Offsets, not positions, so this stays free of `vscode` and easy to test.
import type { EditorPort, EditorView, SymbolNode, SymbolShape, TextSpan } from "../editor/editorPort";

export type { SymbolNode, SymbolShape } from "../editor/editorPort";
export type Span = TextSpan;

export interface EditTarget extends Span {
  readonly source: "selection" | "symbol" | "file";
  /** The enclosing symbol's name when source is "symbol". */
  readonly symbolName?: string;
}

export interface TargetInput {
  readonly textLength: number;
  readonly selections: readonly Span[];
  /** Offset of the primary cursor. */
  readonly cursor: number;
  readonly symbols?: readonly SymbolNode[];
  /** False for commands about the whole document (translate a document): no symbol step. */
  readonly useSymbols?: boolean;
}

const ENCLOSING: ReadonlySet<SymbolShape> = new Set(["function", "method", "constructor", "class"]);

export function chooseTargets(input: TargetInput): EditTarget[] {
  const selected = mergeSpans(input.selections.filter((s) => s.end > s.start));
  if (selected.length > 0) return selected.map((s) => ({ start: s.start, end: s.end, source: "selection" }));
  if (input.useSymbols !== false && input.symbols !== undefined) {
    const symbol = innermostEnclosing(input.symbols, input.cursor);
    if (symbol !== undefined) return [{ start: symbol.start, end: symbol.end, source: "symbol", symbolName: symbol.name }];
  }
  return [{ start: 0, end: input.textLength, source: "file" }];
}

/** An edit's targets in an editor: its selections, else (asking the editor for the outline) the symbol at the cursor, else the file. */
export async function editTargets(editor: EditorPort, view: EditorView, useSymbols: boolean): Promise<EditTarget[]> {
  const { document, selections } = view;
  const symbols = useSymbols && selections.every((s) => s.start === s.end) ? await editor.symbols(document) : undefined;
  return chooseTargets({ textLength: document.text.length, selections, cursor: selections[0]?.active ?? 0, symbols, useSymbols });
}

/** The smallest function/method/constructor/class whose range holds the offset (nested or flat symbol lists). */
export function innermostEnclosing(symbols: readonly SymbolNode[], offset: number): SymbolNode | undefined {
  let best: SymbolNode | undefined;
  const visit = (list: readonly SymbolNode[]): void => {
    for (const symbol of list) {
      if (offset < symbol.start || offset > symbol.end) continue;
      if (ENCLOSING.has(symbol.shape) && (best === undefined || symbol.end - symbol.start < best.end - best.start)) best = symbol;
      visit(symbol.children);
    }
  };
  visit(symbols);
  return best;
}

/** Sorted, with overlapping or touching spans joined, so one edit never overlaps another. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && span.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else out.push({ start: span.start, end: span.end });
  }
  return out;
}
