// What a person sees: Hearth's status bar item (not readable through the VS Code API).
import { defineUiTests } from "../harness/ui";

export default defineUiTests([
  {
    title: "shows a Hearth item in the status bar",
    async run(ui) {
      const item = ui.page.locator(".part.statusbar .statusbar-item", { hasText: "Hearth" });
      await item.first().waitFor({ state: "visible", timeout: 20_000 });
      await ui.screenshot("status-bar");
    },
  },
]);
