import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModelIndex, rememberModel } from "../../../../src/core/models/modelIndex";

describe("the model index (models folder's index.json)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-model-index-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("remembers a downloaded model and reads it back", async () => {
    await rememberModel(dir, "hf:hearth/Tiny-GGUF:F32", join(dir, "tiny.gguf"));
    await rememberModel(dir, "hf:hearth/Other-GGUF:Q8_0", join(dir, "other.gguf"));
    assert.deepEqual(await readModelIndex(dir), { "hf:hearth/Tiny-GGUF:F32": join(dir, "tiny.gguf"), "hf:hearth/Other-GGUF:Q8_0": join(dir, "other.gguf") });
  });

  it("keeps only string values of a tampered index", async () => {
    writeFileSync(join(dir, "index.json"), JSON.stringify({ a: "/x.gguf", b: 3, c: { path: "/y" }, d: null }));
    assert.deepEqual(await readModelIndex(dir), { a: "/x.gguf" });
  });

  it("reads nothing from an index that is a link, a FIFO, too large or not JSON, and never blocks on the FIFO", async () => {
    const elsewhere = join(dir, "elsewhere.json");
    writeFileSync(elsewhere, JSON.stringify({ a: "/linked.gguf" }));
    const index = join(dir, "index.json");

    symlinkSync(elsewhere, index);
    assert.deepEqual(await readModelIndex(dir), {}, "a link");
    rmSync(index);

    execFileSync("mkfifo", [index]);
    assert.deepEqual(await readModelIndex(dir), {}, "a FIFO");
    rmSync(index);

    writeFileSync(index, JSON.stringify({ a: "x".repeat(1024 * 1024 + 16) }));
    assert.deepEqual(await readModelIndex(dir), {}, "over 1 MB");

    writeFileSync(index, "{ not json");
    assert.deepEqual(await readModelIndex(dir), {}, "not JSON");
  });
});
