// The chat session (src/core/chat) on a real Gateway wired to loopback fakes for every
// route (the gateway's own harness): a question is planned, built for the planned route,
// checked against its context and sent; the answer streams into the view and the history.
// The editor is a plain in-memory one, the key-value store a Map.
import assert from "node:assert/strict";
import { ChatSession, type ChatSessionDeps, type ToWebview } from "../../../../src/core/chat";
import { isGatewayRefusal, type ModelPort } from "../../../../src/core/gateway";
import { MemoryLogger } from "../../../../src/core/logger";
import { TEMPLATE_MARGIN } from "../../../../src/core/model";
import { GPT, models, startHarness, userPolicy, type Harness } from "../gateway/gatewayHarness";
import { MemoryEditor } from "../edit/memoryEditor";

class MapStore {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
}

const GREET = "export function greet(name: string): string {\n  return `Hello, ${name}`;\n}\n";

/** The questions the local fake was asked (it also sees the tokenizer's requests, which it does not serve). */
const chatRequests = (h: Harness) => h.local.requests.filter((r) => r.path.endsWith("/chat/completions"));

function lastUserMessage(json: unknown): string {
  const messages = (json as { messages?: { role: string; content: string }[] }).messages ?? [];
  return messages.filter((m) => m.role === "user").pop()?.content ?? "";
}

