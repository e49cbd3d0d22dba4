// Runs the same extension-host suites in desktop VS Code through @vscode/test-electron,
// for a developer's machine (it downloads VS Code from Microsoft the first time and
// caches it in .vscode-test/; on a machine without that access it stops with a clear
// message — use run.ts there).
//
//   npx tsx test/integration/harness/runElectron.ts [--grep <regexp>] [--suite <name part>]
//       [--mode trusted|restricted] [--vscode-version <1.x.y|stable|insiders>] [--timeout <s>] [--keep]
//
// HEARTH_VSCODE_EXECUTABLE=<path to an installed VS Code> skips the download. On Linux
// without a display, run it under `xvfb-run -a`. The browser-driven tests (ui/*.ui.ts)
// need the code-server runner and are not run here. runTests() is not used because it
// always passes --disable-workspace-trust, which would make the Restricted Mode pass
// trusted; the arguments below are otherwise the ones it passes.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { downloadAndUnzipVSCode } from "@vscode/test-electron";
import { PASSES, type Pass } from "./passes";
import { ProcessTracker } from "./processes";
import { ENV, PASS_NAMES, type HostResults, type PassName } from "./protocol";
import { printReport, type PassReport } from "./report";
import { ARTIFACTS_DIR, DEFAULT_WORKSPACE, REPO_ROOT, bundleHostTests, copyWorkspace, listUiTestFiles, mapStack, writeUserSettings } from "./setup";
import { TimeoutError, withTimeout } from "./wait";

class UsageError extends Error {}

interface Options {
  grep?: string;
  suite?: string;
  modes: PassName[];
  version: string;
  workspace: string;
  keep: boolean;
  passTimeoutMs: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      grep: { type: "string", short: "g" },
      suite: { type: "string" },
      mode: { type: "string", multiple: true },
      "vscode-version": { type: "string" },
      workspace: { type: "string" },
      timeout: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  const modes = (values.mode ?? [...PASS_NAMES]).map((mode) => {
    const known = PASS_NAMES.find((name) => name === mode);
    if (!known) throw new UsageError(`--mode must be one of ${PASS_NAMES.join(", ")}, not "${mode}"`);
    return known;
  });
  const timeout = Number(values.timeout ?? 300);
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError(`--timeout takes a number of seconds, not "${values.timeout}"`);
  return {
    grep: values.grep,
    suite: values.suite,
    modes,
    version: values["vscode-version"] ?? process.env.HEARTH_VSCODE_VERSION ?? "stable",
    workspace: path.resolve(values.workspace ?? DEFAULT_WORKSPACE),
    keep: values.keep ?? false,
    passTimeoutMs: timeout * 1000,
  };
}

async function resolveVSCode(version: string): Promise<string> {
  const installed = process.env.HEARTH_VSCODE_EXECUTABLE;
  if (installed) {
    if (!fs.existsSync(installed)) throw new UsageError(`HEARTH_VSCODE_EXECUTABLE=${installed} does not exist.`);
    return installed;
  }
  try {
    return await downloadAndUnzipVSCode({ version, cachePath: path.join(REPO_ROOT, ".vscode-test"), extensionDevelopmentPath: REPO_ROOT, timeout: 15_000 });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(
      [
        `Could not get VS Code ${version} through @vscode/test-electron: ${reason}`,
        "It downloads VS Code from update.code.visualstudio.com the first time (then caches it in .vscode-test/),",
        "so it needs that site. Without it: set HEARTH_VSCODE_EXECUTABLE to an installed VS Code binary,",
        "or run the code-server harness instead: npx tsx test/integration/harness/run.ts",
      ].join("\n"),
    );
  }
}

