// hearth.repo's pack, built by the server for each request: a counter kept across requests
// means a follow-up re-reads the folder but tokenizes only the files that changed.
import assert from "node:assert/strict";
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

  beforeEach(() => {
    const files: Record<string, string> = { "README.md": "# demo\n" };
    for (let i = 0; i < 12; i++) files[`src/part${i}.ts`] = fillerSource(i, 20);
    tree = tempTree(files);
    tokenized.length = 0;
  });
  afterEach(() => tree.remove());

  it("tokenizes only the changed file on the next request when the counter is kept", async () => {
    const counter = repoTokenCounter(tokenize);
    const first = await repoSystemMessage({ ...input, dir: tree.root, counter });
    const firstFiles = tokenized.filter(isFile).length;
    assert.ok(firstFiles >= 13, `every file counted once: ${firstFiles}`);
    tree.write("src/part3.ts", fillerSource(3, 20) + "// edited\n");
    tokenized.length = 0;
    const second = await repoSystemMessage({ ...input, dir: tree.root, counter });
    const counted = tokenized.filter(isFile);
    assert.equal(counted.length, 1, `only the edited file: ${counted.map((t) => t.slice(0, 40)).join(" | ")}`);
    assert.ok(counted[0].includes("// edited"));
    assert.notEqual(second.text, first.text);
    assert.ok(second.text.includes("// edited"));
  });

  it("without a kept counter, counts every file again (what a request did before)", async () => {
    await repoSystemMessage({ ...input, dir: tree.root });
    tokenized.length = 0;
    await repoSystemMessage({ ...input, dir: tree.root });
    assert.ok(tokenized.filter(isFile).length >= 13);
  });
});
