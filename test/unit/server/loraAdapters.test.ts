import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseServerArgs } from "../../../src/server/args";
import { GGUF_VALUE, parseGgufHeader } from "../../../src/core/models/ggufHeader";
import { checkLoraAdapter, LORA_LIMITS, parseLoraArg, type LoraBaseModel } from "../../../src/server/loraAdapters";
import { StartupError } from "../../../src/server/startupErrors";
import { GgmlType, gv, tensorFromValues, writeGguf, type GgufValue } from "../../fixtures/gguf";
import { testLoraSpec, writeMalformedLora, writeMismatchedLora, writeTestLora, writeTruncatedLora } from "../../fixtures/lora";
import { testModelSpec, type WriteTestModelOptions } from "../../fixtures/models";

const TINY: WriteTestModelOptions = { arch: "qwen35" };
const ROLES = ["completion", "chat", "repo"] as const;

/** The tiny model as the engine describes it to the checker, without loading it. */
function tinyBase(): LoraBaseModel {
  return { architecture: "qwen35", tensors: new Map(testModelSpec(TINY).tensors.map((tensor) => [tensor.name, tensor.shape])) };
}

describe("LoRA adapter arguments (--lora)", () => {
  it("reads a role, a path and an optional scale", () => {
    assert.deepEqual(parseLoraArg("chat=/a/b.gguf", ROLES), { role: "chat", path: "/a/b.gguf", scale: 1 });
    assert.deepEqual(parseLoraArg("repo=/a/b.gguf:0.25", ROLES), { role: "repo", path: "/a/b.gguf", scale: 0.25 });
    assert.deepEqual(parseLoraArg("completion=/a/b.gguf:-1e-1", ROLES), { role: "completion", path: "/a/b.gguf", scale: -0.1 });
  });

  it("takes a colon that is not followed by a number as part of the path (Windows drives)", () => {
    assert.deepEqual(parseLoraArg("chat=C:\\adapters\\a.gguf", ROLES), { role: "chat", path: "C:\\adapters\\a.gguf", scale: 1 });
    assert.deepEqual(parseLoraArg("chat=C:\\adapters\\a.gguf:2", ROLES), { role: "chat", path: "C:\\adapters\\a.gguf", scale: 2 });
    assert.deepEqual(parseLoraArg("chat=/a/b.gguf:x", ROLES), { role: "chat", path: "/a/b.gguf:x", scale: 1 });
  });

  it("refuses an unknown role or a missing file", () => {
    assert.match(parseLoraArg("embedding=/a.gguf", ROLES) as string, /role of completion, chat, repo/);
    assert.match(parseLoraArg("/a.gguf", ROLES) as string, /<role>=<path>/);
    assert.match(parseLoraArg("chat=", ROLES) as string, /names no file/);
  });

  it("collects repeated --lora options in order, and gives none when there are none", () => {
    const args = parseServerArgs(["--model", "m.gguf", "--lora", "chat=/a.gguf", "--lora=repo=/b.gguf:0.5", "--lora", "chat=/c.gguf:0"]);
    assert.deepEqual(args.lora, [
      { role: "chat", path: "/a.gguf", scale: 1 },
      { role: "repo", path: "/b.gguf", scale: 0.5 },
      { role: "chat", path: "/c.gguf", scale: 0 },
    ]);
    assert.equal(parseServerArgs(["--model", "m.gguf"]).lora, undefined);
    assert.throws(() => parseServerArgs(["--model", "m.gguf", "--lora", "everything=/a.gguf"]), (error: unknown) => error instanceof StartupError && error.code === "usage");
  });
});