async function runPass(vscodeExecutable: string, pass: Pass, testsEntry: string, tempRoot: string, runId: string, options: Options): Promise<PassReport> {
  const started = Date.now();
  const report: PassReport = { name: pass.name, description: `${pass.description}, desktop VS Code`, ui: [], errors: [], durationMs: 0 };
  const passArtifacts = path.join(ARTIFACTS_DIR, `electron-${pass.name}`);
  fs.rmSync(passArtifacts, { recursive: true, force: true });
  fs.mkdirSync(passArtifacts, { recursive: true });
  const workDir = path.join(tempRoot, pass.name);
  fs.mkdirSync(workDir);
  const workspace = copyWorkspace(options.workspace, path.join(workDir, "workspace"));
  const userDataDir = path.join(workDir, "user-data");
  const resultsFile = path.join(workDir, "results.json");
  writeUserSettings(userDataDir, pass.settings);

  const args = [
    workspace,
    "--no-sandbox",
    "--disable-gpu-sandbox",
    "--disable-updates",
    "--skip-welcome",
    "--skip-release-notes",
    ...(pass.name === "trusted" ? ["--disable-workspace-trust"] : []),
    `--extensionDevelopmentPath=${REPO_ROOT}`,
    `--extensionTestsPath=${testsEntry}`,
    `--user-data-dir=${userDataDir}`,
    `--extensions-dir=${path.join(workDir, "extensions")}`,
  ];
  const tracker = new ProcessTracker(`${runId}/${pass.name}`, ENV.runId);
  const log = fs.createWriteStream(path.join(passArtifacts, "vscode.log"));
  // Under an outer VS Code (its terminal), this variable would make the child a Node process.
  const env: NodeJS.ProcessEnv = { ...process.env, [ENV.mode]: pass.name, [ENV.results]: resultsFile, [ENV.grep]: options.grep ?? "", [ENV.artifacts]: ARTIFACTS_DIR };
  delete env.ELECTRON_RUN_AS_NODE;
  delete env[ENV.control];
  const child = tracker.spawn(vscodeExecutable, args, { stdio: ["ignore", "pipe", "pipe"], env });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  tracker.watch();
  try {
    const exit = await withTimeout(
      new Promise<number | string>((resolve, reject) => {
        child.once("error", reject);
        child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
      }),
      options.passTimeoutMs,
      `timed out after ${options.passTimeoutMs / 1000} s (see test-results/electron-${pass.name}/vscode.log)`,
    );
    if (fs.existsSync(resultsFile)) {
      const host = JSON.parse(fs.readFileSync(resultsFile, "utf8")) as HostResults;
      for (const test of host.tests) if (test.error) test.error = mapStack(test.error, path.dirname(testsEntry));
      report.host = host;
      if (exit !== 0 && host.failed === 0) report.errors.push(`VS Code exited with ${exit} although no test failed; see test-results/electron-${pass.name}/vscode.log`);
    } else {
      report.errors.push(`VS Code exited with ${exit} and the tests wrote no results; see test-results/electron-${pass.name}/vscode.log`);
    }
  } catch (err) {
    report.errors.push(err instanceof TimeoutError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    await tracker.killAll(3000);
    log.end();
    report.durationMs = Date.now() - started;
  }
  return report;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!fs.existsSync(path.join(REPO_ROOT, "dist/extension.js"))) throw new UsageError("dist/extension.js is missing: run `npm run build` first.");
  if (process.platform === "linux" && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.warn("[harness] no DISPLAY: desktop VS Code needs one on Linux; run this under `xvfb-run -a`.");
  }
  const vscodeExecutable = await resolveVSCode(options.version);
  const runId = randomUUID();
  const outDir = path.join(REPO_ROOT, ".vscode-test", "out", `electron-${process.pid}`);
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-it-electron-"));
  const everything = new ProcessTracker(runId, ENV.runId);
  const cleanup = async () => {
    await everything.killAll(3000);
    fs.rmSync(outDir, { recursive: true, force: true });
    if (!options.keep) fs.rmSync(tempRoot, { recursive: true, force: true });
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  }
  try {
    const testsEntry = await bundleHostTests(outDir, options.suite);
    console.log(`Hearth integration tests — desktop VS Code (${vscodeExecutable})`);
    const reports: PassReport[] = [];
    // Desktop VS Code opens one folder here; the multi-root pass needs run.ts's .code-workspace.
    for (const pass of PASSES.filter((p) => options.modes.includes(p.name) && p.multiRoot !== true)) {
      reports.push(await runPass(vscodeExecutable, pass, testsEntry, tempRoot, runId, options));
    }
    const totals = printReport(reports);
    const uiFiles = listUiTestFiles(options.suite);
    if (uiFiles.length > 0) console.log(`(browser-driven tests in ${uiFiles.length} file(s) run only under the code-server runner, run.ts)`);
    return totals.failed > 0 || totals.passed === 0 ? 1 : 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? `[harness] ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
