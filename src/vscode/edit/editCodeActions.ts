// The light bulb: Hearth's edit commands as code actions on a selection (RefactorRewrite),
// and Fix as a QuickFix wherever there are diagnostics.
import * as vscode from "vscode";
import { EDIT_COMMANDS } from "./editCommandIds";

const REWRITE = vscode.CodeActionKind.RefactorRewrite.append("hearth");
const QUICK_FIX = vscode.CodeActionKind.QuickFix.append("hearth");

export class EditCodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [REWRITE, QUICK_FIX] };

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    if (context.diagnostics.length > 0) {
      const fix = new vscode.CodeAction(vscode.l10n.t("Hearth: Fix"), QUICK_FIX);
      fix.command = { command: EDIT_COMMANDS.fix, title: fix.title };
      fix.diagnostics = [...context.diagnostics];
      actions.push(fix);
    }
    if (range.isEmpty) return actions;
    const prose = document.languageId === "markdown" || document.languageId === "plaintext";
    const offered: [string, string][] = prose
      ? [
          [EDIT_COMMANDS.translateDocument, vscode.l10n.t("Hearth: Translate To…")],
          [EDIT_COMMANDS.explain, vscode.l10n.t("Hearth: Explain")],
        ]
      : [
          [EDIT_COMMANDS.refactor, vscode.l10n.t("Hearth: Refactor…")],
          [EDIT_COMMANDS.explain, vscode.l10n.t("Hearth: Explain")],
          [EDIT_COMMANDS.document, vscode.l10n.t("Hearth: Add Documentation")],
          [EDIT_COMMANDS.translateComments, vscode.l10n.t("Hearth: Translate Comments and Docs To…")],
          [EDIT_COMMANDS.translateCode, vscode.l10n.t("Hearth: Translate Code To…")],
          [EDIT_COMMANDS.generateTests, vscode.l10n.t("Hearth: Generate Tests")],
        ];
    for (const [command, title] of offered) {
      const action = new vscode.CodeAction(title, REWRITE);
      action.command = { command, title };
      actions.push(action);
    }
    return actions;
  }
}
