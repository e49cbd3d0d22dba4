// npm run bench:repoqa -- --model <gguf> --repo <dir> [--sizes 16384,65536,131072] [--threads auto] [--json]
//
// Repository Q&A against the real server over HTTP (issue #9, item 7). For each pack size
// (the pack cut to that many tokens; default: the whole repo): tokens packed, cold time to
// first token, warm follow-up TTFT, TTFT after a server restart (the state comes from
// disk), tokens evaluated per question, state size on disk, and the pack's prefill speed
// through the server against node-llama-cpp evaluating the same tokens in-process, in the
// same run. Targets: warm ≤ 1% of cold; restart ≤ 3% of cold; prefill ≥ 90% of in-process.
//
// SIMPLE PACK BUILDER, bench-only: the repo helper's src/core/repo pack builder was not
// merged when this was written. This one walks the folder, skips the usual generated and
// vendored folders, binaries and big files, orders files by last change (oldest first,
// the least likely to change), and lays them out in Qwen's repo-level format.
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { countTokens, serverJson, startBenchServer, timedChat, type BenchServer } from "./hearthServer.mjs";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    repo: { type: "string" },
    sizes: { type: "string" },
    threads: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
if (!values.model || !values.repo) {
  console.error("Usage: npm run bench:repoqa -- --model <file.gguf> --repo <dir> [--sizes 16384,65536,131072] [--json]");
  process.exit(2);
}
const modelPath = resolve(values.model);
const repoDir = resolve(values.repo);
const SKIP_DIRS = new Set([".git", "node_modules", "dist", "out", "build", ".cache", ".vscode-test", "coverage", "vendor", "target", "__pycache__"]);
const SKIP_FILES = /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|go\.sum)$|\.(png|jpe?g|gif|ico|webp|pdf|zip|gz|tgz|gguf|bin|wasm|woff2?|ttf|so|dylib|dll|exe|map)$/i;
const MAX_FILE_BYTES = 64 * 1024;
/** Room left in the context for instructions, the question, the template and the answer. */
const QUESTION_ROOM = 512;
const INSTRUCTIONS = "Answer questions about this repository. Cite files as path:line.";

async function walk(dir: string, out: Array<{ path: string; mtime: number; content: string }>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) await walk(full, out);
      continue;
    }
    const path = relative(repoDir, full);
    if (!entry.isFile() || SKIP_FILES.test(path)) continue;
    const info = await stat(full);
    if (info.size > MAX_FILE_BYTES || info.size === 0) continue;
    const content = await readFile(full, "utf8");
    if (content.includes("\u0000")) continue;
    out.push({ path, mtime: info.mtimeMs, content });
  }
}

const files: Array<{ path: string; mtime: number; content: string }> = [];
await walk(repoDir, files);
files.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path));
const header = `<|repo_name|>${basename(repoDir)}\n`;
const sections = files.map((file) => `<|file_sep|>${file.path}\n${file.content}\n`);

/** The pack cut to at most `size` tokens of context, whole files only. */
async function packFor(server: BenchServer, size: number, sectionTokens: number[]): Promise<{ text: string; files: number; tokens: number }> {
  const headerTokens = await countTokens(server, header, "repo", true);
  let budget = size - QUESTION_ROOM - headerTokens - (await countTokens(server, `${INSTRUCTIONS}\n\n`));
  let text = header;
  let count = 0;
  let tokens = headerTokens;
  for (let i = 0; i < sections.length; i++) {
    if (sectionTokens[i]! > budget) continue;
    budget -= sectionTokens[i]!;
    tokens += sectionTokens[i]!;
    text += sections[i]!;
    count++;
  }
  return { text, files: count, tokens };
}

const questions = ["Where is the entry point, and what does it start?", "Which file handles errors for people?", "What does the test fixture generator write?"];
const ask = (server: BenchServer, pack: string, question: string) =>
  timedChat(server, [{ role: "system", content: `${INSTRUCTIONS}\n\n${pack}` }, { role: "user", content: question }], { maxTokens: 4, hearth: { role: "repo", progress: true, persist: true } });

/**
 * node-llama-cpp evaluating the same tokens in this process, with the server's context
 * settings. Loaded once; each size is measured right before the server's cold request, so
 * both sides see the same load on a shared machine.
 */
