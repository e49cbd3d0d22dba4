// npm run bench:plan -- [--json] [--threads auto|1,2] [--skip-9b] [--prompt-tokens 256] [--repeat 1]
//
// Issue 19, items 1-2: this machine's hardware probe, the model plan Hearth would pick here,
// and the proof of the speed model behind it. The engine is measured on generated models with
// the real Qwen3.5 shapes (test/fixtures; random weights, real speed): the 0.8B shape in
// Q8_0 and Q4_0 calibrates, the 9B shape (Q4_0) is predicted from the 0.8B alone and then
// measured. Target: every prediction within ±30 %.
//
// Bounded: generating the models takes about a minute the first time (0.8 + 0.45 + 5.6 GB
// into .cache/models, reused afterwards); measuring takes about 10 s per 0.8B model and a
// minute for the 9B per thread count on 2 cores. --skip-9b leaves the 9B out (no check then).
// On a machine shared with other work the figures are noisy: the JSON carries the load
// average before and after, and --repeat N measures every model N times, interleaved, and
// keeps each model's least disturbed run (highest rates, shortest suggestion).
//
// Measured on the project's 2-core machine while other work ran (load average ~7, so a
// fraction of a core; 4.4 min, models already generated), 1 thread: 0.8B shape Q8_0 prompt
// 35 tok/s, generation 7.2; Q4_0 42 and 7.0; 9B shape Q4_0 4.1 and 0.77, suggestion 24.3 s.
// The 9B predicted from the 0.8B in the same weight type: suggestion -0.5 %, generation
// +1.3 %, prompt -25 %. From Q8_0 across types: -29 %, +51 %, -22 %: on one busy thread
// generation is bound by compute, not by the bytes read, so the byte scaling across weight
// types does not hold there; the planner prefers a sample of the target's own type.
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { planModels, type ModelPlan, type PlanRole } from "../src/core/hardware/planner.js";
import { describeProbe, probeGpus, probeHardware } from "../src/core/hardware/probe.js";
import { predictSpeed, suggestionMs, type SpeedSample } from "../src/core/hardware/speedModel.js";
import { measureSpeed, type SpeedMeasurement } from "../src/core/hardware/speedProbe.js";
import { defaultModelCacheDir, ensureTestModel, type TestModelQuant, type TestModelShape } from "../test/fixtures/models.js";

const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    threads: { type: "string", default: "auto" },
    "skip-9b": { type: "boolean", default: false },
    "prompt-tokens": { type: "string", default: "256" },
    repeat: { type: "string", default: "1" },
  },
});
const started = performance.now();
const loadBefore = loadavg();
const log = (message: string): void => {
  if (!values.json) console.log(message);
  else process.stderr.write(`${message}\n`);
};

// 1. The probe, for real: CPU, memory, disk where the models go, and every GPU binary.
const cacheDir = defaultModelCacheDir();
const probe = await probeHardware({ storageDir: cacheDir, probeGpus: () => probeGpus((options) => getLlama({ ...options, logLevel: LlamaLogLevel.error })) });
log(`probe: ${describeProbe(probe)}`);

// 2. The generated models.
interface Shape {
  name: string;
  shape: TestModelShape;
  quant: TestModelQuant;
}
const calibration: Shape[] = [
  { name: "0.8B shape Q8_0", shape: "qwen3.5-0.8b", quant: "q8_0" },
  { name: "0.8B shape Q4_0", shape: "qwen3.5-0.8b", quant: "q4_0" },
];
const checked: Shape[] = values["skip-9b"] ? [] : [{ name: "9B shape Q4_0", shape: "qwen3.5-9b", quant: "q4_0" }];
const generateStarted = performance.now();
const paths = new Map<string, string>();
for (const entry of [...calibration, ...checked]) {
  paths.set(entry.name, await ensureTestModel({ arch: "qwen35", shape: entry.shape, quant: entry.quant }));
}
const generateMs = performance.now() - generateStarted;

// 3. Measure. Thread counts: the plan's own (the editor keeps a core), or those asked for.
const cores = Math.max(1, Math.min(probe.cpu.physicalCores, probe.cpu.usableCores));
const threadCounts = values.threads === "auto" ? [Math.max(1, cores - 1)] : values.threads.split(",").map(Number);
const promptTokens = Number(values["prompt-tokens"]);
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const measured = new Map<string, SpeedMeasurement>();
const key = (name: string, threads: number): string => `${name}@${threads}`;
const runs = new Map<string, SpeedMeasurement[]>();
for (let round = 0; round < Number(values.repeat); round++) {
  for (const threads of threadCounts) {
    for (const entry of [...calibration, ...checked]) {
      log(`measuring ${entry.name} on ${threads} thread(s)…`);
      const result = await measureSpeed(llama, { modelPath: paths.get(entry.name)!, threads, promptTokens });
      runs.set(key(entry.name, threads), [...(runs.get(key(entry.name, threads)) ?? []), result]);
      log(`  prompt ${result.promptTokensPerSecond.toFixed(1)} tok/s, generation ${result.generationTokensPerSecond.toFixed(1)} tok/s, suggestion ${Math.round(result.suggestionMs)} ms`);
    }
  }
}
for (const [name, results] of runs) {
  const best = (pick: (m: SpeedMeasurement) => number, lowest = false): number => (lowest ? Math.min : Math.max)(...results.map(pick));
  measured.set(name, { ...results[0]!, promptTokensPerSecond: best((m) => m.promptTokensPerSecond), generationTokensPerSecond: best((m) => m.generationTokensPerSecond), suggestionMs: best((m) => m.suggestionMs, true), suggestionSamplesMs: results.flatMap((m) => m.suggestionSamplesMs) });
}
await llama.dispose();

