// Builds Hearth's object graph and registers it with VS Code. No logic lives here.
import * as vscode from "vscode";

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Hearth", { log: true });
  context.subscriptions.push(log);
  const status = vscode.window.createStatusBarItem("hearth.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "Hearth";
  status.text = "$(loading~spin) Hearth";
  status.command = "hearth.showMenu";
  status.show();
  context.subscriptions.push(status);
  for (const id of ["hearth.showMenu", "hearth.restartServer", "hearth.chooseModel", "hearth.openPolicy", "hearth.setServerApiKey"]) {
    context.subscriptions.push(vscode.commands.registerCommand(id, () => log.info(`${id} is not wired yet`)));
  }
  context.subscriptions.push(vscode.commands.registerCommand("hearth.showLogs", () => log.show()));
}

export function deactivate(): void {
  // Disposables in context.subscriptions are released by VS Code.
}
