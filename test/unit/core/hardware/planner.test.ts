import assert from "node:assert/strict";
import { findKnownModel, KNOWN_MODELS } from "../../../../src/core/hardware/knownModels";
import { planModels, type PlanInputs } from "../../../../src/core/hardware/planner";
import type { GpuInfo, HardwareProbe } from "../../../../src/core/hardware/probe";
import { costOfKnownModel, type SpeedSample } from "../../../../src/core/hardware/speedModel";

const GB = 1e9;
const model = (id: string) => findKnownModel(id)!;

function machine(options: { cores: number; logical?: number; ramGb: number; freeRamGb?: number; diskGb?: number; gpus?: GpuInfo[]; platform?: string; arch?: string; cpu?: string }): HardwareProbe {
  return {
    os: { platform: options.platform ?? "linux", release: "test", arch: options.arch ?? "x64" },
    cpu: { model: options.cpu ?? "Test CPU", physicalCores: options.cores, logicalCores: options.logical ?? options.cores, usableCores: options.logical ?? options.cores, physicalCoresFrom: "cpuinfo" },
    memory: { totalBytes: options.ramGb * GB, availableBytes: (options.freeRamGb ?? options.ramGb * 0.7) * GB },
    disk: { path: "/storage", freeBytes: (options.diskGb ?? 200) * GB },
    gpus: options.gpus ?? [],
    gpusProbed: true,
    gpuProbeErrors: [],
  };
}

/** A CPU measurement on the 0.8B shape (Q8_0), as the speed probe reports one. */
function cpuSample(threads: number, prompt: number, generation: number): SpeedSample {
  return { cost: costOfKnownModel(model("0.8b"), "Q8_0"), backend: "cpu", threads, promptTokensPerSecond: prompt, generationTokensPerSecond: generation, label: "0.8B shape" };
}

/** A GPU measurement on the 9B (Q4_K_M). */
function gpuSample(prompt: number, generation: number): SpeedSample {
  return { cost: costOfKnownModel(model("9b"), "Q4_K_M"), backend: "gpu", threads: 1, promptTokensPerSecond: prompt, generationTokensPerSecond: generation };
}

const nvidia = (gb: number): GpuInfo => ({ backend: "cuda", name: `NVIDIA Test ${gb} GB`, vramTotalBytes: gb * GB, vramFreeBytes: (gb - 0.4) * GB, unifiedMemory: false });

// The project's own machine: 2 cores, and the 0.8B shape's figures from issue 19 (prompt 156
// tokens/s, generation 28) on one thread.
const twoCore: PlanInputs = { probe: machine({ cores: 2, ramGb: 8, freeRamGb: 6 }), speeds: [cpuSample(1, 156, 28)] };
const eightCore: PlanInputs = { probe: machine({ cores: 8, logical: 16, ramGb: 16, freeRamGb: 12 }), speeds: [cpuSample(7, 700, 70)] };
const appleM: PlanInputs = {
  probe: machine({ cores: 10, ramGb: 16, freeRamGb: 11, platform: "darwin", arch: "arm64", cpu: "Apple M2 Pro", gpus: [{ backend: "metal", name: "Apple M2 Pro", vramTotalBytes: 11.5 * GB, vramFreeBytes: 11.5 * GB, unifiedMemory: true }] }),
  speeds: [cpuSample(9, 900, 80), gpuSample(450, 24)],
};
const nvidia8: PlanInputs = { probe: machine({ cores: 6, logical: 12, ramGb: 16, gpus: [nvidia(8)] }), speeds: [cpuSample(5, 500, 50), gpuSample(2500, 45)] };
const nvidia24: PlanInputs = { probe: machine({ cores: 8, logical: 16, ramGb: 32, gpus: [nvidia(24)] }), speeds: [cpuSample(7, 700, 70), gpuSample(5000, 95)] };

