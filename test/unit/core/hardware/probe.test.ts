import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { availableFromMeminfo, describeProbe, physicalCoresFromCpuinfo, probeGpus, probeHardware, type GetLlama, type LlamaLike, type ProbeSources } from "../../../../src/core/hardware/probe";

const GB = 1e9;

/** /proc/cpuinfo of one socket with 2 cores and 2 hardware threads each (SMT). */
const SMT_CPUINFO = [0, 1, 2, 3]
  .map((processor) => `processor\t: ${processor}\nmodel name\t: Test Xeon\nphysical id\t: 0\ncore id\t\t: ${processor % 2}\ncpu cores\t: 2\n`)
  .join("\n");
/** Two sockets of 2 cores each, no SMT: core ids repeat across sockets. */
const TWO_SOCKETS = [0, 1, 2, 3].map((processor) => `processor\t: ${processor}\nphysical id\t: ${processor < 2 ? 0 : 1}\ncore id\t\t: ${processor % 2}\n`).join("\n");

function sources(overrides: Partial<ProbeSources>): Partial<ProbeSources> {
  return {
    platform: () => "linux",
    release: () => "6.0",
    arch: () => "x64",
    cpuModels: () => Array(4).fill("Test Xeon") as string[],
    usableCores: () => 4,
    totalMemory: () => 16 * GB,
    freeMemory: () => 2 * GB,
    readTextFile: async (path) => (path === "/proc/cpuinfo" ? SMT_CPUINFO : path === "/proc/meminfo" ? "MemTotal: 16000000 kB\nMemFree: 2000000 kB\nMemAvailable: 9000000 kB\n" : undefined),
    freeDiskBytes: async () => 50 * GB,
    ...overrides,
  };
}

/** A fake node-llama-cpp binary per backend: which load, and what they see. */
function fakeGetLlama(devices: Partial<Record<"cuda" | "vulkan" | "metal", { names: string[]; total: number; free: number; unified?: number } | Error>>, cpuMathCores = 4): { getLlama: GetLlama; disposed: string[] } {
  const disposed: string[] = [];
  const getLlama: GetLlama = async ({ gpu }) => {
    const entry = gpu === false ? undefined : devices[gpu];
    if (gpu !== false && (entry === undefined || entry instanceof Error)) throw entry ?? new Error("NoBinaryFoundError");
    const device = entry instanceof Error ? undefined : entry;
    const llama: LlamaLike = {
      gpu: gpu,
      cpuMathCores,
      getVramState: async () => ({ total: device?.total ?? 0, free: device?.free ?? 0, unifiedSize: device?.unified ?? 0 }),
      getGpuDeviceNames: async () => device?.names ?? [],
      dispose: async () => {
        disposed.push(String(gpu));
      },
    };
    return llama;
  };
  return { getLlama, disposed };
}

