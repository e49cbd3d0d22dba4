import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { extractTgz, safeRelativePath, UnsafeTarballError } from "../../../../src/core/gpu/tarExtract";
import { makeTar, type TarEntry } from "../../../support/fakeNpmRegistry";

describe("safe .tgz unpacking", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "hearth-tar-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function extract(entries: TarEntry[], maxBytes = 1 << 20, raw?: Buffer) {
    const file = path.join(dir, "p.tgz");
    await writeFile(file, raw ?? gzipSync(makeTar(entries)));
    return extractTgz(file, path.join(dir, "out"), { maxBytes, stripPrefix: "package" });
  }

  it("unpacks files and folders under package/, stripping the prefix", async () => {
    const big = Buffer.alloc(5000, 7);
    const result = await extract([{ path: "package/a.txt", content: "hello" }, { path: "package/sub/", type: "5" }, { path: "package/sub/b.bin", content: big }]);
    assert.deepEqual(result, { files: 2, bytes: 5005 });
    assert.equal(await readFile(path.join(dir, "out", "a.txt"), "utf8"), "hello");
    assert.ok((await readFile(path.join(dir, "out", "sub", "b.bin"))).equals(big));
  });

  for (const [label, entry, pattern] of [
    ["a symlink", { path: "package/link", type: "2", linkName: "/etc/passwd" }, /link/],
    ["a hard link", { path: "package/hard", type: "1", linkName: "package/a" }, /link/],
    ["an absolute path", { path: "/tmp/evil", content: "x" }, /absolute/],
    ["a .. path", { path: "package/../evil", content: "x" }, /climbs out/],
    ["an entry outside package/", { path: "other/file", content: "x" }, /outside "package\/"/],
  ] as [string, TarEntry, RegExp][]) {
    it(`refuses ${label}`, async () => {
      await assert.rejects(extract([{ path: "package/ok", content: "1" }, entry]), (error: unknown) => error instanceof UnsafeTarballError && pattern.test(error.message));
      assert.deepEqual((await readdir(dir)).sort(), ["out", "p.tgz"]);
    });
  }

  it("refuses content past the size cap", async () => {
    await assert.rejects(extract([{ path: "package/big", content: Buffer.alloc(3000) }], 2000), /more than 2000 bytes/);
  });

  it("refuses a second entry for the same path", async () => {
    await assert.rejects(extract([{ path: "package/a", content: "1" }, { path: "package/a", content: "2" }]), /EEXIST/);
  });

  it("refuses a truncated archive and a damaged header", async () => {
    const tar = makeTar([{ path: "package/a", content: Buffer.alloc(2000, 1) }]);
    await assert.rejects(extract([], 1 << 20, gzipSync(tar.subarray(0, 1200))), /truncated/);
    const damaged = Buffer.from(tar);
    damaged[10] = 0x58;
    await assert.rejects(extract([], 1 << 20, gzipSync(damaged)), /checksum/);
  });

  it("keeps Windows drive paths and backslash traversal out", () => {
    assert.throws(() => safeRelativePath("C:/Windows/x", "package"), /absolute/);
    assert.throws(() => safeRelativePath("package\\..\\..\\x", "package"), /climbs out/);
    assert.equal(safeRelativePath("package/./bins//x", "package"), "bins/x");
  });
});
