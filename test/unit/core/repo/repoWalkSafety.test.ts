// The repo walk on folders a request may name: it reads only regular files below the root,
// by their real path, never blocks on a FIFO, never follows a link (to /dev/zero, or out of
// the root), enforces the size cap while reading (a /proc file says it is 0 bytes long and
// never ends), refuses a root on a kernel file system, and stops at its budgets.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRegular } from "../../../../src/core/fs/readRegular";
import { enumerateRepo, RepoFolderError } from "../../../../src/core/repo/repoFiles";
import { tempTree, type TempTree } from "./repoFixtures";

const posix = process.platform !== "win32";

describe("repo walk: hostile and special files", function () {
  let tree: TempTree;
  let outside: TempTree;

  before(function () {
    if (!posix) this.skip(); // FIFOs, /dev and /proc
    outside = tempTree({ "secret.ts": "export const secret = 'OUTSIDE-THE-ROOT';\n" });
    tree = tempTree({ "README.md": "# Safe\n", "src/main.ts": "export const main = 1;\n" });
    execFileSync("mkfifo", [join(tree.root, "pipe.ts")]);
    execFileSync("mkfifo", [join(tree.root, "src", ".gitignore")]);
    symlinkSync("/dev/zero", join(tree.root, "zero.ts"));
    symlinkSync(join(outside.root, "secret.ts"), join(tree.root, "linked.ts"));
    symlinkSync(outside.root, join(tree.root, "linked-dir"));
    symlinkSync("/proc/self", join(tree.root, "proc-link"));
    // 8 GiB that take no disk: stat tells the truth here, and nothing is read.
    writeFileSync(join(tree.root, "sparse.ts"), "");
    truncateSync(join(tree.root, "sparse.ts"), 8 * 1024 ** 3);
  });
  after(() => {
    tree?.remove();
    outside?.remove();
  });

  it("skips FIFOs, links and a huge sparse file with their reasons, reading only the regular files", async () => {
    const before = process.memoryUsage().rss;
    const result = await enumerateRepo({ root: tree.root, maxFileBytes: 1 << 20 });
    const grown = process.memoryUsage().rss - before;
    assert.deepEqual(result.files.map((f) => f.path).sort(), ["README.md", "src/main.ts"]);
    const reasons = new Map(result.skipped.map((s) => [s.path, s.reason]));
    assert.equal(reasons.get("pipe.ts"), "special");
    assert.equal(reasons.get("src/.gitignore"), "special");
    assert.equal(reasons.get("zero.ts"), "symlink");
    assert.equal(reasons.get("linked.ts"), "symlink");
    assert.equal(reasons.get("linked-dir"), "symlink");
    assert.equal(reasons.get("proc-link"), "symlink");
    assert.equal(reasons.get("sparse.ts"), "tooLarge");
    assert.equal(result.skipped.find((s) => s.path === "sparse.ts")?.bytes, 8 * 1024 ** 3);
    assert.ok(!result.files.some((f) => f.content.includes("OUTSIDE-THE-ROOT")));
    assert.ok(grown < 256 * 1024 ** 2, `RSS grew ${Math.round(grown / 1024 ** 2)} MB`);
  });

  it("enforces the size cap while reading: a /proc file that says 0 bytes stops at cap + 1", async function () {
    if (process.platform !== "linux") this.skip();
    // smaps describes every mapping of this process (far more than 4 KB) and stat says 0.
    assert.equal(statSync("/proc/self/smaps").size, 0);
    const read = await readRegular("/proc/self/smaps", 4096);
    assert.ok("over" in read && read.over, JSON.stringify(read));
    assert.equal(read.size, 4097, "read stopped one byte past the cap");
  });

  it("refuses a root on a kernel file system, also through a link, and one that is not a folder", async () => {
    const roots = ["/proc", "/proc/self", "/sys", "/dev", join(tree.root, "proc-link")];
    for (const root of roots) {
      await assert.rejects(enumerateRepo({ root, maxFileBytes: 1024 }), (error: unknown) => error instanceof RepoFolderError && /kernel file system/.test(error.message), root);
    }
    await assert.rejects(enumerateRepo({ root: join(tree.root, "README.md"), maxFileBytes: 1024 }), RepoFolderError);
    await assert.rejects(enumerateRepo({ root: join(tree.root, "missing"), maxFileBytes: 1024 }), RepoFolderError);
  });

  it("walks a root given through a link by its real path", async () => {
    const link = join(outside.root, "link-to-tree");
    symlinkSync(tree.root, link);
    const result = await enumerateRepo({ root: link, maxFileBytes: 1 << 20 });
    assert.deepEqual(result.files.map((f) => f.path).sort(), ["README.md", "src/main.ts"]);
    assert.equal(result.realRoot, execFileSync("realpath", [tree.root], { encoding: "utf8" }).trim());
  });

  it("stops at the file, folder and total-bytes budgets", async () => {
    const many = tempTree();
    try {
      for (let d = 0; d < 6; d++) {
        mkdirSync(join(many.root, `d${d}`));
        for (let f = 0; f < 10; f++) writeFileSync(join(many.root, `d${d}`, `f${f}.ts`), `export const v = ${"1".repeat(1000)};\n`);
      }
      const byFiles = await enumerateRepo({ root: many.root, maxFileBytes: 1 << 20, maxFiles: 25 });
      assert.equal(byFiles.truncated, true);
      assert.equal(byFiles.files.length, 25);
      const byDirs = await enumerateRepo({ root: many.root, maxFileBytes: 1 << 20, maxDirectories: 2 });
      assert.equal(byDirs.truncated, true);
      assert.equal(byDirs.files.length, 20);
      const byBytes = await enumerateRepo({ root: many.root, maxFileBytes: 1 << 20, maxTotalBytes: 10_500 });
      assert.equal(byBytes.files.length, 10);
      assert.equal(byBytes.skipped.filter((s) => s.reason === "overBudget").length, 50);
    } finally {
      many.remove();
    }
  });
});

