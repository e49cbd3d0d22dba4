// What a person sees of inline completion: ghost text after typing, Tab takes it into the
// line, Escape makes it go away and leaves the line as typed. Uses the tiny generated
// model (its text is noise, but it is the model's).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Locator, Page } from "playwright-core";
import { REPO_ROOT } from "../harness/setup";
import { defineUiTests, type UiContext } from "../harness/ui";

/** Whether this build contributes the manual trigger, i.e. inline completion is wired in. */
function completionContributed(): boolean {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { contributes?: { commands?: { command: string }[] } };
  return (manifest.contributes?.commands ?? []).some((c) => c.command === "hearth.triggerCompletion");
}

/** The text of the editor line that starts with `start` (spaces come back as U+00A0). */
async function lineStartingWith(page: Page, start: string): Promise<string | undefined> {
  const lines = await page.locator(".editor-instance .monaco-editor .view-lines .view-line").allTextContents();
  return lines.map((line) => line.replace(/\u00a0/g, " ")).find((line) => line.startsWith(start));
}

function ghostText(page: Page): Locator {
  return page.locator(".editor-instance .monaco-editor .ghost-text-decoration, .editor-instance .monaco-editor .ghost-text");
}

async function typeNewLine(ui: UiContext, text: string): Promise<void> {
  await ui.page.locator(".editor-instance .monaco-editor .view-lines").first().click();
  await ui.page.keyboard.press("Control+End");
  await ui.page.keyboard.press("Enter");
  await ui.page.keyboard.type(text, { delay: 90 });
  // A word-suggestion list must not be what Tab accepts.
  if (await ui.page.locator(".suggest-widget.visible").isVisible()) await ui.page.keyboard.press("Escape");
}

export default defineUiTests([
  {
    title: "shows a suggestion from the tiny model as ghost text; Tab accepts it, Escape dismisses it",
    timeoutMs: 180_000,
    async run(ui) {
      if (!completionContributed()) {
        console.log("completion.ui: package.json does not contribute hearth.triggerCompletion yet; nothing to check");
        return;
      }
      // The host suite (suites/completion.test.ts) has waited for the model server.
      await ui.openFile("src/greet.ts");

      await typeNewLine(ui, "const answer = ");
      const ghost = ghostText(ui.page);
      const shown = await ui.waitFor(
        "ghost text",
        async () => {
          if (!(await ghost.first().isVisible())) {
            await ui.page.keyboard.press("Alt+\\");
            return undefined;
          }
          return ((await ghost.allTextContents()).join("") || undefined)?.replace(/\u00a0/g, " ");
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      await ui.screenshot("suggestion-shown");
      await ui.page.keyboard.press("Tab");
      await ui.waitFor("the suggestion in the line", async () => (await lineStartingWith(ui.page, "const answer = "))?.startsWith(`const answer = ${shown.split("\n")[0]}`));
      await ui.waitFor("no ghost text after Tab", async () => !(await ghost.first().isVisible()));

      await typeNewLine(ui, "let other = ");
      await ui.waitFor(
        "ghost text",
        async () => {
          if (await ghost.first().isVisible()) return true;
          await ui.page.keyboard.press("Alt+\\");
          return false;
        },
        { timeoutMs: 60_000, intervalMs: 1000 },
      );
      await ui.page.keyboard.press("Escape");
      await ui.waitFor("no ghost text after Escape", async () => !(await ghost.first().isVisible()));
      const line = await lineStartingWith(ui.page, "let other = ");
      if (line?.trimEnd() !== "let other =") throw new Error(`Escape changed the line: ${JSON.stringify(line)}`);
    },
  },
]);
