// Hearth loads in a real VS Code: the extension is there, activates, and registers
// every command its package.json contributes. Runs in both passes; the status bar
// item is checked from the browser (test/integration/ui/statusBar.ui.ts).
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { currentMode, note } from "../harness/host";

const EXTENSION_ID = "hearth.hearth";

interface ContributedCommand {
  command: string;
}

describe("smoke", () => {
  it("runs in the workspace trust state of its pass", () => {
    note(`vscode.workspace.isTrusted = ${vscode.workspace.isTrusted}`);
    const mode = currentMode();
    if (mode !== "unknown") assert.equal(vscode.workspace.isTrusted, mode === "trusted");
  });

  it("finds the extension hearth.hearth and activates it", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it("registers every command contributed in package.json", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    const manifest = extension.packageJSON as { contributes?: { commands?: ContributedCommand[] } };
    const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
    assert.ok(contributed.length > 0, "package.json contributes no commands");
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
  });
});
