// What a person sees in Hearth's own activity-bar view: the model server's state and the
// actions that change it.
import { defineUiTests } from "../harness/ui";

export default defineUiTests([
  {
    title: "opens the Hearth view from the activity bar and shows the ready server",
    async run(ui) {
      await ui.page.locator('.activitybar .action-item a[aria-label^="Hearth"]').first().click();
      const view = ui.page.locator(".pane", { hasText: "Model" });
      await view.first().waitFor({ state: "visible", timeout: 20_000 });
      const serverRow = ui.page.locator(".monaco-list-row", { hasText: "Server" });
      await serverRow.first().waitFor({ state: "visible", timeout: 60_000 });
      await ui.page.locator(".monaco-list-row", { hasText: /Context.*2048 tokens/ }).first().waitFor({ state: "visible", timeout: 60_000 });
      await ui.page.locator(".monaco-list-row", { hasText: "Restart Model Server" }).first().waitFor({ state: "visible" });
      await ui.screenshot("hearth-view");
    },
  },
]);
