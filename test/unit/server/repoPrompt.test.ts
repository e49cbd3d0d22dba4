// hearth.repo's pack, built by the server for each request: a counter kept across requests
// means a follow-up re-reads the folder but tokenizes only the files that changed.
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HttpError } from "../../../src/server/httpBasics";
import { repoSystemMessage, repoTokenCounter } from "../../../src/server/repoPrompt";
import { fillerSource, tempTree, type TempTree } from "../core/repo/repoFixtures";

describe("hearth.repo pack (server)", () => {
  let tree: TempTree;
  const tokenized: string[] = [];
  /** About 4 characters a token; `<|file_sep|>` is one token, so the Qwen repo layout is used. */
  const tokenize = (text: string, parseSpecial: boolean): unknown[] => {
    tokenized.push(text);
    if (parseSpecial && text === "<|file_sep|>") return [0];
    return Array.from({ length: Math.ceil(text.length / 4) });
  };
  /** A text the pack builder counted for a file (each file says so in its first line). */
  const isFile = (text: string): boolean => text.includes("helpers for the report pipeline") || text.includes("# demo");
  const input = { question: "", conversationTokens: 20, messages: 1, contextTokens: 16_384, answerTokens: 256, tokenize };
  const roots = (): string[] => [tree.root];

  beforeEach(() => {
    const files: Record<string, string> = { "README.md": "# demo\n" };
    for (let i = 0; i < 12; i++) files[`src/part${i}.ts`] = fillerSource(i, 20);
    tree = tempTree(files);
    tokenized.length = 0;
  });
  afterEach(() => tree.remove());

  it("tokenizes only the changed file on the next request when the counter is kept", async () => {
    const counter = repoTokenCounter(tokenize);
    const first = await repoSystemMessage({ ...input, dir: tree.root, roots: roots(), counter });
    const firstFiles = tokenized.filter(isFile).length;
    assert.ok(firstFiles >= 13, `every file counted once: ${firstFiles}`);
    tree.write("src/part3.ts", fillerSource(3, 20) + "// edited\n");
    tokenized.length = 0;
    const second = await repoSystemMessage({ ...input, dir: tree.root, roots: roots(), counter });
    const counted = tokenized.filter(isFile);
    assert.equal(counted.length, 1, `only the edited file: ${counted.map((t) => t.slice(0, 40)).join(" | ")}`);
    assert.ok(counted[0].includes("// edited"));
    assert.notEqual(second.text, first.text);
    assert.ok(second.text.includes("// edited"));
  });

  it("without a kept counter, counts every file again (what a request did before)", async () => {
    await repoSystemMessage({ ...input, dir: tree.root, roots: roots() });
    tokenized.length = 0;
    await repoSystemMessage({ ...input, dir: tree.root, roots: roots() });
    assert.ok(tokenized.filter(isFile).length >= 13);
  });

  it("packs only folders below its roots: another folder, or one reached through a link out of a root, is refused naming --repo-root", async () => {
    const other = tempTree({ "secret.ts": "export const secret = 1;\n" });
    try {
      symlinkSync(other.root, join(tree.root, "escape"));
      for (const dir of [other.root, join(tree.root, "escape")]) {
        await assert.rejects(
          repoSystemMessage({ ...input, dir, roots: roots() }),
          (error: unknown) => error instanceof HttpError && error.status === 403 && /--repo-root/.test(error.message),
          dir,
        );
      }
      await assert.rejects(repoSystemMessage({ ...input, dir: tree.root, roots: [] }), (error: unknown) => error instanceof HttpError && error.status === 403);
      // A subfolder of a root is fine, and so is a root given through a link.
      const sub = await repoSystemMessage({ ...input, dir: join(tree.root, "src"), roots: roots() });
      assert.ok(sub.text.includes("part3.ts"));
      symlinkSync(tree.root, join(other.root, "link-to-root"));
      await repoSystemMessage({ ...input, dir: tree.root, roots: [join(other.root, "link-to-root")] });
    } finally {
      other.remove();
    }
  });

  it("refuses a kernel file system even below a root", async function () {
    if (process.platform !== "linux") this.skip();
    for (const dir of ["/proc/self", "/sys/kernel", "/dev"]) {
      await assert.rejects(
        repoSystemMessage({ ...input, dir, roots: ["/"] }),
        (error: unknown) => error instanceof HttpError && error.status === 400 && /kernel file system/.test(error.message),
        dir,
      );
    }
  });

  it("tokenizes a bounded number of files for a small pack of a folder with thousands of files", async () => {
    const many = tempTree({ "README.md": "# demo\nMany modules.\n" });
    try {
      for (let d = 0; d < 40; d++) {
        mkdirSync(join(many.root, `pkg${d}`));
        for (let f = 0; f < 50; f++) writeFileSync(join(many.root, `pkg${d}`, `m${f}.ts`), fillerSource(d * 50 + f, 12));
      }
      // Room for about 650 tokens of pack (the context less the answer, the follow-up room and the instructions).
      const small = { ...input, contextTokens: 2_000, question: "where are quarterly totals computed?" };
      tokenized.length = 0;
      const pack = await repoSystemMessage({ ...small, dir: many.root, roots: [many.root] });
      // Whole files: a section whose header names no line range (chunks are `path#La-Lb`).
      const filesCounted = tokenized.filter((t) => t.startsWith("<|file_sep|>") && t !== "<|file_sep|>" && !/^[^\n]*#L\d+-L\d+\n/.test(t)).length;
      assert.ok(pack.report.packTokens > 100, `a pack of ${pack.report.packTokens} tokens`);
      assert.equal(pack.report.whole, false);
      assert.equal(pack.report.repoTokensExact, false);
      assert.equal(pack.report.leftOut.length + pack.report.included.filter((i) => i.lines === undefined).length >= 2000, true);
      // A few batches to learn it does not fit, then candidates that might still fit, with a bounded number of misses.
      assert.ok(filesCounted <= 250, `${filesCounted} of 2,001 files tokenized`);
      assert.equal(pack.report.filesCounted, filesCounted);
    } finally {
      many.remove();
    }
  });
});
