import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { currentMachineKey, measuredLineSchema, parseMachineKey, parseMeasured, parseMeasuredLine, readEngineVersion, sameMachine, type MachineKey, type MeasuredLine } from "../../../../src/core/hardware/machineMeasurement";
import { findKnownModel } from "../../../../src/core/hardware/knownModels";
import { costOfKnownModel } from "../../../../src/core/hardware/speedModel";

const KEY: MachineKey = { platform: "linux", arch: "x64", cpuModel: "Test CPU 3000", logicalCores: 8, usableCores: 8, memoryGiB: 16, engineVersion: "3.22.1", gpuDrivers: ["cuda"], gpuPackages: ["@node-llama-cpp/linux-x64-cuda"], gpus: ["NVIDIA Test 8 GB"] };

/** A line as the measure command prints one: the 0.8B at Q8_0 on the CPU and on a GPU. */
function line(overrides: Partial<MeasuredLine> = {}): MeasuredLine {
  const cost = costOfKnownModel(findKnownModel("0.8b")!, "Q8_0");
  const run = { cost, promptTokens: 128, suggestionMs: 300, loadMs: 500, wallMs: 3000 };
  return {
    event: "measured",
    probe: {
      os: { platform: "linux", release: "6.1", arch: "x64" },
      cpu: { model: "Test CPU 3000", physicalCores: 8, logicalCores: 8, usableCores: 8, physicalCoresFrom: "cpuinfo" },
      memory: { totalBytes: 16 * 2 ** 30, availableBytes: 10 * 2 ** 30 },
      gpus: [{ backend: "cuda", name: "NVIDIA Test 8 GB", vramTotalBytes: 8e9, vramFreeBytes: 7.6e9, unifiedMemory: false }],
      gpusProbed: true,
      gpuProbeErrors: [{ backend: "vulkan", message: "no usable vulkan binary or device: NoBinaryFoundError" }],
    },
    key: KEY,
    model: { name: "Qwen3.5-0.8B-Q8_0.gguf", bytes: 812e6 },
    runs: [
      { ...run, backend: "cpu", threads: 7, promptTokensPerSecond: 700, generationTokensPerSecond: 70 },
      { ...run, backend: "gpu", gpu: "NVIDIA Test 8 GB", threads: 7, promptTokensPerSecond: 9000, generationTokensPerSecond: 250 },
    ],
    measuredAt: "2026-12-07T10:00:00.000Z",
    wallMs: 6500,
    ...overrides,
  };
}

describe("machine measurement (the measure command's line)", () => {
  it("becomes the probe, a CPU and a GPU sample labelled with the file, the time and the key", () => {
    const measurement = parseMeasuredLine(JSON.stringify(line()));
    assert.ok(measurement);
    assert.equal(measurement.probe.gpusProbed, true);
    assert.equal(measurement.probe.gpus[0]!.name, "NVIDIA Test 8 GB");
    assert.deepEqual(measurement.samples.map((sample) => [sample.backend, sample.threads, sample.promptTokensPerSecond, sample.generationTokensPerSecond, sample.estimated]), [["cpu", 7, 700, 70, undefined], ["gpu", 7, 9000, 250, undefined]]);
    assert.match(measurement.samples[0]!.label!, /Qwen3\.5-0\.8B-Q8_0\.gguf \(0\.\dB parameters, Q8_0, CPU, 7 threads\)/);
    assert.match(measurement.samples[1]!.label!, /NVIDIA Test 8 GB/);
    assert.equal(measurement.measuredAt, "2026-12-07T10:00:00.000Z");
    assert.deepEqual(measurement.key, KEY);
    // What the extension caches is the line itself, and it reads back the same.
    assert.deepEqual(parseMeasured(JSON.parse(JSON.stringify(measurement.line))), measurement);
  });

  it("parses garbled, truncated and hostile lines to nothing, without throwing", () => {
    const good = JSON.stringify(line());
    const hostile: unknown[] = [
      "",
      "not json",
      good.slice(0, good.length / 2),
      "null",
      "[]",
      '{"event":"ready","port":1}',
      '{"event":"error","code":"load_failed","message":"boom"}',
      JSON.stringify({ ...line(), event: "Measured" }),
      JSON.stringify({ ...line(), runs: [] }),
      JSON.stringify({ ...line(), runs: Array.from({ length: 5 }, () => line().runs[0]) }),
      JSON.stringify({ ...line(), measuredAt: "yesterday" }),
      JSON.stringify({ ...line(), key: { ...KEY, memoryGiB: "16" } }),
      JSON.stringify({ ...line(), model: { name: "x".repeat(10_000), bytes: 1 } }),
      JSON.stringify(line({ runs: [{ ...line().runs[0]!, generationTokensPerSecond: 0 }] })),
      JSON.stringify(line({ runs: [{ ...line().runs[0]!, promptTokensPerSecond: -5 }] })),
      JSON.stringify(line({ runs: [{ ...line().runs[0]!, threads: 0 }] })),
      good.replace('"promptTokensPerSecond":700', '"promptTokensPerSecond":1e999'),
      good.replace('"backend":"cpu"', '"backend":"tpu"'),
      JSON.stringify({ ...line(), probe: { ...line().probe, gpus: Array.from({ length: 100 }, () => line().probe.gpus[0]) } }),
      `${good.slice(0, -1)},"padding":"${"a".repeat(70_000)}"}`,
      42,
      undefined,
    ];
    for (const text of hostile) {
      assert.equal(parseMeasuredLine(text as string), undefined, `accepted: ${String(text).slice(0, 120)}`);
    }
    // A "__proto__" key is an own property of JSON.parse's result; the schema drops it.
    const proto = parseMeasuredLine(`{"__proto__":{"polluted":true},${good.slice(1)}`);
    assert.ok(proto);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(proto.line, "__proto__"), false);
    assert.equal(parseMeasured({ ...line(), runs: "many" }), undefined);
    assert.equal(parseMeasured(undefined), undefined);
  });

  it("drops fields it does not know (nothing but the schema's reaches the plan)", () => {
    const measurement = parseMeasuredLine(JSON.stringify({ ...line(), extra: "x", key: { ...KEY, secret: "y" } }));
    assert.ok(measurement);
    assert.equal("extra" in measurement.line, false);
    assert.equal("secret" in measurement.key, false);
  });
});

