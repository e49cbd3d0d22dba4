// npm run bench:chatview [-- --bytes 1000000 --seconds 12] [--json]
//
// The chat view under a huge answer, in the real workbench (issue #21, item 3): runs the
// browser-driven benchmark test/integration/ui/chatviewBench.ui.ts through the integration
// harness (code-server's VS Code + headless Chromium, trusted pass only; `npm run build`
// first) and prints its figures as JSON: p95 input latency while a 1 MB answer streams
// (keydown → the frame that shows the key), the longest gap between animation frames in
// the webview, and the time from Stop to idle. Targets: ≤ 50 ms, ≤ 100 ms, ≤ 200 ms.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

// --json is accepted like the other benchmarks' (the figures are always JSON).
const { values } = parseArgs({ options: { bytes: { type: "string", default: "1000000" }, seconds: { type: "string", default: "12" }, json: { type: "boolean", default: true } } });
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-bench-chatview-")), "result.json");
const run = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "test/integration/harness/run.ts"), "--suite", "chatviewBench", "--mode", "trusted", "--timeout", "600"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, HEARTH_BENCH_CHATVIEW_OUT: out, HEARTH_BENCH_CHATVIEW_BYTES: values.bytes, HEARTH_BENCH_CHATVIEW_SECONDS: values.seconds },
});
if (!fs.existsSync(out)) {
  console.error(`bench:chatview: the benchmark wrote no figures (harness exit ${run.status ?? run.signal}); see test-results/trusted/.`);
  process.exit(1);
}
const result = JSON.parse(fs.readFileSync(out, "utf8")) as {
  inputLatencyMs: { p95: number | null };
  longestStallMs: number | null;
  stop: { stopToIdleMs: number | null };
  targets: { inputLatencyP95Ms: number; longestStallMs: number; stopToIdleMs: number };
};
fs.rmSync(path.dirname(out), { recursive: true, force: true });
const within = (value: number | null, target: number): boolean => value !== null && value <= target;
const met = {
  inputLatencyP95: within(result.inputLatencyMs.p95, result.targets.inputLatencyP95Ms),
  longestStall: within(result.longestStallMs, result.targets.longestStallMs),
  stopToIdle: within(result.stop.stopToIdleMs, result.targets.stopToIdleMs),
};
console.log(JSON.stringify({ ...result, met }, null, 2));
