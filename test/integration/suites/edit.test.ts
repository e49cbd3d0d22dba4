// Hearth's edit commands in a real VS Code: the real extension, gateway, local provider,
// diff editor and WorkspaceEdit. For deterministic answers hearth.server.url points at a
// loopback OpenAI-compatible fake that returns scripted text (trusted pass only: Restricted
// Mode ignores a workspace's server URL, by design). One test runs against the real tiny
// model through Hearth's own server: its answer is noise, but the flow must hold.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import * as vscode from "vscode";
import { glossaryInstructions, parseGlossary } from "../../../src/core/edit/guards";
import type { HearthApi } from "../../../src/extension";
import type { AcceptOutcome, EditOutcome } from "../../../src/vscode/edit/index";
import { EDIT_COMMANDS, PROPOSAL_SCHEME } from "../../../src/vscode/edit/index";
import { FakeOpenAi, type RecordedRequest } from "../../support/fakeCloud/index";
import { currentMode, describeIn, note, screenshot, waitFor } from "../harness/host";

const workspace = vscode.ConfigurationTarget.Workspace;

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

function folder(): vscode.Uri {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, "a workspace folder is open");
  return first.uri;
}

/** Writes a fresh file into the test workspace and opens it in an editor. */
async function freshFile(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(folder(), "edit-it", name);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document, { preview: false });
}

function diffTabFor(proposal: vscode.Uri): vscode.TabInputTextDiff | undefined {
  for (const tab of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.toString() === proposal.toString()) return tab.input;
  }
  return undefined;
}

function selectLines(editor: vscode.TextEditor, ...spans: [number, number][]): void {
  editor.selections = spans.map(([from, to]) => new vscode.Selection(from, 0, to, editor.document.lineAt(to).text.length));
}

function userMessage(request: RecordedRequest): string {
  const messages = (request.json as { messages?: { role: string; content: string }[] }).messages ?? [];
  return messages.filter((m) => m.role === "user").pop()?.content ?? "";
}

/** Saves this suite's changed files (so closing asks nothing) and closes every editor. */
async function closeAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments) {
    if (document.isDirty && document.uri.path.includes("/edit-it/")) await document.save();
  }
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
}

const SAMPLE = [
  "export function total(items: number[]): number {",
  "  let sum = 0;",
  "  for (let i = 0; i < items.length; i++) {",
  "    sum = sum + items[i];",
  "  }",
  "  return sum;",
  "}",
  "",
  "export function shout(text: string): string {",
  "  return text.toUpperCase() + '!';",
  "}",
  "",
].join("\n");

const LOOP_REWRITE = "```ts\nfor (const item of items) {\n  sum += item;\n}\n```";

// This suite opens many files; the Quick Open history it leaves would put them above the
// file a later browser test types into Quick Open (harness/ui.ts openFile presses Enter on the
// first row), so leave no history behind.
after(async () => {
  await vscode.commands.executeCommand("workbench.action.clearEditorHistory");
});

/**
 * Points Hearth at a loopback OpenAI-compatible fake for the enclosing describe block (hands
 * it to `use` once started), resets it and closes editors after each test, and restores the
 * setting afterwards: the real extension, gateway and provider, with scripted answers.
 */
function useScriptedServer(use: (fake: FakeOpenAi) => void): void {
  let fake: FakeOpenAi | undefined;
  before(async () => {
    const api = await hearth();
    fake = await new FakeOpenAi().start();
    use(fake);
    await vscode.workspace.getConfiguration("hearth").update("server.url", fake.baseUrl, workspace);
    await waitFor("Hearth to use the scripted server", () => api.modelService.state.kind === "external", { timeoutMs: 30_000 });
  });
  after(async () => {
    await vscode.workspace.getConfiguration("hearth").update("server.url", undefined, workspace);
    await fake?.stop();
  });
  afterEach(async () => {
    fake?.reset();
    await closeAll();
  });
}

