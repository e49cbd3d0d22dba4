// The gateway's commands: the API keys (SecretStorage only), the audit log, the dry run and
// the usage view. Their titles are the ones provider error messages name.
import { stat } from "node:fs/promises";
import * as vscode from "vscode";
import type { GatewayRequest } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import { SECRET_KEYS } from "../../core/providers";
import type { TallyOptions } from "../../core/audit";
import { requestFolders } from "../policy/requestFolders";
import type { GatewayDeps, GatewayServices } from "./createGateway";
import { SET_KEY_COMMAND_IDS } from "./failureNotifier";
import { previewDocument } from "./payloadDocument";
import { usageMarkdown } from "./usageReport";

export const GATEWAY_COMMANDS = {
  setOpenAiKey: SET_KEY_COMMAND_IDS.openai,
  setAnthropicKey: SET_KEY_COMMAND_IDS.anthropic,
  setSelfHostedKey: SET_KEY_COMMAND_IDS.selfHosted,
  openAuditLog: "hearth.openAuditLog",
  dryRun: "hearth.dryRun",
  showUsage: "hearth.showUsage",
} as const;

/** The question a dry run asks about the selection or file, as the chat feature would. */
export const DRY_RUN_QUESTION = "Explain what this code does.";

const KEY_NAMES = { openai: "OpenAI", anthropic: "Anthropic", selfHosted: "self-hosted endpoint" } as const;

export function registerGatewayCommands(secrets: vscode.SecretStorage, services: GatewayServices, log: Logger, pricing?: GatewayDeps["pricing"]): vscode.Disposable[] {
  const run = (id: string, handler: (...args: unknown[]) => Promise<void>): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (error) {
        await services.notifier.notify(error);
      }
    });
  return [
    run(GATEWAY_COMMANDS.setOpenAiKey, () => setKey(secrets, "openai", log)),
    run(GATEWAY_COMMANDS.setAnthropicKey, () => setKey(secrets, "anthropic", log)),
    run(GATEWAY_COMMANDS.setSelfHostedKey, () => setKey(secrets, "selfHosted", log)),
    run(GATEWAY_COMMANDS.openAuditLog, (entryId) => openAuditLog(services, typeof entryId === "string" ? entryId : undefined)),
    run(GATEWAY_COMMANDS.dryRun, () => dryRun(services)),
    run(GATEWAY_COMMANDS.showUsage, () => showUsage(services, pricing?.())),
  ];
}

async function setKey(secrets: vscode.SecretStorage, provider: keyof typeof SECRET_KEYS, log: Logger): Promise<void> {
  const name = KEY_NAMES[provider];
  const value = await vscode.window.showInputBox({
    title: `Hearth: ${name} API key`,
    prompt: `Stored in VS Code's secret storage only, never in settings. Leave empty to remove the stored key.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  const key = value.trim();
  if (key === "") {
    await secrets.delete(SECRET_KEYS[provider]);
    log.info(`removed the ${name} API key`);
    void vscode.window.showInformationMessage(`Hearth: the ${name} API key was removed.`);
    return;
  }
  await secrets.store(SECRET_KEYS[provider], key);
  log.info(`stored an ${name} API key`);
  void vscode.window.showInformationMessage(`Hearth: the ${name} API key is stored in VS Code's secret storage.`);
}

/** Opens the audit log; with an entry id (the chat's "audit entry" link), reveals that entry's line. */
async function openAuditLog(services: GatewayServices, entryId?: string): Promise<void> {
  const size = await stat(services.audit.path).then(
    (s) => s.size,
    () => 0,
  );
  if (size === 0) {
    void vscode.window.showInformationMessage("Hearth: the audit log is empty: no prompt has left this machine through Hearth.");
    return;
  }
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(services.audit.path));
  const editor = await vscode.window.showTextDocument(document, { preview: false });
  if (entryId === undefined) return;
  const needle = JSON.stringify(entryId);
  for (let line = 0; line < document.lineCount; line++) {
    if (!document.lineAt(line).text.includes(needle)) continue;
    const range = document.lineAt(line).range;
    editor.selection = new vscode.Selection(range.start, range.end);
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
    return;
  }
}

/** What the dry run asks the gateway: the active editor's selection, or its whole file, as a chat question. */
export function dryRunRequest(editor: vscode.TextEditor): GatewayRequest {
  const { document, selection } = editor;
  const selected = !selection.isEmpty;
  return {
    feature: "chat",
    messages: [{ role: "user", content: DRY_RUN_QUESTION }],
    folders: requestFolders(document.uri),
    files: [
      {
        path: document.uri.scheme === "file" || vscode.workspace.getWorkspaceFolder(document.uri) !== undefined ? vscode.workspace.asRelativePath(document.uri, false) : document.fileName,
        content: selected ? document.getText(selection) : document.getText(),
        origin: selected ? "selection" : "file",
      },
    ],
  };
}

async function dryRun(services: GatewayServices): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (editor === undefined) {
    void vscode.window.showInformationMessage("Hearth: open a file (or select some code) first; the dry run shows what a chat question about it would send.");
    return;
  }
  const preview = await services.gateway.preview(dryRunRequest(editor));
  await services.documents.show("hearth-dry-run.json", previewDocument(preview), { preview: false, language: "json" });
}

async function showUsage(services: GatewayServices, pricing: TallyOptions | undefined): Promise<void> {
  const text = usageMarkdown(await services.usage.tally(pricing));
  const document = await services.documents.open("hearth-usage.md", text, { language: "markdown" });
  try {
    await vscode.commands.executeCommand("markdown.showPreview", document.uri);
  } catch {
    await vscode.window.showTextDocument(document, { preview: true });
  }
}
