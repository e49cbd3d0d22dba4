import assert from "node:assert/strict";
import { AnthropicProvider, OpenAiProvider, SECRET_KEYS, type CallLimits, type ModelProvider, type SecretSource } from "../../../../src/core/providers";
import { FakeAnthropic, FakeOpenAi, closedPortUrl, faults, type FakeCloudServer } from "../../../support/fakeCloud";
import { rejectsWith } from "./rejectsWith";

// Small limits so that the fault cases run in well under a second each; the retry-after
// case waits the one second the fake asks for, which is the point of it.
const LIMITS: Partial<CallLimits> = { firstTokenTimeoutMs: 400, idleTimeoutMs: 300, maxRetries: 2, backoffMs: 10, maxBackoffMs: 40, maxRetryAfterMs: 5_000 };
const KEY = "sk-test-key-0000";
const secrets = (values: Record<string, string>): SecretSource => ({ get: (key) => values[key] });
const CHAT = { kind: "chat" as const, messages: [{ role: "user" as const, content: "Explain the function." }] };

interface Vendor {
  readonly name: string;
  readonly command: string;
  fake: FakeCloudServer;
  provider(this: Vendor, keys?: Record<string, string>, baseUrl?: string): ModelProvider;
}

const vendors: Vendor[] = [
  {
    name: "OpenAI",
    command: "Hearth: Set OpenAI API key",
    fake: new FakeOpenAi(),
    provider(this: Vendor, keys = { [SECRET_KEYS.openai]: KEY }, baseUrl = this.fake.baseUrl) {
      return new OpenAiProvider({ secrets: secrets(keys), baseUrl, limits: LIMITS });
    },
  },
  {
    name: "Anthropic",
    command: "Hearth: Set Anthropic API key",
    fake: new FakeAnthropic(),
    provider(this: Vendor, keys = { [SECRET_KEYS.anthropic]: KEY }, baseUrl = this.fake.baseUrl) {
      return new AnthropicProvider({ secrets: secrets(keys), baseUrl, limits: LIMITS });
    },
  },
];

