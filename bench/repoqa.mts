// npm run bench:repoqa -- --model <gguf> --repo <dir> [--sizes 16384,65536,131072] [--threads auto] [--skip-in-process] [--json]
//
// Repository Q&A against the real server over HTTP (issue #9, item 7). For each pack size
// (the pack cut to that many tokens; default: the whole repo): tokens packed, cold time to
// first token, warm follow-up TTFT, TTFT after a server restart (the state comes from
// disk), tokens evaluated per question, state size on disk, and the pack's prefill speed
// through the server against node-llama-cpp evaluating the same tokens in-process, in the
// same run. Targets: warm ≤ 1% of cold; restart ≤ 3% of cold; prefill ≥ 90% of in-process.
//
// The pack is the one the server builds for `hearth: {repo}` (src/server/repoPrompt.ts over
// src/core/repo: .gitignore, generated, vendored and binary files skipped, least-changed
// files first, the model's own token counts), cut to each size with no question, so every
// question of a size shares it.
//
// --skip-in-process leaves out the in-process pass (a second cold prefill of each size):
// for sizes whose cold prefill alone takes most of the time there is, on a CPU. The prefill
// target then reads null (not measured), never true.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Token } from "node-llama-cpp";
import { repoCacheOptions } from "../src/server/engine.js";
import type { KvType } from "../src/server/repoContext.js";
import { repoSystemMessage } from "../src/server/repoPrompt.js";
import { serverJson, startBenchServer, timedChat, type BenchServer } from "./hearthServer.mjs";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    repo: { type: "string" },
    sizes: { type: "string" },
    threads: { type: "string", default: "auto" },
    "skip-in-process": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
if (!values.model || !values.repo) {
  console.error("Usage: npm run bench:repoqa -- --model <file.gguf> --repo <dir> [--sizes 16384,65536,131072] [--threads auto] [--skip-in-process] [--json]");
  process.exit(2);
}
const modelPath = resolve(values.model);
const repoDir = resolve(values.repo);
/** The questions' tokens, about; the pack leaves room for follow-ups beyond them anyway (packRoom). */
const QUESTION_TOKENS = 64;
const MAX_TOKENS = 4;

const questions = ["Where is the entry point, and what does it start?", "Which file handles errors for people?", "What does the test fixture generator write?"];
const ask = (server: BenchServer, system: string, question: string) =>
  timedChat(server, [{ role: "system", content: system }, { role: "user", content: question }], { maxTokens: MAX_TOKENS, hearth: { role: "repo", progress: true, persist: true } });

interface InProcess {
  /** Pack prefill, tokens/s, and its time. */
  rate: number;
  coldMs: number;
  /** A follow-up question's time to first token after the pack, restored from a checkpoint. */
  warmMs: number;
  warmTokens: number;
}

/**
 * node-llama-cpp evaluating the same tokens in this process, with the server's context
 * settings: the pack, then a follow-up question from a checkpoint after it. Loaded once;
 * each size is measured right before the server's cold request, so both sides see the same
 * load on a shared machine, and the follow-up says what this machine can do at best.
 */
async function loadInProcess(): Promise<{ tokenize(text: string, parseSpecial: boolean): readonly Token[]; measure(text: string, question: string, contextSize: number, kvType: KvType, flashAttention: boolean, threads: number): Promise<InProcess>; close(): Promise<void> }> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  return {
    tokenize: (text, parseSpecial) => model.tokenize(text, parseSpecial),
    async measure(text, question, contextSize, kvType, flashAttention, threads) {
      const context = await model.createContext({ contextSize, sequences: 1, threads, ...repoCacheOptions(kvType, flashAttention) });
      try {
        const sequence = context.getSequence();
        const tokens = model.tokenize(`<|im_start|>system\n${text}<|im_end|>\n<|im_start|>user\n`, true);
        const started = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        const coldMs = performance.now() - started;
        const rate = tokens.length / (coldMs / 1000);
        // The follow-up as the server evaluates it: the question and the assistant's opening.
        const tail = model.tokenize(`${question}<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`, true);
        await sequence.takeCheckpoint();
        await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize("A different first question.", false));
        const prompt = [...tokens, ...tail];
        const warmStarted = performance.now();
        await sequence.adaptStateToTokens(prompt, false);
        const restored = sequence.nextTokenIndex;
        const iterator = sequence.evaluate(prompt.slice(restored), { temperature: 0 });
        await iterator.next();
        const warmMs = performance.now() - warmStarted;
        await iterator.return(undefined);
        return { rate, coldMs, warmMs, warmTokens: prompt.length - restored };
      } finally {
        await context.dispose();
      }
    },
    close: () => llama.dispose(),
  };
}

