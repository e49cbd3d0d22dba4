// Repository questions in a real VS Code with the tiny generated model: the command shows
// its progress, opens a read-only answer document that streams the answer and ends with
// what the model read, and a `path:line` citation in it is a document link that opens the
// file with that line selected.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { REPO_ANSWER_SCHEME, REPO_COMMANDS, type AskCommandResult, type CitationTarget } from "../../../src/vscode/repo/index";
import { note, screenshot, waitFor } from "../harness/host";

/** The harness runs a 2048-token context: keep the answer small so the repository has room. */
const ANSWER_TOKENS = 48;
const QUESTION = "What does greet in src/greet.ts:2 return?";

describe("repository questions in the extension", function () {
  this.timeout(180_000);
  let api: HearthApi;
  let asked: AskCommandResult | undefined;

  before(async () => {
    const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
    assert.ok(extension);
    api = await extension.activate();
    await waitFor("the model server to be ready", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
    // A workspace value: a Global update in this web workbench would replace the user's settings file.
    await vscode.workspace.getConfiguration("hearth.repo").update("answerTokens", ANSWER_TOKENS, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration("hearth.repo").update("answerTokens", undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("answers through the command with progress, in a read-only document that ends with the pack report", async () => {
    const seen = api.repo.progressLines.length;
    asked = await vscode.commands.executeCommand<AskCommandResult | undefined>(REPO_COMMANDS.ask, QUESTION);
    assert.ok(asked !== undefined, "the command ran");
    const lines = api.repo.progressLines.slice(seen);
    note(`progress: ${lines.join(" | ")}`);
    assert.ok(lines.includes("Packing the repository…"), lines.join(" | "));
    assert.ok(
      lines.some((line) => /^Reading the repository: [\d,.\s]+ \/ [\d,.\s]+ tokens/.test(line)),
      lines.join(" | "),
    );
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === asked!.document.toString());
    assert.ok(document, "the answer document is open");
    assert.equal(document.uri.scheme, REPO_ANSWER_SCHEME);
    assert.ok(
      vscode.window.visibleTextEditors.some((e) => e.document === document),
      "and shown",
    );
    assert.ok(asked.answer !== undefined, `an answer came back; the document says: ${document.getText().slice(-400)}`);
    assert.equal(asked.answer.route, "local");
    const answer = asked.answer.text;
    // The content provider announces the change; the editor fetches the new text shortly after.
    const text = await waitFor("the answer and the pack report in the document", () => {
      const current = document.getText();
      return current.includes(answer) && current.includes("## What the model read") ? current : undefined;
    });
    assert.ok(text.startsWith(`# ${QUESTION}`));
    assert.match(text, /src\/greet\.ts — [\d,.\s]+ tokens/);
    // The server's own progress (evaluated tokens, rate, time left) needs the server side of issue 9, which also offers /hearth/state.
    const serverProgress = lines.filter((line) => /^Reading the repository: [1-9][\d,.\s]* \/ [\d,.\s]+ tokens · [\d,.\s]+ tok\/s · [\d,.\s]+ s left/.test(line));
    if ((await api.modelService.savedRepoState("read").catch(() => undefined)) !== undefined) assert.ok(serverProgress.length > 0, `the server reported its progress: ${lines.join(" | ")}`);
    else note("this model server sends no progress chunks yet (the server side of issue 9): only Hearth's own first progress line was checked");
    await screenshot("repo-answer");
  });

  it("turns a path:line citation into a link that opens the file with the line selected", async () => {
    assert.ok(asked !== undefined, "needs the answer document of the test before");
    const document = await vscode.workspace.openTextDocument(asked.document);
    const links = await waitFor(
      "citation links in the answer document",
      async () => {
        const found = await vscode.commands.executeCommand<vscode.DocumentLink[]>("vscode.executeLinkProvider", document.uri);
        return found.some((l) => document.getText(l.range) === "src/greet.ts:2") ? found : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const link = links.find((l) => document.getText(l.range) === "src/greet.ts:2")!;
    assert.ok(link.target !== undefined);
    assert.equal(link.target.scheme, "command");
    // What a click does: the opener runs the link's command with its arguments.
    const [target] = JSON.parse(decodeURIComponent(link.target.query)) as [CitationTarget];
    await vscode.commands.executeCommand(link.target.path, target);
    const editor = await waitFor("the cited file in the active editor", () => {
      const active = vscode.window.activeTextEditor;
      return active?.document.uri.path.endsWith("/src/greet.ts") ? active : undefined;
    });
    assert.equal(editor.selection.start.line, 1, "line 2 (0-based 1) is selected");
    assert.match(editor.document.lineAt(editor.selection.start.line).text, /export function greet/);
  });

  it("shows the repository pack: every file with its tokens, the context and the route", async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(REPO_COMMANDS.showPack);
    assert.ok(uri !== undefined, "the command opened a document");
    const document = await vscode.workspace.openTextDocument(uri);
    const text = document.getText();
    assert.match(text, /^# Repository pack: /);
    for (const path of ["README.md", "hello.py", "src/greet.ts"]) assert.match(text, new RegExp(`- ${path.replace(".", "\\.")} — [\\d,.\\s]+ tokens`), path);
    assert.match(text, /Pack: [\d,.\s]+ tokens of [\d,.\s]+ \(the whole repository\) · context [\d,.\s]+ tokens · route local/);
  });

  it("clears the server's saved repository state", async function () {
    // Hearth's server offers /hearth/state; reading it must work before clearing is worth checking.
    await api.modelService.savedRepoState("read");
    const cleared = await vscode.commands.executeCommand<boolean>(REPO_COMMANDS.clearState);
    assert.equal(cleared, true);
    const after = await api.modelService.savedRepoState("read");
    assert.equal(after?.entries, 0);
    assert.equal(after?.bytes, 0);
  });
});
