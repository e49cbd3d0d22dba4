import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { KNOWN_MODELS, type KnownModel } from "../../../../src/core/hardware/knownModels";
import { defaultModelStores, findModelFiles, matchModel, type ModelFile } from "../../../../src/core/models/existingModels";
import { GgmlType, gv, tensorFromBytes, writeGguf, type GgufValue } from "../../../fixtures/gguf";

/** A small GGUF file with the given general.* keys, padded with a tensor of `tensorBytes`. */
async function fakeModel(path: string, general: Record<string, GgufValue>, tensorBytes = 4096): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const metadata: [string, GgufValue][] = Object.entries(general).map(([key, value]) => [`general.${key}`, value]);
  // A tokenizer-sized array after general.*: the reader must not need it.
  metadata.push(["tokenizer.ggml.tokens", gv.strs(Array.from({ length: 2000 }, (_, i) => `token${i}`))]);
  await writeGguf(path, { metadata, tensors: [tensorFromBytes("weight", [tensorBytes / 4], GgmlType.F32, new Uint8Array(tensorBytes))] });
  return (await stat(path)).size;
}

const qwen = (sizeLabel: string, fileType: number): Record<string, GgufValue> => ({ architecture: gv.str("qwen35"), name: gv.str(`Qwen3.5 ${sizeLabel}`), size_label: gv.str(sizeLabel), file_type: gv.u32(fileType) });