describe("machine key (a measurement is reused on its own machine only)", () => {
  it("matches the same machine, and not another CPU, memory size, engine, GPU driver, GPU package or GPU", () => {
    const host: MachineKey = { ...KEY, gpus: undefined };
    assert.equal(sameMachine(KEY, host), true, "the host cannot see GPU names; the rest must match");
    assert.equal(sameMachine(KEY, { ...KEY, gpuDrivers: [...KEY.gpuDrivers].reverse() }), true);
    const others: Partial<MachineKey>[] = [
      { cpuModel: "Other CPU" },
      { logicalCores: 16 },
      { usableCores: 4 },
      { memoryGiB: 32 },
      { engineVersion: "3.23.0" },
      { gpuDrivers: [] },
      { gpuPackages: [] },
      { gpus: ["NVIDIA Test 24 GB"] },
      { platform: "darwin" },
      { arch: "arm64" },
    ];
    for (const other of others) assert.equal(sameMachine(KEY, { ...KEY, ...other }), false, JSON.stringify(other));
  });

  it("reads this machine's key the same way twice, from injected sources too", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hearth-key-"));
    try {
      await mkdir(join(dir, "node_modules", "@node-llama-cpp", "linux-x64-cuda"), { recursive: true });
      const sources = { platform: () => "linux", arch: () => "x64", cpuModels: () => Array(8).fill("Test CPU 3000"), usableCores: () => 6, totalMemory: () => 15.6 * 2 ** 30 };
      const drivers = { exists: async (file: string) => file === "/dev/nvidia0" };
      const key = await currentMachineKey({ engineVersion: "3.22.1", gpuPackagesDir: dir, sources, drivers });
      assert.deepEqual(key, { platform: "linux", arch: "x64", cpuModel: "Test CPU 3000", logicalCores: 8, usableCores: 6, memoryGiB: 16, engineVersion: "3.22.1", gpuDrivers: ["cuda"], gpuPackages: ["@node-llama-cpp/linux-x64-cuda"] });
      assert.ok(sameMachine(key, await currentMachineKey({ engineVersion: "3.22.1", gpuPackagesDir: dir, sources, drivers })));
      // A GPU package arriving later makes it another setup: the measurement is taken again.
      await mkdir(join(dir, "node_modules", "@node-llama-cpp", "linux-x64-vulkan"));
      assert.equal(sameMachine(key, await currentMachineKey({ engineVersion: "3.22.1", gpuPackagesDir: dir, sources, drivers })), false);
      assert.deepEqual(parseMachineKey(JSON.parse(JSON.stringify(key))), key);
      assert.equal(parseMachineKey({ ...key, logicalCores: "8" }), undefined);
      assert.equal(parseMachineKey("key"), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reads node-llama-cpp's version from the installed package, walking up from a folder", async () => {
    const installed = JSON.parse(await readFile(join(__dirname, "..", "..", "..", "..", "node_modules", "node-llama-cpp", "package.json"), "utf8")) as { version: string };
    assert.equal(await readEngineVersion(join(__dirname, "deep", "below")), installed.version);
    assert.equal(await readEngineVersion(join(tmpdir(), "hearth-missing-folder-x", "y")), "unknown");
  });

  it("the schema is the one the server prints against (a line built from it parses)", () => {
    assert.equal(measuredLineSchema.safeParse(line()).success, true);
  });
});
