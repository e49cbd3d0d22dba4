// npm run bench:agent -- --model <gguf> [--steps 8] [--max-tokens 256] [--context-size 16384] [--threads auto] [--json]
//
// An agent's tool loop against the real server over HTTP (issue #20, item 5), driven by the
// openai SDK with streaming: a system message, three tools (read_file, search, list_dir),
// a question, then each step sends the whole conversation back with the model's tool call
// and the tool's result (a slice of a real source file here, as an agent reading code gets).
// tool_choice "required": a generated model's text is noise, so its calls come from the
// grammar the server builds from the tools' parameter schemas (maxLength bounds the strings).
//
// Per step: prompt tokens, cached and evaluated tokens, the tokens the step added to the
// prompt (the previous call and its result, the new turn's header), and time to first token
// (the server's: restore + prefill + first generated token; and the client's, to the first
// streamed delta, which for a call is the whole call). Target: from step 2, evaluated ≤
// added + 32.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { startBenchServer } from "./hearthServer.mjs";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    steps: { type: "string", default: "8" },
    "max-tokens": { type: "string", default: "256" },
    "context-size": { type: "string", default: "16384" },
    threads: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
if (!values.model) {
  console.error("Usage: npm run bench:agent -- --model <file.gguf> [--steps 8] [--max-tokens 256] [--context-size 16384] [--json]");
  process.exit(2);
}
const steps = Number(values.steps);
const maxTokens = Number(values["max-tokens"]);
const SLACK = 32;

const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "read_file", description: "Read a file of the workspace, or some of its lines.", parameters: { type: "object", properties: { path: { type: "string", description: "Path relative to the workspace root.", maxLength: 64 }, start_line: { type: "integer" }, end_line: { type: "integer" } }, required: ["path"] } } },
  { type: "function", function: { name: "search", description: "Search the workspace for text.", parameters: { type: "object", properties: { query: { type: "string", maxLength: 64 }, regex: { type: "boolean" } }, required: ["query"] } } },
  { type: "function", function: { name: "list_dir", description: "List a folder of the workspace.", parameters: { type: "object", properties: { path: { type: "string", maxLength: 64 } }, required: ["path"] } } },
];

/** What the tools answer: 40-line slices of this repository's server sources, a new one each step. */
const sources = ["src/server/http.ts", "src/server/engine.ts", "src/server/prefill.ts", "src/server/toolCalls.ts"].map((file) => readFileSync(resolve(import.meta.dirname, "..", file), "utf8").split("\n"));
function toolResult(step: number): string {
  const lines = sources[step % sources.length]!;
  const start = (step * 40) % Math.max(1, lines.length - 40);
  return lines.slice(start, start + 40).join("\n");
}

const server = await startBenchServer(["--model", values.model, "--context-size", values["context-size"]!, "--threads", values.threads!]);
const client = new OpenAI({ baseURL: `${server.base}/v1`, apiKey: "bench-token", maxRetries: 0 });
const rows: Array<Record<string, number | boolean | string>> = [];
try {
  const messages: OpenAI.ChatCompletionMessageParam[] = [
    { role: "system", content: "You are Hearth, a coding agent inside VS Code. Use the tools to read the code before you answer; cite files as path:line." },
    { role: "user", content: "Where does the server decide which prompt tokens it can reuse, and what does a tool loop cost per step?" },
  ];
  let previousPrompt = 0;
  for (let step = 1; step <= steps; step++) {
    const started = performance.now();
    let firstDeltaMs = -1;
    const stream = await client.chat.completions.create({ model: "hearth", messages, tools, tool_choice: "required", max_tokens: maxTokens, temperature: 0.7, seed: step, stream: true, stream_options: { include_usage: true } });
    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let content = "";
    let finish: string | null = null;
    let usage: (OpenAI.CompletionUsage & { hearth?: { timings?: Record<string, number> } }) | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content || choice?.delta.tool_calls) firstDeltaMs = firstDeltaMs < 0 ? performance.now() - started : firstDeltaMs;
      content += choice?.delta.content ?? "";
      for (const delta of choice?.delta.tool_calls ?? []) {
        const call = (calls[delta.index] ??= { id: "", name: "", arguments: "" });
        call.id ||= delta.id ?? "";
        call.name += delta.function?.name ?? "";
        call.arguments += delta.function?.arguments ?? "";
      }
      finish = choice?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    if (!usage) throw new Error("no usage in the stream");
    const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
    const evaluated = usage.prompt_tokens - cached;
    const added = usage.prompt_tokens - previousPrompt;
    const timings = usage.hearth?.timings ?? {};
    rows.push({
      step,
      prompt_tokens: usage.prompt_tokens,
      cached_tokens: cached,
      evaluated_tokens: evaluated,
      added_tokens: added,
      completion_tokens: usage.completion_tokens,
      finish_reason: String(finish),
      tool_calls: calls.length,
      ttft_ms: Math.round((timings["restore_ms"] ?? 0) + (timings["prefill_ms"] ?? 0) + (timings["first_token_ms"] ?? 0)),
      prefill_ms: Math.round(timings["prefill_ms"] ?? 0),
      first_delta_ms: Math.round(firstDeltaMs),
      ...(step >= 2 ? { within_target: evaluated <= added + SLACK } : {}),
    });
    console.error(JSON.stringify(rows.at(-1)));
    previousPrompt = usage.prompt_tokens;
    if (calls.length === 0) throw new Error(`step ${step}: the model answered without a tool call (finish_reason ${String(finish)}): ${content.slice(0, 200)}`);
    messages.push({ role: "assistant", content: content === "" ? null : content, tool_calls: calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })) });
    for (const [index, call] of calls.entries()) messages.push({ role: "tool", tool_call_id: call.id, content: toolResult(step * 4 + index) });
  }
} finally {
  await server.stop();
}
const later = rows.filter((row) => row.step !== 1);
const result = {
  benchmark: "agent",
  model: values.model,
  steps,
  max_tokens: maxTokens,
  tool_calls_from: "grammar (tool_choice required: GBNF from the tools' parameter schemas)",
  per_step: rows,
  check: {
    target: `from step 2: evaluated ≤ tokens the step added (previous call, tool results, header) + ${SLACK}`,
    pass: later.length > 0 && later.every((row) => row.within_target === true),
    worst_overhead_tokens: Math.max(0, ...later.map((row) => Number(row.evaluated_tokens) - Number(row.added_tokens))),
  },
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  for (const row of rows) console.log(`step ${String(row.step).padStart(2)}: prompt ${row.prompt_tokens}, cached ${row.cached_tokens}, evaluated ${row.evaluated_tokens} (added ${row.added_tokens}), TTFT ${row.ttft_ms} ms, first delta ${row.first_delta_ms} ms`);
  console.log(`check: ${result.check.pass ? "PASS" : "FAIL"} — ${result.check.target}; worst overhead ${result.check.worst_overhead_tokens} tokens`);
}
