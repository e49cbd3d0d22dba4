// The server bundle's `measure` command on the real engine and the tiny generated model, run
// as the extension runs it (src/vscode/onboarding/machineMeasure.ts: a child process, one
// `measured` line read through the schema).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { basename, join } from "node:path";
import { currentMachineKey, parseMeasuredLine, readEngineVersion, sameMachine } from "../../../src/core/hardware/machineMeasurement";
import { rememberModel } from "../../../src/core/models/modelIndex";
import { MeasureError, runMeasurement, smallestModelOnDisk } from "../../../src/vscode/onboarding/machineMeasure";
import { ensureTestModel } from "../../fixtures/models";
import { assertServerBuilt, REPO_ROOT, SERVER_SCRIPT } from "../../support/serverProcess";

/** Runs the command and returns its stdout lines and exit code. */
async function runCommand(args: string[]): Promise<{ lines: string[]; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "measure", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { lines: stdout.split("\n").filter((line) => line !== ""), code, stderr };
}

describe("measure command (the engine's speed on this machine, in a child process)", function () {
  this.timeout(120_000);
  let dir: string;
  let model: string;

  before(async () => {
    assertServerBuilt();
    dir = await mkdtemp(join(tmpdir(), "hearth-measure-"));
    model = await ensureTestModel({ arch: "qwen35" });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("probes the GPUs, measures the model on the CPU and prints one line the extension accepts", async () => {
    const { lines, code, stderr } = await runCommand(["--model", model, "--threads", "1", "--storage", dir]);
    assert.equal(code, 0, stderr);
    assert.equal(lines.length, 1, `stdout: ${lines.join("\n")}`);
    const measurement = parseMeasuredLine(lines[0]!);
    assert.ok(measurement, `the schema refused: ${lines[0]}`);
    assert.equal(measurement.probe.gpusProbed, true);
    // Every GPU backend was tried: found, or an error saying why not.
    assert.equal(measurement.probe.gpus.length + new Set(measurement.probe.gpuProbeErrors.map((error) => error.backend)).size >= 1, true);
    assert.equal(measurement.probe.disk?.path, dir);
    const cpu = measurement.samples.filter((sample) => sample.backend === "cpu");
    assert.equal(cpu.length, 1);
    assert.equal(cpu[0]!.threads, 1);
    assert.ok(cpu[0]!.promptTokensPerSecond > 0 && cpu[0]!.generationTokensPerSecond > 0);
    assert.equal(cpu[0]!.cost.layerType, "F32");
    assert.match(cpu[0]!.label!, new RegExp(`${basename(model).replace(/\./g, "\\.")} \\(.*F32, CPU, 1 thread\\)`));
    assert.equal(measurement.model.name, basename(model));
    assert.equal(measurement.model.bytes, (await stat(model)).size);
    // A GPU found is measured too, or the probe says why it could not be.
    const gpuMeasured = measurement.probe.gpus.length > 0 && !measurement.probe.gpuProbeErrors.some((error) => /^measuring on /.test(error.message));
    assert.equal(measurement.samples.length, gpuMeasured ? 2 : 1);
    // The key is this machine's, as the extension host reads it (the GPU names besides).
    const engineVersion = await readEngineVersion(REPO_ROOT);
    assert.notEqual(engineVersion, "unknown");
    assert.equal(measurement.key.engineVersion, engineVersion);
    assert.equal(measurement.key.cpuModel, cpus()[0]!.model);
    assert.equal(measurement.key.memoryGiB, Math.round(totalmem() / 2 ** 30));
    assert.deepEqual(measurement.key.gpus, measurement.probe.gpus.map((gpu) => gpu.name).sort());
    assert.ok(sameMachine(measurement.key, await currentMachineKey({ engineVersion })));
    assert.equal(sameMachine(measurement.key, await currentMachineKey({ engineVersion: "0.0.1" })), false);
    assert.ok(Date.now() - Date.parse(measurement.measuredAt) >= 0);
  });

  it("runs as the extension runs it, and skips the GPU when told to", async () => {
    const measurement = await runMeasurement({ serverScript: SERVER_SCRIPT, nodePath: process.execPath, modelPath: model, threads: 1, gpu: "cpu" });
    assert.deepEqual(measurement.samples.map((sample) => sample.backend), ["cpu"]);
    assert.equal(measurement.probe.gpusProbed, true);
  });

  it("says plainly when the file is missing, a folder or not a model, and exits non-zero", async () => {
    const missing = join(dir, "nowhere.gguf");
    const gone = await runCommand(["--model", missing, "--threads", "1"]);
    assert.equal(gone.code, 2);
    assert.equal(gone.lines.length, 1);
    assert.deepEqual(JSON.parse(gone.lines[0]!), { event: "error", code: "model_not_found", permanent: true, message: `Cannot measure with ${missing}: the file does not exist.` });
    await assert.rejects(runMeasurement({ serverScript: SERVER_SCRIPT, nodePath: process.execPath, modelPath: dir, threads: 1, gpu: "cpu" }), (error: unknown) => error instanceof MeasureError && !error.cancelled && /not a regular file/.test(error.message));
    const text = join(dir, "notes.gguf");
    await writeFile(text, "not a model\n");
    await assert.rejects(runMeasurement({ serverScript: SERVER_SCRIPT, nodePath: process.execPath, modelPath: text, threads: 1, gpu: "cpu" }), /notes\.gguf: it is not a GGUF model file/);
    const usage = await runCommand(["--model", model, "--threads", "zero"]);
    assert.equal(usage.code, 2);
    assert.match(JSON.parse(usage.lines[0]!).message as string, /--threads must be an integer/);
    const unknown = await runCommand(["--model", model, "--threads", "1", "--port", "3"]);
    assert.match(JSON.parse(unknown.lines[0]!).message as string, /Unknown option --port/);
  });

  // runMeasurement settles only once its child has exited.
  it("is stopped by its timeout and by a cancel, and the child goes", async () => {
    const spec = { serverScript: SERVER_SCRIPT, nodePath: process.execPath, modelPath: model, threads: 1, gpu: "cpu" as const };
    await assert.rejects(runMeasurement({ ...spec, timeoutMs: 1 }), (error: unknown) => error instanceof MeasureError && !error.cancelled && /did not finish within/.test(error.message));
    const controller = new AbortController();
    const running = runMeasurement(spec, controller.signal);
    controller.abort();
    await assert.rejects(running, (error: unknown) => error instanceof MeasureError && error.cancelled);
    await assert.rejects(runMeasurement(spec, controller.signal), (error: unknown) => error instanceof MeasureError && error.cancelled);
  });

  it("measures with the smallest model Hearth has on disk", async () => {
    const models = join(dir, "models");
    assert.equal(await smallestModelOnDisk(models), undefined);
    const big = await ensureTestModel({ arch: "llama" });
    await rememberModel(models, "hf:test/big:F32", big);
    await rememberModel(models, "hf:test/small:F32", model);
    await rememberModel(models, "hf:test/gone:F32", join(dir, "deleted.gguf"));
    await rememberModel(models, "hf:test/folder:F32", dir);
    const [bigSize, smallSize] = [(await stat(big)).size, (await stat(model)).size];
    const expected = bigSize < smallSize ? { uri: "hf:test/big:F32", path: big, bytes: bigSize } : { uri: "hf:test/small:F32", path: model, bytes: smallSize };
    assert.notEqual(bigSize, smallSize);
    assert.deepEqual(await smallestModelOnDisk(models), expected);
  });
});
