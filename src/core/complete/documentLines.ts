/**
 * The read access completion needs to a document: lines by index, without their line
 * breaks. VS Code's TextDocument answers `lineAt` without copying the whole text, so a
 * keystroke in a large file touches only the lines inside the prompt windows.
 */
export interface DocumentLines {
  readonly lineCount: number;
  lineAt(index: number): string;
}

/** A position as line and UTF-16 column, as VS Code counts them. */
export interface LinePosition {
  readonly line: number;
  readonly character: number;
}

/** Lines of a string (CRLF or LF), for tests, benchmarks and callers that hold text. */
export function linesOfText(text: string): DocumentLines {
  const lines = text.split(/\r?\n/);
  return { lineCount: lines.length, lineAt: (index) => lines[index] ?? "" };
}

/** The offset of a position in the LF-joined text of `lines`. */
export function offsetOf(lines: DocumentLines, position: LinePosition): number {
  let offset = 0;
  for (let i = 0; i < position.line; i++) offset += lines.lineAt(i).length + 1;
  return offset + position.character;
}
