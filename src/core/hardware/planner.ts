// A model plan per role — completion, chat/edit, repository questions — for this machine:
// which model and quantisation, on which device, with how many threads and how large a
// context, and what it should feel like ("completion 0.8B Q8_0, ~120 ms; chat 9B Q4_K_M,
// ~14 tok/s"). Pure: the probe and the measured speeds come in, a plan goes out; the
// extension decides whether and how to apply it, and every choice can be overridden.
//
// The server runs one main model (chat, edit and repository questions share it, each with a
// context of its own) and optionally a second, smaller one for completion, so the plan picks
// at most two models.
import { BITS_PER_WEIGHT, findKnownModel, KNOWN_MODELS, modelUri, recognizeModel, type KnownModel, type KnownQuant, type QuantName } from "./knownModels.js";
import { formatBytes, type GpuInfo, type HardwareProbe } from "./probe.js";
import { costOfKnownModel, predictSpeed, type Backend, type SpeedPrediction, type SpeedSample } from "./speedModel.js";

export type PlanRole = "completion" | "chat" | "repo";
export const PLAN_ROLES: readonly PlanRole[] = ["completion", "chat", "repo"];

export interface PlanTargets {
  /** A one-line suggestion (cursor line after a cached prompt, 16 tokens) within this. */
  suggestionMs: number;
  /** Chat and edit stream at least this fast. */
  chatTokensPerSecond: number;
  /** The repository context is no larger than what a cold pack fills in this time. */
  repoColdPrefillSeconds: number;
}

export const DEFAULT_TARGETS: PlanTargets = { suggestionMs: 500, chatTokensPerSecond: 10, repoColdPrefillSeconds: 600 };

/** Every choice the plan makes, as a person (or a setting) may fix it instead. */
export interface PlanOverrides {
  /** `hearth.model`: chat, edit and repository questions. A table id ("9b", "qwen3.5-9b:Q8_0"), an `hf:` URI or a path. */
  model?: string;
  /** `hearth.completion.model`; an empty string means "the chat model". */
  completionModel?: string;
  contextSize?: Partial<Record<PlanRole, number>>;
  threads?: number;
  device?: Backend;
}

export interface PlanInputs {
  probe: HardwareProbe;
  /** Measured speeds on this machine (speedProbe.ts), or estimates marked as such. */
  speeds: readonly SpeedSample[];
  targets?: Partial<PlanTargets>;
  overrides?: PlanOverrides;
  /** Model URIs or paths already on disk: no download, no disk space needed. */
  onDisk?: readonly string[];
  table?: readonly KnownModel[];
  /**
   * Consider models above the 9B (27B, 35B-A3B). Off by default: Hearth's prompts are tuned
   * and tested on the 9B, and those downloads are 17 GB and more; they stay available as
   * overrides.
   */
  includeLarge?: boolean;
}

export interface ModelChoice {
  /** What `hearth.model` / `hearth.completion.model` would hold. */
  uri: string;
  /** "9B Q4_K_M", or the file's name for a model Hearth does not know. */
  label: string;
  known?: { model: KnownModel; quant: KnownQuant };
  device: Backend;
  gpu?: GpuInfo;
  threads: number;
  /** Weights in the device's memory (on a GPU, the file less an untied embedding table, which stays in RAM). */
  weightBytes: number;
  downloadBytes: number;
}

export interface RoleExpectation extends SpeedPrediction {
  /** Repository role: seconds to evaluate a full pack cold. */
  coldPrefillSeconds?: number;
}

export interface RolePlan {
  role: PlanRole;
  /** Undefined when no model fits (see the plan's problems). */
  model?: ModelChoice;
  contextSize: number;
  expected?: RoleExpectation;
  /** "≤ 500 ms a suggestion". */
  target: string;
  /** Undefined when the speed cannot be predicted (a model Hearth does not know). */
  meetsTarget?: boolean;
  why: string;
  overridden: boolean;
}