describeIn(["trusted"], "edit commands with a scripted model", function () {
  this.timeout(120_000);
  let fake: FakeOpenAi;
  let api: HearthApi;

  before(async () => {
    api = await hearth();
  });
  useScriptedServer((started) => (fake = started));

  it("refactors a selection into a diff, accepts it as one edit, and undo restores the original", async () => {
    const editor = await freshFile("total.ts", SAMPLE);
    const document = editor.document;
    selectLines(editor, [2, 4]);
    fake.answer = `Sure:\n${LOOP_REWRITE}\n`;

    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "use a for-of loop" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;

    // The proposal is the file with the loop re-indented into place, shown in a diff against the file.
    const expected = SAMPLE.replace("  for (let i = 0; i < items.length; i++) {\n    sum = sum + items[i];\n  }", "  for (const item of items) {\n    sum += item;\n  }");
    const diff = diffTabFor(outcome.proposalUri);
    assert.ok(diff, "a diff editor shows the proposal");
    assert.equal(diff.original.toString(), document.uri.toString());
    assert.equal(outcome.proposalUri.scheme, PROPOSAL_SCHEME);
    const proposal = await vscode.workspace.openTextDocument(outcome.proposalUri);
    assert.equal(proposal.getText(), expected);
    assert.equal(document.getText(), SAMPLE, "the file is untouched before Accept");
    assert.equal(document.isDirty, false);
    await screenshot("edit-refactor-diff");

    // What went to the model: one chat request, the instruction and the target in it.
    const chats = fake.requests.filter((r) => r.path.endsWith("/chat/completions"));
    assert.equal(chats.length, 1);
    assert.match(userMessage(chats[0]), /use a for-of loop/);
    assert.ok(userMessage(chats[0]).includes("sum = sum + items[i];"));
    const body = chats[0].json as { chat_template_kwargs?: { enable_thinking?: boolean }; messages: { role: string }[] };
    assert.equal(body.chat_template_kwargs?.enable_thinking, false, "thinking is off for edits");
    assert.equal(body.messages[0].role, "system");

    const accepted = await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept);
    assert.equal(accepted, "accepted");
    assert.equal(document.getText(), expected);
    assert.equal(diffTabFor(outcome.proposalUri), undefined, "the diff closed");

    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand("undo");
    assert.equal(document.getText(), SAMPLE, "one undo restores the original");
  });

  it("leaves the file byte-identical on Reject", async () => {
    const editor = await freshFile("reject.ts", SAMPLE.replace(/\n/g, "\r\n"));
    const before = await readFile(editor.document.uri.fsPath);
    selectLines(editor, [8, 10]);
    fake.answer = "```ts\nexport const shout = (text: string): string => `${text.toUpperCase()}!`;\n```";
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "arrow function" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    assert.ok((await vscode.workspace.openTextDocument(outcome.proposalUri)).getText().includes("export const shout = (text: string)"));
    await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
    assert.equal(diffTabFor(outcome.proposalUri), undefined, "the diff closed");
    assert.equal(editor.document.isDirty, false);
    assert.deepEqual(await readFile(editor.document.uri.fsPath), before, "the file's bytes are unchanged");
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "noProposal", "nothing left to accept");
  });

  it("edits an untitled document too, with the proposal in the same language", async () => {
    const document = await vscode.workspace.openTextDocument({ language: "python", content: "def f(x):\n    return x*2\n" });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, 14);
    fake.answer = "```python\nreturn x * 2\n```";
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "spaces around operators" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    assert.equal((await vscode.workspace.openTextDocument(outcome.proposalUri)).languageId, "python");
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "accepted");
    assert.equal(document.getText(), "def f(x):\n    return x * 2\n");
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");
  });

  it("treats closing a finished proposal's diff as Reject", async () => {
    const editor = await freshFile("closed.ts", SAMPLE);
    selectLines(editor, [2, 4]);
    fake.answer = LOOP_REWRITE;
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "for-of" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === outcome.proposalUri.toString());
    assert.ok(tab);
    await vscode.window.tabGroups.close(tab);
    await waitFor("the proposal to be dropped", async () => (api.edit.controller.find(outcome.proposalUri) === undefined ? true : undefined), { timeoutMs: 5000 });
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "noProposal");
    assert.equal(editor.document.getText(), SAMPLE);
  });

  it("translates a Markdown document's prose and keeps its code blocks byte-identical", async () => {
    const original = [
      "# Getting started",
      "",
      "Install the tool, then run it:",
      "",
      "```sh",
      "npm install --save-dev hearth",
      "npx hearth --help",
      "```",
      "",
      "Call `greet()` from your code:",
      "",
      "```ts",
      "import { greet } from 'hearth';",
      "greet('world');",
      "```",
      "",
    ].join("\n");
    const translated = [
      "# はじめに",
      "",
      "ツールをインストールしてから実行します:",
      "",
      "```sh",
      "npm install --save-dev hearth",
      "npx hearth --help",
      "```",
      "",
      "コードから `greet()` を呼び出します:",
      "",
      "```ts",
      "import { greet } from 'hearth';",
      "greet('world');",
      "```",
    ].join("\n");
    const editor = await freshFile("guide.md", original);
    fake.answer = (request) => {
      assert.match(userMessage(request), /into Japanese/);
      return `\`\`\`\`markdown\n${translated}\n\`\`\`\``;
    };
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.translateDocument, { language: "ja" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    assert.ok(outcome.reports.some((r) => r.guard === "markdown-structure"), "the Markdown structure guard ran");
    note(`markdown guard: ${outcome.reports.map((r) => `${r.guard}=${r.status}`).join(", ")}`);

    const codeBlocks = (text: string): string[] => text.match(/^```[a-z]*\n[\s\S]*?^```$/gm) ?? [];
    const proposal = (await vscode.workspace.openTextDocument(outcome.proposalUri)).getText();
    assert.deepEqual(codeBlocks(proposal), codeBlocks(original));
    assert.equal(codeBlocks(original).length, 2);
    assert.match(proposal, /はじめに/);
    assert.ok(proposal.endsWith("```\n"), "the trailing newline is kept");

    const verdict = await vscode.commands.executeCommand<AcceptOutcome>(outcome.reports.some((r) => r.status === "violations") ? EDIT_COMMANDS.acceptAnyway : EDIT_COMMANDS.accept);
    assert.equal(verdict, "accepted");
    assert.equal(editor.document.getText(), `${translated}\n`);
    assert.deepEqual(codeBlocks(editor.document.getText()), codeBlocks(original));
  });

  it("edits several selections with one request each, one diff and one undoable edit", async () => {
    const editor = await freshFile("several.ts", SAMPLE);
    selectLines(editor, [3, 3], [9, 9]);
    // Each target's own text follows "The part to work on" (the other one may be in the context above it).
    const partOf = (request: RecordedRequest): string => userMessage(request).split("The part to work on").pop() ?? "";
    fake.answer = (request) => (partOf(request).includes("sum = sum + items[i];") ? "```ts\n    sum += items[i];\n```" : "```ts\n  return `${text.toUpperCase()}!`;\n```");
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "tidy" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    assert.equal(outcome.targets, 2);
    assert.equal(fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length, 2);
    const expected = SAMPLE.replace("    sum = sum + items[i];", "    sum += items[i];").replace("  return text.toUpperCase() + '!';", "  return `${text.toUpperCase()}!`;");
    assert.equal((await vscode.workspace.openTextDocument(outcome.proposalUri)).getText(), expected);
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "accepted");
    assert.equal(editor.document.getText(), expected);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand("undo");
    assert.equal(editor.document.getText(), SAMPLE);
  });

  it("re-diffs against the current text when the file changed before Accept, and applies only where the target is unchanged", async () => {
    const editor = await freshFile("changed.ts", SAMPLE);
    selectLines(editor, [2, 4]);
    fake.answer = LOOP_REWRITE;
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "for-of" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;

    // The user adds a line above the target while the proposal is open.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, new vscode.Position(0, 0), "// added by the user\n");
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "rediffed");
    const rebased = (await vscode.workspace.openTextDocument(outcome.proposalUri)).getText();
    assert.ok(rebased.startsWith("// added by the user\n"), "the proposal now shows the user's line");
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "accepted");
    assert.ok(editor.document.getText().startsWith("// added by the user\nexport function total"));
    assert.ok(editor.document.getText().includes("  for (const item of items) {\n    sum += item;\n  }"));

    // Now change the target itself: the proposal must not be applied. (Accept showed the file in a new editor.)
    const current = await vscode.window.showTextDocument(editor.document);
    selectLines(current, [10, 10]);
    fake.answer = "```ts\n  return text;\n```";
    const second = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "simpler" });
    assert.equal(second.status, "proposed");
    const change = new vscode.WorkspaceEdit();
    change.replace(editor.document.uri, editor.document.lineAt(10).range, "  return text.toLowerCase();");
    assert.ok(await vscode.workspace.applyEdit(change));
    const before = editor.document.getText();
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "stale");
    assert.equal(editor.document.getText(), before, "a stale proposal writes nothing");
    await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
  });

  it("works on the enclosing function when nothing is selected", async () => {
    const editor = await freshFile("symbol.ts", SAMPLE);
    editor.selection = new vscode.Selection(9, 4, 9, 4);
    fake.answer = (request) => `\`\`\`ts\n${userMessage(request).includes("The part to work on") && userMessage(request).includes("export function shout") ? "/** Shouts. */\nexport function shout(text: string): string {\n  return text.toUpperCase() + '!';\n}" : "WRONG TARGET"}\n\`\`\``;
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.document);
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    const proposal = (await vscode.workspace.openTextDocument(outcome.proposalUri)).getText();
    if (proposal.includes("WRONG TARGET")) note("no document symbol provider answered for TypeScript here; the whole file was the target");
    else assert.equal(proposal, SAMPLE.replace("export function shout", "/** Shouts. */\nexport function shout"));
    await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
  });

  it("translates code into a new untitled document and explains in the chat panel, with the route", async () => {
    const editor = await freshFile("tocode.ts", SAMPLE);
    selectLines(editor, [8, 10]);
    fake.answer = "```python\ndef shout(text: str) -> str:\n    return text.upper() + '!'\n```";
    const opened = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.translateCode, { codeLanguage: "python" });
    assert.equal(opened.status, "opened", JSON.stringify(opened));
    if (opened.status !== "opened") return;
    const created = await vscode.workspace.openTextDocument(opened.documentUri);
    assert.equal(created.uri.scheme, "untitled");
    assert.equal(created.languageId, "python");
    assert.equal(created.getText(), "def shout(text: str) -> str:\n    return text.upper() + '!'\n");
    assert.equal(editor.document.getText(), SAMPLE);
    await vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor");

    await vscode.window.showTextDocument(editor.document);
    fake.answer = "It **shouts** the text.";
    const explained = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.explain);
    assert.equal(explained.status, "explained", JSON.stringify(explained));
    // Explain answers in the chat panel: a question turn, then the answer with who answered it.
    const api = vscode.extensions.getExtension<HearthApi>("hearth.hearth")!.exports;
    const turns = api.chat.session.current.turns;
    const answer = turns[turns.length - 1];
    assert.equal(answer.role, "assistant");
    assert.equal(answer.text, "It **shouts** the text.");
    assert.ok(answer.meta !== undefined, "the answer carries its route");
    assert.match(turns[turns.length - 2].text, /tocode\.ts/);
    note(`explain answered in chat by ${answer.meta.provider}/${answer.meta.model} (${answer.meta.route})`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await screenshot("edit-explain");
  });
});

