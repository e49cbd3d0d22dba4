// The chat session (src/core/chat) on the real local path: the gateway, the local provider
// and Hearth's own model server (dist/server.mjs, the tiny qwen35 model), so the chips and
// the budget count with the model's own tokenizer. Needs `npm run build`.
import assert from "node:assert/strict";
import { ChatSession, type ToWebview } from "../../../../src/core/chat";
import { MemoryLogger } from "../../../../src/core/logger";
import { TEMPLATE_MARGIN } from "../../../../src/core/model";
import { ensureTestModel } from "../../../fixtures/models";
import { localGateway } from "../../../support/localGateway";
import { startServer, type RunningServer } from "../../../support/serverProcess";
import { MemoryEditor } from "../edit/memoryEditor";

/** The server's context (test/support/serverProcess starts it with 4096 tokens). */
const CONTEXT = 4096;

describe("chat session (core) against the real Hearth server (tiny qwen35 model)", function () {
  this.timeout(120_000);
  let server: RunningServer;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1"]);
  });
  after(() => server?.stop());

  function session(editor: MemoryEditor, posted: ToWebview[]): ChatSession {
    const values = new Map<string, unknown>();
    const chat = new ChatSession({
      model: localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }, { contextTokens: CONTEXT }).port("chat"),
      editor,
      store: { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key, value) => void values.set(key, value) },
      log: new MemoryLogger(),
    });
    chat.connect((message) => posted.push(message));
    return chat;
  }

  it("counts a chip with the model's tokenizer, sends the question to the local model, and Stop ends the answer", async () => {
    const editor = new MemoryEditor().open("src/add.ts", "export const add = (a: number, b: number) => a + b;\n");
    const posted: ToWebview[] = [];
    const chat = session(editor, posted);
    assert.equal(await chat.attachments.addCurrentFile(), undefined);
    const [chip] = chat.attachments.views();
    assert.equal(chip.exact, true, "counted by the server's tokenizer");
    assert.ok((chip.tokens ?? 0) > 5 && (chip.tokens ?? 0) < 60, `tokens: ${chip.tokens}`);

    const sending = chat.send("What does add do?");
    // The tiny model's noise runs until it is stopped (or the context is full): stop after the first pieces.
    const shown = (): number => posted.flatMap((m) => (m.type === "delta" || m.type === "reasoning" ? [m.text] : [])).join("").length;
    while (shown() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    chat.stop();
    await sending;
    const [question, answer] = chat.current.turns;
    assert.deepEqual(question.attachments, ["src/add.ts"]);
    assert.equal(answer.stopped, true, JSON.stringify(answer));
    assert.equal(answer.error, undefined);
  });

  it("refuses, before sending, a question whose attachment the model's tokenizer finds too large for the context", async () => {
    const editor = new MemoryEditor().open("src/big.ts", Array.from({ length: 900 }, (_, i) => `const value${i} = ${i};`).join("\n"));
    const posted: ToWebview[] = [];
    const chat = session(editor, posted);
    await chat.attachments.addCurrentFile();
    const [chip] = chat.attachments.views();
    assert.equal(chip.exact, true);
    await chat.send("Explain it.");
    assert.equal(chat.current.turns.length, 0);
    const notice = posted.find((m) => m.type === "notice");
    assert.ok(notice?.type === "notice");
    const total = Number(/about (\d+) tokens/.exec(notice.message)?.[1]);
    assert.ok(total > (chip.tokens ?? 0), `the question and the attachment: ${total}`);
    assert.match(notice.message, new RegExp(`has room for ${CONTEXT - 512 - TEMPLATE_MARGIN}\\.`));
  });
});
