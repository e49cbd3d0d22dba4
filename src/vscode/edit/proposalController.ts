// The proposals on screen and the user's verdict on them: Accept (one undoable
// WorkspaceEdit, after a version check), Accept anyway (when a guard found violations),
// Reject (the file is never touched). Keeps the `hearth.edit.hasProposal` context key for
// the editor title buttons and keybindings, and the guards' findings as diagnostics on the
// proposal document.
import * as vscode from "vscode";
import { guardHeadline, guardReportMarkdown, hasViolations } from "../../core/edit/editGuards";
import type { Logger } from "../../core/logger";
import type { ReadOnlyDocuments } from "../readOnlyDocuments";
import type { EditSession } from "./editSession";

export const HAS_PROPOSAL_CONTEXT = "hearth.edit.hasProposal";

export type AcceptOutcome = "accepted" | "needsConfirmation" | "rediffed" | "stale" | "streaming" | "noProposal" | "failed";

export class ProposalController implements vscode.Disposable {
  private readonly sessions = new Map<string, EditSession>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("hearth-edit");
  private last: EditSession | undefined;
  private readonly tabWatch: vscode.Disposable;

  constructor(
    private readonly documents: ReadOnlyDocuments,
    private readonly log: Logger,
  ) {
    // Closing a finished proposal's diff by hand is a Reject: nothing should stay pending unseen.
    this.tabWatch = vscode.window.tabGroups.onDidChangeTabs((event) => {
      for (const tab of event.closed) {
        if (!(tab.input instanceof vscode.TabInputTextDiff)) continue;
        const session = this.sessions.get(tab.input.modified.toString());
        if (session?.state === "ready") void this.close(session);
      }
    });
  }

  add(session: EditSession): void {
    this.sessions.set(session.proposalUri.toString(), session);
    this.last = session;
    this.updateContext();
  }