const sampleOf = (name: string, threads: number): SpeedSample => {
  const m = measured.get(key(name, threads))!;
  return { cost: m.cost, backend: "cpu", threads, promptTokensPerSecond: m.promptTokensPerSecond, generationTokensPerSecond: m.generationTokensPerSecond, label: name };
};
const errorPct = (predicted: number, actual: number): number => Math.round(((predicted - actual) / actual) * 1000) / 10;
const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

// 4. Predictions of the 9B from the 0.8B alone, against its measurement: per calibration
// model (same weight type, and across types through the kernel-cost table).
interface Check {
  role: PlanRole;
  metric: string;
  model: string;
  from: string;
  threads: number;
  predicted: number;
  measured: number;
  errorPct: number;
  within30: boolean;
}
const checks: Check[] = [];
for (const threads of threadCounts) {
  for (const target of [...calibration, ...checked]) {
    const actual = measured.get(key(target.name, threads))!;
    for (const source of calibration) {
      if (source.name === target.name && checked.length > 0) continue;
      const prediction = predictSpeed([sampleOf(source.name, threads)], actual.cost, "cpu", threads, { lineTokens: actual.lineTokens, suggestionTokens: actual.suggestionTokens })!;
      const add = (role: PlanRole, metric: string, predicted: number, real: number): void => {
        const error = errorPct(predicted, real);
        checks.push({ role, metric, model: target.name, from: source.name, threads, predicted: round(predicted), measured: round(real), errorPct: error, within30: Math.abs(error) <= 30 });
      };
      if (source.name === target.name) {
        // The suggestion formula from the model's own two rates (no scaling).
        add("completion", "suggestion ms", suggestionMs(actual.promptTokensPerSecond, actual.generationTokensPerSecond, actual), actual.suggestionMs);
        continue;
      }
      add("completion", "suggestion ms", prediction.suggestionMs, actual.suggestionMs);
      add("chat", "generation tok/s", prediction.generationTokensPerSecond, actual.generationTokensPerSecond);
      add("repo", "prompt tok/s", prediction.promptTokensPerSecond, actual.promptTokensPerSecond);
    }
  }
}

// 5. The plan for this machine from the 0.8B measurements (what the extension would do).
const planThreads = threadCounts[0]!;
const plan: ModelPlan = planModels({ probe, speeds: calibration.map((entry) => sampleOf(entry.name, planThreads)) });

const report = {
  machine: { probe, summary: describeProbe(probe), loadAverageBefore: loadBefore.map((v) => round(v, 2)), loadAverageAfter: loadavg().map((v) => round(v, 2)) },
  measurements: [...measured.values()].map((m) => ({
    model: [...paths.entries()].find(([, path]) => path === m.modelPath)?.[0],
    threads: m.threads,
    promptTokens: m.promptTokens,
    promptTokensPerSecond: round(m.promptTokensPerSecond),
    generationTokensPerSecond: round(m.generationTokensPerSecond, 2),
    suggestionMs: Math.round(m.suggestionMs),
    suggestionSamplesMs: m.suggestionSamplesMs.map((v) => Math.round(v)),
    cost: m.cost,
    loadMs: Math.round(m.loadMs),
  })),
  checks,
  allWithin30: checks.every((check) => check.within30),
  plan: {
    summary: plan.summary,
    problems: plan.problems,
    estimated: plan.estimated,
    roles: Object.fromEntries(
      Object.entries(plan.roles).map(([role, rolePlan]) => [
        role,
        {
          model: rolePlan.model?.label,
          uri: rolePlan.model?.uri,
          device: rolePlan.model?.device,
          threads: rolePlan.model?.threads,
          contextSize: rolePlan.contextSize,
          target: rolePlan.target,
          meetsTarget: rolePlan.meetsTarget,
          expected: rolePlan.expected && {
            suggestionMs: Math.round(rolePlan.expected.suggestionMs),
            generationTokensPerSecond: round(rolePlan.expected.generationTokensPerSecond),
            promptTokensPerSecond: round(rolePlan.expected.promptTokensPerSecond),
            coldPrefillSeconds: rolePlan.expected.coldPrefillSeconds === undefined ? undefined : Math.round(rolePlan.expected.coldPrefillSeconds),
            basis: rolePlan.expected.basis.label,
          },
          why: rolePlan.why,
        },
      ]),
    ),
    downloads: plan.downloads,
    memoryBytes: plan.memoryBytes,
    budgetBytes: plan.budgetBytes,
  },
  timing: { generateModelsMs: Math.round(generateMs), totalMs: Math.round(performance.now() - started) },
};

if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`plan: ${plan.summary}`);
  for (const check of checks) console.log(`${check.role.padEnd(10)} ${check.metric.padEnd(17)} ${check.model} from ${check.from}, ${check.threads} thread(s): predicted ${check.predicted}, measured ${check.measured} (${check.errorPct > 0 ? "+" : ""}${check.errorPct} %)${check.within30 ? "" : "  OUTSIDE ±30 %"}`);
  console.log(`total ${Math.round(report.timing.totalMs / 1000)} s (generating models ${Math.round(generateMs / 1000)} s)`);
}
