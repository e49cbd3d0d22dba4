// npm-less: npx tsx bench/repoPackScale.mts [--files 8000] [--old <dir with an older src/>]
// Packs a generated folder of many small files for a small repo context (~650 tokens of
// pack) with the tiny test model's real tokenizer, and reports how many files were
// tokenized, how long the pack took and the longest stretch the event loop was blocked.
// With --old, the same for an older checkout's src/ (git archive <commit> src | tar -x -C dir).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { getLlama } from "node-llama-cpp";
import { ensureTestModel } from "../test/fixtures/models.js";
import { fillerSource } from "../test/unit/core/repo/repoFixtures.js";

const { values } = parseArgs({ options: { files: { type: "string", default: "8000" }, old: { type: "string" } } });
const fileCount = Number(values.files);
const root = mkdtempSync(join(tmpdir(), "hearth-pack-scale-"));
writeFileSync(join(root, "README.md"), "# scale\nMany modules.\n");
for (let i = 0; i < fileCount; i++) {
  const dir = join(root, `pkg${Math.floor(i / 100)}`);
  if (i % 100 === 0) mkdirSync(dir);
  writeFileSync(join(dir, `m${i}.ts`), fillerSource(i, 12));
}
const llama = await getLlama({ gpu: false });
const model = await llama.loadModel({ modelPath: await ensureTestModel({ arch: "qwen35" }) });
let calls = 0;
const tokenize = (text: string, special: boolean): readonly unknown[] => {
  calls++;
  return model.tokenize(text, special);
};

async function run(label: string, modulePath: string, extra: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { repoSystemMessage } = (await import(modulePath)) as { repoSystemMessage: (input: Record<string, unknown>) => Promise<{ report: { packTokens: number; repoTokens: number } }> };
  calls = 0;
  let worstGap = 0;
  let last = performance.now();
  const lag = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const pack = await repoSystemMessage({ dir: root, question: "where are quarterly totals computed?", conversationTokens: 12, messages: 1, contextTokens: 2000, answerTokens: 256, tokenize, ...extra });
  const ms = performance.now() - started;
  clearInterval(lag);
  return { code: label, files: fileCount + 1, tokenize_calls: calls, pack_ms: Math.round(ms), longest_event_loop_block_ms: Math.round(worstGap), pack_tokens: pack.report.packTokens, repo_tokens: pack.report.repoTokens };
}

const rows = [];
if (values.old) rows.push(await run("old", join(values.old, "src/server/repoPrompt.ts"), {}));
rows.push(await run("new", "../src/server/repoPrompt.js", { roots: [root] }));
console.log(JSON.stringify({ benchmark: "repoPackScale", rows }, null, 2));
rmSync(root, { recursive: true, force: true });
await model.dispose();
await llama.dispose();
