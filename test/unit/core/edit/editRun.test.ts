// The edit flow (src/core/edit/editRun.ts) on a real Gateway wired to loopback fakes for
// every route (the gateway's own harness), with scripted answers: targets from the editor
// port, a plan, each target's prompt budgeted for it, the answer streamed into the proposal,
// the guards, and the proposal's verdict left to the editor side. The editor is in memory.
import assert from "node:assert/strict";
import { EditTooLong, EmptyAnswer } from "../../../../src/core/edit/editFailures";
import type { EditKind } from "../../../../src/core/edit/editKinds";
import type { EditProposal } from "../../../../src/core/edit/editProposal";
import type { EditChoices } from "../../../../src/core/edit/editPrompt";
import { runEdit, type EditResult, type ExplainStream, type ProposalView } from "../../../../src/core/edit/editRun";
import { parseGlossary } from "../../../../src/core/edit/guards";
import { naturalLanguage } from "../../../../src/core/edit/languages";
import type { GatewayResult } from "../../../../src/core/gateway";
import { MemoryLogger } from "../../../../src/core/logger";
import type { RecordedRequest } from "../../../support/fakeCloud";
import { startHarness, type Harness } from "../gateway/gatewayHarness";
import { MemoryEditor } from "./memoryEditor";

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

const LOOP = "  for (let i = 0; i < items.length; i++) {\n    sum = sum + items[i];\n  }";
const FOR_OF = "for (const item of items) {\n  sum += item;\n}";

/** The proposal view the editor side would show: records what the flow did with it. */
class RecordingView implements ProposalView {
  readonly seen: string[] = [];
  state: "shown" | "ready" | "discarded" = "shown";
  constructor(readonly proposal: EditProposal) {}
  changed(): void {
    this.seen.push(this.proposal.proposalText());
  }
  async ready(): Promise<void> {
    this.state = "ready";
  }
  async discard(): Promise<void> {
    this.state = "discarded";
  }
}

class RecordingSink {
  text = "";
  answers: GatewayResult[] = [];
  ended = false;
  append(text: string): void {
    this.text += text;
  }
  answered(result: GatewayResult): void {
    this.answers.push(result);
  }
  end(): void {
    this.ended = true;
  }
}

const chatRequests = (h: Harness): RecordedRequest[] => h.local.requests.filter((r) => r.path.endsWith("/chat/completions"));
const body = (request: RecordedRequest) => request.json as { messages: { role: string; content: string }[]; max_tokens?: number; temperature?: number };