describe("hardware probe", () => {
  it("counts physical cores, not hardware threads, from /proc/cpuinfo", () => {
    assert.equal(physicalCoresFromCpuinfo(SMT_CPUINFO), 2);
    assert.equal(physicalCoresFromCpuinfo(TWO_SOCKETS), 4);
    assert.equal(physicalCoresFromCpuinfo("processor\t: 0\nmodel name\t: ARM\n"), undefined, "no core ids: unknown, not zero");
  });

  it("reads available memory from MemAvailable, which os.freemem() undercounts", () => {
    assert.equal(availableFromMeminfo("MemTotal: 100 kB\nMemFree: 10 kB\nMemAvailable: 60 kB\n"), 60 * 1024);
    assert.equal(availableFromMeminfo("MemTotal: 100 kB\n"), undefined);
  });

  it("describes an injected Linux machine with SMT and no GPU", async () => {
    const { getLlama } = fakeGetLlama({});
    const probe = await probeHardware({ sources: sources({}), storageDir: "/models", probeGpus: () => probeGpus(getLlama, "linux") });
    assert.deepEqual(probe.cpu, { model: "Test Xeon", logicalCores: 4, usableCores: 4, physicalCores: 2, physicalCoresFrom: "cpuinfo" });
    assert.equal(probe.memory.availableBytes, 9_000_000 * 1024);
    assert.deepEqual(probe.disk, { path: "/models", freeBytes: 50 * GB });
    assert.deepEqual(probe.gpus, []);
    assert.equal(probe.gpusProbed, true);
    assert.deepEqual(probe.gpuProbeErrors.map((error) => error.backend), ["cuda", "vulkan"]);
    assert.match(probe.gpuProbeErrors[0]!.message, /^no usable cuda binary or device: NoBinaryFoundError/);
    assert.equal(describeProbe(probe), "Test Xeon · 2 cores (4 threads) · 9.2 GB of 16.0 GB RAM free · linux x64 · no GPU");
  });

  it("sees an NVIDIA card once, through CUDA, though Vulkan sees it too", async () => {
    const card = { names: ["NVIDIA GeForce RTX 4060"], total: 8 * GB, free: 7.5 * GB };
    const { getLlama, disposed } = fakeGetLlama({ cuda: card, vulkan: card });
    const result = await probeGpus(getLlama, "linux");
    assert.deepEqual(result.gpus, [{ backend: "cuda", name: "NVIDIA GeForce RTX 4060", vramTotalBytes: 8 * GB, vramFreeBytes: 7.5 * GB, unifiedMemory: false }]);
    assert.equal(result.cpuMathCores, 4);
    assert.deepEqual(disposed.sort(), ["cuda", "false", "vulkan"], "every binary it loaded is disposed");
  });

  it("falls back to Vulkan when the CUDA binary fails to load", async () => {
    const { getLlama } = fakeGetLlama({ cuda: new Error("libcudart.so.12: cannot open shared object file"), vulkan: { names: ["AMD Radeon"], total: 16 * GB, free: 15 * GB } });
    const result = await probeGpus(getLlama, "linux");
    assert.deepEqual(result.gpus.map((gpu) => `${gpu.backend}:${gpu.name}`), ["vulkan:AMD Radeon"]);
    assert.match(result.errors[0]!.message, /cuda.*libcudart/);
  });

  it("on a Mac asks Metal only and takes llama.cpp's count of cores", async () => {
    const { getLlama } = fakeGetLlama({ metal: { names: ["Apple M2 Pro"], total: 11.5 * GB, free: 11.5 * GB, unified: 11.5 * GB } }, 8);
    const probe = await probeHardware({
      sources: sources({ platform: () => "darwin", arch: () => "arm64", cpuModels: () => Array(12).fill("Apple M2 Pro") as string[], usableCores: () => 12, readTextFile: async () => undefined }),
      probeGpus: () => probeGpus(getLlama, "darwin"),
    });
    assert.equal(probe.cpu.physicalCores, 8);
    assert.equal(probe.cpu.physicalCoresFrom, "llama.cpp");
    assert.equal(probe.memory.availableBytes, 2 * GB, "no /proc/meminfo: os.freemem()");
    assert.deepEqual(probe.gpus, [{ backend: "metal", name: "Apple M2 Pro", vramTotalBytes: 11.5 * GB, vramFreeBytes: 11.5 * GB, unifiedMemory: true }]);
    assert.deepEqual(probe.gpuProbeErrors, []);
    assert.match(describeProbe(probe), /Apple M2 Pro \(metal, 11\.5 GB of 11\.5 GB free, unified\)$/);
  });

  it("stops waiting for a binary that hangs", async () => {
    const getLlama: GetLlama = (options) => (options.gpu === "cuda" ? new Promise(() => undefined) : fakeGetLlama({}).getLlama(options));
    const result = await probeGpus(getLlama, "linux", 50);
    assert.match(result.errors.find((error) => error.backend === "cuda")!.message, /did not answer within 0\.05 s/);
  });

  it("says GPUs were not probed when nobody asked node-llama-cpp", async () => {
    const probe = await probeHardware({ sources: sources({}) });
    assert.equal(probe.gpusProbed, false);
    assert.equal(probe.disk, undefined);
    assert.match(describeProbe(probe), /GPUs not probed$/);
  });

  it("probes this machine for real, through node-llama-cpp's own binaries", async function () {
    this.timeout(120_000);
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const probe = await probeHardware({ storageDir: tmpdir(), probeGpus: () => probeGpus((options) => getLlama({ ...options, logLevel: LlamaLogLevel.error })) });
    assert.ok(probe.cpu.physicalCores >= 1 && probe.cpu.physicalCores <= probe.cpu.logicalCores, JSON.stringify(probe.cpu));
    assert.ok(probe.memory.availableBytes > 0 && probe.memory.availableBytes <= probe.memory.totalBytes);
    assert.ok(probe.disk && probe.disk.freeBytes > 0);
    assert.equal(probe.gpusProbed, true);
    // Every backend of the platform is either a GPU or an error that says why not.
    const seen = new Set([...probe.gpus.map((gpu) => gpu.backend), ...probe.gpuProbeErrors.map((error) => error.backend)]);
    assert.deepEqual([...seen].sort(), process.platform === "darwin" ? ["metal"] : ["cuda", "vulkan"]);
    for (const gpu of probe.gpus) assert.ok(gpu.vramTotalBytes > 0 && gpu.vramFreeBytes <= gpu.vramTotalBytes);
  });
});