export interface ModelPlan {
  roles: Record<PlanRole, RolePlan>;
  downloads: { uri: string; bytes: number; estimate: boolean }[];
  /** Weights and contexts, per device. */
  memoryBytes: Record<Backend, number>;
  budgetBytes: Record<Backend, number>;
  /** Errors for people: what happened and the one thing to do. */
  problems: string[];
  /** The plan in words. */
  summary: string;
  /** Whether any figure comes from an estimate rather than a measurement here. */
  estimated: boolean;
}

/** Memory left to the editor and the rest of the desktop. */
const EDITOR_RESERVE_BYTES = 1.5e9;
/** Disk left free after downloads. */
const DISK_MARGIN_BYTES = 1e9;
/** Compute buffers and the like per context (llama.cpp's logits and scratch). ESTIMATE. */
const CONTEXT_OVERHEAD_BYTES = 250e6;
/** The server caps the completion context at 8192 tokens. */
const COMPLETION_CONTEXT = 8192;
const CHAT_CONTEXT = 32_768;
const MIN_CHAT_CONTEXT = 4096;
const MIN_REPO_CONTEXT = 8192;

/**
 * Speeds on a GPU nobody has measured yet: ESTIMATES for the 9B at Q4_K_M (a discrete card
 * with its own memory; unified memory on Apple silicon reads at a fraction of that). The
 * plan says "estimated" wherever they are used, until the speed probe runs on that GPU.
 */
export function estimatedGpuSample(gpu: GpuInfo, table: readonly KnownModel[] = KNOWN_MODELS): SpeedSample | undefined {
  const nine = findKnownModel("qwen3.5-9b", table);
  if (!nine) return undefined;
  return {
    cost: costOfKnownModel(nine, "Q4_K_M"),
    backend: "gpu",
    threads: 1,
    promptTokensPerSecond: gpu.unifiedMemory ? 300 : 1500,
    generationTokensPerSecond: gpu.unifiedMemory ? 20 : 50,
    estimated: true,
    label: `estimate for ${gpu.name}`,
  };
}

/**
 * Until the engine has been measured on this machine: the 0.8B shape at Q8_0 on one core of
 * the project's 2-core Xeon (issue 19: prompt 156 tokens/s, generation 28), scaled to
 * `threads` by the speed model. An ESTIMATE for any other machine, and marked so.
 */
export function referenceCpuSample(table: readonly KnownModel[] = KNOWN_MODELS): SpeedSample | undefined {
  const small = findKnownModel("qwen3.5-0.8b", table);
  if (!small) return undefined;
  return { cost: costOfKnownModel(small, "Q8_0"), backend: "cpu", threads: 1, promptTokensPerSecond: 156, generationTokensPerSecond: 28, estimated: true, label: "reference figures (not measured here)" };
}

/** Quantisations tried for a model by default, best first: small models lose more to 4 bits. */
function defaultQuants(model: KnownModel): KnownQuant[] {
  const order: QuantName[] = model.params < 3e9 ? ["Q8_0", "Q4_K_M"] : ["Q4_K_M"];
  return order.flatMap((name) => model.quants.filter((quant) => quant.quant === name));
}

interface Candidate {
  model: KnownModel;
  quant: KnownQuant;
}

function contextBytes(model: KnownModel | undefined, tokens: number): number {
  return model ? tokens * model.kvBytesPerToken + model.recurrentStateBytes + CONTEXT_OVERHEAD_BYTES : CONTEXT_OVERHEAD_BYTES;
}

function largestPowerOfTwoAtMost(value: number): number {
  return value < 1 ? 0 : 2 ** Math.floor(Math.log2(value));
}

function thousands(value: number): string {
  return value.toLocaleString("en-US");
}

