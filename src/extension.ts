// Builds Hearth's object graph and registers it with VS Code. No logic lives here.
import * as vscode from "vscode";
import type { Gateway } from "./core/gateway/index.js";
import { registerChat, type ChatHandle } from "./vscode/chat/index.js";
import { registerServerCommands } from "./vscode/commands/serverCommands.js";
import { offerGpuSupportOnce, registerGpuCommands } from "./vscode/commands/gpuCommands.js";
import { registerInlineCompletion, type InlineCompletionHandle } from "./vscode/completion/inlineProvider.js";
import { Config } from "./vscode/config.js";
import { registerEdit, type EditApi } from "./vscode/edit/index.js";
import { VscodeEditor } from "./vscode/editor/vscodeEditor.js";
import { registerGateway } from "./vscode/gateway/index.js";
import { registerLanguageModels } from "./vscode/lm/index.js";
import { ModelResolver } from "./vscode/modelResolver.js";
import { ModelService } from "./vscode/modelService.js";
import { registerOnboarding, type OnboardingHandle } from "./vscode/onboarding/index.js";
import { registerPolicy, type PolicyService } from "./vscode/policy/index.js";
import { registerRepo, type RepoHandle } from "./vscode/repo/index.js";
import { StatusBar } from "./vscode/statusBar.js";
import { StatusViewProvider } from "./vscode/statusView.js";

export interface HearthApi {
  readonly modelService: ModelService;
  readonly policy: PolicyService;
  readonly gateway: Gateway;
  readonly completion: InlineCompletionHandle;
  readonly edit: EditApi;
  /** Repository Q&A; `repo.ask` serves the chat panel's @repo. */
  readonly repo: RepoHandle;
  readonly chat: ChatHandle;
  /** The model plan, the download queue and the walkthrough's progress. */
  readonly onboarding: OnboardingHandle;
}

export function activate(context: vscode.ExtensionContext): HearthApi {
  const log = vscode.window.createOutputChannel("Hearth", { log: true });
  const config = new Config(log);
  const policy = registerPolicy(context, log);
  const stateDir = context.globalStorageUri.fsPath;
  const serverScript = vscode.Uri.joinPath(context.extensionUri, "dist", "server.mjs").fsPath;
  // The model service is built after: the onboarding is the resolver's model supply.
  const onboarding = registerOnboarding({ config, log, stateDir, serverScript, extensionPath: context.extensionPath, globalState: context.globalState, modelService: () => modelService });
  const resolver = new ModelResolver(stateDir, log, onboarding.notice);
  const modelService = new ModelService(config, resolver, context.secrets, { serverScript, stateDir, log });
  onboarding.attach(modelService);
  const gateway = registerGateway(context, { log, policy, modelService, pricing: () => ({ prices: config.value.usagePrices, avoidedAt: config.value.usageAvoidedAt }) });
  const statusBar = new StatusBar(modelService);
  const gpuDeps = { service: modelService, config, log, extensionPath: context.extensionPath, stateDir, globalState: context.globalState };
  const statusView = new StatusViewProvider(modelService, { plans: onboarding.plans, downloads: onboarding.center });
  context.subscriptions.push(
    log,
    config,
    modelService,
    onboarding,
    statusBar,
    statusView,
    vscode.window.registerTreeDataProvider("hearth.modelView", statusView),
    ...registerServerCommands({ service: modelService, log, secrets: context.secrets }),
    ...registerGpuCommands(gpuDeps),
    offerGpuSupportOnce(gpuDeps),
    ...gateway.disposables,
  );
  const completion = registerInlineCompletion(context, { modelService, port: gateway.gateway.port("completion"), log });
  const repo = registerRepo({ port: onboarding.observe(gateway.gateway.port("repoQuestion"), "repoAsked"), notifier: gateway.notifier, modelService, policy, log });
  context.subscriptions.push(repo);
  const editor = new VscodeEditor();
  const chat = registerChat(context, { model: onboarding.observe(gateway.gateway.port("chat"), "chatSent"), editor, log, notify: (error) => gateway.notifier.notify(error), repo });
  // Explain answers in the chat panel (sent under the edit feature's policy by the edit runner).
  const edit = registerEdit(context, {
    models: { edit: gateway.gateway.port("edit"), translate: gateway.gateway.port("translate") },
    editor,
    notify: (error) => gateway.notifier.notify(error),
    log,
    explainSink: chat.externalAnswers,
  });
  context.subscriptions.push(...edit.disposables);
  // Hearth's models in VS Code's chat and for other extensions (VS Code 1.104+), under policy feature languageModel.
  context.subscriptions.push(...registerLanguageModels({ gateway: gateway.gateway, modelService, policy, secrets: context.secrets, log }));
  if (!vscode.workspace.isTrusted) log.info("Restricted Mode: Hearth runs local-only in this workspace.");
  void modelService.start();
  return { modelService, policy, gateway: gateway.gateway, completion, edit: edit.api, repo, chat, onboarding };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions; the shared server leaves on its own.
}
