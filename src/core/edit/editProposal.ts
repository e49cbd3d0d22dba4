// A proposed change to one document: the text it was made for (and that text's version),
// its targets and their replacements as they stream in, and the guards' reports. Nothing
// here touches the document; the editor side shows `proposalText()` beside the original and
// writes the replacements only when the person accepts.
import type { GuardReport } from "./guards";
import type { EditKind } from "./editKinds";
import { applyReplacements, relocate } from "./replacements";
import type { EditTarget } from "./target";

export interface ProposalTarget {
  start: number;
  end: number;
  /** The target's text when the proposal was made. */
  original: string;
  /** The text before the target on its first line (for re-indenting the answer). */
  readonly firstLinePrefix: string;
  /** The replacement so far (partial while streaming); undefined before its answer starts. */
  replacement: string | undefined;
}

export class EditProposal {
  readonly targets: ProposalTarget[];
  reports: readonly GuardReport[] = [];

  constructor(
    readonly kind: EditKind,
    /** The document's name for messages (`total.ts`). */
    readonly fileName: string,
    public version: number,
    public originalText: string,
    targets: readonly EditTarget[],
  ) {
    this.targets = targets.map((t) => {
      const lineStart = originalText.lastIndexOf("\n", t.start - 1) + 1;
      return { start: t.start, end: t.end, original: originalText.slice(t.start, t.end), firstLinePrefix: originalText.slice(lineStart, t.start), replacement: undefined };
    });
  }

  proposalText(): string {
    return applyReplacements(
      this.originalText,
      this.targets.map((t) => ({ start: t.start, end: t.end, text: t.replacement ?? t.original })),
    );
  }

  /** Where each target starts in the proposal text (0-based line), for mapping guard lines. */
  proposalStartLine(index: number): number {
    let shift = 0;
    const target = this.targets[index];
    for (const other of this.targets) {
      if (other.start >= target.start) continue;
      shift += lineCount(other.replacement ?? other.original) - lineCount(other.original);
    }
    return lineCount(this.originalText.slice(0, target.start)) + shift;
  }

  originalStartLine(index: number): number {
    return lineCount(this.originalText.slice(0, this.targets[index].start));
  }

  /**
   * The document changed since the proposal: follow each target to where its text is now.
   * False when some target's text is gone or different, so the proposal no longer applies.
   */
  rebase(currentText: string, version: number): boolean {
    const located = relocate(currentText, this.targets);
    if (located === undefined) return false;
    located.forEach((place, i) => {
      this.targets[i].start = place.start;
      this.targets[i].end = place.end;
    });
    this.originalText = currentText;
    this.version = version;
    return true;
  }
}

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
