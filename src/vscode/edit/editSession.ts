// One proposal waiting for the user's verdict: the file it was made for (URI, version and
// text at the time), its targets and their replacements, the guards' reports, and the
// read-only proposal document shown in the diff. Accept writes ONE WorkspaceEdit (one undo
// step); nothing touches the file before that.
import * as vscode from "vscode";
import type { EditKind } from "../../core/edit/editKinds";
import type { GuardReport } from "../../core/edit/guards";
import { applyReplacements, relocate } from "../../core/edit/replacements";

export interface SessionTarget {
  start: number;
  end: number;
  /** The target's text when the proposal was made. */
  original: string;
  /** The text before the target on its first line (for re-indenting the answer). */
  readonly firstLinePrefix: string;
  /** The replacement so far (partial while streaming); undefined before its answer starts. */
  replacement: string | undefined;
}

export type SessionState = "streaming" | "ready" | "closed";

export class EditSession {
  state: SessionState = "streaming";
  reports: readonly GuardReport[] = [];

  constructor(
    readonly kind: EditKind,
    readonly documentUri: vscode.Uri,
    public version: number,
    public originalText: string,
    readonly targets: SessionTarget[],
    readonly proposalUri: vscode.Uri,
    /** Runs the same command again (when the file changed under the proposal). */
    readonly rerun: () => Thenable<unknown>,
  ) {}

  get fileName(): string {
    return this.documentUri.path.split("/").pop() ?? this.documentUri.path;
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
   * The file changed since the proposal: follow each target to where its text is now.
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
