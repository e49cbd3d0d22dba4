// One proposal waiting for the person's verdict: the core's EditProposal (the text it was
// made for, its targets and replacements, the guards' reports), the document it is for, and
// the read-only proposal document shown in the diff. Accept writes ONE WorkspaceEdit (one
// undo step); nothing touches the file before that.
import type * as vscode from "vscode";
import type { EditProposal } from "../../core/edit/editProposal";

export type SessionState = "streaming" | "ready" | "closed";

export class EditSession {
  state: SessionState = "streaming";

  constructor(
    readonly proposal: EditProposal,
    readonly documentUri: vscode.Uri,
    readonly proposalUri: vscode.Uri,
    /** Runs the same command again (when the file changed under the proposal). */
    readonly rerun: () => Thenable<unknown>,
  ) {}

  get fileName(): string {
    return this.proposal.fileName;
  }
}
