// The real Hearth server as benchmarks drive it: a child process over HTTP, chat requests
// streamed with time to first token and the server's own usage and progress figures.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

export interface BenchServer {
  base: string;
  child: ChildProcess;
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

const TOKEN = "bench-token";

export async function startBenchServer(args: string[]): Promise<BenchServer> {
  const child = spawn(process.execPath, [resolve("dist/server.mjs"), "--port", "0", "--gpu", "cpu", ...args], {
    env: { ...process.env, HEARTH_SERVER_TOKEN: TOKEN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once("line", done);
    child.once("exit", (code) => fail(new Error(`server exited with ${code}: ${stderr}`)));
  });
  const ready = JSON.parse(line) as Record<string, unknown>;
  if (ready.event !== "ready") throw new Error(String(ready.message));
  return {
    base: `http://127.0.0.1:${String(ready.port)}`,
    child,
    ready,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

export async function serverJson<T>(server: BenchServer, path: string, body?: unknown, method = body === undefined ? "GET" : "POST"): Promise<T> {
  const response = await fetch(`${server.base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export async function countTokens(server: BenchServer, content: string, role: "chat" | "repo" = "chat", parseSpecial = false): Promise<number> {
  return (await serverJson<{ tokens: number[] }>(server, "/tokenize", { content, role, parse_special: parseSpecial })).tokens.length;
}

export interface ChatMeasure {
  text: string;
  ttftMs: number;
  promptTokens: number;
  cachedTokens: number;
  diskTokens: number;
  /** Prefill speed from the server's progress chunks (evaluated tokens over their span). */
  progressTokensPerS?: number;
  /** The server's own account of where the time went (usage.hearth.timings), ms. */
  serverTimings?: Record<string, number>;
}

export async function timedChat(server: BenchServer, messages: Array<{ role: string; content: string }>, options: { maxTokens: number; hearth?: Record<string, unknown> }): Promise<ChatMeasure> {
  const started = performance.now();
  const response = await fetch(`${server.base}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ messages, max_tokens: options.maxTokens, temperature: 0, seed: 1, stream: true, stream_options: { include_usage: true }, ...(options.hearth ? { hearth: options.hearth } : {}) }),
  });
  if (!response.ok || !response.body) throw new Error(`chat: ${response.status} ${await response.text()}`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let ttftMs = -1;
  let usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number }; hearth?: { disk_tokens: number; timings?: Record<string, number> } } | undefined;
  const progress: Array<{ at: number; evaluated: number }> = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      if (!event.startsWith("data: {")) continue;
      const chunk = JSON.parse(event.slice(6)) as { object?: string; hearth?: { evaluated: number }; usage?: typeof usage; choices?: Array<{ delta?: { content?: string; reasoning_content?: string } }> };
      if (chunk.object === "hearth.progress") {
        progress.push({ at: performance.now(), evaluated: chunk.hearth!.evaluated });
        continue;
      }
      const delta = chunk.choices?.[0]?.delta;
      if ((delta?.content || delta?.reasoning_content) && ttftMs < 0) ttftMs = performance.now() - started;
      if (delta?.content) text += delta.content;
      if (chunk.usage) usage = chunk.usage;
    }
  }
  if (!usage) throw new Error("no usage in the stream");
  if (ttftMs < 0) ttftMs = performance.now() - started;
  const first = progress[0];
  const last = progress.at(-1);
  const progressTokensPerS = first && last && last.at > first.at ? ((last.evaluated - first.evaluated) * 1000) / (last.at - first.at) : undefined;
  return { text, ttftMs, promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details.cached_tokens, diskTokens: usage.hearth?.disk_tokens ?? 0, progressTokensPerS, serverTimings: usage.hearth?.timings };
}
