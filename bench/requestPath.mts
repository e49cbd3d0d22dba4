// How many of Hearth's own source files one request runs code in, on the extension's side,
// from the feature's entry to the HTTP request and back: an inline completion (the core
// completion engine) and a chat message (the core chat session; before chat moved into core,
// its session lived in src/vscode and could not run here), each through the real
// gateway and local provider to the real server on the tiny model.
//
// Counted with V8's precise coverage: after a warm-up request (modules loaded, caches
// filled), the counters are reset, one more request runs, and every file under src/ with a
// function that ran in that window is counted (barrels, index.ts, are not: only their
// re-export getters run). The server runs in its own process and is
// not counted (its path is the same for every feature: http.ts → requestSchemas → engine).
// The VS Code adapter in front of each feature (inlineProvider.ts, chatViewProvider.ts) is
// not loaded here: add one for each when comparing with the extension as a whole.
//
//   npm run bench:path -- [--json]
import { Session } from "node:inspector/promises";
import { relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CompletionTarget } from "../src/core/complete/completionEngine.js";

/** Benchmarks run from the repository's root (`npm run bench:path`). */
const REPO_ROOT = resolve(".");

const { values } = parseArgs({ options: { json: { type: "boolean", default: false } } });

interface FunctionCoverage {
  readonly ranges: readonly { readonly count: number }[];
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly FunctionCoverage[];
}

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });
// Loaded only now: V8 counts calls exactly in code compiled after coverage started.
const { CompletionEngine, DEFAULT_COMPLETION_SETTINGS } = await import("../src/core/complete/completionEngine.js");
const { ContextRing } = await import("../src/core/complete/contextRing.js");
const { linesOfText } = await import("../src/core/complete/documentLines.js");
const { TokenEstimator } = await import("../src/core/complete/tokenEstimate.js");
const { ensureTestModel } = await import("../test/fixtures/models.js");
const { localGateway } = await import("../test/support/localGateway.js");
const { startBenchServer } = await import("./hearthServer.mjs");
const { ChatSession } = await import("../src/core/chat/index.js");
const { MemoryLogger } = await import("../src/core/logger.js");
const { MemoryEditor } = await import("../test/unit/core/edit/memoryEditor.js");

/** Source files under src/ with a function that ran since the last call; the counters start again at zero. */
async function filesRun(): Promise<string[]> {
  const { result } = (await session.post("Profiler.takePreciseCoverage")) as unknown as { result: ScriptCoverage[] };
  const files = new Set<string>();
  for (const script of result) {
    if (!script.url.startsWith("file:")) continue;
    const path = relative(REPO_ROOT, fileURLToPath(script.url)).split(sep).join("/");
    // A barrel's only functions are its re-exports' getters: a name passes through it, no request does.
    if (!path.startsWith("src/") || path.endsWith("/index.ts")) continue;
    if (script.functions.some((f) => f.ranges[0] !== undefined && f.ranges[0].count > 0)) files.add(path);
  }
  return [...files].sort();
}

const server = await startBenchServer(["--model", await ensureTestModel({ arch: "qwen35" }), "--context-size", "4096"]);
const report: Record<string, { files: number; list: string[] }> = {};
try {
  const gateway = localGateway({ baseUrl: `${server.base}/v1`, token: "bench-token" }, { contextTokens: 4096 });

  // Inline completion: the engine as the editor drives it (manual trigger: no debounce wait).
  const estimator = new TokenEstimator();
  const engine = new CompletionEngine({ port: gateway.port("completion"), ring: new ContextRing(estimator), estimator, settings: () => DEFAULT_COMPLETION_SETTINGS });
  const target: CompletionTarget = { key: "local", model: String(server.ready.model), hearth: true, fim: server.ready.fim === true, rawPrompts: true };
  const complete = (text: string) => {
    const lines = text.split("\n");
    const position = { line: lines.length - 1, character: lines.at(-1)!.length };
    return engine.complete({ document: linesOfText(text), path: "src/area.ts", scope: "bench", languageId: "typescript", position, repoName: "bench", manual: true }, () => target, new AbortController().signal);
  };
  await complete("export function area(r: number): number {\n  return Math.PI * ");
  await filesRun();
  await complete("export function area(r: number): number {\n  return Math.PI * r");
  const completion = await filesRun();
  report.completion = { files: completion.length, list: completion };

  // A chat message: the core chat session with an open document (nothing attached), as the chat view drives it.
  const values = new Map<string, unknown>();
  const store = { get: <T,>(key: string) => values.get(key) as T | undefined, update: async (key: string, value: unknown) => void values.set(key, value) };
  const chat = new ChatSession({ model: gateway.port("chat"), editor: new MemoryEditor().open("src/area.ts", "export const area = (r: number) => Math.PI * r * r;\n"), store, log: new MemoryLogger() });
  chat.connect(() => undefined);
  await chat.send("What does area compute?");
  await filesRun();
  await chat.send("And for a radius of 2?");
  const message = await filesRun();
  report.chat = { files: message.length, list: message };
} finally {
  await server.stop();
  session.disconnect();
}

if (values.json) console.log(JSON.stringify(report, null, 2));
else for (const [name, { files, list }] of Object.entries(report)) console.log(`${name}: ${files} files\n  ${list.join("\n  ")}`);