describeIn(["trusted"], "edit guards and code actions in the extension", function () {
  this.timeout(120_000);
  let fake: FakeOpenAi;

  useScriptedServer((started) => (fake = started));

  it("offers the edit commands as code actions on a selection", async () => {
    const editor = await freshFile("actions.ts", SAMPLE);
    const range = new vscode.Range(2, 0, 4, 3);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, range)) ?? [];
    const ours = actions.filter((a) => a.command?.command.startsWith("hearth.edit."));
    assert.deepEqual(
      ours.map((a) => a.command?.command).sort(),
      [EDIT_COMMANDS.document, EDIT_COMMANDS.explain, EDIT_COMMANDS.generateTests, EDIT_COMMANDS.refactor, EDIT_COMMANDS.translateCode, EDIT_COMMANDS.translateComments].sort(),
    );
    assert.ok(ours.every((a) => a.kind?.value === "refactor.rewrite.hearth"));
  });

  it("offers Fix where there are diagnostics and sends them to the model as context", async () => {
    const editor = await freshFile("broken.ts", "export function half(n: number): number {\n  const out: number = `${n / 2}`;\n  return out;\n}\n");
    const uri = editor.document.uri;
    const diagnostics = await waitFor("TypeScript to report the type error", () => {
      const found = vscode.languages.getDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 60_000 });
    const range = new vscode.Range(1, 10, 1, 10);
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", uri, range)) ?? [];
    const fix = actions.find((a) => a.command?.command === EDIT_COMMANDS.fix);
    assert.ok(fix, "Hearth: Fix is offered");
    assert.equal(fix.kind?.value, "quickfix.hearth");

    editor.selection = new vscode.Selection(1, 10, 1, 10);
    fake.answer = "```ts\nexport function half(n: number): number {\n  const out: number = n / 2;\n  return out;\n}\n```";
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.fix);
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    const sent = userMessage(fake.requests.filter((r) => r.path.endsWith("/chat/completions"))[0]);
    assert.ok(sent.includes(diagnostics[0].message.split("\n")[0]), `the diagnostic is in the prompt: ${sent}`);
    await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
  });

  it("checks that translating comments left the code alone, and asks for Accept anyway when it did not", async () => {
    const original = "# Adds two numbers.\ndef add(a, b):\n    return a + b  # the sum\n";
    const editor = await freshFile("comments.py", original);
    editor.selection = new vscode.Selection(0, 0, 3, 0);
    // The "translation" also changes the code: `a + b` became `a - b`.
    fake.answer = "```python\n# 2つの数を足す。\ndef add(a, b):\n    return a - b  # 合計\n```";
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.translateComments, { language: "ja" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    const code = outcome.reports.find((r) => r.guard === "code-unchanged");
    assert.ok(code, "the code-unchanged guard ran");
    if (code.status === "not-checked") {
      // The guards module is not merged into this build yet: the report must say so, and Accept stays plain.
      assert.match(code.summary, /not checked/i);
      note(`code guard: not-checked (${code.summary})`);
      await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
      return;
    }
    assert.equal(code.status, "violations", code.summary);
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "needsConfirmation", "no silent Accept");
    assert.equal(editor.document.getText(), original);
    const marked = vscode.languages.getDiagnostics(outcome.proposalUri);
    assert.ok(marked.length > 0, "the changed lines are marked on the proposal");
    note(`code guard: ${code.summary}; marked lines ${marked.map((d) => d.range.start.line + 1).join(", ")}`);
    assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.acceptAnyway), "accepted");
    assert.ok(editor.document.getText().includes("a - b"));
  });
});

