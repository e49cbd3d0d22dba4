// The plan from a measurement of this machine (the measure command's line) against the plan
// from the reference figures: a slow CPU measured picks smaller models, a fast one larger,
// and the engine's GPUs and GPU figures replace the estimates.
import assert from "node:assert/strict";
import { findKnownModel } from "../../../../src/core/hardware/knownModels";
import { parseMeasuredLine, type MeasuredLine } from "../../../../src/core/hardware/machineMeasurement";
import { planModels, referenceCpuSample } from "../../../../src/core/hardware/planner";
import type { GpuInfo, HardwareProbe } from "../../../../src/core/hardware/probe";
import { costOfKnownModel } from "../../../../src/core/hardware/speedModel";

const GB = 1e9;

// A 4-core, 16 GB laptop: the plan gives the engine 3 threads.
const probe: HardwareProbe = {
  os: { platform: "linux", release: "6.1", arch: "x64" },
  cpu: { model: "Test CPU", physicalCores: 4, logicalCores: 8, usableCores: 8, physicalCoresFrom: "cpuinfo" },
  memory: { totalBytes: 16 * GB, availableBytes: 11 * GB },
  disk: { path: "/storage", freeBytes: 200 * GB },
  gpus: [],
  gpusProbed: false,
  gpuProbeErrors: [],
};

/** The line the measure command prints after measuring the 0.8B at Q8_0 on 3 threads (and a GPU, if given). */
function measuredLine(cpu: { prompt: number; generation: number }, gpu?: { info: GpuInfo; prompt: number; generation: number }): string {
  const cost = costOfKnownModel(findKnownModel("0.8b")!, "Q8_0");
  const run = { cost, threads: 3, promptTokens: 128, suggestionMs: 500, loadMs: 900, wallMs: 4000 };
  const line: MeasuredLine = {
    event: "measured",
    probe: { ...probe, gpus: gpu ? [gpu.info] : [], gpusProbed: true },
    key: { platform: "linux", arch: "x64", cpuModel: "Test CPU", logicalCores: 8, usableCores: 8, memoryGiB: 15, engineVersion: "3.22.1", gpuDrivers: [], gpuPackages: [], gpus: gpu ? [gpu.info.name] : [] },
    model: { name: "Qwen3.5-0.8B-Q8_0.gguf", bytes: 812e6 },
    runs: [{ ...run, backend: "cpu", promptTokensPerSecond: cpu.prompt, generationTokensPerSecond: cpu.generation }, ...(gpu ? [{ ...run, backend: "gpu" as const, gpu: gpu.info.name, promptTokensPerSecond: gpu.prompt, generationTokensPerSecond: gpu.generation }] : [])],
    measuredAt: "2026-12-07T10:00:00.000Z",
    wallMs: 9000,
  };
  return JSON.stringify(line);
}

const params = (uri: string | undefined): number => findKnownModel(/qwen3\.5-[\w.-]+/i.exec(uri ?? "")?.[0]?.replace(/-gguf$/i, "") ?? "")?.params ?? NaN;

describe("model plan from a measurement of this machine", () => {
  const reference = planModels({ probe, speeds: [referenceCpuSample()!] });

  it("a slow CPU, measured, gets smaller models than the reference figures suggest, and no estimates", () => {
    // The 0.8B shape on 3 threads of a busy 2-core Xeon's speed: 60 tokens/s prompt, 8.6 generation.
    const measurement = parseMeasuredLine(measuredLine({ prompt: 60, generation: 8.6 }))!;
    const measured = planModels({ probe: measurement.probe, speeds: measurement.samples });
    assert.equal(reference.estimated, true);
    assert.equal(measured.estimated, false);
    assert.ok(params(measured.roles.chat.model?.uri) < params(reference.roles.chat.model?.uri), `${measured.summary} vs ${reference.summary}`);
    assert.ok(measured.roles.completion.expected!.suggestionMs > reference.roles.completion.expected!.suggestionMs);
    assert.match(measured.roles.chat.expected!.basis.label!, /Qwen3\.5-0\.8B-Q8_0\.gguf \(0\.8B parameters, Q8_0, CPU, 3 threads\)/);
  });

  it("a fast CPU, measured, gets a larger chat model than on the slow one", () => {
    const slow = planModels({ probe, speeds: parseMeasuredLine(measuredLine({ prompt: 60, generation: 8.6 }))!.samples });
    const fast = parseMeasuredLine(measuredLine({ prompt: 300, generation: 30 }))!;
    const plan = planModels({ probe: fast.probe, speeds: fast.samples });
    assert.ok(params(plan.roles.chat.model?.uri) > params(slow.roles.chat.model?.uri), `${plan.summary} vs ${slow.summary}`);
  });

  it("the engine's GPU and its measured figures replace the GPU estimate", () => {
    const card: GpuInfo = { backend: "cuda", name: "NVIDIA Test 8 GB", vramTotalBytes: 8 * GB, vramFreeBytes: 7.6 * GB, unifiedMemory: false };
    const measurement = parseMeasuredLine(measuredLine({ prompt: 60, generation: 8.6 }, { info: card, prompt: 6000, generation: 180 }))!;
    const plan = planModels({ probe: measurement.probe, speeds: measurement.samples });
    assert.equal(plan.roles.chat.model?.device, "gpu");
    assert.equal(plan.roles.chat.expected?.basis.backend, "gpu");
    assert.equal(plan.roles.chat.expected?.estimated, false);
    assert.match(plan.roles.chat.expected!.basis.label!, /NVIDIA Test 8 GB/);
    // Without the measurement the extension host sees no GPU at all.
    assert.equal(reference.roles.chat.model?.device, "cpu");
  });
});