describe("chat session (core) on a real gateway", function () {
  this.timeout(30_000);
  let h: Harness;
  let editor: MemoryEditor;
  let posted: ToWebview[];
  let notified: unknown[];

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    editor = new MemoryEditor().open("src/greet.ts", GREET);
    posted = [];
    notified = [];
  });

  function session(overrides: Partial<ChatSessionDeps> = {}): ChatSession {
    const chat = new ChatSession({
      model: h.gateway().port("chat"),
      editor,
      store: new MapStore(),
      log: new MemoryLogger(),
      notify: async (error) => void notified.push(error),
      ...overrides,
    });
    chat.connect((message) => posted.push(message));
    return chat;
  }

  const notices = (): string[] => posted.flatMap((m) => (m.type === "notice" ? [m.message] : []));
  const deltas = (): string => posted.flatMap((m) => (m.type === "delta" ? [m.text] : [])).join("");

  it("sends the question with the attached selection on the local route, streams the answer and keeps the chat", async () => {
    h.local.answer = "It greets someone by name.";
    const chat = session();
    editor.select("export function", "`;\n}");
    assert.equal(await chat.attachments.addSelection(), undefined);
    const [chip] = chat.attachments.views();
    assert.equal(chip.label, "src/greet.ts:1-3");
    assert.ok((chip.tokens ?? 0) > 0, "the chip carries a token count");

    await chat.send("What does this do?");

    const answered = chatRequests(h);
    assert.equal(answered.length, 1, "one question, to this machine");
    assert.equal(h.egressRequests(), 0);
    const sent = lastUserMessage(answered[0].json);
    assert.match(sent, /What does this do\?/);
    assert.match(sent, /export function greet/, "the selection went with the question");
    const [question, answer] = chat.current.turns;
    assert.deepEqual(question.attachments, ["src/greet.ts:1-3"]);
    assert.equal(answer.text, "It greets someone by name.");
    assert.equal(answer.error, undefined);
    assert.equal(answer.meta?.route, "local");
    assert.equal(deltas(), "It greets someone by name.", "the view got the answer piece by piece");
    assert.deepEqual(chat.attachments.views(), [], "the chips are cleared once sent");
    assert.equal(chat.busy, false);
    assert.deepEqual(
      chat.history.list().map((c) => c.title),
      ["What does this do?"],
    );
  });

  it("does not send a question that does not fit the planned route's context, says so with the figures, and keeps the attachment", async () => {
    h.state.localContextTokens = 2048;
    const chat = session();
    editor.open("src/big.ts", Array.from({ length: 1500 }, (_, i) => `const value${i} = ${i};`).join("\n"));
    assert.equal(await chat.attachments.addCurrentFile(), undefined);

    await chat.send("Explain all of it.");

    assert.equal(chatRequests(h).length, 0, "nothing was sent");
    assert.equal(chat.current.turns.length, 0, "the question was not added");
    assert.equal(chat.attachments.views().length, 1, "the attachment stays so the person can remove it");
    const [notice] = notices();
    // The limit is the one fit rule's: the context less the answer's room (a quarter of 2048) and the chat template's margin.
    assert.match(notice, new RegExp(`^Not sent: .* about \\d+ tokens, but .+ \\(local\\) has room for ${2048 - 512 - TEMPLATE_MARGIN}\\.`));
  });

  it("a refusal shows in the answer's turn and is notified once; nothing is sent", async () => {
    h.state.localKnownDown = true;
    const chat = session();
    await chat.send("Anyone there?");
    assert.equal(h.egressRequests() + chatRequests(h).length, 0);
    const [, answer] = chat.current.turns;
    assert.ok(answer.error !== undefined && answer.error.length > 0, "the turn says why");
    assert.equal(notified.length, 1);
    assert.ok(isGatewayRefusal(notified[0]));
  });

  it("when the route changes between plan and send, plans and builds again and answers from the new route", async () => {
    h.state.policy = userPolicy({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } });
    h.state.localContextTokens = 32_768;
    h.openai.answer = "From the cloud.";
    const real = h.gateway().port("chat");
    const built: string[] = [];
    // The local model goes down while the first prompt is being built (the plan said local).
    const model: ModelPort = {
      ...real,
      countTokens: async (texts, options) => {
        built.push(h.state.localKnownDown ? "after" : "before");
        h.state.localKnownDown = true;
        return real.countTokens(texts, options);
      },
    };
    const chat = session({ model });
    await chat.send("Where does it go?");
    assert.deepEqual(built, ["before", "after"], "the prompt was built once per plan");
    assert.equal(h.openai.requests.length, 1);
    const [, answer] = chat.current.turns;
    assert.equal(answer.text, "From the cloud.");
    assert.equal(answer.meta?.route, "cloud");
    assert.ok(answer.meta?.auditId, "the answer that left the machine names its audit entry");
  });

  it("Stop keeps only what the person was shown and marks the turn stopped", async () => {
    h.local.answer = "one two three four five six seven eight nine ten";
    h.local.pieceDelayMs = 50;
    const chat = session();
    const sending = chat.send("Count.");
    // Stop after the first pieces arrived.
    while (deltas().length < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    const shown = deltas().length;
    chat.stop(shown);
    await sending;
    const [, answer] = chat.current.turns;
    assert.equal(answer.stopped, true);
    assert.equal(answer.error, undefined);
    assert.equal(answer.text.length, shown);
    assert.equal(chat.busy, false);
    h.local.pieceDelayMs = 1;
  });

  it("@repo questions go to the repository service with the chat so far as history", async () => {
    const asked: { question: string; history: number }[] = [];
    const chat = session({
      repoSource: () => ({
        ask: async (question, options) => {
          asked.push({ question, history: options.history?.length ?? 0 });
          options.onDelta?.("In src/greet.ts:1.");
          return { text: "In src/greet.ts:1.", route: "local", model: "repo-model" };
        },
      }),
    });
    await chat.attachments.addRepo();
    await chat.send("Where is greet?");
    assert.deepEqual(asked, [{ question: "Where is greet?", history: 0 }]);
    assert.equal(chatRequests(h).length, 0, "the chat itself sent nothing");
    assert.equal(chat.current.turns[1].text, "In src/greet.ts:1.");
    assert.equal(chat.current.turns[1].meta?.model, "repo-model");
  });

  it("says what is missing when there is nothing to attach", async () => {
    const chat = session();
    assert.match((await chat.attachments.addSelection()) ?? "", /Select some text/);
    editor.document = undefined;
    assert.match((await chat.attachments.addCurrentFile()) ?? "", /Open a file/);
  });
});
