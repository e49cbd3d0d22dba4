// The extensionTestsPath entry (bundled by the harness into .vscode-test/out/.../index.js).
// VS Code's extension host calls run() once the workbench is up, under the code-server
// runner (harness/run.ts) and under @vscode/test-electron (harness/runElectron.ts) alike.
// It runs mocha over the bundled suites next to it, then — when a browser runner is
// listening — asks it to run the browser-driven tests while the extension is still
// live, writes the counts to $HEARTH_IT_RESULTS, and rejects if anything failed.
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha"; // external: required from the project's node_modules
import { control, currentMode, hasBrowser, screenshot, takeNotes } from "./harness/host";
import { ENV, type HostResults, type TestRecord, type UiPhaseResult } from "./harness/protocol";

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

export async function run(): Promise<void> {
  const started = Date.now();
  const grep = process.env[ENV.grep];
  const mocha = new Mocha({ ui: "bdd", color: false, reporter: "spec", timeout: 30_000, ...(grep ? { grep } : {}) });

  const suitesDir = path.join(__dirname, "suites");
  const files = fs.existsSync(suitesDir) ? fs.readdirSync(suitesDir).filter((name) => name.endsWith(".test.js")).sort() : [];
  for (const name of files) mocha.addFile(path.join(suitesDir, name));

  // A failed test leaves a picture of the workbench behind (where there is a browser).
  mocha.suite.afterEach(async function () {
    const test = this.currentTest;
    if (test?.state === "failed" && hasBrowser()) {
      await screenshot(`failed-${test.fullTitle()}`).catch(() => undefined);
    }
  });

  const tests: TestRecord[] = [];
  await new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run(() => resolve());
      runner.on("pass", (test) => tests.push({ titlePath: test.titlePath(), state: "passed", durationMs: test.duration }));
      runner.on("pending", (test) => tests.push({ titlePath: test.titlePath(), state: "pending" }));
      runner.on("fail", (test, err) => tests.push({ titlePath: test.titlePath(), state: "failed", durationMs: test.duration, error: errorText(err) }));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  }).catch((err: unknown) => {
    tests.push({ titlePath: ["loading the suites"], state: "failed", error: errorText(err) });
  });

  // Browser-driven tests run now, while Hearth is still active in this extension host.
  let ui: UiPhaseResult | undefined;
  if (hasBrowser()) {
    try {
      ui = await control<UiPhaseResult>("ui-phase", {}, 15 * 60_000);
    } catch (err) {
      tests.push({ titlePath: ["running the browser-driven tests"], state: "failed", error: errorText(err) });
    }
  }

  const failed = tests.filter((t) => t.state === "failed");
  const results: HostResults = {
    mode: currentMode(),
    passed: tests.filter((t) => t.state === "passed").length,
    failed: failed.length,
    pending: tests.filter((t) => t.state === "pending").length,
    durationMs: Date.now() - started,
    tests,
    failures: failed.map((t) => ({ title: t.titlePath.join(" › "), error: t.error ?? "" })),
    notes: takeNotes(),
  };
  const resultsFile = process.env[ENV.results];
  if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2) + "\n");

  const uiFailed = ui?.failed ?? 0;
  if (results.failed > 0 || uiFailed > 0) {
    throw new Error(`${results.failed + uiFailed} integration test(s) failed`);
  }
}