describe("models already on disk (Hearth, llama.cpp, LM Studio, Ollama)", () => {
  let root: string;
  let home: string;
  let storage: string;
  let table: KnownModel[];
  let files: ModelFile[];
  const digest = (char: string): string => char.repeat(64);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "hearth-existing-"));
    home = join(root, "home");
    storage = join(root, "storage", "models");
    // Hearth's own download of the 0.8B (node-llama-cpp's file name).
    const smallSize = await fakeModel(join(storage, "hf_unsloth_Qwen3.5-0.8B.Q8_0.gguf"), qwen("0.8B", 7));
    // llama.cpp's cache: the 9B under its repository-and-file name.
    const nineSize = await fakeModel(join(home, ".cache", "llama.cpp", "unsloth_Qwen3.5-9B-GGUF_Qwen3.5-9B-Q4_K_M.gguf"), qwen("9B", 15), 16_384);
    // LM Studio: the 2B, its vision projector (not a model to run), and links that lead out.
    await fakeModel(join(home, ".lmstudio", "models", "unsloth", "Qwen3.5-2B-GGUF", "Qwen3.5-2B-Q8_0.gguf"), qwen("2B", 7));
    await fakeModel(join(home, ".lmstudio", "models", "unsloth", "Qwen3.5-2B-GGUF", "mmproj-F16.gguf"), { architecture: gv.str("clip") });
    const outside = join(root, "outside");
    await fakeModel(join(outside, "Qwen3.5-9B-Q4_K_M.gguf"), qwen("9B", 15), 16_384);
    await symlink(join(outside, "Qwen3.5-9B-Q4_K_M.gguf"), join(home, ".lmstudio", "models", "unsloth", "linked-Qwen3.5-9B-Q4_K_M.gguf"));
    await symlink(outside, join(home, ".lmstudio", "models", "linked-folder"));
    // LM Studio's older folder: a file named like a model that is not GGUF.
    await mkdir(join(home, ".cache", "lm-studio", "models", "someone", "repo"), { recursive: true });
    await writeFile(join(home, ".cache", "lm-studio", "models", "someone", "repo", "Qwen3.5-9B-Q4_K_M.gguf"), "<html>not a model</html>");
    // Ollama: manifests name blobs by digest.
    const ollama = join(home, ".ollama", "models");
    const manifest = (name: string, tag: string, layers: unknown[]): Promise<void> =>
      mkdir(join(ollama, "manifests", "registry.ollama.ai", "library", name), { recursive: true }).then(() => writeFile(join(ollama, "manifests", "registry.ollama.ai", "library", name, tag), JSON.stringify({ schemaVersion: 2, layers })));
    await fakeModel(join(ollama, "blobs", `sha256-${digest("a")}`), qwen("9B", 15), 16_384);
    await manifest("qwen3.5", "9b", [
      { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${digest("b")}`, size: 10 },
      { mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest("a")}`, size: nineSize },
    ]);
    // A finetune under the same name, twice the size: not the model asked for.
    await fakeModel(join(ollama, "blobs", `sha256-${digest("c")}`), qwen("9B", 15), 40_000);
    await manifest("qwen3.5", "9b-finetune", [{ mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest("c")}` }]);
    // A digest that tries to leave the blobs folder, a blob that is a link, a manifest too large to read.
    await manifest("escape", "latest", [{ mediaType: "application/vnd.ollama.image.model", digest: "sha256:../../../outside/Qwen3.5-9B-Q4_K_M" }]);
    await symlink(join(outside, "Qwen3.5-9B-Q4_K_M.gguf"), join(ollama, "blobs", `sha256-${digest("d")}`));
    await manifest("linked", "latest", [{ mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest("d")}` }]);
    await manifest("huge", "latest", [{ mediaType: "application/vnd.ollama.image.model", digest: `sha256:${digest("a")}`, padding: "x".repeat(100_000) }]);

    table = KNOWN_MODELS.map((model) => {
      if (model.id === "qwen3.5-9b") return { ...model, quants: model.quants.map((quant) => (quant.quant === "Q4_K_M" ? { ...quant, fileBytes: nineSize } : quant)) };
      if (model.id === "qwen3.5-0.8b" || model.id === "qwen3.5-2b") return { ...model, quants: model.quants.map((quant) => ({ ...quant, fileBytes: smallSize })) };
      return model;
    });
    files = await findModelFiles(defaultModelStores({ home, hearthModelsDir: storage, platform: "linux", env: {} }));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("finds GGUF files in each tool's layout, with what their headers say", () => {
    const seen = files.map((file) => `${file.source} ${file.path.slice(root.length + 1)}${file.tag ? ` (${file.tag})` : ""}`);
    assert.deepEqual(seen, [
      "hearth storage/models/hf_unsloth_Qwen3.5-0.8B.Q8_0.gguf",
      "llama.cpp home/.cache/llama.cpp/unsloth_Qwen3.5-9B-GGUF_Qwen3.5-9B-Q4_K_M.gguf",
      "lmstudio home/.lmstudio/models/unsloth/Qwen3.5-2B-GGUF/Qwen3.5-2B-Q8_0.gguf",
      `ollama home/.ollama/models/blobs/sha256-${digest("a")} (qwen3.5:9b)`,
      `ollama home/.ollama/models/blobs/sha256-${digest("c")} (qwen3.5:9b-finetune)`,
    ]);
    const ollama = files.find((file) => file.tag === "qwen3.5:9b")!;
    assert.deepEqual(ollama.identity, { architecture: "qwen35", name: "Qwen3.5 9B", sizeLabel: "9B", fileType: 15 });
  });

  it("never reads through a link, a projector, a file that is not GGUF, or a digest that leaves the blobs", () => {
    for (const file of files) {
      assert.ok(file.path.startsWith(home) || file.path.startsWith(storage), file.path);
      assert.doesNotMatch(file.path, /mmproj|linked|outside|lm-studio/);
    }
  });

  it("matches a model by file name, Ollama tag or metadata, and size; the same file ranks first", () => {
    const nine = matchModel("hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M", files, table);
    assert.deepEqual(
      nine.map((match) => [match.file.source, match.file.tag, match.by.join("+")]),
      [
        ["llama.cpp", undefined, "name+metadata+size"],
        ["ollama", "qwen3.5:9b", "tag+metadata+size"],
      ],
      "the finetune is left out by its size",
    );
    assert.deepEqual(matchModel("hf:unsloth/Qwen3.5-0.8B-GGUF:Q8_0", files, table).map((match) => match.file.source), ["hearth"]);
    assert.deepEqual(matchModel("hf:unsloth/Qwen3.5-2B-GGUF:Q8_0", files, table).map((match) => match.file.source), ["lmstudio"]);
  });

  it("does not take another quantisation or another size of the model", () => {
    assert.deepEqual(matchModel("hf:unsloth/Qwen3.5-9B-GGUF:Q8_0", files, table), []);
    assert.deepEqual(matchModel("hf:unsloth/Qwen3.5-4B-GGUF:Q4_K_M", files, table), []);
    assert.deepEqual(matchModel("hf:unsloth/Qwen3.5-2B-GGUF:Q4_K_M", files, table), []);
  });

  it("matches a URI Hearth has no table entry for by its file name", () => {
    const byFile = matchModel("https://example.org/models/Qwen3.5-2B-Q8_0.gguf", files, []);
    assert.deepEqual(byFile.map((match) => [match.file.source, match.by]), [["lmstudio", ["name"]]]);
    const byRepo = matchModel("hf:someone/Qwen3.5-9B-GGUF:Q4_K_M", files, []);
    assert.deepEqual(byRepo.map((match) => match.file.source), ["llama.cpp"]);
  });

  it("stops at the entry budget and skips stores that are not there", async () => {
    const few = await findModelFiles([{ source: "lmstudio", root: join(root, "missing") }, ...defaultModelStores({ home, hearthModelsDir: storage, platform: "linux", env: {} })], { maxDepth: 6, maxEntries: 3, maxFiles: 200, maxManifestBytes: 65_536, headerBytes: 262_144 });
    // Three entries: Hearth's file, llama.cpp's, and LM Studio's first folder.
    assert.deepEqual(few.map((file) => file.source), ["hearth", "llama.cpp"]);
  });

  it("follows the tools' own environment overrides", () => {
    const stores = defaultModelStores({ home: "/home/a", hearthModelsDir: "/s", platform: "linux", env: { LLAMA_CACHE: "/big/llama", OLLAMA_MODELS: "/big/ollama" } });
    assert.deepEqual(stores.map((store) => store.root), ["/s", "/big/llama", "/home/a/.lmstudio/models", "/home/a/.cache/lm-studio/models", "/big/ollama"]);
    assert.equal(defaultModelStores({ home: "/Users/a", hearthModelsDir: "/s", platform: "darwin", env: {} })[1]!.root, "/Users/a/Library/Caches/llama.cpp");
  });
});