describeIn(["trusted"], "edit with a workspace glossary", function () {
  this.timeout(120_000);
  let fake: FakeOpenAi;
  const glossaryText = '{ "keep": ["Hearth"], "translate": { "pull request": { "ja": "プルリクエスト" } } }\n';
  const glossaryUri = (): vscode.Uri => vscode.Uri.joinPath(folder(), ".hearth", "glossary.json");

  before(async () => {
    const api = await hearth();
    fake = await new FakeOpenAi().start();
    await vscode.workspace.getConfiguration("hearth").update("server.url", fake.baseUrl, workspace);
    await waitFor("Hearth to use the scripted server", () => api.modelService.state.kind === "external", { timeoutMs: 30_000 });
    await vscode.workspace.fs.writeFile(glossaryUri(), new TextEncoder().encode(glossaryText));
  });

  after(async () => {
    await vscode.workspace.fs.delete(glossaryUri()).then(undefined, () => undefined);
    await vscode.workspace.getConfiguration("hearth").update("server.url", undefined, workspace);
    await fake.stop();
  });

  afterEach(async () => {
    fake.reset();
    await closeAll();
  });

  it("puts .hearth/glossary.json's rules in the prompt and checks the translation against them", async () => {
    const parsed = parseGlossary(glossaryText);
    assert.ok(parsed.ok, "the test's glossary parses");
    const rules = glossaryInstructions(parsed.glossary, "Japanese");
    const editor = await freshFile("glossary.md", "Open a pull request in Hearth.\n");
    // The model translated "Hearth", which the glossary says to keep.
    fake.answer = "```markdown\nハースでプルリクエストを開きます。\n```";
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.translateDocument, { language: "ja" });
    assert.equal(outcome.status, "proposed", JSON.stringify(outcome));
    if (outcome.status !== "proposed") return;
    const sent = userMessage(fake.requests.filter((r) => r.path.endsWith("/chat/completions"))[0]);
    if (rules.trim() !== "") assert.ok(sent.includes(rules.trim()), "the glossary's rules are in the prompt");
    const glossary = outcome.reports.find((r) => r.guard === "glossary");
    assert.ok(glossary, "the glossary check ran");
    note(`glossary guard: ${glossary.status}: ${glossary.summary}`);
    if (glossary.status !== "not-checked") {
      assert.equal(glossary.status, "violations");
      assert.equal(await vscode.commands.executeCommand<AcceptOutcome>(EDIT_COMMANDS.accept), "needsConfirmation");
    }
    await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
    assert.equal(editor.document.getText(), "Open a pull request in Hearth.\n");
  });
});

