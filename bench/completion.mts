// npm run bench:completion -- --model <gguf> --files <dir> [--keystrokes 60] [--baseline-keystrokes N]
//     [--layout spm|psm] [--mode fim|chat] [--pace wait|human] [--rate-ms 120] [--seed 1]
//     [--prefix-tokens 1024] [--suffix-tokens 256] [--ring-tokens 1024] [--max-tokens 48] [--threads auto] [--json]
//
// Replays real typing of the given source files through the completion engine the editor
// uses (CompletionEngine + the openai SDK client against dist/server.mjs): a seeded script
// of keystrokes, character by character at a human rate, with typos and backspaces, cursor
// jumps to other lines and back, and one switch to another file. The same script runs twice
// in one server: with reuse (client checkpoints, the default) and without (the same layout
// with `hearth.reuse: false`, so the server evaluates every prompt whole: what a server
// without checkpoints on a hybrid model does, see facts-qwen35-and-node-llama-cpp.md).
//
// --pace wait (default): the next key comes after the human gap or when the previous
//   suggestion is back, whichever is later, so every request is measured to its end.
// --pace human: keys come at human times whatever the model does; superseded requests
//   are cancelled as in the editor, and only finished ones are measured.
//
// Targets (issue 4): evaluated tokens per request with reuse at most 10% of without;
// extension-side overhead p95 under 5 ms.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { localGateway } from "../test/support/localGateway.js";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionSettings, type CompletionTarget, type CompletionTrace } from "../src/core/complete/completionEngine.js";
import type { FimLayout } from "../src/core/complete/completionPrompt.js";
import { ContextRing, DEFAULT_RING_OPTIONS } from "../src/core/complete/contextRing.js";
import { linesOfText, type DocumentLines } from "../src/core/complete/documentLines.js";
import { TokenEstimator } from "../src/core/complete/tokenEstimate.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    files: { type: "string" },
    keystrokes: { type: "string", default: "60" },
    "baseline-keystrokes": { type: "string" },
    layout: { type: "string", default: "spm" },
    mode: { type: "string", default: "fim" },
    pace: { type: "string", default: "wait" },
    "rate-ms": { type: "string", default: "120" },
    seed: { type: "string", default: "1" },
    "prefix-tokens": { type: "string", default: String(DEFAULT_COMPLETION_SETTINGS.prefixTokens) },
    "suffix-tokens": { type: "string", default: String(DEFAULT_COMPLETION_SETTINGS.suffixTokens) },
    "ring-tokens": { type: "string", default: String(DEFAULT_RING_OPTIONS.budgetTokens) },
    "max-tokens": { type: "string", default: String(DEFAULT_COMPLETION_SETTINGS.lineMaxTokens) },
    threads: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
if (!values.model || !values.files) {
  console.error("Usage: npm run bench:completion -- --model <file.gguf> --files <dir> [--keystrokes 60] [--layout spm|psm] [--pace wait|human] [--json]");
  process.exit(2);
}
const layout = values.layout as FimLayout;
if (layout !== "spm" && layout !== "psm") throw new Error(`--layout must be spm or psm, not ${values.layout}`);
if (values.mode !== "fim" && values.mode !== "chat") throw new Error(`--mode must be fim or chat, not ${values.mode}`);
const mode = values.mode as "fim" | "chat";
const pace = values.pace;
if (pace !== "wait" && pace !== "human") throw new Error(`--pace must be wait or human, not ${pace}`);
const keystrokes = Number(values.keystrokes);
const baselineKeystrokes = Math.min(keystrokes, Number(values["baseline-keystrokes"] ?? keystrokes));
const rateMs = Number(values["rate-ms"]);
const modelPath = resolve(values.model);
const filesDir = resolve(values.files);

// ---------------------------------------------------------------------------------------
// A seeded typing script.

/** mulberry32: small, fast, good enough for a reproducible script. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LANGUAGES: Record<string, string> = { ".ts": "typescript", ".mts": "typescript", ".tsx": "typescriptreact", ".js": "javascript", ".mjs": "javascript", ".py": "python", ".go": "go", ".rs": "rust", ".java": "java", ".json": "json", ".md": "markdown", ".c": "c", ".cpp": "cpp", ".cs": "csharp" };

interface SourceFile {
  path: string;
  languageId: string;
  text: string;
}

function collect(dir: string, found: SourceFile[] = []): SourceFile[] {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "node_modules" || name === "dist") continue;
    const full = join(dir, name);
    const stats = statSync(full);
    if (stats.isDirectory()) collect(full, found);
    else if (LANGUAGES[extname(name)] && stats.size > 400 && stats.size < 400_000) found.push({ path: relative(filesDir, full), languageId: LANGUAGES[extname(name)]!, text: readFileSync(full, "utf8").replace(/\r\n/g, "\n") });
  }
  return found;
}

type Step =
  | { kind: "open"; file: number; line: number; gapLines: number }
  | { kind: "type"; text: string; gap: number }
  | { kind: "backspace"; gap: number }
  | { kind: "jump"; lines: number; gap: number }
  | { kind: "return"; gap: number };

/**
 * Opens a file with a block of lines cut out at a random spot and types them back in,
 * as a person would: mostly steady keys, some pauses, a typo fixed by backspace now and
 * then, a look elsewhere in the file (jump, type, come back), and halfway a switch to
 * another file.
 */