function describeSpeedTarget(role: PlanRole, targets: PlanTargets): string {
  if (role === "completion") return `≤ ${targets.suggestionMs} ms a suggestion`;
  if (role === "chat") return `≥ ${targets.chatTokensPerSecond} tokens/s`;
  return `a full pack within ${Math.round(targets.repoColdPrefillSeconds / 60)} min`;
}

function deviceWords(choice: ModelChoice): string {
  return choice.device === "gpu" ? `on ${choice.gpu?.name ?? "the GPU"}` : `on the CPU, ${choice.threads} thread${choice.threads === 1 ? "" : "s"}`;
}

function duration(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

export function planModels(inputs: PlanInputs): ModelPlan {
  const table = inputs.table ?? KNOWN_MODELS;
  const targets: PlanTargets = { ...DEFAULT_TARGETS, ...inputs.targets };
  const overrides = inputs.overrides ?? {};
  const { probe } = inputs;
  const problems: string[] = [];
  const onDisk = new Set((inputs.onDisk ?? []).map((entry) => entry.toLowerCase()));

  // Threads: the editor keeps a core. On the project's 2-core machine a suggestion's p50 was
  // 1.29 s on 1 thread and 2.25 s on 2 while the editor ran (llama.cpp's threads spin).
  const cores = Math.max(1, Math.min(probe.cpu.physicalCores, probe.cpu.usableCores));
  const threads = overrides.threads ?? Math.max(1, cores - 1);

  const gpu = overrides.device === "cpu" ? undefined : [...probe.gpus].sort((a, b) => b.vramFreeBytes - a.vramFreeBytes)[0];
  const cpuBudget = Math.max(0, probe.memory.availableBytes - EDITOR_RESERVE_BYTES);
  const gpuBudget = gpu ? Math.max(0, Math.min(gpu.vramFreeBytes - Math.max(0.5e9, 0.06 * gpu.vramTotalBytes), gpu.unifiedMemory ? cpuBudget : Infinity)) : 0;
  const budget: Record<Backend, number> = { cpu: cpuBudget, gpu: gpuBudget };
  const used: Record<Backend, number> = { cpu: 0, gpu: 0 };
  /** Memory left on a device; unified memory (Apple silicon) is one pool for CPU and GPU. */
  const room = (device: Backend): number => {
    if (gpu?.unifiedMemory) {
      const shared = budget.cpu - used.cpu - used.gpu;
      return device === "gpu" ? Math.min(shared, budget.gpu - used.gpu) : shared;
    }
    return budget[device] - used[device];
  };
  const diskFree = probe.disk ? Math.max(0, probe.disk.freeBytes - DISK_MARGIN_BYTES) : Infinity;
  let diskUsed = 0;

  const speeds = [...inputs.speeds];
  if (gpu && !speeds.some((sample) => sample.backend === "gpu")) {
    const estimate = estimatedGpuSample(gpu, table);
    if (estimate) speeds.push(estimate);
  }
  const isOnDisk = (candidate: Candidate): boolean => onDisk.has(modelUri(candidate.model, candidate.quant.quant).toLowerCase());
  const downloadOf = (candidate: Candidate): number => (isOnDisk(candidate) ? 0 : candidate.quant.fileBytes);

  /** llama.cpp keeps an untied input embedding table in host memory, whatever the device. */
  const embeddingBytes = (candidate: Candidate): number => (candidate.model.tiedEmbeddings ? 0 : (candidate.model.lmHeadParams * BITS_PER_WEIGHT[candidate.quant.quant]) / 8);
  const weightsOn = (candidate: Candidate, device: Backend): number => candidate.quant.fileBytes - (device === "gpu" ? embeddingBytes(candidate) : 0);
  /** The device a known model runs on with `contexts` bytes of contexts: the GPU when it fits there whole. */
  const deviceForModel = (candidate: Candidate, contexts: number): Backend | undefined => {
    if (overrides.device !== "cpu" && gpu) {
      const onGpu = weightsOn(candidate, "gpu") + contexts;
      // The embedding table stays in host memory: the same pool as the GPU's when unified.
      if (onGpu <= room("gpu") && embeddingBytes(candidate) <= room("cpu") - (gpu.unifiedMemory ? onGpu : 0)) return "gpu";
    }
    if (overrides.device === "gpu") return undefined;
    return weightsOn(candidate, "cpu") + contexts <= room("cpu") ? "cpu" : undefined;
  };

  const choose = (candidate: Candidate, device: Backend): ModelChoice => ({
    uri: modelUri(candidate.model, candidate.quant.quant),
    label: `${candidate.model.label} ${candidate.quant.quant}`,
    known: candidate,
    device,
    ...(device === "gpu" && gpu ? { gpu } : {}),
    threads,
    weightBytes: weightsOn(candidate, device),
    downloadBytes: downloadOf(candidate),
  });
  /** Counts a chosen model's weights (and, on a GPU, its embedding table in RAM). */
  const place = (choice: ModelChoice): void => {
    used[choice.device] += choice.weightBytes;
    if (choice.device === "gpu" && choice.known) used.cpu += embeddingBytes(choice.known);
    diskUsed += choice.downloadBytes;
  };

  const predict = (choice: ModelChoice): SpeedPrediction | undefined => {
    if (!choice.known) return undefined;
    return predictSpeed(speeds, costOfKnownModel(choice.known.model, choice.known.quant.quant), choice.device, choice.threads);
  };

  /** A model named in a setting: known (predictable) or a file Hearth cannot size. */
  const fromOverride = (value: string, contexts: number): ModelChoice => {
    const byId = /^([\w.-]+?)(?::(q\d_k_m|q\d_k|q8_0))?$/i.exec(value);
    const tableModel = byId ? findKnownModel(byId[1]!, table) : undefined;
    const recognized = tableModel
      ? { model: tableModel, quant: tableModel.quants.find((quant) => quant.quant.toLowerCase() === (byId?.[2] ?? "").toLowerCase()) ?? defaultQuants(tableModel)[0] ?? tableModel.quants[0]! }
      : recognizeModel(value, table);
    if (recognized) {
      const device = deviceForModel(recognized, contexts) ?? overrides.device ?? "cpu";
      return choose(recognized, device);
    }
    const device: Backend = overrides.device ?? (gpu ? "gpu" : "cpu");
    return { uri: value, label: value.split(/[\\/]/).pop() ?? value, device, ...(device === "gpu" && gpu ? { gpu } : {}), threads, weightBytes: 0, downloadBytes: 0 };
  };

  const limit = (model: KnownModel | undefined): number => model?.contextLimit ?? 262_144;
  /** The repository context a cold pack fills within the target, within the model's limit. */
  const repoCapacity = (model: KnownModel | undefined, speed: SpeedPrediction | undefined): number =>
    Math.max(MIN_REPO_CONTEXT, largestPowerOfTwoAtMost(Math.min(limit(model), speed ? speed.promptTokensPerSecond * targets.repoColdPrefillSeconds : MIN_REPO_CONTEXT)));
  const candidates: Candidate[] = table
    .filter((model) => inputs.includeLarge || model.params <= 10e9)
    .sort((a, b) => b.quality - a.quality || b.params - a.params)
    .flatMap((model) => defaultQuants(model).map((quant) => ({ model, quant })));

  // 1. The main model (chat, edit, repository questions): the best that streams fast enough.
  let main: ModelChoice | undefined;
  let mainWhy = "";
  let mainSpeed: SpeedPrediction | undefined;
  const completionContext = overrides.contextSize?.completion ?? COMPLETION_CONTEXT;
  const mainMinimumContexts = (model: KnownModel | undefined): number => contextBytes(model, MIN_CHAT_CONTEXT) + contextBytes(model, MIN_REPO_CONTEXT);
  // The main model must fit with a completion context too: it serves completion when no
  // second model fits or is fast enough.
  const mainNeeds = (model: KnownModel | undefined): number => mainMinimumContexts(model) + contextBytes(model, completionContext);
  if (overrides.model) {
    main = fromOverride(overrides.model, mainNeeds(recognizeModel(overrides.model, table)?.model ?? findKnownModel(overrides.model.split(":")[0]!, table)));
    mainSpeed = predict(main);
    mainWhy = "as set in hearth.model";
  } else {
    const fitting: { choice: ModelChoice; speed: SpeedPrediction | undefined }[] = [];
    let diskBlocked = false;
    for (const candidate of candidates) {
      if (diskUsed + downloadOf(candidate) > diskFree) {
        diskBlocked = true;
        continue;
      }
      const device = deviceForModel(candidate, mainNeeds(candidate.model));
      if (!device) continue;
      const choice = choose(candidate, device);
      const speed = predict(choice);
      fitting.push({ choice, speed });
      if (speed && speed.generationTokensPerSecond >= targets.chatTokensPerSecond) break;
    }
    const meeting = fitting.find((entry) => entry.speed && entry.speed.generationTokensPerSecond >= targets.chatTokensPerSecond);
    const picked = meeting ?? [...fitting].sort((a, b) => (b.speed?.generationTokensPerSecond ?? 0) - (a.speed?.generationTokensPerSecond ?? 0))[0];
    if (picked) {
      main = picked.choice;
      mainSpeed = picked.speed;
      const better = candidates[0] && picked.choice.known?.model !== candidates[0].model;
      mainWhy = meeting
        ? better
          ? `the largest model that streams at ${targets.chatTokensPerSecond} tokens/s or more ${deviceWords(picked.choice)} and fits`
          : `the best model Hearth plans for; it fits ${picked.choice.device === "gpu" ? "in GPU memory" : "in memory"} and streams fast enough`
        : `no model Hearth knows streams at ${targets.chatTokensPerSecond} tokens/s here; this is the fastest that fits`;
    } else if (diskBlocked) {
      const smallest = [...candidates].sort((a, b) => a.quant.fileBytes - b.quant.fileBytes)[0];
      problems.push(`Not enough disk space for a model: ${formatBytes(probe.disk?.freeBytes ?? 0)} free in ${probe.disk?.path ?? "Hearth's storage"}, and the smallest (${smallest ? `${smallest.model.label} ${smallest.quant.quant}, ${formatBytes(smallest.quant.fileBytes)}` : "none"}) needs more. Free space there, or run Hearth: Choose Model to use a .gguf file already on disk.`);
    } else {
      problems.push(`Not enough free memory for any model: ${formatBytes(probe.memory.availableBytes)} free. Close other programs, or run Hearth: Choose Model to pick a smaller .gguf file.`);
    }
  }
  if (main) {
    place(main);
    used[main.device] += mainMinimumContexts(main.known?.model);
  }

  // 2. Completion: the main model when it is fast enough, else the best small one that is.
  let completion: ModelChoice | undefined;
  let completionSpeed: SpeedPrediction | undefined;
  let completionWhy = "";
  if (overrides.completionModel !== undefined && overrides.completionModel !== "") {
    completion = fromOverride(overrides.completionModel, contextBytes(undefined, completionContext));
    completionSpeed = predict(completion);
    completionWhy = "as set in hearth.completion.model";
  } else if (main && (overrides.completionModel === "" || !mainSpeed || mainSpeed.suggestionMs <= targets.suggestionMs)) {
    completion = main;
    completionSpeed = mainSpeed;
    completionWhy = overrides.completionModel === "" ? "the chat model, as set (hearth.completion.model is empty)" : "the chat model is fast enough for suggestions too: one model for every role";
  } else if (main) {
    const options: { choice: ModelChoice; speed: SpeedPrediction | undefined }[] = [{ choice: main, speed: mainSpeed }];
    // A second model must leave the repository context room to grow to 32K (or what a cold
    // pack fills in time, if less): a bigger completion model is not worth a starved repo.
    const mainModel = main.known?.model;
    const repoWanted = Math.min(CHAT_CONTEXT, repoCapacity(mainModel, mainSpeed));
    const repoReserve = contextBytes(mainModel, repoWanted) - contextBytes(mainModel, MIN_REPO_CONTEXT);
    for (const candidate of candidates) {
      if (candidate.model.quality > (mainModel?.quality ?? Infinity) || candidate.model === mainModel) continue;
      if (diskUsed + downloadOf(candidate) > diskFree) continue;
      const device = deviceForModel(candidate, contextBytes(candidate.model, completionContext) + repoReserve);
      if (!device) continue;
      const choice = choose(candidate, device);
      const speed = predict(choice);
      options.push({ choice, speed });
      if (speed && speed.suggestionMs <= targets.suggestionMs) break;
    }
    const meeting = options.find((entry) => entry.speed && entry.speed.suggestionMs <= targets.suggestionMs);
    const picked = meeting ?? [...options].sort((a, b) => (a.speed?.suggestionMs ?? Infinity) - (b.speed?.suggestionMs ?? Infinity))[0]!;
    completion = picked.choice;
    completionSpeed = picked.speed;
    completionWhy = meeting
      ? `the ${main.label} takes ~${Math.round(mainSpeed?.suggestionMs ?? 0)} ms a suggestion here; this is the best model within ${targets.suggestionMs} ms`
      : `no model Hearth knows suggests within ${targets.suggestionMs} ms here; this is the fastest`;
  }
  if (completion && completion !== main) place(completion);
  if (completion) used[completion.device] += contextBytes(completion.known?.model, completionContext);

  // 3. Contexts of the main model. The repository context is what a cold pack fills within
  // the target (and the model's limit); it gets up to 32K first, then chat up to 32K, then
  // the repository the rest, as memory allows.
  const mainModel = main?.known?.model;
  let chatContext = overrides.contextSize?.chat ?? Math.min(CHAT_CONTEXT, limit(mainModel));
  let repoContext = overrides.contextSize?.repo ?? MIN_REPO_CONTEXT;
  if (main) {
    // The minimum contexts are already counted; give them back and size the real ones.
    used[main.device] -= mainMinimumContexts(mainModel);
    const tokensIn = (bytes: number): number => (mainModel ? Math.max(0, bytes - contextBytes(mainModel, 0)) / mainModel.kvBytesPerToken : 0);
    const fit = (wanted: number, minimum: number, bytes: number): number => Math.max(minimum, Math.min(wanted, largestPowerOfTwoAtMost(tokensIn(bytes))));
    const repoCap = overrides.contextSize?.repo ?? repoCapacity(mainModel, mainSpeed);
    const repoFirst = overrides.contextSize?.repo ?? fit(Math.min(repoCap, CHAT_CONTEXT), MIN_REPO_CONTEXT, room(main.device) - contextBytes(mainModel, MIN_CHAT_CONTEXT));
    if (overrides.contextSize?.chat === undefined) chatContext = fit(chatContext, MIN_CHAT_CONTEXT, room(main.device) - contextBytes(mainModel, repoFirst));
    used[main.device] += contextBytes(mainModel, chatContext);
    repoContext = overrides.contextSize?.repo ?? fit(repoCap, repoFirst, room(main.device));
    used[main.device] += contextBytes(mainModel, repoContext);
  }

  const roles: Record<PlanRole, RolePlan> = {
    completion: {
      role: "completion",
      ...(completion ? { model: completion } : {}),
      contextSize: completionContext,
      ...(completionSpeed ? { expected: completionSpeed } : {}),
      target: describeSpeedTarget("completion", targets),
      ...(completionSpeed ? { meetsTarget: completionSpeed.suggestionMs <= targets.suggestionMs } : {}),
      why: completionWhy || "no model",
      overridden: Boolean(overrides.completionModel) || overrides.contextSize?.completion !== undefined,
    },
    chat: {
      role: "chat",
      ...(main ? { model: main } : {}),
      contextSize: chatContext,
      ...(mainSpeed ? { expected: mainSpeed } : {}),
      target: describeSpeedTarget("chat", targets),
      ...(mainSpeed ? { meetsTarget: mainSpeed.generationTokensPerSecond >= targets.chatTokensPerSecond } : {}),
      why: mainWhy || "no model",
      overridden: Boolean(overrides.model) || overrides.contextSize?.chat !== undefined,
    },
    repo: {
      role: "repo",
      ...(main ? { model: main } : {}),
      contextSize: repoContext,
      ...(mainSpeed ? { expected: { ...mainSpeed, coldPrefillSeconds: repoContext / mainSpeed.promptTokensPerSecond } } : {}),
      target: describeSpeedTarget("repo", targets),
      ...(mainSpeed ? { meetsTarget: repoContext / mainSpeed.promptTokensPerSecond <= targets.repoColdPrefillSeconds } : {}),
      why: main ? `the chat model (one main model per server), with a context of its own sized to ${overrides.contextSize?.repo !== undefined ? "your setting" : "free memory and the cold-pack target"}` : "no model",
      overridden: Boolean(overrides.model) || overrides.contextSize?.repo !== undefined,
    },
  };

  for (const device of ["cpu", "gpu"] as const) {
    if (room(device) < 0 && (main?.device === device || completion?.device === device)) {
      problems.push(`The plan needs ${formatBytes(-room(device))} more ${device === "gpu" ? "GPU memory" : "memory"} than is free for models (${formatBytes(budget[device])}). Choose smaller contexts (hearth.server.contextSize) or a smaller model (Hearth: Choose Model).`);
    }
  }

  const downloads = [main, completion]
    .filter((choice, index, all): choice is ModelChoice => choice !== undefined && choice.downloadBytes > 0 && all.indexOf(choice) === index)
    .map((choice) => ({ uri: choice.uri, bytes: choice.downloadBytes, estimate: choice.known?.quant.estimate ?? true }));

  return {
    roles,
    downloads,
    memoryBytes: used,
    budgetBytes: budget,
    problems,
    summary: summarize(roles),
    estimated: [completionSpeed, mainSpeed].some((speed) => speed?.estimated),
  };
}

export const ROLE_NAMES: Readonly<Record<PlanRole, string>> = { completion: "completion", chat: "chat", repo: "repo questions" };

/** One role's choice in words, without the role's name: "0.8B Q8_0, ~120 ms". */
export function describeRolePlan(plan: RolePlan): string {
  if (!plan.model) return "no model fits";
  const where = plan.model.device === "gpu" ? " (GPU)" : "";
  if (!plan.expected) return `${plan.model.label}${where}, speed unknown`;
  const estimate = plan.expected.estimated ? " (estimated)" : "";
  if (plan.role === "completion") return `${plan.model.label}${where}, ~${Math.round(plan.expected.suggestionMs)} ms${estimate}`;
  if (plan.role === "chat") return `${plan.model.label}${where}, ~${plan.expected.generationTokensPerSecond.toFixed(plan.expected.generationTokensPerSecond < 10 ? 1 : 0)} tok/s${estimate}`;
  return `${plan.model.label}, ${thousands(plan.contextSize)}-token context, a full pack ~${duration(plan.expected.coldPrefillSeconds ?? 0)} cold${estimate}`;
}

/** "completion 0.8B Q8_0, ~120 ms; chat 9B Q4_K_M, ~14 tok/s; repo questions 9B Q4_K_M, …". */
export function summarize(roles: Record<PlanRole, RolePlan>): string {
  return PLAN_ROLES.map((role) => `${ROLE_NAMES[role]}${roles[role].model ? " " : ": "}${describeRolePlan(roles[role])}`).join("; ");
}
