// What a person sees of the privacy policy: the policy's status bar item in each state,
// and the one-time question a loosening workspace file raises, answered by clicking
// "Allow for this workspace" in the real notification.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import { defineUiTests } from "../harness/ui";

/** Hearth's policy item (by its accessible name: VS Code's own "Restricted Mode" item says "Restricted" too). */
function policyItem(page: Page, text: string | RegExp) {
  return page.locator('.part.statusbar [aria-label^="Hearth privacy policy"]', { hasText: text }).first();
}

function writePolicy(workspace: string, text: string): void {
  fs.mkdirSync(path.join(workspace, ".hearth"), { recursive: true });
  fs.writeFileSync(path.join(workspace, ".hearth", "policy.json"), text);
}

function deletePolicy(workspace: string): void {
  fs.rmSync(path.join(workspace, ".hearth", "policy.json"), { force: true });
}

// Its own comment line, so its content hash differs from anything the host suites wrote.
const LOOSENING = `// written by the policy UI test
{
  "features": {
    "chat": { "route": "cloud", "cloudAccess": "ask", "cloudModels": ["gpt-4o-mini"] }
  }
}
`;

export default defineUiTests([
  {
    title: "shows the policy in the status bar and loosens it after \"Allow for this workspace\"",
    modes: ["trusted"],
    timeoutMs: 90_000,
    async run(ui) {
      deletePolicy(ui.workspace);
      await policyItem(ui.page, "Local only").waitFor({ state: "visible", timeout: 20_000 });

      writePolicy(ui.workspace, LOOSENING);
      const toast = ui.page.locator(".notification-toast", { hasText: "asks for more than your settings allow" }).first();
      await toast.waitFor({ state: "visible", timeout: 20_000 });
      await ui.screenshot("policy-consent");
      // Still the user's defaults until they answer.
      await policyItem(ui.page, "Local only").waitFor({ state: "visible", timeout: 5_000 });
      await toast.locator(".monaco-button", { hasText: "Allow for this workspace" }).first().click();
      await policyItem(ui.page, "Cloud: ask").waitFor({ state: "visible", timeout: 10_000 });
      await ui.screenshot("policy-status");

      writePolicy(ui.workspace, '{ "features": { "chat": { "route": "clod" } } }\n');
      await policyItem(ui.page, "Policy error").waitFor({ state: "visible", timeout: 20_000 });
      await ui.page.locator(".notification-toast", { hasText: "Open Policy" }).first().waitFor({ state: "visible", timeout: 20_000 });
      await ui.screenshot("policy-status-error");

      deletePolicy(ui.workspace);
      await policyItem(ui.page, "Local only").waitFor({ state: "visible", timeout: 20_000 });
    },
  },
  {
    title: "shows Restricted in the status bar in Restricted Mode, whatever the policy file says",
    modes: ["restricted"],
    async run(ui) {
      writePolicy(ui.workspace, LOOSENING);
      try {
        await policyItem(ui.page, "Restricted").waitFor({ state: "visible", timeout: 20_000 });
        await ui.screenshot("policy-status");
      } finally {
        deletePolicy(ui.workspace);
      }
    },
  },
]);
