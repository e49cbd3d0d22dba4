// Hearth's edit commands as a person uses them: right-click a selection, Hearth ▸ Refactor…,
// type the instruction, watch the proposal stream into a diff, click the Accept button in
// the editor title; and cancel a long answer from its progress notification. The model is a
// loopback OpenAI-compatible fake named in the workspace's hearth.server.url (trusted pass:
// Restricted Mode ignores a workspace's server URL).
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { FakeOpenAi } from "../../support/fakeCloud/index";
import { defineUiTests, type UiContext } from "../harness/ui";

const SAMPLE = "export function total(items: number[]): number {\n  let sum = 0;\n  for (let i = 0; i < items.length; i++) {\n    sum = sum + items[i];\n  }\n  return sum;\n}\n";

/** Points the workspace's hearth.server.url at the fake; returns how to put the settings back. */
function useServer(workspace: string, url: string): () => void {
  const file = path.join(workspace, ".vscode", "settings.json");
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  const settings = before !== undefined && before.trim() !== "" ? (JSON.parse(before) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...settings, "hearth.server.url": url }, null, 2));
  return () => (before === undefined ? fs.rmSync(file, { force: true }) : fs.writeFileSync(file, before));
}

/** The text of the visible editor lines (U+00A0 back to spaces), top to bottom. */
async function editorText(page: Page, editor: string): Promise<string> {
  const lines = await page.locator(`${editor} .view-lines .view-line`).evaluateAll((nodes) =>
    nodes.map((n) => ({ top: parseFloat((n as HTMLElement).style.top || "0"), text: n.textContent ?? "" })).sort((a, b) => a.top - b.top).map((l) => l.text),
  );
  return lines.join("\n").replace(/\u00a0/g, " ");
}

