// Long texts are tokenized in slices (see src/server/tokenizeSlices.ts): the slices' tokens,
// one after the other, must be exactly the whole text's tokens. Checked on llama.cpp's own
// tokenizer with a real-size BPE vocabulary (cl100k_base's merges, Qwen3.5's pre-tokenizer).
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { isSafeCut, sliceEnds } from "../../../src/server/tokenizeSlices";
import { ensureTestModel } from "../../fixtures/models";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);

/** Fragments that meet at every kind of boundary: words, spaces, newlines, punctuation, digits, marks, other scripts, control tokens. */
const fragment = fc.oneof(
  fc.constantFrom("foo", "bar", " the", "return", "x", "Ünïcödé", "naïve", "e\u0301", "日本語", "привет", "don't", "it's", "I'M"),
  fc.constantFrom(" ", "  ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", "    "),
  fc.constantFrom("(", ")", ";", "{", "}", "=>", "!==", "...", "'", '"', "//", "#", ",", ".", "<", "|>", "<|"),
  fc.constantFrom("0", "42", "3.14", "1e9", "2026"),
  fc.constantFrom("<|file_sep|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<|repo_name|>"),
  fc.constantFrom("😀", "𝒳", "\u00a0", "\u3000", "\ufeff"),
  fc.string({ maxLength: 6 }),
);
const text = fc.array(fragment, { minLength: 1, maxLength: 120, size: "max" }).map((parts) => parts.join(""));

describe("tokenizing in slices (real BPE vocabulary, llama.cpp tokenizer)", function () {
  this.timeout(120_000);
  let llama: Llama;
  let model: LlamaModel;

  before(async () => {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
    const path = await ensureTestModel({ arch: "qwen35", dims: { vocabSize: 50_000 } });
    model = await llama.loadModel({ modelPath: path, gpuLayers: 0, vocabOnly: true });
  });

  after(async () => {
    await llama?.dispose();
  });

  const sliced = (input: string, special: boolean, target: number): number[] => {
    const tokens: number[] = [];
    let start = 0;
    for (const end of sliceEnds(input, { target, maxSlice: Number.POSITIVE_INFINITY })) {
      tokens.push(...model.tokenize(input.slice(start, end), special));
      start = end;
    }
    return tokens;
  };

  it("gives exactly the whole text's tokens, cut every few characters, literal and with control tokens", () => {
    let cuts = 0;
    fc.assert(
      fc.property(text, fc.boolean(), fc.integer({ min: 1, max: 24 }), (input, special, target) => {
        cuts += sliceEnds(input, { target, maxSlice: Number.POSITIVE_INFINITY }).length - 1;
        assert.deepEqual(sliced(input, special, target), [...model.tokenize(input, special)]);
      }),
      { seed: SEED, numRuns: 1_500 },
    );
    assert.ok(cuts > 5_000, `the texts were cut often (${cuts} cuts)`);
  });

  it("cuts real code at each safe place and nowhere else", () => {
    const code = "export function add(a: number, b: number): number {\n  return a + b; // sum\n}\n".repeat(400);
    assert.deepEqual(sliced(code, false, 64), [...model.tokenize(code, false)]);
    assert.deepEqual(sliced(code, true, 64), [...model.tokenize(code, true)]);
    // Inside an added token's text there is never a cut: "<|file_sep|>" holds "p|>", "<think>" "k><".
    const sep = "a<|file_sep|><think><tool_call>);b";
    for (let at = 2; at < 31; at++) assert.equal(isSafeCut(sep, at), false, `cut at ${at}`);
  });

  it("keeps slices bounded on text without any safe cut", () => {
    const ends = sliceEnds("a".repeat(200_000));
    assert.ok(ends.length >= 3);
    let start = 0;
    for (const end of ends) {
      assert.ok(end - start <= 65_537, `a slice of ${end - start} characters`);
      start = end;
    }
  });
});
