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
  {
    title: "shows ready · model · context in the status bar once the server is up",
    async run(ui) {
      // "$(check) Hearth · <model> · 2K": the tiny model at the passes' 2048-token context.
      const ready = ui.page.locator(".part.statusbar .statusbar-item", { hasText: /Hearth · hearth-test-qwen35-tiny.*· 2K/ });
      await ready.first().waitFor({ state: "visible", timeout: 60_000 });
      await ui.screenshot("ready-status-bar");
    },
  },
]);
