// The chat session as the extension builds it, in a real VS Code: a question goes through
// the real gateway to the tiny local model, the answer records its route, the chat lands
// in the workspace's history (VS Code's workspaceState), and attachments carry their token
// counts. The panel itself is driven from the browser in ui/chat.ui.ts.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { openFile, waitFor } from "../harness/host";

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

describe("chat session in the extension", function () {
  this.timeout(180_000);

  it("answers through the gateway on the local route and keeps the chat in the workspace history", async () => {
    const api = await hearth();
    const session = api.chat.session;
    await session.newChat();
    await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
    await session.send("Name one colour.");
    const chat = session.current;
    assert.equal(chat.turns.length, 2);
    const answer = chat.turns[1];
    assert.equal(answer.role, "assistant");
    assert.equal(answer.error, undefined, `the answer failed: ${answer.error}`);
    assert.equal(answer.meta?.route, "local");
    assert.equal(answer.meta?.provider, "local");
    assert.equal(answer.meta?.auditId, undefined, "a local answer leaves no audit entry");
    assert.ok(session.history.list().some((c) => c.id === chat.id && c.title === "Name one colour."));
  });

  it("attaches the selection with a token count and sends it as a file, then clears the chips", async () => {
    const api = await hearth();
    const session = api.chat.session;
    await session.newChat();
    const editor = await openFile("src/greet.ts");
    editor.selection = new vscode.Selection(1, 0, 3, 1);
    assert.equal(await session.attachments.addSelection(), undefined);
    const [chip] = session.attachments.views();
    assert.equal(chip.kind, "selection");
    assert.equal(chip.label, "src/greet.ts:2-4");
    assert.ok((chip.tokens ?? 0) > 5, `token count ${chip.tokens}`);
    assert.equal(session.attachments.files()[0].origin, "selection");
    assert.match(session.attachments.files()[0].content, /export function greet/);
    await session.send("What does this do?");
    assert.deepEqual(session.attachments.views(), []);
    assert.deepEqual(session.current.turns[0].attachments, ["src/greet.ts:2-4"]);
  });

  it("does not send a question whose attachments do not fit the local context, and says so", async () => {
    const api = await hearth();
    const session = api.chat.session;
    await session.newChat();
    await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
    const route = await api.gateway.plan("chat");
    assert.ok(route.ok && route.contextTokens !== undefined, `the local route should know its context: ${JSON.stringify(route)}`);
    const big = Array.from({ length: 3000 }, (_, i) => `const value${i} = ${i};`).join("\n");
    const document = await vscode.workspace.openTextDocument({ language: "typescript", content: big });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, document.lineCount, 0);
    assert.equal(await session.attachments.addSelection(), undefined);
    assert.ok((session.attachments.views()[0].tokens ?? 0) > route.contextTokens, "the selection should be larger than the context");
    const notices: string[] = [];
    session.connect((message) => {
      if (message.type === "notice") notices.push(message.message);
    });
    try {
      await session.send("Explain all of it.");
    } finally {
      await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
    }
    assert.equal(session.current.turns.length, 0, "nothing should have been sent");
    assert.equal(session.attachments.views().length, 1, "the attachment stays so the user can remove it");
    assert.match(notices.join("\n"), new RegExp(`Not sent: .* about \\d+ tokens, but .* has room for \\d+`));
    session.attachments.clear();
  });

  it("@repo: says so while no repository service is wired; with the extension's own, that service answers the question", async () => {
    const api = await hearth();
    const session = api.chat.session;
    const wired = api.chat.repoSource;
    assert.ok(wired, "extension.ts wires the repository Q&A service into the chat");
    api.chat.setRepoSource(undefined);
    try {
      await session.newChat();
      await session.attachments.addRepo();
      assert.match(session.attachments.views()[0].problem ?? "", /no repository service/);
    } finally {
      api.chat.setRepoSource(wired);
    }
    assert.equal(session.attachments.views()[0].problem, undefined);
    // The real service answers; the wrapper only records that the chat asked it.
    const asked: string[] = [];
    api.chat.setRepoSource({
      ask(question, options) {
        asked.push(question);
        return wired.ask(question, options);
      },
    });
    try {
      await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
      await session.send("Where is greet defined?");
    } finally {
      api.chat.setRepoSource(wired);
    }
    assert.deepEqual(asked, ["Where is greet defined?"]);
    // The tests' 2048-token context is smaller than the repository service's default answer
    // budget, so it may refuse with its own message (naming the settings to change); either
    // way the turn shows what the service said, not a chat-side failure.
    const answer = session.current.turns[1];
    if (answer.error !== undefined) assert.match(answer.error, /hearth\.repo\.answerTokens|hearth\.server\.contextSize/, answer.error);
    else assert.equal(answer.meta?.route, "local");
  });
});
