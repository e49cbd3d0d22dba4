// Mocha-style output of a whole run (all passes, host and browser tests), and the
// closing "N passed, N failed" line.
import type { HostResults, TestRecord } from "./protocol";

export interface PassReport {
  name: string;
  description: string;
  /** What the extension host wrote; undefined when it wrote nothing. */
  host?: HostResults;
  /** Browser-driven tests, run by the runner. */
  ui: TestRecord[];
  /** Problems of the pass itself (server did not start, timeout, no results...). */
  errors: string[];
  durationMs: number;
}

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (text: string) => (useColor ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = paint(32);
const red = paint(31);
const gray = paint(90);
const cyan = paint(36);

export interface Totals {
  passed: number;
  failed: number;
  pending: number;
}

export function printReport(passes: PassReport[], log: (line: string) => void = console.log): Totals {
  const failures: { where: string; error: string }[] = [];
  const totals: Totals = { passed: 0, failed: 0, pending: 0 };

  const printTests = (tests: TestRecord[], indent: string, where: string) => {
    let shownPath: string[] = [];
    for (const test of tests) {
      const suites = test.titlePath.slice(0, -1);
      let common = 0;
      while (common < suites.length && common < shownPath.length && suites[common] === shownPath[common]) common++;
      for (let i = common; i < suites.length; i++) log(`${indent}${"  ".repeat(i)}${suites[i]}`);
      shownPath = suites;
      const pad = indent + "  ".repeat(suites.length);
      const title = test.titlePath[test.titlePath.length - 1];
      const time = test.durationMs !== undefined ? gray(` (${test.durationMs}ms)`) : "";
      if (test.state === "passed") {
        totals.passed++;
        log(`${pad}${green("✔")} ${title}${time}`);
      } else if (test.state === "pending") {
        totals.pending++;
        log(`${pad}${cyan("-")} ${title}`);
      } else {
        totals.failed++;
        failures.push({ where: `${where} ${test.titlePath.join(" › ")}`, error: test.error ?? "failed" });
        log(`${pad}${red(`${failures.length}) ${title}`)}${time}`);
      }
    }
  };

  for (const pass of passes) {
    log("");
    log(`${pass.name} — ${pass.description} ${gray(`(${(pass.durationMs / 1000).toFixed(1)} s)`)}`);
    log("  extension host");
    if (pass.host) {
      if (pass.host.tests.length === 0) log(`    ${gray("(no tests matched)")}`);
      printTests(pass.host.tests, "    ", `[${pass.name}]`);
      for (const note of pass.host.notes) log(`    ${gray(`note: ${note}`)}`);
    } else {
      log(`    ${gray("(no results)")}`);
    }
    if (pass.ui.length > 0) {
      log("  browser");
      printTests(pass.ui, "    ", `[${pass.name}] browser:`);
    }
    for (const error of pass.errors) {
      totals.failed++;
      failures.push({ where: `[${pass.name}] run`, error });
      log(`  ${red(`${failures.length}) ${error.split("\n")[0]}`)}`);
    }
  }

  if (failures.length > 0) {
    log("");
    failures.forEach((failure, i) => {
      log(red(`  ${i + 1}) ${failure.where}:`));
      for (const line of failure.error.split("\n")) log(`     ${line}`);
      log("");
    });
  }
  log("");
  if (totals.pending > 0) log(cyan(`${totals.pending} pending`));
  log(`${totals.passed} passed, ${totals.failed} failed`);
  return totals;
}
