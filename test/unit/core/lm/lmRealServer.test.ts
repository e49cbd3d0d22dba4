// A language-model API request on the real gateway against the real server on the tiny
// model: text streams, a forced tool call comes back as a call with arguments that match the
// tool's schema (the server's grammar path for tool_choice "required"), a tool's result goes
// back to the model, tokens are the model's own, and cancelling stops the server's generation.
import assert from "node:assert/strict";
import { isCancelled, type ModelPort } from "../../../../src/core/gateway";
import { countLmTokens, sendLmRequest, type LmMessage, type LmToolCall } from "../../../../src/core/lm";
import type { ToolSpec } from "../../../../src/core/model";
import { ensureTestModel } from "../../../fixtures/models";
import { localGateway } from "../../../support/localGateway";
import { startServer, type RunningServer } from "../../../support/serverProcess";
import { getJson, tokenCount } from "../../server/sseClient";

// maxLength bounds the grammar's string: the tiny model's noise would otherwise run to max_tokens.
const WEATHER: ToolSpec = {
  name: "get_weather",
  description: "The forecast for a city",
  parameters: { type: "object", properties: { city: { type: "string", maxLength: 30 }, unit: { type: "string", enum: ["C", "F"] } }, required: ["city", "unit"] },
};

const QUESTION: LmMessage[] = [
  { role: "system", parts: [{ kind: "text", text: "You answer weather questions with the tool." }] },
  { role: "user", parts: [{ kind: "text", text: "Weather in Paris?" }] },
];

describe("language-model API on the real server (tiny qwen35 model)", function () {
  this.timeout(240_000);
  let server: RunningServer;
  let port: ModelPort;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }));
    port = localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }, { contextTokens: 4096 }).port("languageModel");
  });
  after(async () => {
    await server?.stop();
  });

  const collect = () => {
    const texts: string[] = [];
    const calls: LmToolCall[] = [];
    return { texts, calls, sink: { text: (t: string) => texts.push(t), toolCall: (c: LmToolCall) => calls.push(c) } };
  };

  it("streams a text answer as it comes, on this machine", async () => {
    const out = collect();
    const result = await sendLmRequest(port, { preferred: {} }, { messages: QUESTION, modelOptions: { max_tokens: 12 } }, out.sink);
    assert.equal(result.route, "local");
    assert.ok(out.texts.length > 1, `pieces: ${out.texts.length}`);
    assert.equal(out.texts.join(""), result.text);
    assert.equal(result.usage?.completionTokens, 12);
  });

  it("a required tool call comes back as a call whose input matches the schema; its result goes back and the model calls again", async () => {
    const first = collect();
    const result = await sendLmRequest(port, { preferred: {} }, { messages: QUESTION, tools: [WEATHER], toolMode: "required", modelOptions: { max_tokens: 200 } }, first.sink);
    assert.equal(result.finishReason, "tool_calls");
    assert.equal(first.calls.length, 1, JSON.stringify(first.calls));
    const [call] = first.calls;
    assert.equal(call.name, "get_weather");
    assert.match(call.callId, /^call_/);
    assert.equal(typeof call.input.city, "string");
    assert.ok(call.input.unit === "C" || call.input.unit === "F", JSON.stringify(call.input));

    // The turn VS Code sends next: the assistant's call, then the user's turn with its result.
    const followUp: LmMessage[] = [
      ...QUESTION,
      { role: "assistant", parts: [{ kind: "toolCall", callId: call.callId, name: call.name, input: call.input }] },
      { role: "user", parts: [{ kind: "toolResult", callId: call.callId, text: "Sunny, 21 degrees" }] },
    ];
    const second = collect();
    const next = await sendLmRequest(port, { preferred: {} }, { messages: followUp, tools: [WEATHER], toolMode: "required", modelOptions: { max_tokens: 200 } }, second.sink);
    assert.equal(second.calls.length, 1);
    // The server read the earlier call and its result: the prompt grew by them.
    assert.ok((next.usage?.promptTokens ?? 0) > (result.usage?.promptTokens ?? 0) + 5, `${next.usage?.promptTokens} vs ${result.usage?.promptTokens}`);
  });

  it("counts a text with the model's own tokenizer, and a message as its texts plus the template's tokens", async () => {
    const text = "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n";
    assert.equal(await countLmTokens(port, text), await tokenCount(server, text));
    const message: LmMessage = { role: "user", parts: [{ kind: "text", text }, { kind: "toolResult", callId: "c", text: "42" }] };
    assert.equal(await countLmTokens(port, message), (await tokenCount(server, text)) + (await tokenCount(server, "42")) + 5);
  });

  it("cancelling mid-answer rejects as cancelled and the server abandons the generation", async () => {
    const before = await getJson<{ generations: { aborted: number } }>(server, "/health");
    const controller = new AbortController();
    const out = collect();
    const pending = sendLmRequest(port, { preferred: {} }, { messages: QUESTION, modelOptions: { max_tokens: 2000 } }, { ...out.sink, text: (t) => (out.texts.push(t), controller.abort()) }, controller.signal);
    await assert.rejects(pending, (error: unknown) => isCancelled(error));
    assert.ok(out.texts.length >= 1);
    // The server notices the disconnect at its next token.
    let health = await getJson<{ generations: { aborted: number } }>(server, "/health");
    for (let i = 0; i < 100 && health.generations.aborted === before.generations.aborted; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      health = await getJson(server, "/health");
    }
    assert.equal(health.generations.aborted, before.generations.aborted + 1, "the generation was abandoned");
  });
});