describe("edit commands with the real tiny model", function () {
  this.timeout(180_000);

  it("streams a (noisy) proposal into the diff, and Reject leaves the file byte-identical", async () => {
    const api = await hearth();
    await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 120_000 });
    const editor = await freshFile("real.py", "def add(a, b):\n    return a + b\n");
    const before = await readFile(editor.document.uri.fsPath);
    selectLines(editor, [1, 1]);
    const started = Date.now();
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "use descriptive names" });
    note(`${currentMode()}: tiny model answered in ${Date.now() - started} ms: ${outcome.status}`);
    assert.ok(outcome.status === "proposed" || outcome.status === "failed", JSON.stringify(outcome));
    if (outcome.status === "proposed") {
      assert.ok(diffTabFor(outcome.proposalUri), "the diff is open");
      await screenshot("edit-real-model-diff");
      await vscode.commands.executeCommand(EDIT_COMMANDS.reject);
      assert.equal(diffTabFor(outcome.proposalUri), undefined);
    } else {
      // Only an empty answer may fail the flow; say which.
      assert.match(outcome.message, /returned no text/);
    }
    assert.equal(editor.document.isDirty, false);
    assert.deepEqual(await readFile(editor.document.uri.fsPath), before);
    await closeAll();
  });

  it("says a target too long for the model's context is too long, before sending it, and changes nothing", async () => {
    const api = await hearth();
    await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 120_000 });
    const text = Array.from({ length: 500 }, (_, i) => `value_${i} = compute(${i}, "item number ${i}")`).join("\n") + "\n";
    const editor = await freshFile("long.py", text);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const outcome = await vscode.commands.executeCommand<EditOutcome>(EDIT_COMMANDS.refactor, { instruction: "tidy" });
    assert.equal(outcome.status, "failed", JSON.stringify(outcome));
    if (outcome.status === "failed") {
      assert.match(outcome.message, /too long for the model's context: it needs about \d+ tokens and .+ holds 2048\. Select a smaller part, or raise hearth\.server\.contextSize\./);
      note(`${currentMode()}: ${outcome.message}`);
    }
    assert.equal(editor.document.getText(), text);
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff).length, 0, "no diff is left open");
    await closeAll();
  });
});
