// Helpers for the mocha suites that run inside the VS Code extension host
// (test/integration/suites/*.test.ts). They ask the runner for browser actions over
// its loopback control server; under @vscode/test-electron there is no browser, so
// screenshot() does nothing there.
import * as vscode from "vscode";
import { CONTROL_TOKEN_HEADER, ENV, PASS_NAMES, type PassName, type ScreenshotResponse } from "./protocol";

export { waitFor, type WaitOptions } from "./wait";

/** The pass this extension host runs in (set by the runner), or "unknown" when run by hand. */
export function currentMode(): PassName | "unknown" {
  const mode = process.env[ENV.mode];
  return PASS_NAMES.find((name) => name === mode) ?? "unknown";
}

/** `describe`, but only registered in the given passes (a suite about Restricted Mode, say). */
export function describeIn(modes: readonly PassName[], title: string, fn: (this: Mocha.Suite) => void): void {
  const mode = currentMode();
  if (mode !== "unknown" && modes.includes(mode)) describe(title, fn);
}

const NOTES = Symbol.for("hearth.integration.notes");
type NotesHolder = { [NOTES]?: string[] };

/** A line for the runner to print under this pass (a fact worth seeing, not an assertion). */
export function note(message: string): void {
  const holder = globalThis as NotesHolder;
  (holder[NOTES] ??= []).push(message);
}

/** Notes recorded so far (every suite bundle shares them through globalThis). */
export function takeNotes(): string[] {
  const holder = globalThis as NotesHolder;
  const notes = holder[NOTES] ?? [];
  holder[NOTES] = [];
  return notes;
}

/** Opens a file of the test workspace (path relative to its first folder) in an editor. */
export async function openFile(relativePath: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("openFile: no workspace folder is open");
  const uri = vscode.Uri.joinPath(folder.uri, ...relativePath.split(/[\\/]/));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

/** Whether a runner with a browser is listening (false under @vscode/test-electron). */
export function hasBrowser(): boolean {
  return Boolean(process.env[ENV.control]);
}

/**
 * Screenshot of the whole workbench as it is now, saved by the runner as
 * test-results/<name>.png (in the trusted pass; other passes add `.<pass>`).
 * Returns the file's path, or undefined where there is no browser.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  if (!hasBrowser()) return undefined;
  const answer = await control<ScreenshotResponse>("screenshot", { name });
  return answer.path;
}

/** POSTs one request to the runner's control server and returns its JSON answer. */
export async function control<T>(action: string, body: unknown, timeoutMs = 120_000): Promise<T> {
  const base = process.env[ENV.control];
  if (!base) throw new Error(`control(${action}): no runner (${ENV.control} is not set)`);
  const response = await fetch(`${base}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json", [CONTROL_TOKEN_HEADER]: process.env[ENV.controlToken] ?? "" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`control(${action}) failed: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