function script(files: SourceFile[], count: number, seed: number): Step[] {
  const rand = random(seed);
  const gap = (): number => (rand() < 0.08 ? 400 + rand() * 1100 : rateMs * Math.exp((rand() - 0.5) * 0.7));
  const steps: Step[] = [];
  const open = (): string => {
    const file = Math.floor(rand() * files.length);
    const lines = files[file]!.text.split("\n");
    const line = Math.floor(lines.length * (0.3 + rand() * 0.4));
    const gapLines = Math.min(12, lines.length - line - 1);
    steps.push({ kind: "open", file, line, gapLines });
    return lines.slice(line, line + gapLines).join("\n");
  };
  let toType = open();
  let typed = 0;
  let keys = 0;
  while (keys < count) {
    if (keys === Math.floor(count / 2) && files.length > 1) {
      toType = open();
      typed = 0;
    }
    const r = rand();
    if (r < 0.04 && typed > 0) {
      steps.push({ kind: "type", text: String.fromCharCode(97 + Math.floor(rand() * 26)), gap: gap() });
      steps.push({ kind: "backspace", gap: gap() * 1.5 });
      keys += 2;
    } else if (r < 0.06 && typed > 0) {
      steps.push({ kind: "jump", lines: -3 - Math.floor(rand() * 20), gap: 600 + rand() * 600 });
      steps.push({ kind: "type", text: " ", gap: gap() });
      steps.push({ kind: "backspace", gap: gap() });
      steps.push({ kind: "return", gap: 500 + rand() * 500 });
      keys += 3;
    } else {
      if (typed >= toType.length) {
        toType = open();
        typed = 0;
      }
      let text = toType[typed]!;
      typed++;
      // Indentation is typed as one key press (Tab or the editor's auto-indent).
      while (text.endsWith("\n") && typed < toType.length && (toType[typed] === " " || toType[typed] === "\t")) text += toType[typed++]!;
      steps.push({ kind: "type", text, gap: gap() });
      keys++;
    }
  }
  return steps;
}

/** The document being typed into, with the cursor. */
class Editor {
  lines: string[] = [];
  line = 0;
  column = 0;
  path = "";
  languageId = "";
  private saved: { line: number; column: number } | undefined;

  open(file: SourceFile, line: number, gapLines: number): void {
    this.lines = file.text.split("\n");
    this.lines.splice(line, gapLines, "");
    this.line = line;
    this.column = 0;
    this.path = file.path;
    this.languageId = file.languageId;
  }

  type(text: string): void {
    for (const ch of text) {
      const current = this.lines[this.line]!;
      if (ch === "\n") {
        this.lines.splice(this.line + 1, 0, current.slice(this.column));
        this.lines[this.line] = current.slice(0, this.column);
        this.line++;
        this.column = 0;
      } else {
        this.lines[this.line] = current.slice(0, this.column) + ch + current.slice(this.column);
        this.column++;
      }
    }
  }

  backspace(): void {
    if (this.column > 0) {
      const current = this.lines[this.line]!;
      this.lines[this.line] = current.slice(0, this.column - 1) + current.slice(this.column);
      this.column--;
    } else if (this.line > 0) {
      const previous = this.lines[this.line - 1]!;
      this.lines.splice(this.line - 1, 2, previous + this.lines[this.line]!);
      this.line--;
      this.column = previous.length;
    }
  }

  jump(lines: number): void {
    this.saved = { line: this.line, column: this.column };
    this.line = Math.max(0, this.line + lines);
    this.column = this.lines[this.line]!.length;
  }

  back(): void {
    if (this.saved) ({ line: this.line, column: this.column } = this.saved);
    this.saved = undefined;
  }

  view(): DocumentLines {
    const lines = this.lines.slice();
    return { lineCount: lines.length, lineAt: (i) => lines[i] ?? "" };
  }
}

// ---------------------------------------------------------------------------------------
// The server.

interface Server {
  child: ChildProcess;
  baseUrl: string;
  token: string;
  model: string;
  fim: boolean;
}

