// What the runner (Node, drives the browser) and the extension host (runs the mocha
// suites) say to each other. Imported by both sides: no Node-only or vscode imports.

/** A pass is one start of the workbench with one workspace-trust setup (multiRoot: two folders, trusted). */
export type PassName = "trusted" | "restricted" | "multiRoot";
export const PASS_NAMES: readonly PassName[] = ["trusted", "restricted", "multiRoot"];

/** Environment the runner gives the VS Code server; the extension host inherits it. */
export const ENV = {
  /** Marks every process started for one run, so the runner can find and end them all. */
  runId: "HEARTH_IT_RUN_ID",
  mode: "HEARTH_IT_MODE",
  /** Where the tests entry writes {@link HostResults}. */
  results: "HEARTH_IT_RESULTS",
  /** Base URL of the runner's control server (absent under @vscode/test-electron: no browser). */
  control: "HEARTH_IT_CONTROL",
  controlToken: "HEARTH_IT_CONTROL_TOKEN",
  grep: "HEARTH_IT_GREP",
  /** Where screenshots go (the repository's test-results/). */
  artifacts: "HEARTH_IT_ARTIFACTS",
} as const;

export const CONTROL_TOKEN_HEADER = "x-hearth-it-token";

export interface TestRecord {
  /** Suite titles, then the test's title. */
  titlePath: string[];
  state: "passed" | "failed" | "pending";
  durationMs?: number;
  error?: string;
}

/** What the tests entry (test/integration/index.ts) writes for the runner. */
export interface HostResults {
  mode: string;
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestRecord[];
  failures: { title: string; error: string }[];
  /** Lines suites asked to show in the runner's output (see `note()` in host.ts). */
  notes: string[];
}

/** Answer to POST /ui-phase: the browser-driven tests of this pass have run. */
export interface UiPhaseResult {
  passed: number;
  failed: number;
}

/** Control requests, POSTed as JSON to `${control}/<action>`. */
export interface ScreenshotRequest {
  name: string;
}
export interface ScreenshotResponse {
  path: string;
}
