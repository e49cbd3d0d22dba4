// Where a streaming Markdown answer can be cut into blocks that render on their own and
// never change again: so while an answer streams, only its last, unfinished block is
// rendered again, and the cost of a frame does not grow with the answer. Pure (no DOM).
//
// A cut goes where a new top-level block starts: after a blank line when the next line
// starts at column 0, before an unindented code fence, and after its closing fence. Inside
// a fence nothing is cut. (A loose list cut between items renders as two lists; an ordered
// one keeps its numbering through `start`.)

export interface BlockScan {
  /** Offset of the first line not yet scanned (lines are scanned once they are complete). */
  readonly pos: number;
  /** The open fence, if the scan is inside one. */
  readonly fence?: { readonly char: string; readonly length: number; readonly top: boolean };
  /** After a run of blank lines: where the next block would start. */
  readonly afterBlank?: number;
}

export const START_SCAN: BlockScan = { pos: 0 };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Scans the complete lines of `text` after `scan.pos`; returns the new cut offsets (ascending) and the scan to continue from. */
export function scanBlocks(text: string, scan: BlockScan): { cuts: number[]; scan: BlockScan } {
  const cuts: number[] = [];
  let { pos, fence, afterBlank } = scan;
  for (;;) {
    const newline = text.indexOf("\n", pos);
    if (newline < 0) break;
    const line = text.slice(pos, newline);
    const start = pos;
    pos = newline + 1;
    if (fence !== undefined) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close !== null && close[1][0] === fence.char && close[1].length >= fence.length) {
        // After a top-level fence closes, the next top-level line starts a new block.
        if (fence.top) afterBlank = pos;
        fence = undefined;
      }
      continue;
    }
    if (line.trim() === "") {
      afterBlank = pos;
      continue;
    }
    const atColumnZero = line[0] !== " " && line[0] !== "\t";
    const open = FENCE.exec(line);
    if (afterBlank !== undefined && atColumnZero) cuts.push(afterBlank);
    else if (open !== null && atColumnZero && start > 0 && cuts.at(-1) !== start) cuts.push(start);
    afterBlank = undefined;
    if (open !== null && !(open[1][0] === "`" && line.slice(line.indexOf(open[1]) + open[1].length).includes("`"))) {
      fence = { char: open[1][0], length: open[1].length, top: atColumnZero };
    }
  }
  // A cut at 0 would make an empty block.
  return { cuts: cuts.filter((cut, i) => cut > 0 && (i === 0 || cut > cuts[i - 1])), scan: { pos, ...(fence !== undefined ? { fence } : {}), ...(afterBlank !== undefined ? { afterBlank } : {}) } };
}