async function startServer(): Promise<Server> {
  const token = "bench-completion";
  const child = spawn(process.execPath, [resolve("dist/server.mjs"), "--model", modelPath, "--port", "0", "--context-size", "2048", "--gpu", "cpu", "--threads", values.threads ?? "auto"], {
    env: { ...process.env, HEARTH_SERVER_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once("line", done);
    child.once("exit", (code) => fail(new Error(`server exited with ${code}`)));
  });
  const ready = JSON.parse(line) as { event: string; port: number; model: string; fim: boolean; message?: string };
  if (ready.event !== "ready") throw new Error(ready.message);
  return { child, baseUrl: `http://127.0.0.1:${ready.port}`, token, model: ready.model, fim: ready.fim };
}

/**
 * Characters per token of this model's vocabulary, from the server's tokenizer, so that
 * both runs size their windows right from the first request (the editor learns it from
 * the first answer instead).
 */
async function charsPerToken(server: Server, sample: string): Promise<number> {
  const response = await fetch(`${server.baseUrl}/tokenize`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify({ content: sample }) });
  const tokens = ((await response.json()) as { tokens: number[] }).tokens.length;
  return sample.length / Math.max(1, tokens);
}

async function checkpointBytes(server: Server): Promise<number> {
  const response = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } });
  const body = (await response.json()) as { roles?: Record<string, { checkpointBytes?: number }> };
  return body.roles?.completion?.checkpointBytes ?? 0;
}

// ---------------------------------------------------------------------------------------
// One run of the script.

interface RunResult {
  calls: number;
  requests: number;
  cancelled: number;
  errors: number;
  cache_hits: number;
  typing_through: number;
  p50_ms: number;
  p95_ms: number;
  prompt_tokens_mean: number;
  evaluated_tokens_mean: number;
  evaluated_tokens_p95: number;
  reuse_ratio: number;
  cache_hit_rate: number;
  overhead_p50_ms: number;
  overhead_p95_ms: number;
  checkpoint_bytes: number;
  wall_s: number;
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

async function run(server: Server, files: SourceFile[], steps: readonly Step[], keyLimit: number, reuse: boolean, label: string, ratio: number): Promise<RunResult> {
  const traces: CompletionTrace[] = [];
  const estimator = new TokenEstimator(ratio);
  const ring = new ContextRing(estimator, { ...DEFAULT_RING_OPTIONS, budgetTokens: Number(values["ring-tokens"]) });
  const settings: CompletionSettings = { ...DEFAULT_COMPLETION_SETTINGS, mode, fimLayout: layout, prefixTokens: Number(values["prefix-tokens"]), suffixTokens: Number(values["suffix-tokens"]), lineMaxTokens: Number(values["max-tokens"]), reuse };
  const onTrace = (t: CompletionTrace): void => {
    traces.push(t);
    // Progress on stderr (stdout carries the result).
    const tokens = t.promptTokens !== undefined ? ` prompt ${t.promptTokens} cached ${t.cachedTokens ?? "?"}` : "";
    process.stderr.write(`[${label} ${traces.length}] ${t.outcome} ${t.totalMs.toFixed(0)} ms (model ${t.modelMs.toFixed(0)}, overhead ${t.overheadMs.toFixed(2)})${tokens}${t.error ? ` ${t.error}` : ""}\n`);
  };
  // The provider's path: engine → gateway (policy, local route) → local provider → server.
  const gateway = localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }, { limits: { firstTokenTimeoutMs: 600_000, idleTimeoutMs: 600_000 } });
  const engine = new CompletionEngine({ port: gateway.port("completion"), ring, estimator, settings: () => settings, onTrace });
  const target: CompletionTarget = { key: "local", model: server.model, hearth: true, fim: server.fim, rawPrompts: true };
  // The files the user "looked at" before: the first chunks of the ring.
  // One workspace folder: every file's chunks may join every prompt.
  const scope = "bench";
  for (const file of files.slice(0, 3)) ring.offer({ scope, path: file.path }, linesOfText(file.text), 20);
  const editor = new Editor();
  const repoName = `bench-${label}`;
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  let keys = 0;
  let nextAt = performance.now();
  for (const step of steps) {
    if (keys >= keyLimit) break;
    if (step.kind === "open") {
      if (editor.path) ring.offer({ scope, path: editor.path }, linesOfText(editor.lines.join("\n")), editor.line);
      editor.open(files[step.file]!, step.line, step.gapLines);
      continue;
    }
    nextAt += step.gap;
    const wait = nextAt - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    nextAt = Math.max(nextAt, performance.now());
    if (step.kind === "type") editor.type(step.text);
    else if (step.kind === "backspace") editor.backspace();
    else if (step.kind === "jump") {
      editor.jump(step.lines);
      continue;
    } else {
      editor.back();
      continue;
    }
    keys++;
    const call = engine.complete({ document: editor.view(), path: editor.path, scope, languageId: editor.languageId, position: { line: editor.line, character: editor.column }, repoName, manual: false }, () => target, new AbortController().signal);
    if (pace === "wait") await call;
    else pending.push(call);
  }
  await Promise.all(pending);
  const wall = (performance.now() - started) / 1000;
  const done = traces.filter((t) => (t.outcome === "model" || t.outcome === "empty") && t.promptTokens !== undefined);
  const evaluated = done.map((t) => t.promptTokens! - (t.cachedTokens ?? 0));
  const prompt = done.map((t) => t.promptTokens!);
  const hits = traces.filter((t) => t.outcome === "cache" || (t.outcome === "empty" && t.promptTokens === undefined)).length;
  const typing = traces.filter((t) => t.outcome === "typing").length;
  return {
    calls: traces.length,
    requests: done.length,
    cancelled: traces.filter((t) => t.outcome === "cancelled").length,
    errors: traces.filter((t) => t.outcome === "error").length,
    cache_hits: hits,
    typing_through: typing,
    p50_ms: round(percentile(done.map((t) => t.totalMs), 50)),
    p95_ms: round(percentile(done.map((t) => t.totalMs), 95)),
    prompt_tokens_mean: round(mean(prompt)),
    evaluated_tokens_mean: round(mean(evaluated)),
    evaluated_tokens_p95: round(percentile(evaluated, 95)),
    reuse_ratio: round(mean(prompt) === 0 ? 0 : 1 - mean(evaluated) / mean(prompt), 3),
    cache_hit_rate: round(traces.length === 0 ? 0 : (hits + typing) / traces.length, 3),
    overhead_p50_ms: round(percentile(traces.map((t) => t.overheadMs), 50), 2),
    overhead_p95_ms: round(percentile(traces.map((t) => t.overheadMs), 95), 2),
    checkpoint_bytes: await checkpointBytes(server),
    wall_s: round(wall),
  };
}

