// npm run bench:chat -- --model <gguf> [--turns 10] [--max-tokens 48] [--context-size 16384] [--threads auto] [--json]
//
// Multi-turn chat against the real server over HTTP (issue #7, item 8). Each turn sends the
// whole conversation with the earlier answers exactly as they were streamed, and records
// the server's usage: prompt tokens, cached tokens, evaluated tokens, and time to first
// token. Target: from turn 2, evaluated ≤ new message + previous answer + the template's
// few tokens (the check is printed).
import { parseArgs } from "node:util";
import { countTokens, startBenchServer, timedChat } from "./hearthServer.mjs";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    turns: { type: "string", default: "10" },
    "max-tokens": { type: "string", default: "48" },
    "context-size": { type: "string", default: "16384" },
    threads: { type: "string", default: "auto" },
    json: { type: "boolean", default: false },
  },
});
if (!values.model) {
  console.error("Usage: npm run bench:chat -- --model <file.gguf> [--turns 10] [--max-tokens 48] [--context-size 16384] [--json]");
  process.exit(2);
}
const turns = Number(values.turns);
const maxTokens = Number(values["max-tokens"]);
/** Chat template tokens around a new user message and the answer's opening, with margin. */
const TEMPLATE_ALLOWANCE = 24;

const questions = [
  "How does the completion provider decide when to stop generating?",
  "Which part of the server keeps checkpoints, and why per role?",
  "What happens when the client disconnects during a long prefill?",
  "Explain how the state files are validated before loading.",
  "Why does the chat template keep past thoughts as generated?",
  "Where would you add a new route to the gateway?",
  "How is the repo context sized on a machine without a GPU?",
  "What does the supervisor do when the server crashes?",
  "How are secrets kept out of requests that leave the machine?",
  "Summarise the design in three sentences.",
];
const system = "You are Hearth, a local coding assistant inside VS Code. Answer briefly and precisely; cite files as path:line. ".repeat(4);

const server = await startBenchServer(["--model", values.model, "--context-size", values["context-size"]!, "--threads", values.threads!]);
const rows: Array<Record<string, number | boolean>> = [];
try {
  const messages: Array<{ role: string; content: string }> = [{ role: "system", content: system }];
  let previousAnswer = "";
  for (let turn = 1; turn <= turns; turn++) {
    const question = `${questions[(turn - 1) % questions.length]} (turn ${turn})`;
    messages.push({ role: "user", content: question });
    const measure = await timedChat(server, messages, { maxTokens, hearth: { role: "chat" } });
    const evaluated = measure.promptTokens - measure.cachedTokens;
    const newTokens = await countTokens(server, question);
    const answerTokens = turn === 1 ? 0 : await countTokens(server, previousAnswer);
    const bound = newTokens + answerTokens + TEMPLATE_ALLOWANCE;
    rows.push({
      turn,
      prompt_tokens: measure.promptTokens,
      cached_tokens: measure.cachedTokens,
      evaluated_tokens: evaluated,
      new_message_tokens: newTokens,
      previous_answer_tokens: answerTokens,
      ttft_ms: Math.round(measure.ttftMs),
      ...(turn >= 2 ? { within_target: evaluated <= bound } : {}),
    });
    // Each turn on stderr as it ends, so a long run cut short still says something.
    console.error(JSON.stringify(rows.at(-1)));
    messages.push({ role: "assistant", content: measure.text });
    previousAnswer = measure.text;
  }
} finally {
  await server.stop();
}
const later = rows.filter((row) => row.turn !== 1);
const result = {
  benchmark: "chat",
  model: values.model,
  turns,
  max_tokens: maxTokens,
  per_turn: rows,
  check: {
    target: `from turn 2: evaluated ≤ new message + previous answer + ${TEMPLATE_ALLOWANCE} template tokens`,
    pass: later.every((row) => row.within_target === true),
    worst_overhead_tokens: Math.max(0, ...later.map((row) => Number(row.evaluated_tokens) - Number(row.new_message_tokens) - Number(row.previous_answer_tokens))),
  },
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  for (const row of rows) console.log(`turn ${String(row.turn).padStart(2)}: prompt ${row.prompt_tokens}, cached ${row.cached_tokens}, evaluated ${row.evaluated_tokens} (new ${row.new_message_tokens} + answer ${row.previous_answer_tokens}), TTFT ${row.ttft_ms} ms`);
  console.log(`check: ${result.check.pass ? "PASS" : "FAIL"} — ${result.check.target}; worst overhead ${result.check.worst_overhead_tokens} tokens`);
}
