// Runs Hearth's integration tests in a real VS Code (code-server's builds of VS Code,
// see scripts/install-test-vscode.sh and vscodeVersions.json) driven by headless Chromium.
//
//   npx tsx test/integration/harness/run.ts [--vscode min|latest] [--grep <regexp>]
//       [--suite <name part>] [--mode trusted|restricted|multiRoot] [--workspace <dir>]
//       [--multi-root] [--keep] [--timeout <s, whole run, default 900 per VS Code>]
//       [--pass-timeout <s, default 420>]
//
// --vscode (repeatable; default both): "min" is the oldest VS Code Hearth supports
// (1.100.3, on this Node 20), "latest" the newest code-server when pinned (on its own Node
// from .vscode-test/). Each runs every pass; the latest's artifacts go to
// test-results/vscode-latest/.
//
// Per pass (trusted, Restricted Mode, then multiRoot, which runs only the multi-root suite): a
// fresh copy of the fixture workspace, user-data dir and VS Code server (the multiRoot pass, or
// --multi-root for every pass: two copies of it, "one" and "two", opened as a multi-root
// workspace through a .code-workspace file); the workbench opened with this repository as an
// extension under development (so `npm run build` must have run) and the bundled
// test/integration/index.ts as its tests (see workbenchPage.ts). The extension host runs the
// mocha suites, then asks this process (control server) to run the browser-driven tests
// (test/integration/ui/*.ui.ts) against the same workbench; the counts come back
// through a results file. Every process started is ended, whatever happens.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { ControlServer } from "./control";
import { ensureTestModel } from "../../fixtures/models";
import { PASSES, type Pass } from "./passes";
import { ProcessTracker } from "./processes";
import { ENV, PASS_NAMES, type HostResults, type PassName, type ScreenshotRequest, type TestRecord, type UiPhaseResult } from "./protocol";
import { printReport, type PassReport } from "./report";
import { ARTIFACTS_DIR, DEFAULT_WORKSPACE, INTEGRATION_DIR, REPO_ROOT, bundleHostTests, copyWorkspace, listUiTestFiles, mapStack, writeUserSettings } from "./setup";
import { createUiContext, screenshotPath, type UiTest } from "./ui";
import { VSCODE_TARGET_NAMES, vscodeTarget, type VsCodeTarget, type VsCodeTargetName } from "./vscode";
import { TimeoutError, waitFor, withTimeout } from "./wait";
import { routeWorkbenchPage } from "./workbenchPage";

