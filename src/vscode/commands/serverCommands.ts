import * as vscode from "vscode";
import { setUserModel } from "../config.js";
import { EXTERNAL_API_KEY_SECRET, type ModelService } from "../modelService.js";
import { openPolicyFile } from "../policy/index.js";

interface Deps {
  service: ModelService;
  log: vscode.LogOutputChannel;
  secrets: vscode.SecretStorage;
}

/** The commands about the model server; each id sits next to its handler. */
export function registerServerCommands({ service, log, secrets }: Deps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand("hearth.showLogs", () => log.show(true)),
    vscode.commands.registerCommand("hearth.restartServer", () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "Hearth: restarting the model server" }, () => service.restart()),
    ),
    vscode.commands.registerCommand("hearth.chooseModel", async () => {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { "GGUF models": ["gguf"] }, title: "Choose a GGUF model for Hearth" });
      if (!picked?.[0]) return;
      await setUserModel(picked[0].fsPath);
    }),
    vscode.commands.registerCommand("hearth.openPolicy", () => openPolicyFile()),
    vscode.commands.registerCommand("hearth.setServerApiKey", async () => {
      const key = await vscode.window.showInputBox({ title: "API key for hearth.server.url", prompt: "Stored in VS Code's secret storage, never in settings.", password: true, ignoreFocusOut: true });
      if (key === undefined) return;
      if (key === "") await secrets.delete(EXTERNAL_API_KEY_SECRET);
      else await secrets.store(EXTERNAL_API_KEY_SECRET, key);
    }),
    vscode.commands.registerCommand("hearth.showMenu", async () => {
      const items: Array<vscode.QuickPickItem & { command: string }> = [
        { label: "$(output) Show Logs", command: "hearth.showLogs" },
        { label: "$(debug-restart) Restart Model Server", command: "hearth.restartServer" },
        { label: "$(file-binary) Choose Model…", command: "hearth.chooseModel" },
        { label: "$(shield) Open Privacy Policy", command: "hearth.openPolicy" },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: "Hearth", placeHolder: "What do you want to do?" });
      if (picked) await vscode.commands.executeCommand(picked.command);
    }),
  ];
}