describe("repo walk: hostile .gitignore files", () => {
  const rules = (n: number, prefix: string): string => Array.from({ length: n }, (_, i) => `${prefix}-${i}/**/*.tmp`).join("\n") + "\n";
  let tree: TempTree | undefined;
  afterEach(() => tree?.remove());

  it("leaves out a folder whose .gitignore is huge, instead of testing every path against 120,000 rules", async () => {
    tree = tempTree({ ".gitignore": rules(120_000, "root"), "src/main.ts": "export const main = 1;\n" });
    const result = await enumerateRepo({ root: tree.root, maxFileBytes: 1 << 20 });
    assert.deepEqual(result.files, []);
    assert.deepEqual(result.skipped, [{ path: "/", reason: "tooLarge" }]);
  });

  it("leaves out a subfolder whose .gitignore brings the rules along its paths past the cap, and packs the rest", async () => {
    tree = tempTree({ ".gitignore": rules(600, "root"), "README.md": "# Kept\n", "deep/.gitignore": rules(600, "deep"), "deep/a.ts": "export const a = 1;\n", "ok/.gitignore": "*.log\n", "ok/b.ts": "export const b = 1;\n" });
    const result = await enumerateRepo({ root: tree.root, maxFileBytes: 1 << 20 });
    assert.deepEqual(result.files.map((f) => f.path).sort(), [".gitignore", "README.md", "ok/.gitignore", "ok/b.ts"].filter((p) => result.files.some((f) => f.path === p)));
    assert.ok(result.files.some((f) => f.path === "ok/b.ts") && result.files.some((f) => f.path === "README.md"));
    assert.ok(!result.files.some((f) => f.path.startsWith("deep/")));
    assert.deepEqual(result.skipped.find((s) => s.path === "deep/"), { path: "deep/", reason: "tooLarge" });
  });
});
