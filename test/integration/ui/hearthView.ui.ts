// What a person sees in Hearth's own activity-bar view: the model server's state and the
// actions that change it.
import { defineUiTests } from "../harness/ui";

export default defineUiTests([
  {
    title: "opens the Hearth view from the activity bar and shows the ready server",
    async run(ui) {
      const view = ui.page.locator(".pane", { hasText: "Model" });
      // The icon toggles the container: if an earlier suite left Hearth's view showing, go to the
      // Explorer first, so the click below always opens it.
      const hearthShowing = ui.page.locator('.activitybar .action-item.checked a[aria-label^="Hearth"]');
      if ((await hearthShowing.count()) > 0) {
        await ui.page.locator('.activitybar .action-item a[aria-label^="Explorer"]').first().click();
        await hearthShowing.first().waitFor({ state: "detached", timeout: 10_000 });
      }
      await ui.page.locator('.activitybar .action-item a[aria-label^="Hearth"]').first().click();
      await view.first().waitFor({ state: "visible", timeout: 20_000 });
      const serverRow = ui.page.locator(".monaco-list-row", { hasText: "Server" });
      await serverRow.first().waitFor({ state: "visible", timeout: 60_000 });
      await ui.page.locator(".monaco-list-row", { hasText: /Context.*2048 tokens/ }).first().waitFor({ state: "visible", timeout: 60_000 });
      // Finished downloads (an earlier suite's) fold away, so the actions stay in sight.
      const downloads = ui.page.locator('.monaco-list-row[aria-expanded="true"]', { hasText: "Downloads" });
      if ((await downloads.count()) > 0 && /done/.test((await downloads.first().textContent()) ?? "")) throw new Error("finished downloads are still unfolded");
      // VS Code remembers folding: an earlier suite may have left Machine's plan unfolded, which
      // pushes the actions out of a short view. Fold it, check the actions, then unfold it here.
      const machine = ui.page.locator(".monaco-list-row", { hasText: "Machine" }).first();
      await machine.waitFor({ state: "visible", timeout: 30_000 });
      const setUnfolded = async (unfolded: boolean): Promise<void> => {
        if (((await machine.getAttribute("aria-expanded")) === "true") !== unfolded) await machine.click();
        await ui.waitFor(`Machine ${unfolded ? "unfolded" : "folded"}`, async () => ((await machine.getAttribute("aria-expanded")) === "true") === unfolded, { timeoutMs: 10_000 });
      };
      await setUnfolded(false);
      await ui.page.locator(".monaco-list-row", { hasText: "Restart Model Server" }).first().waitFor({ state: "visible" });
      await ui.screenshot("hearth-view");
      // This machine and the models Hearth suggests for it, folded under Machine so the actions stay in sight.
      await setUnfolded(true);
      await ui.page.locator(".monaco-list-row", { hasText: "Suggested for completion" }).first().waitFor({ state: "visible", timeout: 10_000 });
      await ui.screenshot("hearth-view-plan");
      await setUnfolded(false);
    },
  },
]);