async function loadInProcess(): Promise<{ rate(text: string, contextSize: number, kvType: string, threads: number): Promise<number>; close(): Promise<void> }> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  return {
    async rate(text, contextSize, kvType, threads) {
      const kv = kvType === "q8_0" ? { experimentalKvCacheKeyType: "Q8_0" as const, experimentalKvCacheValueType: "Q8_0" as const, flashAttention: true } : {};
      const context = await model.createContext({ contextSize, sequences: 1, threads, ...kv });
      try {
        const sequence = context.getSequence();
        const tokens = model.tokenize(text, true);
        const started = performance.now();
        await sequence.evaluateWithoutGeneratingNewTokens(tokens);
        return tokens.length / ((performance.now() - started) / 1000);
      } finally {
        await context.dispose();
      }
    },
    close: () => llama.dispose(),
  };
}

const rows: Array<Record<string, unknown>> = [];
const threadArgs = ["--threads", values.threads!];
const probe = await startBenchServer(["--model", modelPath, "--context-size", "2048", ...threadArgs]);
const sectionTokens: number[] = [];
for (const section of sections) sectionTokens.push(await countTokens(probe, section, "repo", true));
const total = sectionTokens.reduce((a, b) => a + b, 0);
const sizes = values.sizes ? values.sizes.split(",").map(Number) : [total + QUESTION_ROOM + 256];
const packs = new Map<number, { text: string; files: number; tokens: number }>();
for (const size of sizes) packs.set(size, await packFor(probe, size, sectionTokens));
await probe.stop();

const direct = await loadInProcess();
let contextUsed = 0;
let kvUsed = "f16";
let threadsUsed = 0;
for (const size of sizes) {
  const pack = packs.get(size)!;
  const stateDir = await mkdtemp(join(tmpdir(), "hearth-repoqa-"));
  const contextSize = Math.ceil((size + 256) / 1024) * 1024;
  const args = ["--model", modelPath, "--context-size", "2048", "--repo-context-size", String(contextSize), "--state-dir", stateDir, ...threadArgs];
  try {
    let server = await startBenchServer(args);
    const health = await serverJson<{ repo: { contextSize: number; kvType: string }; roles: { chat: { threads: number } } }>(server, "/health");
    contextUsed = health.repo.contextSize;
    kvUsed = health.repo.kvType;
    // The server's own thread count (its `auto` resolved), so both sides run alike.
    threadsUsed = health.roles.chat.threads;
    const directRate = await direct.rate(`${INSTRUCTIONS}\n\n${pack.text}`, contextUsed, kvUsed, threadsUsed);
    const cold = await ask(server, pack.text, questions[0]!);
    const warm = await ask(server, pack.text, questions[1]!);
    const state = await serverJson<{ bytes: number; entries: unknown[] }>(server, "/hearth/state");
    await server.stop();
    server = await startBenchServer(args);
    const restarted = await ask(server, pack.text, questions[2]!);
    await server.stop();
    rows.push({
      size,
      files_packed: pack.files,
      files_total: files.length,
      tokens_packed: pack.tokens,
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
      in_process_prefill_tokens_per_s: directRate,
    });
    console.error(JSON.stringify(rows.at(-1)));
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

await direct.close();
for (const row of rows) {
  const directRate = row.in_process_prefill_tokens_per_s as number;
  row.prefill_ratio = row.server_prefill_tokens_per_s ? (row.server_prefill_tokens_per_s as number) / directRate : undefined;
  row.targets = {
    warm_le_1pct_of_cold: (row.warm_ratio as number) <= 0.01,
    restart_le_3pct_of_cold: (row.restart_ratio as number) <= 0.03,
    prefill_ge_90pct_of_in_process: row.prefill_ratio !== undefined && (row.prefill_ratio as number) >= 0.9,
  };
}
const result = { benchmark: "repoqa", model: modelPath, repo: repoDir, repo_context: contextUsed, kv_type: kvUsed, threads: threadsUsed, sizes: rows };
if (values.json) console.log(JSON.stringify(result, null, 2));
else for (const row of rows) console.log(JSON.stringify(row));
