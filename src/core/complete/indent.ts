// Indentation arithmetic for completion post-processing: widths in columns
// (a tab advances to the next tab stop) so that tab- and space-indented lines
// compare correctly.

const SPACE = 32;
const TAB = 9;

export function isHorizontalSpace(ch: number): boolean {
  return ch === SPACE || ch === TAB;
}

/** Length of the run of spaces and tabs starting at `from`. */
export function leadingSpaceLength(text: string, from = 0, to = text.length): number {
  let i = from;
  while (i < to && isHorizontalSpace(text.charCodeAt(i))) i++;
  return i - from;
}

/** Column width of the leading spaces and tabs of `text[from, to)`, starting at column `startColumn`. */
export function indentWidth(text: string, tabSize: number, from = 0, to = text.length, startColumn = 0): number {
  let column = startColumn;
  for (let i = from; i < to; i++) {
    const ch = text.charCodeAt(i);
    if (ch === SPACE) column++;
    else if (ch === TAB) column += tabSize - (column % tabSize);
    else break;
  }
  return column - startColumn;
}

/** True when `text` holds nothing but whitespace. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch !== SPACE && ch !== TAB && ch !== 10 && ch !== 13) return false;
  }
  return true;
}

/**
 * Rewrites a line's leading whitespace to the document's style (tabs or
 * spaces) keeping its width; returns the line unchanged when it already fits.
 */
export function reindentLine(line: string, tabSize: number, insertSpaces: boolean): string {
  const length = leadingSpaceLength(line);
  if (length === 0) return line;
  const lead = line.slice(0, length);
  const hasTab = lead.indexOf("\t") >= 0;
  if (insertSpaces ? !hasTab : lead.indexOf(" ") < 0) return line;
  const width = indentWidth(line, tabSize, 0, length);
  const fresh = insertSpaces ? " ".repeat(width) : "\t".repeat(Math.floor(width / tabSize)) + " ".repeat(width % tabSize);
  return fresh === lead ? line : fresh + line.slice(length);
}
