// What the policy service says to the user: one notification for a broken policy file
// (or setting), and the one-time question when a workspace file loosens the user's
// defaults. Behind an interface so the service can be built with a fake in tests.
import * as vscode from "vscode";
import type { Loosening, PolicyDiagnostic } from "../../core/policy/index.js";
import type { ConsentDecision } from "./consentStore.js";

export const ALLOW_ACTION = "Allow for this workspace";
export const KEEP_ACTION = "Keep my defaults";
export const OPEN_POLICY_ACTION = "Open Policy";

export interface PolicyPrompts {
  /** A workspace policy file has errors: the folder runs local-only until it is fixed. */
  invalidFile(file: vscode.Uri, label: string, errors: readonly PolicyDiagnostic[]): void;
  /** The user's `hearth.policy` setting has problems; `usingBuiltIn` says whether it was ignored. */
  invalidSetting(problems: readonly PolicyDiagnostic[], usingBuiltIn: boolean): void;
  /** Resolves to the user's answer, or undefined when the notification was dismissed. */
  askConsent(file: vscode.Uri, label: string, loosenings: readonly Loosening[]): Promise<ConsentDecision | undefined>;
}

export class NotificationPolicyPrompts implements PolicyPrompts {
  invalidFile(file: vscode.Uri, label: string, errors: readonly PolicyDiagnostic[]): void {
    const first = errors[0];
    const where = first ? ` (line ${first.start.line + 1}: ${first.message}${errors.length > 1 ? `, and ${errors.length - 1} more` : ""})` : "";
    const message = `Hearth: the privacy policy ${label} has ${errors.length === 1 ? "an error" : `${errors.length} errors`}${where}. Hearth keeps everything on this machine for this folder until the file is fixed.`;
    void vscode.window.showWarningMessage(message, OPEN_POLICY_ACTION).then((choice) => {
      if (choice !== OPEN_POLICY_ACTION) return;
      const selection = first ? new vscode.Range(first.start.line, first.start.character, first.end.line, first.end.character) : undefined;
      void vscode.window.showTextDocument(file, selection ? { selection } : {});
    });
  }

  invalidSetting(problems: readonly PolicyDiagnostic[], usingBuiltIn: boolean): void {
    const list = problems.map((p) => `${p.path === "" ? "" : `${p.path}: `}${p.message}`).join("; ");
    const consequence = usingBuiltIn ? "Hearth ignores the setting and keeps every feature on this machine." : "The rest of the setting applies.";
    const message = `Hearth: the setting hearth.policy has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}: ${list}. ${consequence}`;
    void vscode.window.showWarningMessage(message, "Open Settings").then((choice) => {
      if (choice) void vscode.commands.executeCommand("workbench.action.openSettingsJson");
    });
  }

  async askConsent(_file: vscode.Uri, label: string, loosenings: readonly Loosening[]): Promise<ConsentDecision | undefined> {
    const list = loosenings.map((l) => l.description).join("; ");
    const message = `Hearth: the workspace policy ${label} asks for more than your settings allow: ${list}. Until you allow it, your own settings apply.`;
    const choice = await vscode.window.showInformationMessage(message, ALLOW_ACTION, KEEP_ACTION);
    return choice === ALLOW_ACTION ? "allow" : choice === KEEP_ACTION ? "keep" : undefined;
  }
}