for (const vendor of vendors) {
  describe(`${vendor.name} provider faults (real SDK, loopback fake)`, function () {
    this.timeout(20_000);
    const fake = vendor.fake;
    let provider: ModelProvider;

    before(async () => {
      await fake.start();
      fake.apiKey = KEY;
    });
    after(() => fake.stop());
    beforeEach(() => {
      fake.reset();
      provider = vendor.provider();
    });

    const send = (deltas: string[] = [], signal?: AbortSignal) => provider.send(provider.prepare(CHAT), { onDelta: (d) => deltas.push(d), signal });

    it(`401 → auth, naming "${vendor.command}", without retrying`, async () => {
      fake.failNext(faults.unauthorized());
      const error = await rejectsWith(send());
      assert.equal(error.kind, "auth");
      assert.equal(error.status, 401);
      assert.ok(error.message.includes(vendor.command), error.message);
      assert.equal(fake.requests.length, 1);
    });

    it("a missing key → auth before anything is sent", async () => {
      const error = await rejectsWith(vendor.provider({}).send(provider.prepare(CHAT)));
      assert.equal(error.kind, "auth");
      assert.match(error.message, /No API key is set/);
      assert.ok(error.message.includes(vendor.command));
      assert.equal(fake.requests.length, 0);
    });

    it("429 with retry-after: 1 → waits about a second, retries, and answers", async () => {
      fake.failNext(faults.rateLimited(1));
      const started = Date.now();
      const deltas: string[] = [];
      const result = await send(deltas);
      const waited = Date.now() - started;
      assert.ok(waited >= 950, `waited ${waited} ms`);
      assert.equal(result.attempts, 2);
      assert.equal(result.text, fake.answer);
      assert.equal(deltas.join(""), fake.answer, "nothing delivered twice");
      assert.equal(fake.requests.length, 2);
    });

    it("429 on every attempt → rate_limited after 3 attempts, saying how long to wait", async () => {
      fake.failNext(faults.rateLimited(0), faults.rateLimited(0), faults.rateLimited(7));
      const error = await rejectsWith(send());
      assert.equal(error.kind, "rate_limited");
      assert.equal(error.attempts, 3);
      assert.match(error.message, /tried 3 times/);
      assert.match(error.message, /Wait 7 s/);
      assert.equal(fake.requests.length, 3);
    });

    it("429 asking for a longer wait than Hearth will sit through → no retry, the wait is in the message", async () => {
      fake.failNext(faults.rateLimited(120));
      const error = await rejectsWith(send());
      assert.equal(error.kind, "rate_limited");
      assert.equal(error.retryAfterMs, 120_000);
      assert.match(error.message, /Wait 120 s/);
      assert.equal(fake.requests.length, 1);
    });

    it("500 once → retried with backoff and answered", async () => {
      fake.failNext(faults.serverError());
      const result = await send();
      assert.equal(result.attempts, 2);
      assert.equal(result.text, fake.answer);
    });

    it("500 on every attempt → server_error", async () => {
      fake.failNext(faults.serverError(), faults.serverError(503), faults.serverError(502));
      const error = await rejectsWith(send());
      assert.equal(error.kind, "server_error");
      assert.equal(error.status, 502);
      assert.match(error.message, /server error \(HTTP 502.*; tried 3 times\)/);
      assert.equal(fake.requests.length, 3);
    });

    it("no answer before the first-token deadline → timeout", async () => {
      fake.failNext(faults.slow(3_000));
      const error = await rejectsWith(send());
      assert.equal(error.kind, "timeout");
      // The deadline's own message proves which timer fired; no bound on elapsed time (loaded CI machines).
      assert.match(error.message, /sent nothing for 0\.4 s/);
    });

    it("a stream that stalls midway → timeout, and the text so far is delivered and kept", async () => {
      fake.failNext(faults.stall(3, 3_000));
      const deltas: string[] = [];
      const error = await rejectsWith(send(deltas));
      assert.equal(error.kind, "timeout");
      assert.ok(deltas.length === 3, `got ${deltas.length} pieces`);
      assert.equal(error.partialText, deltas.join(""));
      assert.match(error.message, /in the middle of the answer/);
      assert.match(error.message, /text so far is kept/);
    });

    it("a connection dropped midway → stream_broken, the text so far delivered and kept, not retried", async () => {
      fake.failNext(faults.drop(3));
      const deltas: string[] = [];
      const error = await rejectsWith(send(deltas));
      assert.equal(error.kind, "stream_broken");
      assert.equal(deltas.length, 3);
      assert.equal(error.partialText, deltas.join(""));
      assert.ok(fake.answer.toString().startsWith(error.partialText));
      assert.match(error.message, /broke in the middle of the answer/);
      assert.equal(fake.requests.length, 1, "a half-delivered answer is never replayed");
    });

    it("a stream that ends cleanly but early → stream_broken with the partial text", async () => {
      fake.failNext(faults.endEarly(2));
      const deltas: string[] = [];
      const error = await rejectsWith(send(deltas));
      assert.equal(error.kind, "stream_broken");
      assert.equal(error.partialText, deltas.join(""));
      assert.equal(deltas.length, 2);
    });

    it("an error event inside the stream → stream_broken quoting the server", async () => {
      fake.failNext({ kind: "streamError", afterPieces: 2, message: "Overloaded" });
      const error = await rejectsWith(send());
      assert.equal(error.kind, "stream_broken");
      assert.match(error.message, /Overloaded/);
      assert.ok(error.partialText.length > 0);
    });

    it("a prompt over the context → context_too_long", async () => {
      fake.failNext(faults.contextTooLong());
      const error = await rejectsWith(send());
      assert.equal(error.kind, "context_too_long");
      assert.match(error.message, /Include fewer files/);
    });

    it("an unknown model (404) → bad_request naming the policy's cloudModels", async () => {
      fake.failNext({ kind: "status", status: 404, message: "model not found" });
      const error = await rejectsWith(send());
      assert.equal(error.kind, "bad_request");
      assert.match(error.message, /cloudModels/);
    });

    it("nobody listening → network", async () => {
      const down = vendor.provider(undefined, await closedPortUrl(vendor.name === "OpenAI" ? "/v1" : ""));
      const error = await rejectsWith(down.send(down.prepare(CHAT)));
      assert.equal(error.kind, "network");
      assert.match(error.message, /connection refused/);
    });

    it("cancelling midway → cancelled, the text so far kept, and the server sees the connection close", async () => {
      fake.pieceDelayMs = 30;
      try {
        const controller = new AbortController();
        const deltas: string[] = [];
        const pending = provider.send(provider.prepare(CHAT), {
          signal: controller.signal,
          onDelta: (d) => {
            deltas.push(d);
            if (deltas.length === 2) controller.abort();
          },
        });
        const error = await rejectsWith(pending);
        assert.equal(error.kind, "cancelled");
        assert.equal(deltas.length, 2, "nothing arrives after the cancel");
        assert.equal(error.partialText, deltas.join(""));
        for (let i = 0; i < 50 && fake.disconnects === 0; i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(fake.disconnects, 1, "the HTTP request was closed, so the server can stop generating");
      } finally {
        fake.pieceDelayMs = 1;
      }
    });
  });
}
