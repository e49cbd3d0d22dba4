import assert from "node:assert/strict";
import { LocalProvider } from "../../../src/core/providers/localProvider";
import type { PromptProgress } from "../../../src/core/model";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";

describe("local provider: repo questions ask for progress and persistence and report progress (real server)", function () {
  this.timeout(120_000);
  let server: RunningServer;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--repo-context-size", "16384"]);
  });

  after(async () => {
    await server?.stop();
  });

  it("sends hearth.progress/persist for the repo role only and hands progress to onProgress", async () => {
    const provider = new LocalProvider({ endpoint: async () => ({ baseUrl: `${server.baseUrl}/v1`, token: server.token }) });
    const system = `Answer about this repository.\n\n<|repo_name|>demo\n${Array.from({ length: 40 }, (_, i) => `<|file_sep|>src/f${i}.ts\nexport const v${i} = ${i} * 2; // some code here\n`).join("")}`;
    const repoCall = provider.prepare({ kind: "chat", messages: [{ role: "system", content: system }, { role: "user", content: "Where is v3?" }], maxTokens: 4, temperature: 0, hearth: { role: "repo" } });
    assert.deepEqual((JSON.parse(repoCall.json) as { hearth: object }).hearth, { progress: true, persist: true, role: "repo" });
    const chatCall = provider.prepare({ kind: "chat", messages: [{ role: "user", content: "hi" }], maxTokens: 4, hearth: { role: "chat" } });
    assert.deepEqual((JSON.parse(chatCall.json) as { hearth: object }).hearth, { role: "chat" });

    const progress: PromptProgress[] = [];
    let text = "";
    const result = await provider.send(repoCall, { onDelta: (piece) => (text += piece), onProgress: (p) => progress.push(p) });
    assert.ok(progress.length >= 1, "progress arrived");
    const last = progress.at(-1)!;
    assert.equal(last.evaluated, last.total);
    assert.equal(last.total, result.usage!.promptTokens - 1);
    assert.equal(result.text, text);
    assert.ok(result.text.length > 0);
  });
});
