// The walkthrough as a person sees it, after suites/walkthrough.test.ts has applied the plan
// and downloaded a model: those steps are ticked, and the privacy step ticks when its command
// runs from the palette. Screenshots for the README: the walkthrough and the plan.
import type { Locator } from "playwright-core";
import { runCommand } from "./chatPanel";
import { defineUiTests, type UiContext } from "../harness/ui";

function step(ui: UiContext, title: string): Locator {
  return ui.page.locator(".getting-started-step", { hasText: title }).first();
}

/** A step shows its tick (VS Code checks the step's checkbox, `[data-done-step-id]`, and marks it `complete`). */
async function ticked(locator: Locator): Promise<boolean> {
  return (await locator.locator('[data-done-step-id].complete, [data-done-step-id][aria-checked="true"]').count()) > 0;
}

/** The palette, retried: a toast or the walkthrough page can hold the keyboard for a moment. */
async function command(ui: UiContext, title: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ui.page.keyboard.press("Escape");
      await runCommand(ui, title);
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function openWalkthrough(ui: UiContext): Promise<void> {
  const page = ui.page.locator(".gettingStartedContainer", { hasText: "Your first hour with Hearth" }).first();
  // On VS Code 1.139 the command, run while another editor (policy.json) takes the focus, at
  // times leaves the walkthrough unshown: run it again rather than wait longer.
  for (let attempt = 1; ; attempt++) {
    await command(ui, "Hearth: Set Up Hearth");
    try {
      await page.waitFor({ state: "visible", timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
  await step(ui, "What Hearth is").waitFor({ state: "visible", timeout: 10_000 });
}

export default defineUiTests([
  {
    title: "walkthrough: opens from the menu, the plan and download steps are ticked, the privacy step ticks when its command runs",
    modes: ["trusted"],
    timeoutMs: 120_000,
    async run(ui) {
      await openWalkthrough(ui);
      await ui.waitFor("the plan step ticked", () => ticked(step(ui, "A model plan for this machine")), { timeoutMs: 10_000 });
      await ui.waitFor("the download step ticked", () => ticked(step(ui, "Download the models")), { timeoutMs: 10_000 });
      const privacy = step(ui, "Private by default");
      if (await ticked(privacy)) throw new Error("the privacy step was ticked before its command ran");
      await command(ui, "Notifications: Clear All Notifications");
      // The first step not done is the one shown; a shown step's button is disabled.
      if ((await privacy.getAttribute("aria-expanded")) !== "true") await privacy.click();
      await ui.page.locator('.getting-started-step[aria-expanded="true"]', { hasText: "Private by default" }).first().waitFor({ state: "visible", timeout: 10_000 });
      // The step's page is Markdown in a webview of its own: wait for it to be drawn.
      await ui.waitFor("the privacy step's page", async () => {
        for (const frame of ui.page.frames()) if ((await frame.getByText("Local only, unless you say otherwise").count().catch(() => 0)) > 0) return true;
        return false;
      }, { timeoutMs: 15_000 });
      await ui.screenshot("walkthrough");
      await command(ui, "Hearth: Open Privacy Policy");
      // The command returns before its editor shows; opened later, policy.json covers the
      // walkthrough again (seen on 1.139.1). Wait for it, then come back to the walkthrough.
      await ui.page.locator('.tabs-container .tab.active[data-resource-name="policy.json"]').first().waitFor({ state: "visible", timeout: 15_000 });
      await openWalkthrough(ui);
      await ui.waitFor("the privacy step ticked", async () => {
        // Should anything cover the walkthrough again, bring it back rather than wait on a hidden page.
        if (!(await step(ui, "Private by default").isVisible())) await openWalkthrough(ui);
        return ticked(step(ui, "Private by default"));
      }, { timeoutMs: 30_000 });
      // Whether "Try a refactor" is still open depends on the suites before this one in the same
      // window (they accept refactors), so it is not checked here.
    },
  },
  {
    title: "walkthrough: Show Model Plan names this machine's plan, with Accept and Change, without a modal",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      await command(ui, "Hearth: Show Model Plan");
      const toast = ui.page.locator(".notification-toast", { hasText: "Hearth's model plan for" }).first();
      await toast.waitFor({ state: "visible", timeout: 30_000 });
      await toast.locator(".monaco-button", { hasText: "Accept Plan" }).first().waitFor({ state: "visible", timeout: 5_000 });
      // The chat folded, so the Model view has room for the plan under Machine.
      const chatHeader = ui.page.locator('.part.sidebar .pane-header[aria-expanded="true"]', { hasText: "Chat" }).first();
      const foldedChat = (await chatHeader.count()) > 0;
      if (foldedChat) await chatHeader.click();
      const machine = ui.page.locator(".part.sidebar .monaco-list-row", { hasText: "Machine" }).first();
      await machine.waitFor({ state: "visible", timeout: 30_000 });
      const apply = ui.page.locator(".part.sidebar .monaco-list-row", { hasText: "Apply Model Plan" }).first();
      // The view redraws when the plan is recomputed; unfold Machine until its rows show.
      await ui.waitFor("the plan unfolded under Machine", async () => {
        if (await apply.isVisible()) return true;
        if ((await machine.getAttribute("aria-expanded")) !== "true") await machine.click();
        return false;
      }, { timeoutMs: 20_000 });
      if ((await ui.page.locator(".monaco-dialog-box").count()) > 0) throw new Error("a modal dialog is open");
      if (!(await toast.isVisible())) await command(ui, "Hearth: Show Model Plan");
      await toast.waitFor({ state: "visible", timeout: 10_000 });
      await ui.screenshot("plan-view");
      if (foldedChat) await ui.page.locator(".part.sidebar .pane-header", { hasText: "Chat" }).first().click();
    },
  },
]);
