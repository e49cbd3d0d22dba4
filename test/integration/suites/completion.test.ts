// Inline completion in a real VS Code with the tiny generated model: typing in an editor
// gets a suggestion, accepting it (what Tab does) inserts it, dismissing it (what Escape
// does) inserts nothing. The ghost text itself, Tab and Escape as keys, and the
// screenshot are checked from the browser (test/integration/ui/completion.ui.ts).
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { note, openFile, waitFor } from "../harness/host";

const TRIGGER = "hearth.triggerCompletion";

async function typeSlowly(text: string): Promise<void> {
  for (const ch of text) {
    await vscode.commands.executeCommand("type", { text: ch });
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** Accepts whatever suggestion is shown; resolves with the inserted text once one was. */
async function acceptSuggestion(editor: vscode.TextEditor, timeoutMs: number): Promise<string> {
  const before = editor.document.getText();
  const at = editor.document.offsetAt(editor.selection.active);
  return waitFor(
    "an inline suggestion to accept",
    async () => {
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      const after = editor.document.getText();
      if (after === before) {
        await vscode.commands.executeCommand(TRIGGER);
        return undefined;
      }
      return after.slice(at, at + after.length - before.length);
    },
    { timeoutMs, intervalMs: 500 },
  );
}

describe("inline completion", function () {
  this.timeout(180_000);
  let editor: vscode.TextEditor;

  before(async function () {
    const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
    assert.ok(extension);
    const api = await extension.activate();
    assert.ok((await vscode.commands.getCommands(true)).includes(TRIGGER), `${TRIGGER} is registered`);
    await waitFor("the model server to be ready", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
    editor = await openFile("src/greet.ts");
  });

  after(async () => {
    if (editor) await vscode.commands.executeCommand("workbench.action.files.revert");
  });

  it("suggests text from the tiny model while typing, and accepting it inserts it at the cursor", async () => {
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await typeSlowly("\nconst answer = ");
    const line = editor.selection.active.line;
    const inserted = await acceptSuggestion(editor, 60_000);
    note(`accepted suggestion: ${JSON.stringify(inserted)}`);
    assert.ok(inserted.trim().length > 0);
    assert.equal(editor.document.lineAt(line).text, `const answer = ${inserted}`.split("\n")[0]);
  });

  it("dismissing the suggestion inserts nothing", async () => {
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await typeSlowly("\nlet other = ");
    const text = editor.document.getText();
    // Let the suggestion arrive, then dismiss it as Escape does and try to accept.
    await vscode.commands.executeCommand(TRIGGER);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
    assert.equal(editor.document.getText(), text);
    // There was something to dismiss: asking again at the same spot brings it back.
    const inserted = await acceptSuggestion(editor, 30_000);
    assert.ok(inserted.length > 0);
  });
});
