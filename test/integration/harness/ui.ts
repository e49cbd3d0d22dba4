// The API of browser-driven tests (test/integration/ui/*.ui.ts). The runner runs them
// in its own process against the live workbench of each pass, after the extension
// host's mocha suites and before the host's run() settles (the extension is still
// running). A file default-exports its tests:
//
//   export default defineUiTests([
//     { title: "shows Hearth in the status bar", async run(ui) { ... } },
//   ]);
import * as path from "node:path";
import type { Page } from "playwright-core";
import type { PassName } from "./protocol";
import { waitFor, type WaitOptions } from "./wait";

export interface UiTest {
  /** States the behaviour, as a mocha test title would. */
  title: string;
  /** The passes to run in (default: all). */
  modes?: readonly PassName[];
  /** Default 60 s. */
  timeoutMs?: number;
  run(ui: UiContext): Promise<void>;
}

export interface UiContext {
  /** The workbench page (Playwright). */
  readonly page: Page;
  readonly mode: PassName;
  /** Absolute path of the (copied) test workspace on disk. */
  readonly workspace: string;
  /** Opens a workspace file (path relative to the workspace) through Quick Open, as a person would. */
  openFile(relativePath: string): Promise<void>;
  /** Polls `probe` until it returns a value (not undefined/null/false); see wait.ts. */
  waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, options?: WaitOptions): Promise<T>;
  /** Saves test-results/<name>.png (other passes than trusted: <name>.<pass>.png); returns its path. */
  screenshot(name: string): Promise<string>;
}

export function defineUiTests(tests: UiTest[]): UiTest[] {
  return tests;
}

/** test-results/<name>.png in the trusted pass, test-results/<name>.<pass>.png in others. */
export function screenshotPath(artifactsDir: string, name: string, mode: PassName): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "screenshot";
  return path.join(artifactsDir, mode === "trusted" ? `${safe}.png` : `${safe}.${mode}.png`);
}

export function createUiContext(page: Page, mode: PassName, workspace: string, artifactsDir: string): UiContext {
  return {
    page,
    mode,
    workspace,
    waitFor,
    async screenshot(name) {
      const file = screenshotPath(artifactsDir, name, mode);
      await page.screenshot({ path: file });
      return file;
    },
    async openFile(relativePath) {
      const base = path.posix.basename(relativePath.replace(/\\/g, "/"));
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+P");
      const input = page.locator(".quick-input-widget .quick-input-box input");
      await input.waitFor({ state: "visible", timeout: 10_000 });
      await input.fill(relativePath);
      // Wait for a result naming the file, then take the first one.
      await page.locator(".quick-input-list .monaco-list-row", { hasText: base }).first().waitFor({ state: "visible", timeout: 15_000 });
      await page.keyboard.press("Enter");
      await page.locator(`.tabs-container .tab.active[data-resource-name="${base.replace(/"/g, '\\"')}"]`).waitFor({ state: "visible", timeout: 15_000 });
      await page.locator(".editor-instance .monaco-editor").first().waitFor({ state: "visible", timeout: 15_000 });
    },
  };
}
