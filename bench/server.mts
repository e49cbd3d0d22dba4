// npm run bench:server -- --model <gguf> [--prompt-tokens 512] [--gen-tokens 64] [--runs 3] [--context-size 4096] [--json]
//
// Measures prompt evaluation and generation speed twice in one run: through Hearth's HTTP
// server (a child process, the openai-style API, SSE) and in-process through node-llama-cpp
// directly, with the same model, context size and thread count, and prints the ratio.
// Target: the server costs less than 5% of throughput.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { resolveThreads } from "../src/server/engine.js";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    "prompt-tokens": { type: "string", default: "512" },
    "gen-tokens": { type: "string", default: "64" },
    runs: { type: "string", default: "3" },
    "context-size": { type: "string", default: "4096" },
    threads: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
if (!values.model) {
  console.error("Usage: npm run bench:server -- --model <file.gguf> [--prompt-tokens 512] [--gen-tokens 64] [--runs 3] [--json]");
  process.exit(2);
}
const modelPath = resolve(values.model);
const promptTokens = Number(values["prompt-tokens"]);
const genTokens = Number(values["gen-tokens"]);
const runs = Number(values.runs);
const contextSize = Number(values["context-size"]);
const threadsArg = values.threads === "auto" ? undefined : Number(values.threads);

interface Speeds {
  prompt_tokens_per_s: number;
  generation_tokens_per_s: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A prompt of at most `count` tokens (as close as whole words allow), distinct per run so no
 * cache helps; `countTokens` is the side's own tokenizer.
 */
async function promptText(run: number, count: number, countTokens: (text: string) => number | Promise<number>): Promise<string> {
  const names = ["alpha", "beta", "gamma", "delta", "omega", "sigma"];
  const words = [`run ${run}`];
  const text = (n: number): string => words.slice(0, n).join(" ");
  while ((await countTokens(text(words.length))) < count) {
    for (let i = words.length, end = words.length * 2; i < end; i++) words.push(`${names[(i * 7 + run) % names.length]}${i % 13}`);
  }
  let low = 1;
  let high = words.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((await countTokens(text(middle))) <= count) low = middle;
    else high = middle - 1;
  }
  return text(low);
}

interface Side {
  promptRate(run: number): Promise<number>;
  generationRate(run: number): Promise<number>;
  close(): Promise<void>;
}

async function inProcess(): Promise<Side & { threads: number }> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  // The server's own rule (one thread for tiny models, the usable cores otherwise).
  const threads = resolveThreads(threadsArg ?? "auto", model.fileInsights.modelSize, llama.cpuMathCores);
  const context = await model.createContext({ contextSize, sequences: 1, threads });
  const sequence = context.getSequence();
  return {
    threads: context.currentThreads,
    async promptRate(run) {
      await sequence.clearHistory();
      const tokens = model.tokenize(await promptText(run, promptTokens, (text) => model.tokenize(text).length));
      const started = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
      return (tokens.length - 1) / ((performance.now() - started) / 1000);
    },
    async generationRate(run) {
      await sequence.clearHistory();
      let generated = 0;
      let firstAt = 0;
      for await (const _token of sequence.evaluate(model.tokenize(`go ${run}`), { temperature: 0 })) {
        if (generated === 0) firstAt = performance.now();
        if (++generated >= genTokens) break;
      }
      return (generated - 1) / ((performance.now() - firstAt) / 1000);
    },
    close: () => llama.dispose(),
  };
}

