// Hearth: Apply Model Plan (the walkthrough's Accept), Change (the settings, filtered to the
// plan's) and Show Model Plan. An apply writes the plan's choices only where the user has not
// set a value; what the user set stays, since settings override every choice of the plan.
import * as vscode from "vscode";
import type { ModelPlan } from "../../core/hardware/planner.js";
import { describeProbe } from "../../core/hardware/probe.js";
import type { Logger } from "../../core/logger.js";
import { PLAN_SETTING_KEYS, planSettings, type PlanSettingsDecision } from "../../core/models/planSettings.js";
import { writePlanSetting } from "../config.js";
import type { OnboardingProgress } from "./contextKeys.js";
import type { MachinePlanService } from "./machinePlan.js";

export const APPLY_PLAN_COMMAND = "hearth.applyModelPlan";
export const CHANGE_PLAN_COMMAND = "hearth.changeModelPlan";
export const SHOW_PLAN_COMMAND = "hearth.showModelPlan";
export const DOWNLOAD_MODELS_COMMAND = "hearth.downloadModels";

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

export function registerPlanCommands(deps: PlanDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(APPLY_PLAN_COMMAND, () => applyModelPlan(deps)),
    vscode.commands.registerCommand(CHANGE_PLAN_COMMAND, async () => {
      deps.progress.mark("planDecided");
      await openPlanSettings();
    }),
    vscode.commands.registerCommand(SHOW_PLAN_COMMAND, async () => {
      const { probe, plan } = await deps.plans.refresh();
      await vscode.commands.executeCommand("workbench.view.extension.hearth");
      const accept = vscode.l10n.t("Accept Plan");
      const change = vscode.l10n.t("Change…");
      const estimated = plan.estimated ? ` ${vscode.l10n.t("Speeds are estimates until Hearth measures this machine.")}` : "";
      const problems = plan.problems.length > 0 ? ` ${plan.problems.join(" ")}` : "";
      const choice = await vscode.window.showInformationMessage(`${vscode.l10n.t("Hearth's model plan for {0}: {1}.", describeProbe(probe), plan.summary)}${estimated}${problems}`, accept, change);
      if (choice === accept) await applyModelPlan(deps);
      if (choice === change) await vscode.commands.executeCommand(CHANGE_PLAN_COMMAND);
    }),
  ];
}
