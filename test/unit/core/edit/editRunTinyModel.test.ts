// The edit flow (src/core/edit) on the real local path: the gateway, the local provider and
// Hearth's own model server (dist/server.mjs, the tiny qwen35 model), so each target's
// budget is counted with the model's own tokenizer. Needs `npm run build`.
import assert from "node:assert/strict";
import { EditTooLong, EmptyAnswer } from "../../../../src/core/edit/editFailures";
import { runEdit, type ProposalView } from "../../../../src/core/edit/editRun";
import { MemoryLogger } from "../../../../src/core/logger";
import { ensureTestModel } from "../../../fixtures/models";
import { localGateway } from "../../../support/localGateway";
import { startServer, type RunningServer } from "../../../support/serverProcess";
import { MemoryEditor } from "./memoryEditor";

/** The server's context (test/support/serverProcess starts it with 4096 tokens). */
const CONTEXT = 4096;

describe("edit flow (core) against the real Hearth server (tiny qwen35 model)", function () {
  this.timeout(120_000);
  let server: RunningServer;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1"]);
  });
  after(() => server?.stop());

  async function refactor(editor: MemoryEditor) {
    const view = editor.activeEditor();
    assert.ok(view);
    const shown: ProposalView[] = [];
    const result = await runEdit(
      { editor, model: localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }, { contextTokens: CONTEXT }).port("edit"), log: new MemoryLogger() },
      { kind: "refactor", view, choices: { instruction: "use descriptive names" } },
      {
        explanation: () => assert.fail("a refactor explains nothing"),
        proposal: async () => {
          const recorded: ProposalView = { changed: () => undefined, ready: async () => undefined, discard: async () => undefined };
          shown.push(recorded);
          return recorded;
        },
      },
    );
    return { result, shown };
  }

  it("streams the local model's (noisy) answer into a proposal", async () => {
    const editor = new MemoryEditor().open("real.py", "def add(a, b):\n    return a + b\n", { languageId: "python" });
    editor.select("    return", "a + b");
    const { result, shown } = await refactor(editor);
    assert.equal(shown.length, 1);
    // The tiny model writes noise: only an empty answer may fail the flow.
    if (result.status === "failed") assert.ok(result.error instanceof EmptyAnswer, String(result.error));
    else assert.equal(result.status, "proposed");
  });

  it("says a target the tokenizer finds too long for the context is too long, before showing or sending anything", async () => {
    const text = Array.from({ length: 500 }, (_, i) => `value_${i} = compute(${i}, "item number ${i}")`).join("\n") + "\n";
    const editor = new MemoryEditor().open("long.py", text, { languageId: "python" });
    const { result, shown } = await refactor(editor);
    assert.equal(result.status, "failed");
    if (result.status !== "failed") return;
    assert.ok(result.error instanceof EditTooLong, String(result.error));
    assert.equal(result.error.available, CONTEXT);
    assert.ok(result.error.needed > CONTEXT, `needed ${result.error.needed}`);
    assert.equal(shown.length, 0);
  });
});