describe("model plan per role (injected probe and speed figures)", () => {
  if (process.env.HEARTH_PRINT_PLANS) {
    after(() => {
      for (const [name, inputs] of Object.entries({ twoCore, eightCore, appleM, nvidia8, nvidia24 })) console.log(`${name}: ${planModels(inputs).summary}`);
    });
  }

  it("on a 2-core CPU picks a small completion model, one thread, and a chat model that streams ≥ 10 tok/s", () => {
    const plan = planModels(twoCore);
    const { completion, chat, repo } = plan.roles;
    assert.equal(completion.model?.threads, 1, "the editor keeps the other core");
    assert.equal(completion.model?.known?.model.id, "qwen3.5-0.8b");
    assert.notEqual(chat.model?.known?.model.id, "qwen3.5-9b", "the 9B streams at ~5 tok/s here");
    assert.equal(chat.meetsTarget, true, plan.summary);
    assert.ok(chat.expected!.generationTokensPerSecond >= 10);
    assert.equal(repo.model, chat.model, "repository questions share the main model");
    assert.ok(repo.contextSize >= 8192);
    assert.ok(repo.expected!.coldPrefillSeconds! <= 600, plan.summary);
    assert.equal(chat.model?.device, "cpu");
    assert.deepEqual(plan.problems, []);
    assert.match(plan.summary, /^completion 0\.8B Q\S+, ~\d+ ms; chat \S+ Q\S+, ~[\d.]+ tok\/s; repo questions .*-token context, a full pack ~.* cold$/);
  });

  it("says so when no model meets the suggestion target, and takes the fastest", () => {
    const slow = planModels({ ...twoCore, speeds: [cpuSample(1, 60, 6)] });
    assert.equal(slow.roles.completion.meetsTarget, false);
    assert.match(slow.roles.completion.why, /no model Hearth knows suggests within 500 ms/);
    const fastest = Math.min(...KNOWN_MODELS.filter((m) => m.params < 10e9).map((m) => m.quants[0]!.fileBytes));
    assert.equal(slow.roles.completion.model?.weightBytes, fastest);
  });

  it("on an 8-core 16 GB machine uses 7 threads and plans every role within its target", () => {
    const plan = planModels(eightCore);
    for (const role of ["completion", "chat", "repo"] as const) assert.equal(plan.roles[role].meetsTarget, true, `${role}: ${plan.summary}`);
    assert.equal(plan.roles.chat.model?.threads, 7);
    assert.ok(plan.memoryBytes.cpu <= plan.budgetBytes.cpu);
    assert.ok((plan.roles.completion.model?.known?.model.quality ?? 0) <= (plan.roles.chat.model?.known?.model.quality ?? 0));
  });

  it("on Apple silicon runs the 9B on the GPU for chat and a faster model for suggestions", () => {
    const plan = planModels(appleM);
    assert.equal(plan.roles.chat.model?.label, "9B Q4_K_M");
    assert.equal(plan.roles.chat.model?.device, "gpu");
    assert.equal(plan.roles.chat.meetsTarget, true);
    // 16 tokens at 24 tok/s is ~650 ms: the 9B is too slow for a suggestion.
    assert.notEqual(plan.roles.completion.model?.known?.model.id, "qwen3.5-9b");
    assert.equal(plan.roles.completion.meetsTarget, true, plan.summary);
    assert.equal(plan.roles.completion.model?.device, "gpu");
    assert.ok(plan.memoryBytes.gpu <= plan.budgetBytes.gpu);
    assert.deepEqual(plan.problems, []);
    assert.equal(plan.estimated, false, "both figures were measured");
  });

  it("with an 8 GB NVIDIA card runs the 9B everywhere, on the GPU", () => {
    const plan = planModels(nvidia8);
    for (const role of ["completion", "chat", "repo"] as const) {
      assert.equal(plan.roles[role].model?.label, "9B Q4_K_M", `${role}: ${plan.summary}`);
      assert.equal(plan.roles[role].model?.device, "gpu");
    }
    assert.equal(plan.roles.completion.model, plan.roles.chat.model, "one model, loaded once");
    assert.equal(plan.downloads.length, 1);
    assert.ok(plan.memoryBytes.gpu <= plan.budgetBytes.gpu, `${plan.memoryBytes.gpu} within ${plan.budgetBytes.gpu}`);
    assert.ok(plan.roles.repo.contextSize < 262_144, "8 GB cannot hold the full context beside the weights");
    assert.deepEqual(plan.problems, []);
  });

  it("with a 24 GB card runs the 9B everywhere with the full 262,144-token repository context", () => {
    const plan = planModels(nvidia24);
    assert.equal(plan.roles.completion.model, plan.roles.chat.model);
    assert.equal(plan.roles.chat.model?.label, "9B Q4_K_M");
    assert.equal(plan.roles.repo.contextSize, 262_144);
    assert.match(plan.summary, /completion 9B Q4_K_M \(GPU\), ~\d+ ms; chat 9B Q4_K_M \(GPU\), ~\d+ tok\/s; repo questions 9B Q4_K_M, 262,144-token context/);
  });

  it("marks GPU figures as estimated until the GPU has been measured", () => {
    const plan = planModels({ ...nvidia24, speeds: [cpuSample(7, 700, 70)] });
    assert.equal(plan.estimated, true);
    assert.equal(plan.roles.chat.model?.device, "gpu");
    assert.match(plan.summary, /\(estimated\)/);
  });

  it("with no disk space says so and names the fix, unless a model is already on disk", () => {
    const probe = machine({ cores: 8, ramGb: 16, diskGb: 0.3 });
    const plan = planModels({ ...eightCore, probe });
    assert.equal(plan.roles.chat.model, undefined);
    assert.equal(plan.roles.completion.model, undefined);
    assert.equal(plan.problems.length, 1);
    assert.match(plan.problems[0]!, /^Not enough disk space for a model: 300 MB free in \/storage.*Hearth: Choose Model/);
    assert.match(plan.summary, /chat: no model fits/);

    const withFile = planModels({ ...eightCore, probe, onDisk: ["hf:unsloth/Qwen3.5-0.8B-GGUF:Q8_0"] });
    assert.equal(withFile.roles.chat.model?.label, "0.8B Q8_0");
    assert.equal(withFile.roles.chat.model?.downloadBytes, 0);
    assert.deepEqual(withFile.downloads, []);
    assert.deepEqual(withFile.problems, []);
  });

  it("with too little memory for any model says so", () => {
    const plan = planModels({ ...twoCore, probe: machine({ cores: 2, ramGb: 2, freeRamGb: 1.6 }) });
    assert.equal(plan.roles.chat.model, undefined);
    assert.match(plan.problems[0]!, /^Not enough free memory for any model: 1\.6 GB free\. Close other programs/);
  });

  it("takes overrides for every choice and still predicts what they will do", () => {
    const plan = planModels({ ...twoCore, overrides: { model: "hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M", completionModel: "qwen3.5-0.8b:Q4_K_M", threads: 2, contextSize: { chat: 8192, repo: 16384, completion: 2048 } } });
    assert.equal(plan.roles.chat.model?.label, "9B Q4_K_M");
    assert.equal(plan.roles.chat.overridden, true);
    assert.equal(plan.roles.chat.meetsTarget, false, "the 9B on 2 cores: below 10 tok/s, and the plan says so");
    assert.equal(plan.roles.completion.model?.label, "0.8B Q4_K_M");
    assert.equal(plan.roles.chat.model?.threads, 2);
    assert.equal(plan.roles.chat.contextSize, 8192);
    assert.equal(plan.roles.repo.contextSize, 16384);
    assert.equal(plan.roles.completion.contextSize, 2048);
    assert.equal(plan.roles.chat.expected?.estimated, true, "measured on 1 thread, planned for 2");
  });

  it("keeps the chat model for completion when hearth.completion.model is empty, and a model it cannot size as given", () => {
    const same = planModels({ ...twoCore, overrides: { completionModel: "" } });
    assert.equal(same.roles.completion.model, same.roles.chat.model);
    const custom = planModels({ ...twoCore, overrides: { model: "/models/my-own.gguf" } });
    assert.equal(custom.roles.chat.model?.uri, "/models/my-own.gguf");
    assert.equal(custom.roles.chat.model?.label, "my-own.gguf");
    assert.equal(custom.roles.chat.meetsTarget, undefined);
    assert.match(custom.summary, /chat my-own\.gguf, speed unknown/);
  });

  it("stays on the CPU when told to, though a GPU is there", () => {
    const plan = planModels({ ...nvidia24, overrides: { device: "cpu" } });
    for (const role of ["completion", "chat", "repo"] as const) assert.equal(plan.roles[role].model?.device, "cpu");
  });

  it("considers the 27B and 35B-A3B only when asked", () => {
    const big = { ...nvidia24, probe: machine({ cores: 8, ramGb: 64, gpus: [nvidia(48)] }) };
    assert.equal(planModels(big).roles.chat.model?.label, "9B Q4_K_M");
    assert.match(planModels({ ...big, includeLarge: true }).roles.chat.model?.label ?? "", /^(27B|35B-A3B) /);
  });
});
