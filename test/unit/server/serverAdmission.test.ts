// What a busy server does with more work: a prompt that can never fit is refused at once,
// not after waiting its turn holding its tokens, and past LIMITS.requestsInFlight POSTs a
// client gets 429 instead of the machine filling with queued bodies.
import assert from "node:assert/strict";
import OpenAI from "openai";
import { LIMITS } from "../../../src/core/wire/hearthProtocol";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";

describe("model server admission (tiny qwen35 model, real node-llama-cpp)", function () {
  this.timeout(120_000);
  let server: RunningServer;
  let client: OpenAI;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }));
    client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
  });

  after(async () => {
    await server?.stop();
  });

  /** A streamed chat that holds the chat role until aborted: resolves once its first token arrived. */
  async function holdChatRole(): Promise<{ done: () => boolean; stop: () => Promise<void> }> {
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: server.ready.model, messages: [{ role: "user", content: "Write forever" }], max_tokens: 100_000, temperature: 1, stream: true }, { signal: controller.signal });
    let finished = false;
    let first: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (first = resolve));
    const reading = (async () => {
      try {
        for await (const _chunk of stream) first();
      } catch {
        // The abort below.
      } finally {
        finished = true;
        first();
      }
    })();
    await started;
    return {
      done: () => finished,
      stop: async () => {
        controller.abort();
        await reading;
      },
    };
  }

  function post(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
    return fetch(`${server.baseUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify(body), signal });
  }

  it("refuses a prompt longer than the context while the role is busy, without queueing it", async () => {
    const holder = await holdChatRole();
    try {
      const response = await post("/v1/chat/completions", { model: "any", messages: [{ role: "user", content: "word ".repeat(60_000) }], max_tokens: 1 });
      assert.equal(response.status, 400, await response.clone().text());
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "context_length_exceeded");
      // Had it queued, it would have been answered only once the holder ended.
      assert.equal(holder.done(), false, "the refusal came while the role was still generating");
    } finally {
      await holder.stop();
    }
  });

  it(`answers 429 past ${LIMITS.requestsInFlight} POST requests in flight, and takes requests again once they end`, async () => {
    const holder = await holdChatRole();
    const queued = new AbortController();
    const waiting: Array<Promise<Response | undefined>> = [];
    try {
      // The holder is one; these wait behind it in the chat role's queue.
      for (let i = 1; i < LIMITS.requestsInFlight; i++) waiting.push(post("/v1/chat/completions", { model: "any", messages: [{ role: "user", content: `queued ${i}` }], max_tokens: 1 }, queued.signal).catch(() => undefined));
      // Until every queued one is counted, a refusal cannot be told apart from a slow start.
      let over: Response | undefined;
      for (let attempt = 0; attempt < 200 && over?.status !== 429; attempt++) {
        over = await post("/v1/completions", { model: "any", prompt: "x", max_tokens: 1 });
        if (over.status !== 429) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const refusal = over ? await over.text() : "no answer";
      assert.equal(over?.status, 429, refusal);
      assert.equal((JSON.parse(refusal) as { error: { code: string } }).error.code, "too_many_requests");
      // GETs are not counted: the health check still answers.
      const health = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } });
      assert.equal(health.status, 200);
    } finally {
      queued.abort();
      await Promise.all(waiting);
      await holder.stop();
    }
    // Aborted requests release their places.
    let again: Response | undefined;
    for (let attempt = 0; attempt < 200 && again?.status !== 200; attempt++) {
      again = await post("/v1/completions", { model: "any", prompt: "x", max_tokens: 1 });
      if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(again?.status, 200);
  });
});