// ---------------------------------------------------------------------------------------

const files = collect(filesDir);
if (files.length === 0) throw new Error(`No source files (400 B to 400 KB) under ${filesDir}.`);
const steps = script(files, keystrokes, Number(values.seed));
const server = await startServer();
try {
  const ratio = await charsPerToken(server, files.map((f) => f.text.slice(0, 4000)).join("\n").slice(0, 20_000));
  const withReuse = await run(server, files, steps, keystrokes, true, "reuse", ratio);
  const withoutReuse = await run(server, files, steps, baselineKeystrokes, false, "baseline", ratio);
  const result = {
    model: modelPath,
    files: files.length,
    keystrokes,
    baseline_keystrokes: baselineKeystrokes,
    layout,
    mode,
    pace,
    chars_per_token: round(ratio, 2),
    baseline: "same layout, hearth.reuse=false: the server evaluates every prompt whole",
    requests: withReuse.requests,
    p50_ms: withReuse.p50_ms,
    p95_ms: withReuse.p95_ms,
    prompt_tokens_mean: withReuse.prompt_tokens_mean,
    evaluated_tokens_mean: { with_reuse: withReuse.evaluated_tokens_mean, without_reuse: withoutReuse.evaluated_tokens_mean },
    evaluated_share_of_baseline: round(withoutReuse.evaluated_tokens_mean === 0 ? 0 : withReuse.evaluated_tokens_mean / withoutReuse.evaluated_tokens_mean, 3),
    reuse_ratio: withReuse.reuse_ratio,
    cache_hit_rate: withReuse.cache_hit_rate,
    overhead_p95_ms: withReuse.overhead_p95_ms,
    with_reuse: withReuse,
    without_reuse: withoutReuse,
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(`completion benchmark: ${files.length} files, ${keystrokes} keystrokes (${baselineKeystrokes} without reuse), ${layout}/${mode}, pace ${pace}`);
    for (const [name, r] of [
      ["with reuse", withReuse],
      ["without reuse", withoutReuse],
    ] as const) {
      console.log(`  ${name}: ${r.requests} requests, p50 ${r.p50_ms} ms, p95 ${r.p95_ms} ms, prompt ${r.prompt_tokens_mean} tokens, evaluated ${r.evaluated_tokens_mean} (p95 ${r.evaluated_tokens_p95}), cache hits ${r.cache_hit_rate}, overhead p95 ${r.overhead_p95_ms} ms`);
    }
    console.log(`  evaluated with reuse / without: ${result.evaluated_share_of_baseline} (target <= 0.1)`);
  }
} finally {
  server.child.kill("SIGTERM");
}
