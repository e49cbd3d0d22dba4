// The README's table of the plans Hearth picks for typical machines, made by the planner itself:
// this test renders it and fails when the README's copy differs (HEARTH_PRINT_PLAN_TABLE=1
// prints the table to paste). The machines and their speed figures are those of
// test/unit/core/hardware/planner.test.ts: figures of the kind the speed probe reports, not
// measurements of real machines of each kind.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findKnownModel } from "../../../../src/core/hardware/knownModels";
import { planModels, type ModelPlan, type PlanInputs, type RolePlan } from "../../../../src/core/hardware/planner";
import type { GpuInfo, HardwareProbe } from "../../../../src/core/hardware/probe";
import { costOfKnownModel, type SpeedSample } from "../../../../src/core/hardware/speedModel";
import { formatGigabytes } from "../../../../src/core/models/diskSpace";

const GB = 1e9;
const README = join(__dirname, "..", "..", "..", "..", "README.md");
const START = "<!-- plan-table:start (test/unit/core/models/planTable.test.ts) -->";
const END = "<!-- plan-table:end -->";

function machine(options: { cores: number; logical?: number; ramGb: number; freeRamGb?: number; gpus?: GpuInfo[]; platform?: string; arch?: string; cpu?: string }): HardwareProbe {
  return {
    os: { platform: options.platform ?? "linux", release: "test", arch: options.arch ?? "x64" },
    cpu: { model: options.cpu ?? "Test CPU", physicalCores: options.cores, logicalCores: options.logical ?? options.cores, usableCores: options.logical ?? options.cores, physicalCoresFrom: "cpuinfo" },
    memory: { totalBytes: options.ramGb * GB, availableBytes: (options.freeRamGb ?? options.ramGb * 0.7) * GB },
    disk: { path: "/storage", freeBytes: 200 * GB },
    gpus: options.gpus ?? [],
    gpusProbed: true,
    gpuProbeErrors: [],
  };
}
const cpuSample = (threads: number, prompt: number, generation: number): SpeedSample => ({ cost: costOfKnownModel(findKnownModel("0.8b")!, "Q8_0"), backend: "cpu", threads, promptTokensPerSecond: prompt, generationTokensPerSecond: generation });
const gpuSample = (prompt: number, generation: number): SpeedSample => ({ cost: costOfKnownModel(findKnownModel("9b")!, "Q4_K_M"), backend: "gpu", threads: 1, promptTokensPerSecond: prompt, generationTokensPerSecond: generation });
const nvidia = (gb: number): GpuInfo => ({ backend: "cuda", name: `NVIDIA ${gb} GB`, vramTotalBytes: gb * GB, vramFreeBytes: (gb - 0.4) * GB, unifiedMemory: false });

const MACHINES: readonly { name: string; inputs: PlanInputs }[] = [
  { name: "2-core CPU, 8 GB", inputs: { probe: machine({ cores: 2, ramGb: 8, freeRamGb: 6 }), speeds: [cpuSample(1, 156, 28)] } },
  { name: "8-core CPU, 16 GB", inputs: { probe: machine({ cores: 8, logical: 16, ramGb: 16, freeRamGb: 12 }), speeds: [cpuSample(7, 700, 70)] } },
  {
    name: "Apple M2 Pro, 16 GB",
    inputs: {
      probe: machine({ cores: 10, ramGb: 16, freeRamGb: 11, platform: "darwin", arch: "arm64", cpu: "Apple M2 Pro", gpus: [{ backend: "metal", name: "Apple M2 Pro", vramTotalBytes: 11.5 * GB, vramFreeBytes: 11.5 * GB, unifiedMemory: true }] }),
      speeds: [cpuSample(9, 900, 80), gpuSample(450, 24)],
    },
  },
  { name: "NVIDIA 8 GB, 6 cores, 16 GB", inputs: { probe: machine({ cores: 6, logical: 12, ramGb: 16, gpus: [nvidia(8)] }), speeds: [cpuSample(5, 500, 50), gpuSample(2500, 45)] } },
  { name: "NVIDIA 24 GB, 8 cores, 32 GB", inputs: { probe: machine({ cores: 8, logical: 16, ramGb: 32, gpus: [nvidia(24)] }), speeds: [cpuSample(7, 700, 70), gpuSample(5000, 95)] } },
];

function where(role: RolePlan): string {
  return role.model?.device === "gpu" ? "GPU" : `CPU ×${role.model?.threads ?? 0}`;
}

function row(name: string, plan: ModelPlan): string {
  const { completion, chat, repo } = plan.roles;
  const cells = [
    name,
    `${completion.model?.label ?? "none"} (${where(completion)}), ~${Math.round(completion.expected?.suggestionMs ?? 0)} ms`,
    `${chat.model?.label ?? "none"} (${where(chat)}), ~${Math.round(chat.expected?.generationTokensPerSecond ?? 0)} tok/s`,
    `${repo.contextSize.toLocaleString("en-US")} tokens, cold pack ~${Math.round(repo.expected?.coldPrefillSeconds ?? 0)} s`,
    formatGigabytes(plan.downloads.reduce((sum, entry) => sum + entry.bytes, 0)),
    `chat: ${chat.why}; suggestions: ${completion.why}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

export function planTable(): string {
  return [
    "| machine | suggestions | chat and edits | repository questions | download | why |",
    "|---|---|---|---|---|---|",
    ...MACHINES.map(({ name, inputs }) => row(name, planModels(inputs))),
  ].join("\n");
}

describe("the README's table of plans for typical machines", () => {
  it("is what the planner picks for them", () => {
    const table = planTable();
    if (process.env.HEARTH_PRINT_PLAN_TABLE) console.log(`${START}\n${table}\n${END}`);
    const readme = readFileSync(README, "utf8");
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    assert.ok(start >= 0 && end > start, `README.md has no ${START} … ${END} block`);
    assert.equal(readme.slice(start + START.length, end).trim(), table, "README.md's plan table is out of date: HEARTH_PRINT_PLAN_TABLE=1 prints the new one");
  });

  it("covers the machines the README names, each with a model for every role", () => {
    for (const { name, inputs } of MACHINES) {
      const plan = planModels(inputs);
      assert.deepEqual(plan.problems, [], name);
      for (const role of ["completion", "chat", "repo"] as const) assert.ok(plan.roles[role].model, `${name}: ${role}`);
    }
  });
});
