// What the repo walk keeps and skips, on real folders: .gitignore at every level (git's
// rules, re-includes too), files.exclude-style globs, binaries by content, lock files,
// vendored and generated files, the size limit and the caller's own predicate.
import assert from "node:assert/strict";
import { enumerateRepo } from "../../../../src/core/repo/repoFiles";
import { tempTree, type TempTree } from "./repoFixtures";

describe("repo walk: which files a pack may draw on", () => {
  let tree: TempTree;

  before(() => {
    tree = tempTree({
      ".gitignore": "*.log\nsecret/\n!keep.log\n/only-root.txt\n",
      "README.md": "# Demo\n",
      "src/main.ts": "export const main = 1;\n",
      "a.log": "noise\n",
      "keep.log": "kept despite *.log\n",
      "secret/token.ts": "export const token = 'x';\n",
      "only-root.txt": "anchored to the root\n",
      "sub/only-root.txt": "not anchored here\n",
      "pkg/.gitignore": "generated.ts\n!important.log\n",
      "pkg/generated.ts": "// generated\n",
      "pkg/important.log": "re-included by the nested .gitignore\n",
      "pkg/lib.ts": "export const lib = 2;\n",
      "generated.ts": "// the nested rule does not reach the root\n",
      "notes/draft.tmp": "excluded by a glob\n",
      "docs/private/plan.md": "excluded by a folder glob\n",
      "docs/public.md": "kept\n",
      "image.xyz": Buffer.from([0x89, 0x50, 0x00, 0x01, 0x41, 0x42]),
      "logo.png": "not really a png, skipped by name\n",
      "package-lock.json": "{}\n",
      "yarn.lock": "# lock\n",
      "Cargo.lock": "# lock\n",
      "node_modules/left-pad/index.js": "module.exports = 1;\n",
      "vendor/lib/x.go": "package x\n",
      "dist/bundle.js": "var a=1;\n",
      "web/app.min.js": "var a=1;\n",
      "web/app.js.map": "{}\n",
      "web/app.js": "console.log(1);\n",
      "web/huge.js": `const data = "${"x".repeat(6000)}";\n`,
      "big.txt": "y\n".repeat(5000),
      "private/keys.ts": "export const k = 1;\n",
    });
  });
  after(() => tree.remove());

  async function walk(): Promise<{ files: string[]; skipped: Map<string, string> }> {
    const result = await enumerateRepo({
      root: tree.root,
      maxFileBytes: 8192,
      exclude: ["**/*.tmp", "docs/private/**"],
      drop: (path) => path.startsWith("private/"),
    });
    return { files: result.files.map((f) => f.path), skipped: new Map(result.skipped.map((s) => [s.path, s.reason])) };
  }

  it("honours .gitignore at the root: patterns, folders, negation and anchoring", async () => {
    const { files, skipped } = await walk();
    assert.equal(skipped.get("a.log"), "gitignore");
    assert.ok(files.includes("keep.log"), "!keep.log re-includes it");
    assert.equal(skipped.get("secret/"), "gitignore");
    assert.equal(skipped.get("only-root.txt"), "gitignore");
    assert.ok(files.includes("sub/only-root.txt"), "a rooted pattern does not match deeper");
  });

  it("applies a nested .gitignore to its own folder only, including its re-includes", async () => {
    const { files, skipped } = await walk();
    assert.equal(skipped.get("pkg/generated.ts"), "gitignore");
    assert.ok(files.includes("generated.ts"));
    assert.ok(files.includes("pkg/important.log"), "the nested !important.log overrides the root's *.log");
    assert.ok(files.includes("pkg/lib.ts"));
  });

  it("leaves out what the exclude globs (files.exclude, hearth.repo.exclude) match", async () => {
    const { files, skipped } = await walk();
    assert.equal(skipped.get("notes/draft.tmp"), "excluded");
    assert.ok(skipped.get("docs/private/plan.md") === "excluded" || skipped.get("docs/private/") === "excluded");
    assert.ok(files.includes("docs/public.md"));
  });

  it("skips binaries by content and by name, lock files, vendored trees and generated files", async () => {
    const { files, skipped } = await walk();
    assert.equal(skipped.get("image.xyz"), "binary", "a NUL byte in the first 8 KB");
    assert.equal(skipped.get("logo.png"), "binary");
    for (const lock of ["package-lock.json", "yarn.lock", "Cargo.lock"]) assert.equal(skipped.get(lock), "lockFile", lock);
    assert.equal(skipped.get("node_modules/"), "vendored");
    assert.equal(skipped.get("vendor/"), "vendored");
    assert.equal(skipped.get("dist/"), "vendored");
    assert.equal(skipped.get("web/app.min.js"), "generated");
    assert.equal(skipped.get("web/app.js.map"), "generated");
    assert.equal(skipped.get("web/huge.js"), "generated", "one 6 KB line reads as minified");
    assert.ok(files.includes("web/app.js"));
  });

  it("skips files over the size limit and those the caller drops (neverSend off this machine)", async () => {
    const { files, skipped } = await walk();
    assert.equal(skipped.get("big.txt"), "tooLarge");
    assert.equal(skipped.get("private/keys.ts"), "dropped");
    assert.ok(!files.some((f) => f.startsWith("private/")));
  });

  it("lists the kept files in the same order on every walk", async () => {
    const first = await walk();
    const second = await walk();
    assert.deepEqual(first.files, second.files);
    assert.ok(first.files.includes("README.md") && first.files.includes("src/main.ts"));
  });
});
