import assert from "node:assert/strict";
import OpenAI from "openai";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";

describe("a second, smaller model for the completion role (hearth.completion.model)", function () {
  this.timeout(120_000);
  let server: RunningServer;
  let client: OpenAI;
  let chatModel: string;
  let completionModel: string;

  before(async () => {
    chatModel = await ensureTestModel({ arch: "qwen35" });
    completionModel = await ensureTestModel({ arch: "llama" });
    server = await startServer(chatModel, ["--completion-model", completionModel]);
    client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
  });

  after(async () => {
    await server?.stop();
  });

  it("loads both models in one process and names them", async () => {
    const ready = server.ready;
    assert.match(ready.completionModel ?? "", /hearth-test-llama-tiny/);
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      [server.ready.model, ready.completionModel],
    );
  });

  it("runs completion requests on the completion model and chat on the main one", async () => {
    await client.completions.create({ model: "any", prompt: "<|fim_prefix|>let a = <|fim_suffix|>;<|fim_middle|>", max_tokens: 4, temperature: 0 });
    await client.chat.completions.create({ model: "any", messages: [{ role: "user", content: "hi" }], max_tokens: 4, temperature: 0 });
    const response = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } });
    const health = (await response.json()) as { roles: Record<string, { model: string }>; architecture: string };
    assert.match(health.roles.completion!.model, /hearth-test-llama-tiny/);
    assert.match(health.roles.chat!.model, /hearth-test-qwen35-tiny/);
    assert.equal(health.architecture, "qwen35");
  });

  it("generates different text from the two models for the same prompt", async () => {
    const prompt = "<|fim_prefix|>function f() {\n  return <|fim_suffix|>\n}<|fim_middle|>";
    const ask = async (role: "completion" | "chat") =>
      // @ts-expect-error Hearth's extension field.
      (await client.completions.create({ model: "any", prompt, max_tokens: 12, temperature: 0, hearth: { role } })).choices[0]!.text;
    assert.notEqual(await ask("completion"), await ask("chat"));
  });
});
