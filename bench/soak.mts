// npm run bench:soak -- [--requests 5000] [--model tiny|0.8b|<file.gguf>] [--concurrency 4] [--max-tokens 8] [--cancel-rate 0.2] [--warmup 500] [--seed 1] [--json]
//
// Soaks the real server (dist/server.mjs, a child process) with a seeded mix of requests:
// chat streamed and not, completions with checkpoints, tokenize/detokenize, embeddings,
// health, and some malformed ones, cancelling about a fifth of the streams mid-stream.
// Reads the server's resident memory (VmRSS in /proc/<pid>/status) every 100 requests.
// Target: growth = last / first-after-warmup - 1 under 10 %, no 5xx, the server alive.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ensureTestModel } from "../test/fixtures/models.js";
import { startBenchServer, type BenchServer } from "./hearthServer.mjs";

const { values } = parseArgs({
  options: {
    requests: { type: "string", default: "5000" },
    model: { type: "string", default: "tiny" },
    concurrency: { type: "string", default: "4" },
    "max-tokens": { type: "string", default: "8" },
    "cancel-rate": { type: "string", default: "0.2" },
    warmup: { type: "string", default: "500" },
    "context-size": { type: "string", default: "2048" },
    seed: { type: "string", default: "1" },
    "request-timeout-s": { type: "string", default: "60" },
    json: { type: "boolean", default: false },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const maxTokens = Number(values["max-tokens"]);
const cancelRate = Number(values["cancel-rate"]);
const warmup = Math.min(Number(values.warmup), Math.floor(total / 2));
const requestTimeoutMs = Number(values["request-timeout-s"]) * 1000;
const SAMPLE_EVERY = 100;

async function modelFile(spec: string): Promise<string> {
  if (spec === "tiny") return ensureTestModel({ arch: "qwen35" });
  if (spec === "0.8b") return ensureTestModel({ arch: "qwen35", shape: "qwen3.5-0.8b", quant: "q8_0" });
  return resolve(spec);
}

/** mulberry32: the same mix for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(Number(values.seed));
const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const WORDS = ["alpha", "beta", "gamma", "delta", "function", "return", "const", "value", "きつね", "memory", "server", "token", "line\n", "{", "}", "(x)", "// note", "🙂"];
const sentence = (min: number, max: number): string => Array.from({ length: min + Math.floor(rand() * (max - min + 1)) }, () => pick(WORDS)).join(" ");

interface Planned {
  kind: string;
  method: "GET" | "POST";
  path: string;
  /** A string is sent as is (malformed JSON); anything else is JSON-encoded. */
  body?: unknown;
  stream: boolean;
  cancel: boolean;
}

function plan(): Planned {
  const roll = rand();
  const cancel = rand() < cancelRate;
  const sampling = { max_tokens: 1 + Math.floor(rand() * maxTokens), temperature: pick([0, 0.7]), seed: Math.floor(rand() * 1000) };
  if (roll < 0.22) {
    const messages = [{ role: "user", content: sentence(3, 40) }, ...(rand() < 0.3 ? [{ role: "assistant", content: sentence(1, 10) }, { role: "user", content: sentence(1, 10) }] : [])];
    return { kind: "chat_stream", method: "POST", path: "/v1/chat/completions", body: { messages, stream: true, stream_options: { include_usage: true }, ...sampling }, stream: true, cancel };
  }
  if (roll < 0.34) {
    return { kind: "chat", method: "POST", path: "/v1/chat/completions", body: { messages: [{ role: "system", content: sentence(2, 12) }, { role: "user", content: sentence(3, 30) }], ...sampling }, stream: false, cancel: false };
  }
  if (roll < 0.5) {
    const prompt = sentence(10, 80);
    const checkpoints = [Math.floor(prompt.length / 3), Math.floor((2 * prompt.length) / 3)].filter((at) => at > 0);
    const stream = rand() < 0.6;
    // Checkpoints apply to raw prompts; a fill-in-the-middle request (with `suffix`) has none.
    const fim = rand() < 0.3;
    return { kind: stream ? "completion_stream" : "completion", method: "POST", path: "/v1/completions", body: { prompt, ...(fim ? { suffix: sentence(2, 20) } : {}), stream, hearth: { role: "completion", ...(fim ? {} : { checkpoints }) }, ...sampling }, stream, cancel: stream && cancel };
  }
  if (roll < 0.6) return { kind: "tokenize", method: "POST", path: "/tokenize", body: { content: sentence(5, 200) }, stream: false, cancel: false };
  if (roll < 0.65) return { kind: "detokenize", method: "POST", path: "/detokenize", body: { tokens: Array.from({ length: 1 + Math.floor(rand() * 20) }, () => Math.floor(rand() * 200)) }, stream: false, cancel: false };
  if (roll < 0.73) return { kind: "embeddings", method: "POST", path: "/v1/embeddings", body: { input: rand() < 0.5 ? sentence(3, 30) : [sentence(2, 10), sentence(2, 10)] }, stream: false, cancel: false };
  if (roll < 0.8) return { kind: "health", method: "GET", path: "/health", stream: false, cancel: false };
  const malformed: Array<Omit<Planned, "stream" | "cancel">> = [
    { kind: "bad_json", method: "POST", path: "/v1/chat/completions", body: '{"messages": [' },
    { kind: "bad_field", method: "POST", path: "/v1/chat/completions", body: { messages: "hi", max_tokens: -3 } },
    { kind: "no_messages", method: "POST", path: "/v1/chat/completions", body: { messages: [] } },
    { kind: "huge_max_tokens", method: "POST", path: "/v1/completions", body: { prompt: "x", max_tokens: 1e12 } },
    { kind: "bad_tokens", method: "POST", path: "/detokenize", body: { tokens: [-1, 1e9, 3.5] } },
    { kind: "bad_role", method: "POST", path: "/v1/chat/completions", body: { messages: [{ role: "robot", content: "x" }] } },
    { kind: "deep_nesting", method: "POST", path: "/tokenize", body: `${"[".repeat(5000)}${"]".repeat(5000)}` },
    { kind: "unknown_route", method: "POST", path: "/v1/nothing", body: {} },
    { kind: "bad_checkpoints", method: "POST", path: "/v1/completions", body: { prompt: "abc", hearth: { checkpoints: ["a", -1] } } },
  ];
  return { ...pick(malformed), stream: false, cancel: false };
}

const TOKEN = "bench-token";
const WELL_FORMED = new Set(["chat_stream", "chat", "completion_stream", "completion", "tokenize", "detokenize", "embeddings", "health"]);

interface Outcome {
  kind: string;
  status: number | "network_error" | "timeout";
  cancelled: boolean;
  detail?: string;
}

async function send(server: BenchServer, request: Planned): Promise<Outcome> {
  const controller = new AbortController();
  // A request the server never answers is a finding, not a reason to hang the soak.
  const timer = setTimeout(() => controller.abort(new Error("timeout")), requestTimeoutMs);
  try {
    const response = await fetch(`${server.base}${request.path}`, {
      method: request.method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      ...(request.body !== undefined ? { body: typeof request.body === "string" ? request.body : JSON.stringify(request.body) } : {}),
      signal: controller.signal,
    });
    if (!request.stream || !response.ok || !response.body) {
      const text = await response.text();
      // A well-formed request refused is worth a look: keep what the server said.
      const detail = !response.ok && WELL_FORMED.has(request.kind) ? `${request.kind} ${response.status}: ${text.slice(0, 200)}` : undefined;
      return { kind: request.kind, status: response.status, cancelled: false, ...(detail !== undefined ? { detail } : {}) };
    }
    const reader = response.body.getReader();
    let chunks = 0;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      // Cancel once the first chunk arrived: mid-stream, as a user pressing Stop.
      if (request.cancel && ++chunks >= 1) {
        controller.abort();
        return { kind: request.kind, status: response.status, cancelled: true };
      }
    }
    return { kind: request.kind, status: response.status, cancelled: false };
  } catch (error) {
    if (controller.signal.reason instanceof Error && controller.signal.reason.message === "timeout") return { kind: request.kind, status: "timeout", cancelled: false, detail: `${request.kind}: no answer within ${requestTimeoutMs / 1000} s` };
    if (controller.signal.aborted) return { kind: request.kind, status: 0, cancelled: true };
    return { kind: request.kind, status: "network_error", cancelled: false, detail: `${request.kind}: ${String((error as { cause?: unknown }).cause ?? error)}` };
  } finally {
    clearTimeout(timer);
  }
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
}

const modelPath = await modelFile(values.model!);
const server = await startBenchServer(["--model", modelPath, "--context-size", values["context-size"]!]);
const pid = server.child.pid!;
const samples: Array<{ requests: number; rssMiB: number }> = [{ requests: 0, rssMiB: (await rssKiB(pid)) / 1024 }];
const statuses = new Map<string, number>();
const byKind = new Map<string, Map<string, number>>();
const networkErrors = new Set<string>();
let cancelled = 0;
let done = 0;
let next = 0;
const started = performance.now();
try {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const outcome = await send(server, plan());
        const status = String(outcome.status);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const kind = byKind.get(outcome.kind) ?? new Map<string, number>();
        kind.set(status, (kind.get(status) ?? 0) + 1);
        byKind.set(outcome.kind, kind);
        if (outcome.cancelled) cancelled++;
        if (outcome.detail !== undefined && networkErrors.size < 5) networkErrors.add(outcome.detail);
        done++;
        if (done % SAMPLE_EVERY === 0) {
          samples.push({ requests: done, rssMiB: (await rssKiB(pid)) / 1024 });
          process.stderr.write(`soak: ${done}/${total} requests, server RSS ${samples.at(-1)!.rssMiB.toFixed(1)} MiB\n`);
        }
      }
    }),
  );
} finally {
  const durationS = (performance.now() - started) / 1000;
  const alive = server.child.exitCode === null && server.child.signalCode === null;
  const health = alive ? await fetch(`${server.base}/health`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status, () => 0) : 0;
  await server.stop();
  const afterWarmup = samples.find((sample) => sample.requests >= warmup) ?? samples[1] ?? samples[0]!;
  const last = samples.at(-1)!;
  const growth = last.rssMiB / afterWarmup.rssMiB - 1;
  const serverErrors = [...statuses].filter(([status]) => status.startsWith("5")).reduce((sum, [, count]) => sum + count, 0);
  const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
  const result = {
    model: modelPath,
    requests: done,
    concurrency,
    max_tokens: maxTokens,
    duration_s: round(durationS),
    requests_per_s: round(done / durationS),
    cancelled_mid_stream: cancelled,
    statuses: Object.fromEntries([...statuses].sort()),
    by_kind: Object.fromEntries([...byKind].sort().map(([kind, counts]) => [kind, Object.fromEntries([...counts].sort())])),
    server_errors_5xx: serverErrors,
    network_errors: statuses.get("network_error") ?? 0,
    timeouts: statuses.get("timeout") ?? 0,
    error_examples: [...networkErrors],
    server_alive_after: alive && health === 200,
    rss_mib: {
      at_start: round(samples[0]!.rssMiB),
      first_after_warmup: round(afterWarmup.rssMiB),
      warmup_requests: afterWarmup.requests,
      last: round(last.rssMiB),
      max: round(Math.max(...samples.map((sample) => sample.rssMiB))),
    },
    growth: round(growth, 4),
    growth_under_10_percent: growth < 0.1,
    samples: samples.map((sample) => [sample.requests, round(sample.rssMiB)]),
  };
  if (values.json) console.log(JSON.stringify(result));
  else console.log(JSON.stringify(result, null, 2));
}
