// The model plan for this machine, as the Hearth view shows it and Hearth: Apply Model Plan
// writes it: the probe (CPU, memory, disk where models go; GPUs need the engine, which never
// loads in the extension host), the reference speeds until this machine is measured, the
// models already downloaded, and every setting the user chose as an override.
import * as vscode from "vscode";
import { planModels, referenceCpuSample, type ModelPlan, type PlanOverrides } from "../../core/hardware/planner.js";
import { probeHardware, type HardwareProbe } from "../../core/hardware/probe.js";
import { readModelIndex } from "../../core/models/modelIndex.js";
import { PLAN_SETTING_KEYS, type PlanSettingKey, type PlanSettingNow } from "../../core/models/planSettings.js";
import { planSettingStates, type Config } from "../config.js";

export interface MachinePlan {
  readonly probe: HardwareProbe;
  readonly plan: ModelPlan;
}

/** The values an apply wrote: such a value is Hearth's to replace, not the user's choice. */
const APPLIED_KEY = "hearth.appliedPlanSettings";

export class MachinePlanService implements vscode.Disposable {
  private probe: Promise<HardwareProbe> | undefined;
  private latest: MachinePlan | undefined;
  private computing: Promise<MachinePlan> | undefined;
  private readonly emitter = new vscode.EventEmitter<MachinePlan>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deps: { config: Config; globalState: vscode.Memento; storageDir: string; modelsDir: string }) {
    this.subscription = deps.config.onDidChange(() => void this.refresh().catch(() => undefined));
  }

  /** The last plan computed (undefined until the first is). */
  get current(): MachinePlan | undefined {
    return this.latest;
  }

  /** The plan, computed once and again after a settings change. */
  get(): Promise<MachinePlan> {
    if (this.latest) return Promise.resolve(this.latest);
    return this.refresh();
  }

  refresh(): Promise<MachinePlan> {
    this.computing ??= this.compute().finally(() => (this.computing = undefined));
    return this.computing;
  }

  /** Each plan setting now: set by the user, or (an earlier apply's value) Hearth's. */
  settingsNow(): Record<PlanSettingKey, PlanSettingNow> {
    const states = planSettingStates();
    const applied = this.deps.globalState.get<Partial<Record<PlanSettingKey, unknown>>>(APPLIED_KEY) ?? {};
    const now = {} as Record<PlanSettingKey, PlanSettingNow>;
    for (const key of PLAN_SETTING_KEYS) {
      const state = states[key];
      const hearths = key in applied && JSON.stringify(applied[key]) === JSON.stringify(state.value) && JSON.stringify(state.userValue) === JSON.stringify(state.value);
      now[key] = { value: state.value, userSet: state.set && !hearths };
    }
    return now;
  }

  async recordApplied(values: Partial<Record<PlanSettingKey, unknown>>): Promise<void> {
    const applied = this.deps.globalState.get<Partial<Record<PlanSettingKey, unknown>>>(APPLIED_KEY) ?? {};
    await this.deps.globalState.update(APPLIED_KEY, { ...applied, ...values });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private async compute(): Promise<MachinePlan> {
    this.probe ??= probeHardware({ storageDir: this.deps.storageDir });
    const probe = await this.probe;
    const index = await readModelIndex(this.deps.modelsDir);
    const reference = referenceCpuSample();
    const plan = planModels({ probe, speeds: reference ? [reference] : [], overrides: this.overrides(), onDisk: Object.keys(index) });
    this.latest = { probe, plan };
    this.emitter.fire(this.latest);
    return this.latest;
  }

  /** The user's own choices: the plan works around them (settings override every choice). */
  private overrides(): PlanOverrides {
    const now = this.settingsNow();
    const model = now["hearth.model"];
    const completion = now["hearth.completion.model"];
    const context = now["hearth.server.contextSize"];
    return {
      ...(model.userSet && typeof model.value === "string" ? { model: model.value } : {}),
      ...(completion.userSet && typeof completion.value === "string" ? { completionModel: completion.value } : {}),
      ...(context.userSet && typeof context.value === "number" ? { contextSize: { chat: context.value, repo: context.value } } : {}),
    };
  }
}