  /** The proposal in the active diff editor, else the most recent one still open. */
  current(): EditSession | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff) {
      const session = this.sessions.get(input.modified.toString());
      if (session !== undefined) return session;
    }
    return this.last !== undefined && this.sessions.has(this.last.proposalUri.toString()) ? this.last : [...this.sessions.values()].pop();
  }

  find(uri: vscode.Uri | undefined): EditSession | undefined {
    return uri === undefined ? undefined : this.sessions.get(uri.toString());
  }

  /** The text streamed so far (or the final text): shown on the proposal side of the diff, within moments or (`now`) at once. */
  refresh(session: EditSession, options: { readonly now?: boolean } = {}): void {
    if (session.state === "closed") return;
    this.documents.update(session.proposalUri, session.proposal.proposalText(), options);
  }

  /** The answer is complete: show the guards' findings and offer the verdict. */
  async ready(session: EditSession): Promise<void> {
    session.state = "ready";
    this.refresh(session, { now: true });
    await this.documents.settled(session.proposalUri);
    this.diagnostics.set(session.proposalUri, this.diagnosticsOf(session));
    void this.offer(session);
  }

  async accept(session: EditSession | undefined, options: { anyway?: boolean } = {}): Promise<AcceptOutcome> {
    if (session === undefined || session.state === "closed") {
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: there is no proposal to accept."));
      return "noProposal";
    }
    if (session.state === "streaming") {
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: the proposal is still being written. Wait for it to finish, or cancel it."));
      return "streaming";
    }
    if (hasViolations(session.proposal.reports) && options.anyway !== true) {
      void this.warnViolations(session);
      return "needsConfirmation";
    }
    const document = await vscode.workspace.openTextDocument(session.documentUri);
    const { proposal } = session;
    if (document.version !== proposal.version) {
      const current = document.getText();
      if (current !== proposal.originalText) {
        if (!proposal.rebase(current, document.version)) {
          const again = vscode.l10n.t("Run Again");
          void vscode.window
            .showWarningMessage(vscode.l10n.t("Hearth: {0} changed where this proposal applies, so it was not applied. Run the command again on the current text.", session.fileName), again)
            .then((choice) => (choice === again ? this.rerun(session) : undefined));
          return "stale";
        }
        this.refresh(session, { now: true });
        await this.documents.settled(session.proposalUri);
        this.diagnostics.set(session.proposalUri, this.diagnosticsOf(session));
        void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: {0} changed since the proposal was made. The diff now shows it against the current text; review it and Accept again.", session.fileName));
        return "rediffed";
      }
      proposal.version = document.version;
    }
    const edit = new vscode.WorkspaceEdit();
    for (const target of proposal.targets) {
      edit.replace(document.uri, new vscode.Range(document.positionAt(target.start), document.positionAt(target.end)), target.replacement ?? target.original);
    }
    const applied = await vscode.workspace.applyEdit(edit);
    if (!applied) {
      void vscode.window.showErrorMessage(vscode.l10n.t("Hearth: VS Code did not apply the change to {0} (is the file read-only?). The proposal is still open.", session.fileName));
      return "failed";
    }
    await this.close(session);
    await vscode.window.showTextDocument(document, { preview: false });
    return "accepted";
  }

  async reject(session: EditSession | undefined): Promise<void> {
    if (session === undefined) return;
    await this.close(session);
  }

  /** Ends a session: its diff tab, diagnostics and proposal text go; the file is left as it is. */
  async close(session: EditSession): Promise<void> {
    if (session.state === "closed") return;
    session.state = "closed";
    this.sessions.delete(session.proposalUri.toString());
    this.diagnostics.delete(session.proposalUri);
    this.updateContext();
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs).filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === session.proposalUri.toString());
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
    this.documents.forget(session.proposalUri);
  }

  async showReport(session: EditSession | undefined): Promise<void> {
    if (session === undefined) return;
    await this.documents.show(`hearth-checks-${session.fileName}.md`, guardReportMarkdown(session.fileName, session.proposal.reports), { preview: true, beside: true });
  }

  dispose(): void {
    this.tabWatch.dispose();
    this.diagnostics.dispose();
    this.sessions.clear();
    void vscode.commands.executeCommand("setContext", HAS_PROPOSAL_CONTEXT, false);
  }

  private async offer(session: EditSession): Promise<void> {
    if (hasViolations(session.proposal.reports)) return this.warnViolations(session);
    const accept = vscode.l10n.t("Accept");
    const reject = vscode.l10n.t("Reject");
    const headline = guardHeadline(session.proposal.reports);
    const message = headline === undefined ? vscode.l10n.t("Hearth: the proposal for {0} is ready.", session.fileName) : vscode.l10n.t("Hearth: the proposal for {0} is ready. {1}", session.fileName, headline);
    const choice = await vscode.window.showInformationMessage(message, accept, reject);
    if (session.state !== "ready") return;
    if (choice === accept) await this.accept(session);
    else if (choice === reject) await this.reject(session);
  }

  private async warnViolations(session: EditSession): Promise<void> {
    const anyway = vscode.l10n.t("Accept Anyway");
    const report = vscode.l10n.t("Show Report");
    const reject = vscode.l10n.t("Reject");
    const message = vscode.l10n.t("Hearth: the proposal for {0} fails a check: {1} The changed lines are marked in the proposal.", session.fileName, guardHeadline(session.proposal.reports) ?? "");
    const choice = await vscode.window.showWarningMessage(message, anyway, report, reject);
    if (session.state !== "ready") return;
    if (choice === anyway) await this.accept(session, { anyway: true });
    else if (choice === report) await this.showReport(session);
    else if (choice === reject) await this.reject(session);
  }

  private async rerun(session: EditSession): Promise<void> {
    await this.close(session);
    try {
      await session.rerun();
    } catch (error) {
      this.log.error(error instanceof Error ? error : String(error));
    }
  }

  private diagnosticsOf(session: EditSession): vscode.Diagnostic[] {
    const out: vscode.Diagnostic[] = [];
    for (const report of session.proposal.reports) {
      if (report.status !== "violations") continue;
      for (const issue of report.issues) {
        const line = Math.max(0, (issue.proposalLine ?? 1) - 1);
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), issue.message, vscode.DiagnosticSeverity.Warning);
        diagnostic.source = "Hearth";
        diagnostic.code = report.guard;
        out.push(diagnostic);
      }
    }
    return out;
  }

  private updateContext(): void {
    void vscode.commands.executeCommand("setContext", HAS_PROPOSAL_CONTEXT, this.sessions.size > 0);
  }
}