describe("edit flow (core) on a real gateway", function () {
  this.timeout(30_000);
  let h: Harness;
  let editor: MemoryEditor;
  let views: RecordingView[];
  let sink: RecordingSink;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    editor = new MemoryEditor().open("src/total.ts", SAMPLE);
    views = [];
    sink = new RecordingSink();
  });

  function edit(kind: EditKind, options: { choices?: EditChoices; signal?: AbortSignal; feature?: "edit" | "translate"; glossary?: string; displayLanguage?: string } = {}): Promise<EditResult<RecordingView>> {
    const view = editor.activeEditor();
    assert.ok(view);
    const glossary = options.glossary === undefined ? undefined : parseGlossary(options.glossary);
    if (glossary !== undefined && !glossary.ok) throw new Error("bad glossary in the test");
    return runEdit(
      { editor, model: h.gateway().port(options.feature ?? "edit"), log: new MemoryLogger() },
      {
        kind,
        view,
        choices: options.choices ?? {},
        ...(glossary !== undefined ? { glossary: glossary.glossary } : {}),
        ...(options.displayLanguage !== undefined ? { displayLanguage: naturalLanguage(options.displayLanguage) } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      },
      {
        explanation: (): ExplainStream => ({ append: (t) => sink.append(t), answeredBy: (r) => sink.answered(r), end: () => sink.end() }),
        proposal: async (proposal) => {
          const shown = new RecordingView(proposal);
          views.push(shown);
          return shown;
        },
      },
    );
  }

  it("refactors the selection: the proposal is shown before the answer, follows the stream, and is ready with the file untouched", async () => {
    editor.select("  for (let", "  }");
    h.local.answer = `Sure:\n\`\`\`ts\n${FOR_OF}\n\`\`\`\n`;
    const result = await edit("refactor", { choices: { instruction: "use a for-of loop" } });
    assert.equal(result.status, "proposed", JSON.stringify(result));
    if (result.status !== "proposed") return;
    assert.equal(result.proposal.proposalText(), SAMPLE.replace(LOOP, "  for (const item of items) {\n    sum += item;\n  }"), "re-indented where the loop was");
    assert.equal(result.view.state, "ready");
    assert.ok(result.view.seen.length > 0, "the view followed the stream");
    assert.deepEqual(result.proposal.reports, []);
    assert.equal(editor.symbolRequests, 0, "a selection needs no outline");
    const [request] = chatRequests(h);
    const sent = body(request);
    assert.match(sent.messages.at(-1)?.content ?? "", /use a for-of loop/);
    assert.equal(sent.temperature, 0.2);
    assert.equal(h.egressRequests(), 0);
  });

  it("without a selection, works on the symbol around the cursor", async () => {
    const at = SAMPLE.indexOf("toUpperCase");
    editor.selections = [{ start: at, end: at, active: at }];
    const start = SAMPLE.indexOf("export function shout");
    const end = SAMPLE.indexOf("}", at) + 1;
    editor.outline = [
      { name: "total", shape: "function", start: 0, end: SAMPLE.indexOf("}\n\nexport") + 1, children: [] },
      { name: "shout", shape: "function", start, end, children: [] },
    ];
    h.local.answer = "```ts\nexport const shout = (text: string): string => `${text.toUpperCase()}!`;\n```";
    const result = await edit("refactor", { choices: { instruction: "arrow function" } });
    assert.equal(result.status, "proposed");
    if (result.status !== "proposed") return;
    assert.equal(editor.symbolRequests, 1);
    assert.equal(result.proposal.targets[0].original, SAMPLE.slice(start, end));
    assert.ok(result.proposal.proposalText().startsWith(SAMPLE.slice(0, start)), "the rest of the file is unchanged");
  });

  it("budgets the answer within the planned route's context, and says a target too long is too long before anything is shown or sent", async () => {
    h.state.localContextTokens = 2048;
    editor.select("  for (let", "  }");
    h.local.answer = `\`\`\`ts\n${FOR_OF}\n\`\`\``;
    const fits = await edit("refactor");
    assert.equal(fits.status, "proposed");
    const maxTokens = body(chatRequests(h)[0]).max_tokens ?? 0;
    assert.ok(maxTokens > 0 && maxTokens <= 2048, `max_tokens ${maxTokens}`);

    h.local.reset();
    editor.open("src/long.py", Array.from({ length: 500 }, (_, i) => `value_${i} = compute(${i}, "item number ${i}")`).join("\n") + "\n", { languageId: "python" });
    const result = await edit("refactor", { choices: { instruction: "tidy" } });
    assert.equal(result.status, "failed");
    if (result.status !== "failed") return;
    assert.ok(result.error instanceof EditTooLong, String(result.error));
    assert.equal(result.error.available, 2048);
    assert.equal(result.error.route, "local");
    assert.ok(result.error.needed > 2048);
    assert.match(result.error.message, /too long for the model's context: it needs about \d+ tokens and the local model holds 2048/);
    assert.equal(views.length, 1, "no second proposal was shown");
    assert.equal(chatRequests(h).length, 0, "nothing was sent");
  });

  it("an answer without text fails the flow, and the proposal is taken down", async () => {
    editor.select("  for (let", "  }");
    h.local.answer = "```ts\n```";
    const result = await edit("refactor");
    assert.equal(result.status, "failed");
    if (result.status !== "failed") return;
    assert.ok(result.error instanceof EmptyAnswer);
    assert.equal(views[0].state, "discarded");
  });

  it("a refusal fails the flow before anything is shown", async () => {
    h.state.localKnownDown = true;
    const result = await edit("refactor");
    assert.equal(result.status, "failed");
    assert.equal(views.length, 0);
    assert.equal(h.egressRequests(), 0);
  });

  it("cancelling while the answer streams is a cancel, not a failure, and takes the proposal down", async () => {
    editor.select("  for (let", "  }");
    h.local.answer = `\`\`\`ts\n${FOR_OF}\n${"// more\n".repeat(40)}\`\`\``;
    h.local.pieceDelayMs = 20;
    const abort = new AbortController();
    const running = edit("refactor", { signal: abort.signal });
    while (views[0]?.seen.length === undefined || views[0].seen.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    const result = await running;
    h.local.pieceDelayMs = 1;
    assert.equal(result.status, "cancelled");
    assert.equal(views[0].state, "discarded");
  });

  it("Explain streams each part into the sink in the display language, parts apart, and says who answered", async () => {
    const second = SAMPLE.indexOf("export function shout");
    editor.selections = [
      { start: 0, end: 20, active: 20 },
      { start: second, end: second + 20, active: second + 20 },
    ];
    h.local.answer = "It adds.";
    const result = await edit("explain", { displayLanguage: "ja" });
    assert.equal(result.status, "explained");
    if (result.status !== "explained") return;
    assert.equal(result.text, "It adds.\n\n---\n\nIt adds.");
    assert.equal(sink.text, result.text);
    assert.equal(sink.answers.length, 2);
    assert.equal(sink.answers[0].route, "local");
    assert.ok(sink.ended);
    assert.match(body(chatRequests(h)[0]).messages[0].content, /in Japanese/);
  });

  it("Fix puts the editor's problems on the target into the prompt, counted from the target's first line", async () => {
    editor.select("export function shout", "!';\n}");
    const at = SAMPLE.indexOf("toUpperCase");
    editor.problems = [
      { start: at, end: at + 11, severity: "error", message: "toUpperCase is not a function", source: "ts" },
      { start: 0, end: 6, severity: "warning", message: "elsewhere" },
    ];
    h.local.answer = "```ts\nexport function shout(text: string): string {\n  return `${text}!`;\n}\n```";
    const result = await edit("fix");
    assert.equal(result.status, "proposed");
    const user = body(chatRequests(h)[0]).messages.at(-1)?.content ?? "";
    assert.match(user, /- line 2: error: toUpperCase is not a function \(ts\)/);
    assert.doesNotMatch(user, /elsewhere/);
  });

  it("Generate Tests answers with a new document's text; Translate Code names the target language", async () => {
    editor.select("export function total", "return sum;\n}");
    h.local.answer = "```ts\nimport { total } from './total';\n```";
    const tests = await edit("tests");
    assert.deepEqual(tests, { status: "newDocument", languageId: "typescript", text: "import { total } from './total';\n" });

    h.local.answer = "```python\ndef total(items):\n    return sum(items)\n```";
    const translated = await edit("translateCode", { choices: { codeLanguage: { languageId: "python", name: "Python", fence: "python" } } });
    assert.deepEqual(translated, { status: "newDocument", languageId: "python", text: "def total(items):\n    return sum(items)\n" });
  });

  it("translating comments runs the guards (changed code is a violation) and puts the glossary's rules into the prompt", async () => {
    editor.open("src/a.ts", "// Adds one.\nexport const inc = (n: number) => n + 1;\n");
    h.local.answer = "```ts\n// 一を足す。Widget\nexport const inc = (n: number) => n + 2;\n```";
    const result = await edit("translateComments", {
      feature: "translate",
      choices: { language: naturalLanguage("ja") },
      glossary: JSON.stringify({ keep: ["Hearth"] }),
    });
    assert.equal(result.status, "proposed");
    if (result.status !== "proposed") return;
    const code = result.proposal.reports.find((r) => r.guard === "code-unchanged");
    assert.ok(code, "the code guard ran");
    assert.equal(code.status, "violations", code.summary);
    assert.match(body(chatRequests(h)[0]).messages.at(-1)?.content ?? "", /Glossary \(follow it exactly\)/);
  });
});
