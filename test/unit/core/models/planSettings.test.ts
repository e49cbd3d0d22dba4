import assert from "node:assert/strict";
import { findKnownModel } from "../../../../src/core/hardware/knownModels";
import { planModels } from "../../../../src/core/hardware/planner";
import type { HardwareProbe } from "../../../../src/core/hardware/probe";
import { costOfKnownModel, type SpeedSample } from "../../../../src/core/hardware/speedModel";
import { planSettings, type PlanSettingKey, type PlanSettingNow } from "../../../../src/core/models/planSettings";

const GB = 1e9;
const probe = (cores: number, ramGb: number, gpus: HardwareProbe["gpus"] = []): HardwareProbe => ({
  os: { platform: "linux", release: "test", arch: "x64" },
  cpu: { model: "Test CPU", physicalCores: cores, logicalCores: cores, usableCores: cores, physicalCoresFrom: "cpuinfo" },
  memory: { totalBytes: ramGb * GB, availableBytes: ramGb * 0.7 * GB },
  disk: { path: "/storage", freeBytes: 200 * GB },
  gpus,
  gpusProbed: true,
  gpuProbeErrors: [],
});
const cpuSample = (threads: number, prompt: number, generation: number): SpeedSample => ({ cost: costOfKnownModel(findKnownModel("0.8b")!, "Q8_0"), backend: "cpu", threads, promptTokensPerSecond: prompt, generationTokensPerSecond: generation });

/** Nothing set by anyone: the defaults in effect. */
const defaults = (): Record<PlanSettingKey, PlanSettingNow> => ({
  "hearth.model": { value: "hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M", userSet: false },
  "hearth.completion.model": { value: "", userSet: false },
  "hearth.server.contextSize": { value: "auto", userSet: false },
});

describe("applying a model plan to the settings", () => {
  const twoCore = planModels({ probe: probe(2, 16), speeds: [cpuSample(1, 156, 28)] });
  const gpu8 = planModels({ probe: probe(6, 16, [{ backend: "cuda", name: "NVIDIA Test", vramTotalBytes: 8 * GB, vramFreeBytes: 7.6 * GB, unifiedMemory: false }]), speeds: [cpuSample(5, 500, 50)] });

  it("writes the plan's model per role and the context where nobody set them", () => {
    const decision = planSettings(twoCore, defaults());
    assert.deepEqual(
      decision.writes.map((write) => [write.key, write.value]),
      [
        ["hearth.model", twoCore.roles.chat.model!.uri],
        ["hearth.completion.model", twoCore.roles.completion.model!.uri],
        ["hearth.server.contextSize", twoCore.roles.chat.contextSize],
      ],
    );
    assert.equal(twoCore.roles.chat.contextSize, twoCore.roles.repo.contextSize, "this machine's plan gives chat and repository questions one size");
    assert.match(decision.writes[0]!.why, /^chat, edit and repository questions: \S+ Q\S+, ~[\d.]+ tok\/s/);
    assert.match(decision.writes[1]!.why, /^inline suggestions: 0\.8B Q\S+, ~\d+ ms/);
    assert.deepEqual(decision.kept, []);
  });

  it("keeps what the user set, and says so", () => {
    const now = defaults();
    now["hearth.model"] = { value: "/models/mine.gguf", userSet: true };
    now["hearth.server.contextSize"] = { value: 4096, userSet: true };
    const decision = planSettings(twoCore, now);
    assert.deepEqual(decision.writes.map((write) => write.key), ["hearth.completion.model"]);
    assert.deepEqual(decision.kept, [
      { key: "hearth.model", value: "/models/mine.gguf" },
      { key: "hearth.server.contextSize", value: 4096 },
    ]);
  });

  it("writes nothing that already holds the plan's value (one model for every role is the empty completion setting)", () => {
    assert.equal(gpu8.roles.completion.model, gpu8.roles.chat.model);
    const decision = planSettings(gpu8, defaults());
    // The 9B Q4_K_M is the default model already, and an empty completion model is the default.
    assert.deepEqual(decision.writes.map((write) => write.key), gpu8.roles.chat.contextSize === gpu8.roles.repo.contextSize ? ["hearth.server.contextSize"] : []);
  });

  it("leaves the context on auto when the plan gives chat and repository questions different sizes", () => {
    const plan = planModels({ probe: probe(8, 32, [{ backend: "cuda", name: "NVIDIA 24", vramTotalBytes: 24 * GB, vramFreeBytes: 23.6 * GB, unifiedMemory: false }]), speeds: [cpuSample(7, 700, 70)] });
    assert.notEqual(plan.roles.chat.contextSize, plan.roles.repo.contextSize);
    const decision = planSettings(plan, defaults());
    assert.ok(!decision.writes.some((write) => write.key === "hearth.server.contextSize"));
    assert.match(decision.notApplied[0]!.why, /stays "auto"/);
  });

  it("writes no model when none fits, and passes on the plan's reason", () => {
    const none = planModels({ probe: { ...probe(2, 1), memory: { totalBytes: 1 * GB, availableBytes: 0.2 * GB } }, speeds: [cpuSample(1, 156, 28)] });
    const decision = planSettings(none, defaults());
    assert.deepEqual(decision.writes, []);
    assert.match(decision.notApplied[0]!.why, /Not enough free memory/);
  });
});