async function throughServer(): Promise<Side> {
  const token = "bench";
  const child = spawn(process.execPath, [resolve("dist/server.mjs"), "--model", modelPath, "--port", "0", "--context-size", String(contextSize), "--gpu", "cpu", "--threads", values.threads ?? "auto"], {
    env: { ...process.env, HEARTH_SERVER_TOKEN: token },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const ready = JSON.parse(
    await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once("line", done);
      child.once("exit", (code) => fail(new Error(`server exited with ${code}`)));
    }),
  ) as { event: string; port: number; message?: string };
  if (ready.event !== "ready") throw new Error(ready.message);
  const base = `http://127.0.0.1:${ready.port}`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const tokenize = async (content: string): Promise<number> =>
    ((await (await fetch(`${base}/tokenize`, { method: "POST", headers, body: JSON.stringify({ content }) })).json()) as { tokens: number[] }).tokens.length;
  return {
    async promptRate(run) {
      // A fresh prompt (so no cache helps) and one generated token, timed to the answer.
      // The server evaluates the last prompt token together with the first output.
      const text = await promptText(run + 100, promptTokens, tokenize);
      const count = await tokenize(text);
      const started = performance.now();
      const response = await fetch(`${base}/v1/completions`, { method: "POST", headers, body: JSON.stringify({ prompt: text, max_tokens: 1, temperature: 0, hearth: { role: "chat", reuse: false } }) });
      const usage = ((await response.json()) as { usage: { prompt_tokens_details: { cached_tokens: number } } }).usage;
      return (count - usage.prompt_tokens_details.cached_tokens) / ((performance.now() - started) / 1000);
    },
    async generationRate(run) {
      // Stream tokens and time from the first to the last.
      const response = await fetch(`${base}/v1/completions`, { method: "POST", headers, body: JSON.stringify({ prompt: `go ${run}`, max_tokens: genTokens, temperature: 0, stream: true, hearth: { reuse: false } }) });
      const reader = response.body!.getReader();
      let chunks = 0;
      let firstAt = 0;
      let generated = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const line of new TextDecoder().decode(value).split("\n")) {
          if (!line.startsWith("data: {")) continue;
          const event = JSON.parse(line.slice(6)) as { usage?: { completion_tokens: number } };
          if (chunks++ === 0) firstAt = performance.now();
          if (event.usage) generated = event.usage.completion_tokens;
        }
      }
      return (generated - 1) / ((performance.now() - firstAt) / 1000);
    },
    close: async () => {
      child.kill("SIGTERM");
    },
  };
}

// Both sides stay loaded and take turns run by run, so drift in the machine's load (other
// processes, thermal state) falls on both alike.
const direct = await inProcess();
const server = await throughServer();
const rates = { directPrompt: [] as number[], serverPrompt: [] as number[], directGen: [] as number[], serverGen: [] as number[] };
try {
  for (let run = 0; run < runs; run++) {
    rates.directPrompt.push(await direct.promptRate(run));
    rates.serverPrompt.push(await server.promptRate(run));
    rates.directGen.push(await direct.generationRate(run));
    rates.serverGen.push(await server.generationRate(run));
  }
} finally {
  await server.close();
  await direct.close();
}
const inProcessSpeeds: Speeds = { prompt_tokens_per_s: median(rates.directPrompt), generation_tokens_per_s: median(rates.directGen) };
const serverSpeeds: Speeds = { prompt_tokens_per_s: median(rates.serverPrompt), generation_tokens_per_s: median(rates.serverGen) };
const result = {
  benchmark: "server",
  model: modelPath,
  prompt_tokens: promptTokens,
  gen_tokens: genTokens,
  runs,
  context_size: contextSize,
  threads: direct.threads,
  in_process: inProcessSpeeds,
  http_server: serverSpeeds,
  ratio: {
    prompt: serverSpeeds.prompt_tokens_per_s / inProcessSpeeds.prompt_tokens_per_s,
    generation: serverSpeeds.generation_tokens_per_s / inProcessSpeeds.generation_tokens_per_s,
  },
  per_run: rates,
  target: "ratio >= 0.95 (the server costs under 5% of throughput)",
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else console.log(`prompt: ${result.ratio.prompt.toFixed(3)}x, generation: ${result.ratio.generation.toFixed(3)}x of in-process (${JSON.stringify(result)})`);