describe("LoRA adapter checks (before llama.cpp sees a file)", () => {
  let dir: string;
  const base = tinyBase();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "hearth-lora-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes the default adapter with its metadata and tensors changed by `edit`. */
  async function variant(name: string, edit: (spec: ReturnType<typeof testLoraSpec>) => void): Promise<string> {
    const spec = testLoraSpec({ model: TINY });
    edit(spec);
    const file = path.join(dir, name);
    await writeGguf(file, spec);
    return file;
  }

  const setKey = (spec: ReturnType<typeof testLoraSpec>, key: string, value: GgufValue | undefined): void => {
    const at = spec.metadata.findIndex(([k]) => k === key);
    if (value === undefined) spec.metadata.splice(at, 1);
    else if (at < 0) spec.metadata.push([key, value]);
    else spec.metadata[at] = [key, value];
  };

  const refuses = async (file: string, reason: RegExp): Promise<void> => {
    await assert.rejects(checkLoraAdapter(file, base), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, new RegExp(`^LoRA adapter .* was not loaded: .*${reason.source}`));
      assert.match(error.message, /hearth\.model\.lora/);
      return true;
    });
  };

  it("accepts the generated adapter and says what it adapts", async () => {
    const file = path.join(dir, "good.gguf");
    const bytes = await writeTestLora(file, { model: TINY, targets: ["output.weight", "blk.0.ffn_down.weight", "token_embd.weight"], rank: 8 });
    const facts = await checkLoraAdapter(file, base);
    assert.equal(facts.tensors, 3);
    assert.equal(facts.rank, 8);
    assert.equal(facts.alpha, 8);
    assert.equal(facts.bytes, bytes);
  });

  it("refuses a relative path, a missing file and things that are not regular files", async () => {
    await refuses("adapters/a.gguf", /its path is not absolute/);
    await refuses(path.join(dir, "missing.gguf"), /the file does not exist/);
    const folder = path.join(dir, "folder.gguf");
    await mkdir(folder);
    await refuses(folder, /it is not a regular file/);
    if (process.platform !== "win32") {
      // Opening a FIFO for reading would wait for a writer forever; the check must not.
      const fifo = path.join(dir, "fifo.gguf");
      execFileSync("mkfifo", [fifo]);
      await refuses(fifo, /it is not a regular file/);
      await refuses("/dev/zero", /it is not a regular file/);
    }
  });

  it("refuses a file that is not GGUF, or too big to be an adapter", async () => {
    const text = path.join(dir, "notes.gguf");
    await writeFile(text, "these are not the weights you are looking for\n");
    await refuses(text, /it is not a GGUF file/);
    // Sparse: no disk is used for the hole.
    const huge = path.join(dir, "huge.gguf");
    await writeFile(huge, "GGUF");
    await truncate(huge, LORA_LIMITS.maxFileBytes + 1);
    await refuses(huge, /it is \d+ bytes; adapters of more than/);
  });

  it("refuses a model file: it is not an adapter", async () => {
    const spec = testModelSpec(TINY);
    const file = path.join(dir, "model.gguf");
    await writeGguf(file, spec);
    await refuses(file, /its general\.type is "model", not "adapter"/);
  });

  it("refuses values of a type llama.cpp would abort on", async () => {
    const alphaU32 = path.join(dir, "alpha-u32.gguf");
    await writeMalformedLora(alphaU32, TINY);
    await refuses(alphaU32, /its adapter\.lora\.alpha is not a 32-bit float/);
    await refuses(await variant("type-int.gguf", (spec) => setKey(spec, "general.type", gv.u32(1))), /its general\.type is not a string/);
    await refuses(await variant("arch-missing.gguf", (spec) => setKey(spec, "general.architecture", undefined)), /it has no general\.architecture/);
    await refuses(await variant("kind-array.gguf", (spec) => setKey(spec, "adapter.type", gv.strs(["lora"]))), /its adapter\.type is not a string/);
    await refuses(await variant("alpha-nan.gguf", (spec) => setKey(spec, "adapter.lora.alpha", gv.f32(NaN))), /not a finite number/);
  });

  it("refuses adapters for another model", async () => {
    const mismatched = path.join(dir, "wider.gguf");
    await writeMismatchedLora(mismatched, TINY);
    await refuses(mismatched, /the shapes of output\.weight's lora_a \[32, 4\] and lora_b \[4, \d+\] do not fit its \[16, \d+\]/);
    const llama = path.join(dir, "llama.gguf");
    await writeTestLora(llama, { model: { arch: "llama" } });
    await refuses(llama, /it is for llama models, and this model is qwen35/);
    await refuses(await variant("absent.gguf", (spec) => (spec.tensors = spec.tensors.map((t) => ({ ...t, name: t.name.replace("output.weight", "blk.0.attn_q.weight") })))), /it adapts blk\.0\.attn_q\.weight, which this model does not have/);
    await refuses(await variant("norm.gguf", (spec) => spec.tensors.push(
      tensorFromValues("output_norm.weight.lora_a", [1, 4], GgmlType.F32, new Float32Array(4)),
      tensorFromValues("output_norm.weight.lora_b", [4, 16], GgmlType.F32, new Float32Array(64)),
    )), /it adapts output_norm\.weight, which is not a weight matrix/);
  });

  it("refuses tensors that would fail an assertion in llama.cpp's matrix multiplication", async () => {
    const [a, b] = testLoraSpec({ model: TINY }).tensors as [ReturnType<typeof tensorFromValues>, ReturnType<typeof tensorFromValues>];
    const [inputs, rank] = a.shape as [number, number];
    const outputs = b.shape[1]!;
    // llama.cpp checks ne[0] and ne[1] only: a third dimension would reach ggml_mul_mat.
    await refuses(await variant("3d.gguf", (spec) => (spec.tensors[0] = tensorFromValues(a.name, [inputs, rank, 2], GgmlType.F32, new Float32Array(inputs * rank * 2)))), /must have two dimensions each/);
    await refuses(await variant("ranks.gguf", (spec) => (spec.tensors[1] = tensorFromValues(b.name, [rank + 1, outputs], GgmlType.F32, new Float32Array((rank + 1) * outputs)))), /do not fit/);
    await refuses(await variant("lonely.gguf", (spec) => spec.tensors.pop()), /output\.weight has a lora_a tensor without its lora_b/);
    await refuses(await variant("q4.gguf", (spec) => (spec.tensors[0] = tensorFromValues(a.name, [32, rank], GgmlType.Q4_0, new Float32Array(32 * rank)))), /has ggml type 2; adapters may use F32, F16, Q8_0, BF16/);
    await refuses(await variant("stray.gguf", (spec) => spec.tensors.push(tensorFromValues("output.weight", [16, 1], GgmlType.F32, new Float32Array(16)))), /tensor output\.weight is neither a \.lora_a nor a \.lora_b tensor/);
    await refuses(await variant("empty.gguf", (spec) => (spec.tensors = [])), /it has no lora_a\/lora_b tensors/);
    await refuses(await variant("alora.gguf", (spec) => setKey(spec, "adapter.alora.invocation_tokens", gv.u32s([1, 2]))), /activated LoRA/);
  });

  it("refuses a file cut short inside its tensor data", async () => {
    const file = path.join(dir, "cut.gguf");
    await writeTruncatedLora(file, TINY);
    await refuses(file, /tensor output\.weight\.lora_\w ends past the end of the file/);
  });

  it("bounds every count in the header before allocating for it", () => {
    const limits = { ...LORA_LIMITS, maxHeaderBytes: 1024 };
    const header = (...fields: Array<[number, number | bigint]>): Buffer => {
      const parts = [Buffer.from("GGUF")];
      for (const [bytes, value] of fields) {
        const part = Buffer.alloc(bytes);
        if (bytes === 4) part.writeUInt32LE(Number(value));
        else part.writeBigUInt64LE(BigInt(value));
        parts.push(part);
      }
      return Buffer.concat(parts);
    };
    const fail = (bytes: Buffer, message: RegExp, fileSize = bytes.length): void => assert.throws(() => parseGgufHeader(bytes, fileSize, limits), message);
    fail(header([4, 3], [8, 2n ** 63n], [8, 0]), /declares 9223372036854775808 tensors; at most 16384/);
    fail(header([4, 3], [8, 0], [8, 1_000_000]), /declares 1000000 metadata keys; at most 4096/);
    // A key claiming a 1 TB name: refused from its length alone.
    fail(header([4, 3], [8, 0], [8, 1], [8, 2n ** 40n]), /declares 1099511627776 bytes in a metadata key/);
    // An array of 2^30 strings in a 100-byte file runs out of bytes, not memory.
    const arrayKey = Buffer.concat([header([4, 3], [8, 0], [8, 1], [8, 1]), Buffer.from("k"), header([4, GGUF_VALUE.ARRAY], [4, GGUF_VALUE.STRING], [8, 1 << 20]).subarray(4)]);
    fail(arrayKey, /the file ends inside its header/);
    fail(arrayKey, /its header is larger than 1024 bytes/, 10_000);
    fail(header([4, 1], [8, 0], [8, 0]), /GGUF version 1/);
  });

});
