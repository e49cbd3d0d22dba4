import assert from "node:assert/strict";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { planRepoContext, supportsQuantisedKv } from "../../../src/server/repoContext";
import { ensureTestModel } from "../../fixtures/models";

describe("repo context sizing (real node-llama-cpp estimates, tiny qwen35 model)", function () {
  this.timeout(60_000);
  let llama: Llama;
  let model: LlamaModel;

  before(async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    model = await llama.loadModel({ modelPath: await ensureTestModel({ arch: "qwen35" }), gpuLayers: 0 });
  });

  after(async () => {
    await llama?.dispose();
  });

  it("takes the whole requested context when memory holds it", async () => {
    const plan = await planRepoContext(llama, model, { requested: "auto", kv: "auto", freeBytes: 64 * 1024 ** 3 });
    assert.equal(plan.contextSize, model.trainContextSize);
    assert.equal(plan.kvType, "f16");
    assert.equal(plan.memory, "ram");
    assert.ok(plan.estimateBytes <= plan.budgetBytes);
  });

  it("shrinks the context to what free memory holds, never over the budget", async () => {
    const full = await planRepoContext(llama, model, { requested: 32768, kv: "f16", freeBytes: 64 * 1024 ** 3 });
    const free = Math.floor(full.estimateBytes / 2);
    const plan = await planRepoContext(llama, model, { requested: 32768, kv: "f16", freeBytes: free });
    assert.ok(plan.contextSize < 32768, `context ${plan.contextSize}`);
    assert.ok(plan.contextSize >= 2048);
    assert.ok(plan.estimateBytes <= plan.budgetBytes, `${plan.estimateBytes} bytes within ${plan.budgetBytes}`);
    assert.equal(plan.budgetBytes, Math.floor(free * 0.75));
    // One step more would not fit.
    const { GgmlType } = await import("node-llama-cpp");
    const next = await model.fileInsights.estimateContextResourceRequirementsV2({ contextSize: plan.contextSize + 1024, modelGpuLayers: 0, sequences: 1, kvCacheKeyType: GgmlType.F16, kvCacheValueType: GgmlType.F16 });
    assert.ok(next.cpuRam > plan.budgetBytes);
  });

  it("keeps an f16 cache for a model whose head size q8_0 blocks cannot divide", async () => {
    assert.equal(supportsQuantisedKv(model), false, "the tiny model's heads are 8 wide");
    const plan = await planRepoContext(llama, model, { requested: 32768, kv: "q8_0", freeBytes: 64 * 1024 ** 3 });
    assert.equal(plan.kvType, "f16");
  });

  it("knows Qwen3.5's real head size takes a q8_0 cache", async () => {
    const { readGgufFileInfo } = await import("node-llama-cpp");
    // A tiny model with the real models' 256-wide heads; only its header is read here.
    const path = await ensureTestModel({ arch: "qwen35", dims: { headDim: 256, ropeDims: 64 } });
    const info = await readGgufFileInfo(path, { readTensorInfo: false });
    assert.equal(supportsQuantisedKv({ fileInfo: info }), true);
  });
});
