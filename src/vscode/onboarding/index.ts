// The first hour on a real machine: the model plan applied, the downloads behind one
// notification, a model already on disk offered instead of a download, and the walkthrough
// whose steps complete as the user does each thing. Nothing here is modal.
import { join } from "node:path";
import * as vscode from "vscode";
import type { ModelPort } from "../../core/gateway/index.js";
import type { Config } from "../config.js";
import type { ModelService } from "../modelService.js";
import { OnboardingProgress, type OnboardingKey } from "./contextKeys.js";
import { DownloadCenter } from "./downloadCenter.js";
import { MachinePlanService } from "./machinePlan.js";
import { ModelNotice } from "./modelNotice.js";
import { observedPort } from "./observedPort.js";
import { applyModelPlan, DOWNLOAD_MODELS_COMMAND, registerPlanCommands, type PlanApplied, type PlanDeps } from "./planCommands.js";
import { OPEN_WALKTHROUGH_COMMAND, openWalkthrough, openWalkthroughOnce } from "./walkthrough.js";

export { WALKTHROUGH_ID } from "./walkthrough.js";

/** Run by an inline suggestion when it is accepted (InlineCompletionItem.command). */
export const SUGGESTION_ACCEPTED_COMMAND = "hearth.completion.accepted";
export const CANCEL_DOWNLOADS_COMMAND = "hearth.cancelDownloads";

export interface OnboardingDeps {
  readonly config: Config;
  readonly log: vscode.LogOutputChannel;
  readonly stateDir: string;
  readonly serverScript: string;
  readonly extensionPath: string;
  readonly globalState: vscode.Memento;
  /** The model service, built after this (it takes `notice` as its model supply). */
  readonly modelService: () => ModelService;
}

export interface OnboardingHandle extends vscode.Disposable {
  readonly modelsDir: string;
  readonly plans: MachinePlanService;
  readonly center: DownloadCenter;
  /** The model supply of the model resolver: queued downloads and the first-start notice. */
  readonly notice: ModelNotice;
  readonly progress: OnboardingProgress;
  applyPlan(): Promise<PlanApplied>;
  /** `port`, telling the walkthrough when a request goes out. */
  observe(port: ModelPort, key: OnboardingKey): ModelPort;
  /** Starts listening to the model service (ready: the models are in place). */
  attach(service: ModelService): void;
}

export function registerOnboarding(deps: OnboardingDeps): OnboardingHandle {
  const modelsDir = join(deps.stateDir, "models");
  const progress = new OnboardingProgress(deps.globalState);
  const configuredModels = (): string[] => [deps.config.value.model, deps.config.value.completionModel].filter((uri) => uri !== "");
  const startModels = (): void => void deps.modelService().start();
  // Read when the background measurement is due, by then `center` is set.
  const busyWith = (): string | undefined => {
    if (center.busy) return "a download is running";
    const kind = deps.modelService().state.kind;
    if (kind === "starting" || kind === "restarting" || kind === "resolving") return "the model server is starting";
    if (kind === "downloading") return "a download is running";
    return undefined;
  };
  const plans = new MachinePlanService({ config: deps.config, globalState: deps.globalState, storageDir: deps.stateDir, modelsDir, serverScript: deps.serverScript, extensionPath: deps.extensionPath, log: deps.log, busyWith });
  const center = new DownloadCenter({ modelsDir, stateDir: deps.stateDir, serverScript: deps.serverScript, extensionPath: deps.extensionPath, log: deps.log, gpuSetting: () => deps.config.value.gpu, startModels });
  const planDeps: PlanDeps = { plans, progress, log: deps.log, needsDownload: async () => (await center.missingModels(configuredModels())).length > 0 };
  const applyPlan = (): Promise<PlanApplied> => applyModelPlan(planDeps);
  const notice = new ModelNotice({
    center,
    plans,
    modelsDir,
    log: deps.log,
    openWalkthroughOnce: () => openWalkthroughOnce(deps.globalState).then(() => undefined),
    configuredModels,
    applyPlan,
    startModels,
  });
  const disposables: vscode.Disposable[] = [
    plans,
    center,
    ...registerPlanCommands(planDeps),
    vscode.commands.registerCommand(DOWNLOAD_MODELS_COMMAND, async () => {
      // A copy already on disk first (Use It is recorded in Hearth's index, so it is not missing any more).
      for (const uri of await center.missingModels(configuredModels())) if ((await notice.offerCopy(uri)) === "other") return undefined;
      const outcome = await center.download(configuredModels());
      if (outcome === undefined) void vscode.window.showInformationMessage(vscode.l10n.t("Every model the settings name is on this machine already."));
      return outcome;
    }),
    vscode.commands.registerCommand(CANCEL_DOWNLOADS_COMMAND, () => center.cancel()),
    vscode.commands.registerCommand(OPEN_WALKTHROUGH_COMMAND, () => openWalkthrough()),
    vscode.commands.registerCommand(SUGGESTION_ACCEPTED_COMMAND, () => progress.mark("suggestionAccepted")),
  ];
  return {
    modelsDir,
    plans,
    center,
    notice,
    progress,
    applyPlan,
    // A step done already (in any window) leaves the port as it is: nothing to tell per request.
    observe: (port, key) => (progress.has(key) ? port : observedPort(port, () => progress.mark(key))),
    attach: (service) => {
      disposables.push(
        service.onDidChangeState((state) => {
          if (state.kind === "ready" || state.kind === "external") progress.mark("modelsReady");
        }),
      );
    },
    dispose: () => {
      for (const disposable of disposables) disposable.dispose();
    },
  };
}