/** Loaded beside Hearth, also under development: a second extension that calls Hearth's models through vscode.lm (suites/languageModel.test.ts). */
const TEST_EXTENSIONS = [path.join(INTEGRATION_DIR, "lmClient")];
const CHROMIUM = process.env.HEARTH_IT_CHROMIUM ?? "/usr/bin/chromium";
// No popup blocker: desktop VS Code opens outside links through the OS, never a blockable
// window.open, and a link opened after a round trip through the extension host has lost the
// click's user activation by then (a chat link test once saw its second open blocked on 1.139.1).
const CHROMIUM_ARGS = ["--disable-popup-blocking", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

interface Options {
  grep?: string;
  suite?: string;
  modes: PassName[];
  targets: VsCodeTargetName[];
  workspace: string;
  multiRoot: boolean;
  keep: boolean;
  timeoutMs: number;
  passTimeoutMs: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      grep: { type: "string", short: "g" },
      suite: { type: "string" },
      mode: { type: "string", multiple: true },
      vscode: { type: "string", multiple: true },
      workspace: { type: "string" },
      timeout: { type: "string" },
      "pass-timeout": { type: "string" },
      keep: { type: "boolean", default: false },
      "multi-root": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(fs.readFileSync(__filename, "utf8").split("\n").slice(0, 12).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
    process.exit(0);
  }
  const modes = (values.mode ?? [...PASS_NAMES]).map((mode) => {
    const known = PASS_NAMES.find((name) => name === mode);
    if (!known) throw new UsageError(`--mode must be one of ${PASS_NAMES.join(", ")}, not "${mode}"`);
    return known;
  });
  const targets = (values.vscode ?? [...VSCODE_TARGET_NAMES]).map((name) => {
    const known = VSCODE_TARGET_NAMES.find((n) => n === name);
    if (!known) throw new UsageError(`--vscode must be one of ${VSCODE_TARGET_NAMES.join(", ")}, not "${name}"`);
    return known;
  });
  const seconds = (value: string | undefined, fallback: number, flag: string) => {
    if (value === undefined) return fallback * 1000;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a number of seconds, not "${value}"`);
    return n * 1000;
  };
  if (values.grep !== undefined) {
    try {
      new RegExp(values.grep);
    } catch {
      throw new UsageError(`--grep takes a regular expression; "${values.grep}" is not one`);
    }
  }
  return {
    grep: values.grep,
    suite: values.suite,
    modes,
    targets: [...new Set(targets)],
    workspace: path.resolve(values.workspace ?? DEFAULT_WORKSPACE),
    keep: values.keep ?? false,
    multiRoot: values["multi-root"] ?? false,
    timeoutMs: seconds(values.timeout, 900 * new Set(targets).size, "--timeout"),
    passTimeoutMs: seconds(values["pass-timeout"], 420, "--pass-timeout"),
  };
}

class UsageError extends Error {}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function errorText(err: unknown): string {
  if (err instanceof TimeoutError) return err.message; // where it timed out is in the message
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** Everything the run holds that must be released, whatever happens. */
class Run {
  readonly id = randomUUID();
  /** Finds every process marked with this run's id, whichever pass started it. */
  readonly tracker = new ProcessTracker(this.id, ENV.runId);
  /** One per pass: ends that pass's server and what it started, not the browser. */
  readonly passTrackers: ProcessTracker[] = [];
  readonly control = new ControlServer();
  controlUrl = "";
  browser: Browser | undefined;
  watchdog: ChildProcess | undefined;
  /** The bundled host tests: inside the extension folder (see bundleHostTests). */
  readonly outDir = path.join(REPO_ROOT, ".vscode-test", "out", `run-${process.pid}`);
  /** Workspace copies, user-data and server-data folders of all passes. */
  readonly tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-it-"));
  private cleaning: Promise<void> | undefined;

  constructor(readonly options: Options) {}

  startWatchdog(): void {
    // Same node and loader flags as this process (tsx), so the .ts file runs.
    this.watchdog = spawn(process.execPath, [...process.execArgv, path.join(__dirname, "watchdog.ts"), String(process.pid), ENV.runId, this.id, this.outDir, ...(this.options.keep ? [] : [this.tempRoot])], {
      detached: true,
      stdio: "ignore",
      env: { ...process.env, [ENV.runId]: "" },
    });
    this.watchdog.unref();
  }

  cleanup(): Promise<void> {
    this.cleaning ??= (async () => {
      await withTimeout(this.browser?.close() ?? Promise.resolve(), 10_000, "browser close").catch(() => undefined);
      for (const tracker of this.passTrackers) await tracker.killAll(3000);
      const left = await this.tracker.killAll(3000);
      if (left.length > 0) console.error(`[harness] had to SIGKILL ${left.length} process(es): ${left.join(", ")}`);
      await this.control.close().catch(() => undefined);
      if (this.watchdog?.pid !== undefined) {
        try {
          process.kill(this.watchdog.pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
      fs.rmSync(this.outDir, { recursive: true, force: true });
      if (!this.options.keep) fs.rmSync(this.tempRoot, { recursive: true, force: true });
      else console.error(`[harness] kept ${this.tempRoot}`);
    })();
    return this.cleaning;
  }
}

async function loadUiTests(suite: string | undefined): Promise<UiTest[]> {
  const tests: UiTest[] = [];
  for (const file of listUiTestFiles(suite)) {
    const mod = (await import(pathToFileURL(file).href)) as { default?: UiTest[] | { default?: UiTest[] } };
    // tsx may hand a CommonJS-compiled module back as { default: { default: [...] } }.
    const exported = Array.isArray(mod.default) ? mod.default : mod.default?.default;
    if (!Array.isArray(exported)) throw new Error(`${path.relative(REPO_ROOT, file)} must default-export defineUiTests([...])`);
    tests.push(...exported);
  }
  return tests;
}

async function runUiTests(tests: UiTest[], page: Page, pass: Pass, workspace: string, grep: RegExp | undefined, artifacts: string): Promise<TestRecord[]> {
  const records: TestRecord[] = [];
  const ui = createUiContext(page, pass.name, workspace, artifacts);
  for (const test of tests) {
    if (test.modes && !test.modes.includes(pass.name)) continue;
    if (grep && !grep.test(test.title)) continue;
    const started = Date.now();
    try {
      await withTimeout(test.run(ui), test.timeoutMs ?? 60_000, `timed out after ${test.timeoutMs ?? 60_000} ms`);
      records.push({ titlePath: [test.title], state: "passed", durationMs: Date.now() - started });
    } catch (err) {
      records.push({ titlePath: [test.title], state: "failed", durationMs: Date.now() - started, error: errorText(err) });
      await page.screenshot({ path: screenshotPath(artifacts, `failed-browser-${test.title}`, pass.name) }).catch(() => undefined);
    }
  }
  return records;
}

/** Where a VS Code's screenshots and logs go: test-results/ for min, test-results/vscode-<name>/ otherwise. */
function artifactsDir(target: VsCodeTarget): string {
  return target.name === "min" ? ARTIFACTS_DIR : path.join(ARTIFACTS_DIR, `vscode-${target.name}`);
}

async function runPass(run: Run, browser: Browser, target: VsCodeTarget, pass: Pass, testsEntry: string, uiTests: UiTest[]): Promise<PassReport> {
  const started = Date.now();
  const { options } = run;
  const name = options.targets.length > 1 ? `${pass.name} @ VS Code ${target.vscodeVersion}` : pass.name;
  const report: PassReport = { name, description: pass.description, ui: [], errors: [], durationMs: 0 };
  const artifacts = artifactsDir(target);
  const passArtifacts = path.join(artifacts, pass.name);
  const shownArtifacts = path.relative(REPO_ROOT, passArtifacts);
  fs.rmSync(passArtifacts, { recursive: true, force: true });
  fs.mkdirSync(passArtifacts, { recursive: true });

  const workDir = path.join(run.tempRoot, target.name, pass.name);
  fs.mkdirSync(workDir, { recursive: true });
  const workspace = copyWorkspace(options.workspace, path.join(workDir, "workspace"));
  const opened: Record<string, string> = options.multiRoot || pass.multiRoot === true ? { workspace: multiRootWorkspace(options.workspace, workspace, workDir) } : { folder: workspace };
  const userDataDir = path.join(workDir, "user-data");
  const resultsFile = path.join(workDir, "results.json");
  writeUserSettings(userDataDir, pass.settings);

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const serverLog = fs.createWriteStream(path.join(passArtifacts, "server.log"));
  const tracker = new ProcessTracker(`${run.id}/${pass.name}`, ENV.runId);
  run.passTrackers.push(tracker);
  const server = tracker.spawn(target.node, [
    target.serverMain, "--host", "127.0.0.1", "--port", String(port), "--without-connection-token", "--accept-server-license-terms",
    "--telemetry-level", "off", "--server-data-dir", path.join(workDir, "server-data"), "--user-data-dir", userDataDir,
  ], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      [ENV.mode]: pass.name,
      [ENV.results]: resultsFile,
      [ENV.control]: run.controlUrl,
      [ENV.controlToken]: run.control.token,
      [ENV.grep]: pass.only ?? options.grep ?? "",
      [ENV.artifacts]: artifacts,
    },
  });
  server.stdout?.pipe(serverLog);
  server.stderr?.pipe(serverLog);
  const serverExited = new Promise<string>((resolve) => server.once("exit", (code, sig) => resolve(`the VS Code server exited (${sig ?? code}); see ${shownArtifacts}/server.log`)));
  tracker.watch(500);

  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let uiRan = false;
  try {
    await Promise.race([
      waitFor("the VS Code server to answer", async () => (await fetch(`http://${authority}/version`).catch(() => undefined))?.ok, { timeoutMs: 30_000, intervalMs: 200 }),
      serverExited.then((why) => Promise.reject(new Error(why))),
    ]);

    // local-network-access: the workbench page comes from the runner (workbenchPage.ts), so
    // Chromium no longer knows it as a loopback page and would block its WebSocket to the server.
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ["local-network-access"] });
    page = await context.newPage();
    const livePage = page;
    const consoleLog = fs.createWriteStream(path.join(passArtifacts, "console.log"));
    page.on("console", (msg) => consoleLog.write(`[${msg.type()}] ${msg.text()}\n`));
    page.on("pageerror", (err) => consoleLog.write(`[pageerror] ${err.message}\n`));

    let exited!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    // The web workbench calls this when extensionTestsPath's run() settles (0: resolved).
    await page.exposeFunction("codeAutomationExit", (code: number) => exited(code));
    const crashed = new Promise<string>((resolve) => livePage.on("crash", () => resolve("the workbench page crashed")));

    run.control.handle("screenshot", async (body) => {
      const { name } = body as ScreenshotRequest;
      const file = screenshotPath(artifacts, String(name), pass.name);
      await livePage.screenshot({ path: file });
      return { path: file };
    });
    run.control.handle("ui-phase", async (): Promise<UiPhaseResult> => {
      uiRan = true;
      const grep = pass.only ?? options.grep;
      report.ui = await runUiTests(uiTests, livePage, pass, workspace, grep ? new RegExp(grep) : undefined, artifacts);
      return { passed: report.ui.filter((t) => t.state === "passed").length, failed: report.ui.filter((t) => t.state === "failed").length };
    });

    const origin = `http://${authority}`;
    const workbench = await routeWorkbenchPage(page, origin, authority, {
      extensions: [REPO_ROOT, ...TEST_EXTENSIONS.filter((dir) => fs.existsSync(dir))],
      extensionTestsPath: testsEntry,
    });
    await page.goto(`${origin}/?${new URLSearchParams(opened).toString()}`, { waitUntil: "domcontentloaded" });

    const outcome = await withTimeout(
      Promise.race([
        exitCode.then((code) => ({ code })),
        crashed.then((why) => ({ error: why })),
        workbench.failed.then((why) => ({ error: why })),
        serverExited.then((why) => ({ error: why })),
      ]),
      options.passTimeoutMs,
      `timed out after ${options.passTimeoutMs / 1000} s waiting for the extension host's tests (see ${shownArtifacts}/)`,
    );
    if ("error" in outcome) report.errors.push(outcome.error);

    if (fs.existsSync(resultsFile)) {
      const host = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as HostResults;
      for (const test of host.tests) if (test.error) test.error = mapStack(test.error, run.outDir);
      for (const failure of host.failures) failure.error = mapStack(failure.error, run.outDir);
      report.host = host;
    } else {
      report.errors.push(`the extension host wrote no results${"code" in outcome ? ` (run() ended with code ${outcome.code})` : ""}; see ${shownArtifacts}/console.log`);
    }
    if ("code" in outcome && outcome.code !== 0 && report.host && report.host.failed === 0 && !report.ui.some((t) => t.state === "failed")) {
      report.errors.push(`run() failed (code ${outcome.code}) although no test failed; see ${shownArtifacts}/console.log`);
    }
  } catch (err) {
    report.errors.push(errorText(err));
  } finally {
    const failed = report.errors.length > 0 || (report.host?.failed ?? 0) > 0 || report.ui.some((t) => t.state === "failed");
    if (failed && page && !page.isClosed()) {
      await withTimeout(page.screenshot({ path: screenshotPath(artifacts, "failed-workbench", pass.name) }), 10_000, "screenshot").catch(() => undefined);
    }
    if (!uiRan && report.errors.length > 0 && uiTests.some((t) => !t.modes || t.modes.includes(pass.name))) {
      report.errors.push("the browser-driven tests did not run (the extension host never asked for them)");
    }
    await withTimeout(context?.close() ?? Promise.resolve(), 10_000, "context close").catch(() => undefined);
    await tracker.killAll(3000);
    serverLog.end();
    if (failed) {
      const logs = path.join(userDataDir, "logs");
      if (fs.existsSync(logs)) fs.cpSync(logs, path.join(passArtifacts, "logs"), { recursive: true });
    }
    report.durationMs = Date.now() - started;
  }
  return report;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!fs.existsSync(path.join(REPO_ROOT, "dist/extension.js"))) throw new UsageError("dist/extension.js is missing: run `npm run build` first.");
  const targets = options.targets.map(vscodeTarget);
  for (const target of targets) if (target.missing) throw new UsageError(target.missing);
  if (!fs.existsSync(CHROMIUM)) throw new UsageError(`Chromium not found at ${CHROMIUM}: install Debian's \`chromium\` package or set HEARTH_IT_CHROMIUM.`);
  if (!fs.existsSync(options.workspace)) throw new UsageError(`workspace fixture not found: ${options.workspace}`);

  const run = new Run(options);
  const started = Date.now();
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n[harness] ${sig}: stopping VS Code, the browser and their processes...`);
    void run.cleanup().finally(() => process.exit(130));
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, onSignal);
  const overall = setTimeout(() => {
    console.error(`\n[harness] the whole run passed its ${options.timeoutMs / 1000} s limit; stopping.`);
    void run.cleanup().finally(() => process.exit(124));
  }, options.timeoutMs);
  overall.unref();

  try {
    run.startWatchdog();
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    // The tiny generated model stands in for Qwen3.5 in every pass (see passes.ts).
    process.env.HEARTH_IT_MODEL ??= await ensureTestModel({ arch: "qwen35" });
    const testsEntry = await bundleHostTests(run.outDir, options.suite);
    const uiTests = await loadUiTests(options.suite);
    run.controlUrl = await run.control.start();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      env: { ...process.env, [ENV.runId]: `${run.id}/browser` },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    run.browser = browser;
    const versions = targets.map((t) => `VS Code ${t.vscodeVersion} (code-server ${t.codeServerVersion}, Node ${t.nodeVersion})`);
    console.log(`Hearth integration tests — ${versions.join(" and ")}, ${CHROMIUM}`);

    const reports: PassReport[] = [];
    // A pass limited to one suite runs when no suite was named, or that one.
    const passes = PASSES.filter((p) => options.modes.includes(p.name) && (p.only === undefined || options.suite === undefined || options.suite === "multiRoot"));
    for (const target of targets) {
      for (const pass of passes) {
        if (interrupted) break;
        reports.push(await runPass(run, browser, target, pass, testsEntry, uiTests));
      }
    }
    if (interrupted) return 130; // the signal handler reports and exits
    const totals = printReport(reports);
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; artifacts in ${path.relative(process.cwd(), ARTIFACTS_DIR) || "."}/)`);
    if (totals.passed + totals.failed === 0) console.error("[harness] no test ran (check --grep / --suite)");
    return totals.failed > 0 || totals.passed === 0 ? 1 : 0;
  } finally {
    clearTimeout(overall);
    await run.cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? `[harness] ${err.message}` : errorText(err));
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);

/** For --multi-root: a second copy of the fixture beside the first, and a .code-workspace naming both ("one" first). */
function multiRootWorkspace(fixture: string, first: string, workDir: string): string {
  const second = copyWorkspace(fixture, path.join(workDir, "workspace-two"));
  const file = path.join(workDir, "hearth.code-workspace");
  fs.writeFileSync(file, `${JSON.stringify({ folders: [{ path: first, name: "one" }, { path: second, name: "two" }], settings: {} }, null, 2)}\n`);
  return file;
}
