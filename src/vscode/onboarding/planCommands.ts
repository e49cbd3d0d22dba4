// Hearth: Apply Model Plan (the walkthrough's Accept), Change (the settings, filtered to the
// plan's), Show Model Plan and Measure This Machine (the engine's speed here, again). An apply writes the plan's choices only where the user has not
// set a value; what the user set stays, since settings override every choice of the plan.
import * as vscode from "vscode";
import type { MachineMeasurement } from "../../core/hardware/machineMeasurement.js";
import type { ModelPlan } from "../../core/hardware/planner.js";
import { describeProbe } from "../../core/hardware/probe.js";
import type { Logger } from "../../core/logger.js";
import { PLAN_SETTING_KEYS, planSettings, type PlanSettingsDecision } from "../../core/models/planSettings.js";
import { writePlanSetting } from "../config.js";
import type { OnboardingProgress } from "./contextKeys.js";
import { MeasureError } from "./machineMeasure.js";
import type { MachinePlanService, PlanSpeeds } from "./machinePlan.js";

export const APPLY_PLAN_COMMAND = "hearth.applyModelPlan";
export const CHANGE_PLAN_COMMAND = "hearth.changeModelPlan";
export const SHOW_PLAN_COMMAND = "hearth.showModelPlan";
export const DOWNLOAD_MODELS_COMMAND = "hearth.downloadModels";
export const MEASURE_MACHINE_COMMAND = "hearth.measureMachine";

export interface PlanDeps {
  readonly plans: MachinePlanService;
  readonly progress: OnboardingProgress;
  readonly log: Logger;
  /** Whether a model the settings name now still has to be downloaded. */
  readonly needsDownload: () => Promise<boolean>;
}

export interface PlanApplied {
  readonly plan: ModelPlan;
  readonly decision: PlanSettingsDecision;
}

/** Writes the plan's choices where nobody set a value; says what changed and what stayed. Never waits for the user. */
export async function applyModelPlan(deps: PlanDeps): Promise<PlanApplied> {
  const { plan } = await deps.plans.refresh();
  const decision = planSettings(plan, deps.plans.settingsNow());
  for (const write of decision.writes) await writePlanSetting(write.key, write.value);
  await deps.plans.recordApplied(Object.fromEntries(decision.writes.map((write) => [write.key, write.value])));
  deps.progress.mark("planDecided");
  deps.log.info(`model plan applied: ${decision.writes.map((write) => `${write.key} = ${JSON.stringify(write.value)} (${write.why})`).join("; ") || "nothing to change"}${decision.kept.length > 0 ? `; kept the user's ${decision.kept.map((kept) => kept.key).join(", ")}` : ""}${decision.notApplied.map((entry) => `; ${entry.key} not applied: ${entry.why}`).join("")}`);
  const parts = [
    decision.writes.length > 0 ? vscode.l10n.t("Hearth applied the model plan: {0}.", decision.writes.map((write) => `${write.key} = ${JSON.stringify(write.value)}`).join(", ")) : vscode.l10n.t("The settings already follow the model plan."),
    ...(decision.kept.length > 0 ? [vscode.l10n.t("Your own {0} stay as you set them: settings override the plan.", decision.kept.map((kept) => kept.key).join(", "))] : []),
  ];
  const download = vscode.l10n.t("Download Models");
  const open = vscode.l10n.t("Open Settings");
  const buttons = (await deps.needsDownload()) ? [download, open] : [open];
  void vscode.window.showInformationMessage(parts.join(" "), ...buttons).then((choice) => {
    if (choice === download) void vscode.commands.executeCommand(DOWNLOAD_MODELS_COMMAND);
    if (choice === open) void openPlanSettings();
  });
  return { plan, decision };
}

/** The settings editor, showing the plan's settings only. */
export async function openPlanSettings(): Promise<void> {
  await vscode.commands.executeCommand("workbench.action.openSettings", PLAN_SETTING_KEYS.map((key) => `@id:${key}`).join(" "));
}

/** Where the plan's speeds come from, in a sentence. */
export function describePlanSpeeds(speeds: PlanSpeeds): string {
  if (speeds.kind === "measured") return vscode.l10n.t("Speeds measured on this machine with {0} on {1}.", speeds.model, new Date(speeds.measuredAt).toLocaleDateString());
  return `${vscode.l10n.t("Speeds are reference estimates, not measured here.")} ${speeds.why}`;
}

/**
 * Hearth: Measure This Machine: the measurement with a cancellable notification, then the
 * new plan in a sentence. A measurement already running (the first, in the background) is
 * waited for; cancelling then stops the wait.
 */
export async function measureMachine(deps: PlanDeps): Promise<MachineMeasurement | undefined> {
  let measurement: MachineMeasurement;
  try {
    measurement = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth is measuring this machine…"), cancellable: true }, (_progress, token) => {
      const controller = new AbortController();
      const cancelled = new Promise<never>((_, reject) => {
        token.onCancellationRequested(() => {
          controller.abort();
          reject(new MeasureError("The measurement was cancelled.", true));
        });
      });
      return Promise.race([deps.plans.measure(controller.signal), cancelled]);
    });
  } catch (error) {
    if (error instanceof MeasureError && error.cancelled) return undefined;
    const message = error instanceof Error ? error.message : String(error);
    const download = vscode.l10n.t("Download Models");
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t("Hearth could not measure this machine: {0}", message), ...(/download/i.test(message) ? [download] : []));
    if (choice === download) await vscode.commands.executeCommand(DOWNLOAD_MODELS_COMMAND);
    return undefined;
  }
  const { plan } = await deps.plans.refresh();
  const figures = measurement.samples.map((sample) => vscode.l10n.t("{0}: prompt {1} tokens/s, generation {2} tokens/s", sample.backend === "gpu" ? "GPU" : "CPU", sample.promptTokensPerSecond.toFixed(0), sample.generationTokensPerSecond.toFixed(1))).join("; ");
  const show = vscode.l10n.t("Show Model Plan");
  void vscode.window.showInformationMessage(vscode.l10n.t("Hearth measured this machine in {0} s with {1} ({2}). Model plan: {3}.", (measurement.wallMs / 1000).toFixed(0), measurement.model.name, figures, plan.summary), show).then((choice) => {
    if (choice === show) void vscode.commands.executeCommand(SHOW_PLAN_COMMAND);
  });
  return measurement;
}

export function registerPlanCommands(deps: PlanDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(APPLY_PLAN_COMMAND, () => applyModelPlan(deps)),
    vscode.commands.registerCommand(CHANGE_PLAN_COMMAND, async () => {
      deps.progress.mark("planDecided");
      await openPlanSettings();
    }),
    vscode.commands.registerCommand(MEASURE_MACHINE_COMMAND, () => measureMachine(deps)),
    vscode.commands.registerCommand(SHOW_PLAN_COMMAND, async () => {
      const { probe, plan, speeds } = await deps.plans.refresh();
      await vscode.commands.executeCommand("workbench.view.extension.hearth");
      const accept = vscode.l10n.t("Accept Plan");
      const change = vscode.l10n.t("Change…");
      const estimated = ` ${describePlanSpeeds(speeds)}`;
      const problems = plan.problems.length > 0 ? ` ${plan.problems.join(" ")}` : "";
      const choice = await vscode.window.showInformationMessage(`${vscode.l10n.t("Hearth's model plan for {0}: {1}.", describeProbe(probe), plan.summary)}${estimated}${problems}`, accept, change);
      if (choice === accept) await applyModelPlan(deps);
      if (choice === change) await vscode.commands.executeCommand(CHANGE_PLAN_COMMAND);
    }),
  ];
}