async function selectLines(ui: UiContext, from: number, count: number): Promise<void> {
  const page = ui.page;
  await page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Home");
  for (let i = 1; i < from; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Home");
  await page.keyboard.press("Home");
  for (let i = 0; i < count; i++) await page.keyboard.press("Shift+ArrowDown");
}

/** After the settings are put back, Hearth returns to its own server: wait for it, so later tests start from ready. */
async function localServerBack(ui: UiContext): Promise<void> {
  await ui.page.locator(".part.statusbar .statusbar-item", { hasText: /Hearth · hearth-test-qwen35-tiny/ }).first().waitFor({ state: "visible", timeout: 60_000 });
}

export default defineUiTests([
  {
    title: "right-click ▸ Hearth ▸ Refactor… streams a diff, and its Accept button applies it",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const { page } = ui;
      const fake = await new FakeOpenAi().start();
      fake.pieceDelayMs = 40;
      fake.answer = "```ts\nfor (const item of items) {\n  sum += item;\n}\n```";
      const restore = useServer(ui.workspace, fake.baseUrl);
      fs.mkdirSync(path.join(ui.workspace, "edit-ui"), { recursive: true });
      fs.writeFileSync(path.join(ui.workspace, "edit-ui", "loop.ts"), SAMPLE);
      try {
        // Give the settings change a moment to reach Hearth (it switches to the external server).
        await page.waitForTimeout(1500);
        await ui.openFile("edit-ui/loop.ts");
        await selectLines(ui, 3, 3);

        await page.locator(".editor-instance .monaco-editor .view-lines").first().click({ button: "right", position: { x: 60, y: 50 } });
        const menu = page.locator(".monaco-menu-container, .context-view .monaco-menu").first();
        await menu.waitFor({ state: "visible", timeout: 10_000 });
        await page.locator(".action-item .action-label", { hasText: /^Hearth$/ }).first().hover();
        await page.locator(".action-item .action-label", { hasText: /^Refactor…$/ }).first().waitFor({ state: "visible", timeout: 10_000 });
        await ui.screenshot("edit-context-menu");
        await page.locator(".action-item .action-label", { hasText: /^Refactor…$/ }).first().click();

        const input = page.locator(".quick-input-widget .quick-input-box input");
        await input.waitFor({ state: "visible", timeout: 10_000 });
        await page.locator(".quick-input-list .monaco-list-row", { hasText: "Simplify this code" }).first().waitFor({ state: "visible", timeout: 10_000 });
        await input.fill("use a for-of loop");
        await page.keyboard.press("Enter");

        const diff = page.locator(".monaco-diff-editor").first();
        await diff.waitFor({ state: "visible", timeout: 20_000 });
        await ui.waitFor("the proposal to show the new loop", async () => (await editorText(page, ".monaco-diff-editor .editor.modified")).includes("sum += item;"), { timeoutMs: 20_000 });
        await ui.screenshot("edit-diff-streamed");

        await page.locator('.editor-actions .action-label[aria-label^="Accept Proposal"]').first().click();
        await diff.waitFor({ state: "detached", timeout: 10_000 });
        await ui.waitFor("the file to show the accepted loop", async () => (await editorText(page, ".editor-instance .monaco-editor")).includes("for (const item of items) {"), { timeoutMs: 10_000 });
        await ui.screenshot("edit-accepted");
        if (fs.readFileSync(path.join(ui.workspace, "edit-ui", "loop.ts"), "utf8") !== SAMPLE) throw new Error("Accept saved the file; it should only edit the buffer");
        await page.keyboard.press("Control+Z");
        await ui.waitFor("undo to bring the old loop back", async () => (await editorText(page, ".editor-instance .monaco-editor")).includes("for (let i = 0; i < items.length; i++) {"), { timeoutMs: 10_000 });
      } finally {
        restore();
        await fake.stop();
      }
      await localServerBack(ui);
    },
  },
  {
    title: "cancelling the progress notification aborts the request and leaves no diff",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      const { page } = ui;
      const fake = await new FakeOpenAi().start();
      fake.pieceDelayMs = 400;
      fake.answer = `\`\`\`ts\n${Array.from({ length: 80 }, (_, i) => `const v${i} = ${i};`).join("\n")}\n\`\`\``;
      const restore = useServer(ui.workspace, fake.baseUrl);
      fs.mkdirSync(path.join(ui.workspace, "edit-ui"), { recursive: true });
      fs.writeFileSync(path.join(ui.workspace, "edit-ui", "slow.ts"), SAMPLE);
      try {
        await page.waitForTimeout(1500);
        await ui.openFile("edit-ui/slow.ts");
        await selectLines(ui, 2, 4);
        await page.keyboard.press("F1");
        const input = page.locator(".quick-input-widget .quick-input-box input");
        await input.waitFor({ state: "visible", timeout: 10_000 });
        await input.fill(">Hearth: Refactor…");
        await page.locator(".quick-input-list .monaco-list-row", { hasText: "Hearth: Refactor…" }).first().click();
        await input.waitFor({ state: "visible", timeout: 10_000 });
        await input.fill("make it slow");
        await page.keyboard.press("Enter");

        const progress = page.locator(".notification-toast", { hasText: "Hearth: Refactor" }).first();
        await progress.waitFor({ state: "visible", timeout: 20_000 });
        await ui.waitFor("the answer to start streaming", async () => (await editorText(page, ".monaco-diff-editor .editor.modified")).includes("const v1 = 1;"), { timeoutMs: 20_000 });
        await ui.screenshot("edit-progress");
        await progress.hover();
        await progress.locator(".monaco-button", { hasText: "Cancel" }).first().click();
        await page.locator(".monaco-diff-editor").first().waitFor({ state: "detached", timeout: 10_000 });
        await ui.waitFor("the fake to see the client walk away", () => fake.disconnects > 0, { timeoutMs: 10_000 });
        const text = await editorText(page, ".editor-instance .monaco-editor");
        if (!text.includes("sum = sum + items[i];")) throw new Error(`the file changed after a cancel: ${text}`);
      } finally {
        restore();
        await fake.stop();
      }
      await localServerBack(ui);
    },
  },
]);