const rows: Array<Record<string, unknown>> = [];
const threadArgs = ["--threads", values.threads!];
const direct = await loadInProcess();
/** The server's pack of the folder for a repo context of `size` tokens, as its system message. */
const packFor = (size: number) => repoSystemMessage({ dir: repoDir, roots: [repoDir], question: "", conversationTokens: QUESTION_TOKENS, messages: 1, contextTokens: size, answerTokens: MAX_TOKENS, tokenize: direct.tokenize });
const whole = await packFor(Number.MAX_SAFE_INTEGER);
const sizes = values.sizes ? values.sizes.split(",").map(Number) : [whole.report.packTokens + 2048];
let contextUsed = 0;
let kvUsed: KvType = "f16";
let threadsUsed = 0;
let flashUsed = false;
for (const size of sizes) {
  const pack = await packFor(size);
  const stateDir = await mkdtemp(join(tmpdir(), "hearth-repoqa-"));
  const contextSize = Math.ceil((size + 256) / 1024) * 1024;
  const args = ["--model", modelPath, "--context-size", "2048", "--repo-context-size", String(contextSize), "--state-dir", stateDir, ...threadArgs];
  try {
    let server = await startBenchServer(args);
    const health = await serverJson<{ repo: { contextSize: number; kvType: KvType; flashAttention: boolean }; roles: { chat: { threads: number } } }>(server, "/health");
    contextUsed = health.repo.contextSize;
    kvUsed = health.repo.kvType;
    flashUsed = health.repo.flashAttention;
    // The server's own thread count (its `auto` resolved), so both sides run alike.
    threadsUsed = health.roles.chat.threads;
    const inProcess = values["skip-in-process"] ? undefined : await direct.measure(pack.text, questions[1]!, contextUsed, kvUsed, flashUsed, threadsUsed);
    const cold = await ask(server, pack.text, questions[0]!);
    const warm = await ask(server, pack.text, questions[1]!);
    const state = await serverJson<{ bytes: number; entries: unknown[] }>(server, "/hearth/state");
    await server.stop();
    server = await startBenchServer(args);
    const restarted = await ask(server, pack.text, questions[2]!);
    await server.stop();
    rows.push({
      size,
      files_packed: new Set(pack.report.included.map((entry) => entry.path)).size,
      files_left_out: pack.report.leftOut.length,
      tokens_packed: pack.report.packTokens,
      repo_tokens: pack.report.repoTokens,
      prompt_tokens: cold.promptTokens,
      cold_ttft_ms: Math.round(cold.ttftMs),
      warm_ttft_ms: Math.round(warm.ttftMs),
      restart_ttft_ms: Math.round(restarted.ttftMs),
      warm_ratio: warm.ttftMs / cold.ttftMs,
      restart_ratio: restarted.ttftMs / cold.ttftMs,
      evaluated_per_question: { cold: cold.promptTokens - cold.cachedTokens, warm: warm.promptTokens - warm.cachedTokens, restart: restarted.promptTokens - restarted.cachedTokens },
      restart_tokens_from_disk: restarted.diskTokens,
      server_timings_ms: { cold: cold.serverTimings, warm: warm.serverTimings, restart: restarted.serverTimings },
      state_bytes_on_disk: state.bytes,
      state_files: state.entries.length,
      server_prefill_tokens_per_s: cold.progressTokensPerS,
      // null throughout when --skip-in-process left that pass out.
      in_process_prefill_tokens_per_s: inProcess?.rate ?? null,
      // What this machine does at best: the same follow-up in-process, from a checkpoint.
      in_process_warm_ttft_ms: inProcess ? Math.round(inProcess.warmMs) : null,
      in_process_warm_tokens: inProcess?.warmTokens ?? null,
      in_process_warm_ratio: inProcess ? inProcess.warmMs / inProcess.coldMs : null,
      warm_vs_in_process: inProcess ? warm.ttftMs / inProcess.warmMs : null,
    });
    console.error(JSON.stringify(rows.at(-1)));
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

await direct.close();
for (const row of rows) {
  const directRate = row.in_process_prefill_tokens_per_s as number | null;
  row.prefill_ratio = row.server_prefill_tokens_per_s && directRate ? (row.server_prefill_tokens_per_s as number) / directRate : null;
  row.targets = {
    warm_le_1pct_of_cold: (row.warm_ratio as number) <= 0.01,
    restart_le_3pct_of_cold: (row.restart_ratio as number) <= 0.03,
    // null: not measured (--skip-in-process); false also when the server reported no rate.
    prefill_ge_90pct_of_in_process: directRate === null ? null : row.prefill_ratio !== null && (row.prefill_ratio as number) >= 0.9,
  };
}
const result = { benchmark: "repoqa", model: modelPath, repo: repoDir, repo_context: contextUsed, kv_type: kvUsed, flash_attention: flashUsed, threads: threadsUsed, sizes: rows };
if (values.json) console.log(JSON.stringify(result, null, 2));
else for (const row of rows) console.log(JSON.stringify(row));
