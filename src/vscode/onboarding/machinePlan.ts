// The model plan for this machine, as the Hearth view shows it and Hearth: Apply Model Plan
// writes it: the probe (CPU, memory, disk where models go), the engine's measured speed on this
// machine (and the GPUs it sees) once the server bundle's `measure` command has run on a model
// already on disk, reference speeds until then, the models already downloaded, and every
// setting the user chose as an override.
import * as vscode from "vscode";
import { gpuPackagesRoot } from "../../core/gpu/gpuPackages.js";
import { currentMachineKey, parseMachineKey, parseMeasured, readEngineVersion, sameMachine, type MachineKey, type MachineMeasurement } from "../../core/hardware/machineMeasurement.js";
import { planModels, referenceCpuSample, type ModelPlan, type PlanOverrides } from "../../core/hardware/planner.js";
import { probeHardware, type HardwareProbe } from "../../core/hardware/probe.js";
import type { Logger } from "../../core/logger.js";
import { readModelIndex } from "../../core/models/modelIndex.js";
import { PLAN_SETTING_KEYS, type PlanSettingKey, type PlanSettingNow } from "../../core/models/planSettings.js";
import { planSettingStates, type Config } from "../config.js";
import { whenQuiet } from "../../core/hardware/whenQuiet.js";
import { MeasureError, runMeasurement, smallestModelOnDisk, type MeasureSpec } from "./machineMeasure.js";

/** Where the plan's speed figures come from, for the plan's words. */
export type PlanSpeeds =
  | { readonly kind: "measured"; readonly model: string; readonly measuredAt: string; readonly wallMs: number }
  | { readonly kind: "reference"; readonly why: string };

export interface MachinePlan {
  readonly probe: HardwareProbe;
  readonly plan: ModelPlan;
  readonly speeds: PlanSpeeds;
}

/** The values an apply wrote: such a value is Hearth's to replace, not the user's choice. */
const APPLIED_KEY = "hearth.appliedPlanSettings";
/** The last measurement, with the key of the machine it was taken on. */
const MEASUREMENT_KEY = "hearth.machineMeasurement";
/** A measurement that failed on a machine with a model: not tried again by itself with both the same (the command still runs it). */
const MEASURE_FAILED_KEY = "hearth.machineMeasurementFailed";
/** The first measurement waits for activation and the model server's own start to settle. */
const DEFAULT_MEASURE_DELAY_MS = 20_000;
const DEFAULT_QUIET_POLL_MS = 10_000;
/** Past this the background measurement runs anyway: a busy machine is still measured once. */
const MAX_QUIET_WAITS = 30;

export interface MachinePlanDeps {
  config: Config;
  globalState: vscode.Memento;
  storageDir: string;
  modelsDir: string;
  /** dist/server.mjs, whose `measure` command measures the engine. */
  serverScript: string;
  /** The extension's folder: node-llama-cpp's version is read below it. */
  extensionPath: string;
  log: Logger;
  /** The Node the server runs with (the editor's own, run as Node). */
  nodePath?: string;
  measureDelayMs?: number;
  measureTimeoutMs?: number;
  /**
   * What Hearth is busy with that would slow a measurement down (the model server loading a
   * model, a download), or undefined when nothing is: the background measurement waits for
   * quiet, so that it measures the machine rather than Hearth's own start.
   */
  busyWith?: () => string | undefined;
  /** How often the background measurement looks again while Hearth is busy. */
  quietPollMs?: number;
}

