import assert from "node:assert/strict";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Llama, LlamaContextOptions, LlamaModel } from "node-llama-cpp";
import { planLoraAdapters, type LoraModel, type LoraPlan } from "../../../src/server/loraAdapters";
import { writeTestLora } from "../../fixtures/lora";
import { ensureTestModel, testModelSpec } from "../../fixtures/models";

const PROMPT = "<|im_start|>user\nWrite a haiku about the sea.<|im_end|>\n<|im_start|>assistant\n";

/**
 * An adapter is checked, then loaded by llama.cpp, which opens it again. A file renamed over
 * the adapter's path in between (by anyone who can write to its folder) must not be what gets
 * loaded: llama.cpp aborts the process on a malformed adapter. Here the swap happens at the
 * worst moment, just before the load, and the swapped-in adapter is a valid one with another
 * seed, so that which of the two was loaded shows in the answer.
 */
describe("LoRA adapters are loaded from the file that was checked (real engine)", function () {
  this.timeout(120_000);
  let llama: Llama;
  let model: LlamaModel;
  let dir: string;
  const plans: LoraPlan[] = [];

  before(async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await ensureTestModel({ arch: "qwen35" }), gpuLayers: 0 });
    dir = await mkdtemp(path.join(tmpdir(), "hearth-lora-pinned-"));
  });

  after(async () => {
    await llama?.dispose();
    for (const plan of plans) await plan.release();
    await rm(dir, { recursive: true, force: true });
  });

  /** The model as planLoraAdapters sees it, with `beforeLoad` run before each adapter's load. */
  function loraModel(beforeLoad: () => Promise<void>): LoraModel {
    return {
      architecture: "qwen35",
      tensors: new Map(testModelSpec({ arch: "qwen35" }).tensors.map((tensor) => [tensor.name, tensor.shape])),
      threads: 1,
      path: "tiny",
      model: {
        createContext: async (options: LlamaContextOptions) => {
          await beforeLoad();
          return model.createContext(options);
        },
      },
    };
  }

  async function greedy(adapterPath: string): Promise<string> {
    const { LlamaCompletion } = await import("node-llama-cpp");
    const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1, lora: { adapters: [{ filePath: adapterPath, scale: 1 }] } });
    try {
      const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
      return await completion.generateCompletion(PROMPT, { maxTokens: 16, temperature: 0 });
    } finally {
      await context.dispose();
    }
  }

  /** Writes the checked adapter and its rival, and the answer each gives from copies of their own. */
  async function adapters(name: string): Promise<{ target: string; rival: string; checkedAnswer: string; rivalAnswer: string }> {
    const target = path.join(dir, `${name}.gguf`);
    const rival = path.join(dir, `${name}-rival.gguf`);
    await writeTestLora(target, { model: { arch: "qwen35" }, seed: 7 });
    await writeTestLora(rival, { model: { arch: "qwen35" }, seed: 8 });
    const checkedCopy = path.join(dir, `${name}-checked-copy.gguf`);
    const rivalCopy = path.join(dir, `${name}-rival-copy.gguf`);
    await writeTestLora(checkedCopy, { model: { arch: "qwen35" }, seed: 7 });
    await writeTestLora(rivalCopy, { model: { arch: "qwen35" }, seed: 8 });
    const checkedAnswer = await greedy(checkedCopy);
    const rivalAnswer = await greedy(rivalCopy);
    assert.notEqual(checkedAnswer, rivalAnswer, "the two adapters must answer differently for the test to tell them apart");
    return { target, rival, checkedAnswer, rivalAnswer };
  }

  it("on Linux, loads the checked file even when another was renamed over its path before the load", async function () {
    if (process.platform !== "linux") this.skip();
    const { target, rival, checkedAnswer, rivalAnswer } = await adapters("pinned");
    const warnings: string[] = [];
    const plan = await planLoraAdapters([{ role: "chat", path: target, scale: 1 }], () => loraModel(() => rename(rival, target)), (message) => warnings.push(message));
    plans.push(plan);
    assert.deepEqual(warnings, []);
    assert.equal(plan.statuses[0]?.loaded, true);
    assert.equal(plan.statuses[0]?.path, target, "the status names the adapter's path, not the descriptor");
    const [attached] = plan.adapters.get("chat") ?? [];
    assert.match(attached!.filePath, /^\/proc\/self\/fd\/\d+$/);
    const answer = await greedy(attached!.filePath);
    assert.equal(answer, checkedAnswer);
    assert.notEqual(answer, rivalAnswer);
    // Role contexts made later reuse the loaded adapter by the same descriptor path.
    assert.equal(await greedy(attached!.filePath), checkedAnswer);
  });

  it("without a descriptor path, notices the swap after the load and leaves the adapter out", async () => {
    const { target, rival } = await adapters("unpinned");
    const warnings: string[] = [];
    const plan = await planLoraAdapters([{ role: "chat", path: target, scale: 1 }], () => loraModel(() => rename(rival, target)), (message) => warnings.push(message), path.join(dir, "no-proc-fd"));
    plans.push(plan);
    assert.equal(plan.statuses[0]?.loaded, false);
    assert.match(plan.statuses[0]?.error ?? "", /pinned\.gguf|unpinned\.gguf/);
    assert.match(warnings[0] ?? "", /^chat role: LoRA adapter .*unpinned\.gguf was not loaded: the file was replaced while it was being loaded/);
    assert.equal(plan.adapters.get("chat"), undefined);
  });

  it("without a swap, loads the adapter by its path where there is no descriptor path", async () => {
    const { target, checkedAnswer } = await adapters("plain");
    const plan = await planLoraAdapters([{ role: "chat", path: target, scale: 1 }], () => loraModel(async () => undefined), () => undefined, path.join(dir, "no-proc-fd"));
    plans.push(plan);
    assert.equal(plan.statuses[0]?.loaded, true);
    const [attached] = plan.adapters.get("chat") ?? [];
    assert.equal(attached!.filePath, target);
    assert.equal(await greedy(target), checkedAnswer);
  });
});
