import assert from "node:assert/strict";
import { findKnownModel, recognizeModel } from "../../../../src/core/hardware/knownModels";
import { generationBytes, modelCostFromTensors, type ModelCost } from "../../../../src/core/hardware/modelCost";
import { costOfKnownModel, predictSpeed, suggestionMs, type SpeedSample } from "../../../../src/core/hardware/speedModel";
import { measureSpeed } from "../../../../src/core/hardware/speedProbe";
import { ensureTestModel } from "../../../fixtures/models";

const cost = (layerParams: number, layerType = "Q8_0", lmHeadParams = 1e8): ModelCost => ({ layerParams, layerBytes: layerParams * (layerType === "Q8_0" ? 34 / 32 : 18 / 32), lmHeadParams, lmHeadBytes: lmHeadParams * (34 / 32), layerType });
const sample = (c: ModelCost, threads: number, prompt: number, generation: number, estimated = false): SpeedSample => ({ cost: c, backend: "cpu", threads, promptTokensPerSecond: prompt, generationTokensPerSecond: generation, ...(estimated ? { estimated } : {}) });

describe("token cost of a model", () => {
  it("counts the LM head apart: the output tensor, or the embedding table when tied", () => {
    const untied = modelCostFromTensors([
      { name: "token_embd.weight", elements: 1000, ggmlType: 2 },
      { name: "blk.0.ffn_up.weight", elements: 3200, ggmlType: 2 },
      { name: "blk.0.attn_norm.weight", elements: 32, ggmlType: 0 },
      { name: "output.weight", elements: 1000, ggmlType: 8 },
    ]);
    assert.deepEqual(untied, { layerParams: 3232, layerBytes: 3200 * (18 / 32) + 32 * 4, lmHeadParams: 1000, lmHeadBytes: 1000 * (34 / 32), layerType: "Q4_0" });
    const tied = modelCostFromTensors([
      { name: "token_embd.weight", elements: 1000, ggmlType: 8 },
      { name: "blk.0.ffn_up.weight", elements: 3200, ggmlType: 8 },
    ]);
    assert.equal(tied.lmHeadParams, 1000);
    assert.equal(generationBytes(tied), (3200 + 1000) * (34 / 32));
  });

  it("puts the 9B at Q4_K_M at about its published file less the input embedding table", () => {
    const nine = findKnownModel("9b")!;
    const read = generationBytes(costOfKnownModel(nine, "Q4_K_M"));
    const file = nine.quants.find((quant) => quant.quant === "Q4_K_M")!.fileBytes;
    assert.ok(Math.abs(read / (file * (1 - nine.lmHeadParams / nine.params)) - 1) < 0.05, `${read} bytes read per token`);
  });

  it("recognises table models in settings and file names", () => {
    assert.equal(recognizeModel("hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M")?.model.label, "9B");
    assert.equal(recognizeModel("/models/Qwen3.5-0.8B-Q8_0.gguf")?.quant.quant, "Q8_0");
    assert.equal(recognizeModel("hf:unsloth/Qwen3.5-35B-A3B-GGUF:Q4_K_M")?.model.label, "35B-A3B");
    assert.equal(recognizeModel("/models/llama-3-8b.Q4_K_M.gguf"), undefined);
  });
});

describe("speed model: scaling a measured speed to another model", () => {
  const small = cost(5e8);

  it("scales generation by bytes read and prompt evaluation by layer parameters", () => {
    const big = cost(4e9, "Q8_0", 8e8);
    const prediction = predictSpeed([sample(small, 1, 160, 30)], big, "cpu", 1)!;
    assert.equal(prediction.generationTokensPerSecond, (30 * generationBytes(small)) / generationBytes(big));
    assert.equal(prediction.promptTokensPerSecond, 160 / 8);
    assert.equal(prediction.estimated, false);
  });

  it("prefers a sample in the target's own weight type", () => {
    const q4 = cost(5e8, "Q4_0");
    const target = cost(4e9, "Q4_0");
    const prediction = predictSpeed([sample(small, 1, 100, 20), sample(q4, 1, 120, 35)], target, "cpu", 1)!;
    assert.equal(prediction.basis.cost.layerType, "Q4_0");
    assert.equal(prediction.promptTokensPerSecond, 120 / 8);
  });

  it("prefers the planned thread count, and marks a prediction from another as estimated", () => {
    const one = sample(small, 1, 100, 20);
    const two = sample(small, 2, 180, 26);
    assert.equal(predictSpeed([one, two], small, "cpu", 2)!.basis, two);
    const scaled = predictSpeed([one], small, "cpu", 4)!;
    assert.equal(scaled.promptTokensPerSecond, 400);
    assert.equal(scaled.generationTokensPerSecond, 40);
    assert.equal(scaled.estimated, true);
  });

  it("prefers a measurement over an estimate, and has nothing to say without a sample for the device", () => {
    const measured = sample(small, 1, 100, 20);
    assert.equal(predictSpeed([sample(small, 1, 999, 99, true), measured], small, "cpu", 1)!.basis, measured);
    assert.equal(predictSpeed([measured], small, "gpu", 1), undefined);
  });

  it("times a suggestion as the cursor line in one pass plus one pass per further token", () => {
    // 12-token line: one pass (50 ms) + 11 tokens of compute at 110 tok/s (100 ms); 15 more passes.
    assert.equal(suggestionMs(110, 20, { lineTokens: 12, suggestionTokens: 16 }), 50 + 100 + 15 * 50);
  });
});

describe("speed probe (real node-llama-cpp, tiny qwen35 model)", function () {
  this.timeout(120_000);

  it("measures prompt and generation rates and the suggestions it was asked for", async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    try {
      const modelPath = await ensureTestModel({ arch: "qwen35" });
      const result = await measureSpeed(llama, { modelPath, threads: 1, promptTokens: 48, lineTokens: 6, suggestionTokens: 5, suggestions: 2, generationTokens: 6 });
      assert.equal(result.threads, 1);
      assert.equal(result.backend, "cpu");
      assert.equal(result.suggestionSamplesMs.length, 2);
      assert.ok(result.promptTokensPerSecond > 0 && Number.isFinite(result.promptTokensPerSecond));
      assert.ok(result.generationTokensPerSecond > 0 && Number.isFinite(result.generationTokensPerSecond));
      assert.ok(result.cost.layerParams > 0 && result.cost.lmHeadParams > 0);
      assert.equal(result.cost.layerType, "F32");
    } finally {
      await llama.dispose();
    }
  });
});