export class MachinePlanService implements vscode.Disposable {
  private probe: Promise<HardwareProbe> | undefined;
  private engineVersion: Promise<string> | undefined;
  private latest: MachinePlan | undefined;
  private computing: Promise<MachinePlan> | undefined;
  private measuring: Promise<MachineMeasurement> | undefined;
  private lastFailure: string | undefined;
  private autoMeasureScheduled = false;
  private autoMeasureTimer: NodeJS.Timeout | undefined;
  /** Aborts a running measurement (and kills its child) when the extension goes. */
  private readonly disposed = new AbortController();
  private readonly emitter = new vscode.EventEmitter<MachinePlan>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly deps: MachinePlanDeps) {
    this.subscription = deps.config.onDidChange(() => void this.refresh().catch(() => undefined));
  }

  /** The last plan computed (undefined until the first is). */
  get current(): MachinePlan | undefined {
    return this.latest;
  }

  /** Whether a measurement is running now. */
  get isMeasuring(): boolean {
    return this.measuring !== undefined;
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

  /**
   * Measures the engine on this machine now (Hearth: Measure This Machine, or once per
   * machine by itself), caches the result and plans again. One at a time: a second call
   * shares the first's run.
   */
  measure(signal?: AbortSignal): Promise<MachineMeasurement> {
    this.measuring ??= this.runMeasure(signal).finally(() => (this.measuring = undefined));
    return this.measuring;
  }

  dispose(): void {
    clearTimeout(this.autoMeasureTimer);
    this.disposed.abort();
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private async runMeasure(signal?: AbortSignal): Promise<MachineMeasurement> {
    const key = await this.machineKey();
    const model = await smallestModelOnDisk(this.deps.modelsDir);
    if (!model) throw new MeasureError(vscode.l10n.t("No model is on this machine yet: Hearth measures with one it has downloaded. Download Models first, then measure again."));
    const probe = await this.hostProbe();
    const threads = Math.max(1, Math.min(probe.cpu.physicalCores, probe.cpu.usableCores) - 1);
    const spec: MeasureSpec = {
      serverScript: this.deps.serverScript,
      nodePath: this.deps.nodePath ?? process.execPath,
      modelPath: model.path,
      threads,
      gpu: this.deps.config.value.gpu,
      storageDir: this.deps.storageDir,
      env: { HEARTH_GPU_PACKAGES_DIR: gpuPackagesRoot(this.deps.storageDir) },
      ...(this.deps.measureTimeoutMs !== undefined ? { timeoutMs: this.deps.measureTimeoutMs } : {}),
    };
    this.deps.log.info(`measuring this machine with ${model.uri} (${model.path}), ${threads} thread(s)`);
    this.lastFailure = undefined;
    void this.replan();
    const stop = signal ? AbortSignal.any([signal, this.disposed.signal]) : this.disposed.signal;
    try {
      const measurement = await runMeasurement(spec, stop);
      this.deps.log.info(`measured this machine in ${Math.round(measurement.wallMs)} ms: ${measurement.samples.map((sample) => `${sample.label}: prompt ${sample.promptTokensPerSecond.toFixed(1)} tok/s, generation ${sample.generationTokensPerSecond.toFixed(1)} tok/s`).join("; ")}; GPUs: ${measurement.probe.gpus.map((gpu) => gpu.name).join(", ") || "none"}`);
      await this.deps.globalState.update(MEASUREMENT_KEY, { key, line: measurement.line });
      await this.deps.globalState.update(MEASURE_FAILED_KEY, undefined);
      return measurement;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof MeasureError && error.cancelled)) {
        this.lastFailure = message;
        this.deps.log.warn(`measuring this machine failed: ${message}`);
        await this.deps.globalState.update(MEASURE_FAILED_KEY, { key, model: model.path, message, at: new Date().toISOString() });
      }
      throw error;
    } finally {
      if (!this.disposed.signal.aborted) void this.replan();
    }
  }

  /** Plans again once any plan being computed is done (it may have read the old measurement). */
  private async replan(): Promise<void> {
    await this.computing?.catch(() => undefined);
    await this.refresh().catch(() => undefined);
  }

  private hostProbe(): Promise<HardwareProbe> {
    this.probe ??= probeHardware({ storageDir: this.deps.storageDir });
    return this.probe;
  }

  /** This machine's key; the GPU setup part is read again each time (a GPU package may arrive). */
  private async machineKey(): Promise<MachineKey> {
    this.engineVersion ??= readEngineVersion(this.deps.extensionPath);
    return currentMachineKey({ engineVersion: await this.engineVersion, gpuPackagesDir: gpuPackagesRoot(this.deps.storageDir) });
  }

  /** The cached measurement, when it was taken on this machine. */
  private cachedMeasurement(key: MachineKey): MachineMeasurement | undefined {
    // Global state is read as hostile too: a copied profile, or an older Hearth's shape.
    const stored = this.deps.globalState.get<unknown>(MEASUREMENT_KEY);
    if (typeof stored !== "object" || stored === null) return undefined;
    const { key: storedKey, line } = stored as { key?: unknown; line?: unknown };
    const measurement = parseMeasured(line);
    // The key stored beside the line is the host's own, read as it started the measurement
    // (the child's, in the line, says the same and names the GPUs only the engine sees).
    const measuredOn = parseMachineKey(storedKey);
    return measurement && measuredOn && sameMachine(measuredOn, key) ? measurement : undefined;
  }

  private failedHere(key: MachineKey, modelPath: string): boolean {
    const failed = this.deps.globalState.get<unknown>(MEASURE_FAILED_KEY);
    if (typeof failed !== "object" || failed === null) return false;
    const { key: failedKey, model } = failed as { key?: unknown; model?: unknown };
    const failedOn = parseMachineKey(failedKey);
    return failedOn !== undefined && sameMachine(failedOn, key) && model === modelPath;
  }

  /** Once per session, and not again where it failed with the same model: the first measurement, in the background. */
  private scheduleAutoMeasure(): void {
    if (this.autoMeasureScheduled || this.disposed.signal.aborted) return;
    this.autoMeasureScheduled = true;
    this.autoMeasureTimer = setTimeout(() => void this.autoMeasure(), this.deps.measureDelayMs ?? DEFAULT_MEASURE_DELAY_MS);
  }

  /** Unless the command measured meanwhile: one measurement per machine is the point. */
  private async autoMeasure(): Promise<void> {
    if (this.disposed.signal.aborted || this.cachedMeasurement(await this.machineKey())) return;
    const { busyWith } = this.deps;
    if (busyWith) {
      const quiet = await whenQuiet(busyWith, { pollMs: this.deps.quietPollMs ?? DEFAULT_QUIET_POLL_MS, maxWaits: MAX_QUIET_WAITS, signal: this.disposed.signal, onWait: (busy) => this.deps.log.info(`the machine measurement waits: ${busy}`) });
      // The command may have measured while this waited.
      if (!quiet || this.cachedMeasurement(await this.machineKey())) return;
    }
    await this.measure().catch(() => undefined);
  }

  private async compute(): Promise<MachinePlan> {
    const hostProbe = await this.hostProbe();
    const [index, key, smallest] = await Promise.all([readModelIndex(this.deps.modelsDir), this.machineKey(), smallestModelOnDisk(this.deps.modelsDir)]);
    const measurement = this.cachedMeasurement(key);
    let speeds: PlanSpeeds;
    let probe = hostProbe;
    if (measurement) {
      speeds = { kind: "measured", model: measurement.model.name, measuredAt: measurement.measuredAt, wallMs: measurement.wallMs };
      // Memory and disk as they are now; GPUs as the engine saw them; the engine's core count where the OS gave only logical ones.
      probe = {
        ...hostProbe,
        ...(hostProbe.cpu.physicalCoresFrom === "logical" ? { cpu: { ...hostProbe.cpu, physicalCores: measurement.probe.cpu.physicalCores, physicalCoresFrom: measurement.probe.cpu.physicalCoresFrom } } : {}),
        gpus: measurement.probe.gpus,
        gpusProbed: true,
        gpuProbeErrors: measurement.probe.gpuProbeErrors,
      };
    } else {
      const why = this.measuring
        ? vscode.l10n.t("Hearth is measuring this machine now.")
        : this.lastFailure !== undefined
          ? vscode.l10n.t("Measuring this machine failed: {0}", this.lastFailure)
          : smallest
            ? vscode.l10n.t("Hearth measures this machine with a downloaded model shortly.")
            : vscode.l10n.t("Hearth measures this machine once a model is downloaded.");
      speeds = { kind: "reference", why };
      if (smallest && !this.failedHere(key, smallest.path)) this.scheduleAutoMeasure();
    }
    const reference = referenceCpuSample();
    const plan = planModels({ probe, speeds: measurement ? measurement.samples : reference ? [reference] : [], overrides: this.overrides(), onDisk: Object.keys(index) });
    this.latest = { probe, plan, speeds };
    if (!this.disposed.signal.aborted) this.emitter.fire(this.latest);
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
