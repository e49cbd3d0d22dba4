import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ServerEndpoint } from "../../../../src/core/server/supervisor";
import {
  AnthropicProvider,
  LocalProvider,
  OpenAiProvider,
  SECRET_KEYS,
  SelfHostedProvider,
  type ProviderError,
  type SecretSource,
} from "../../../../src/core/providers";
import { FakeAnthropic, FakeOpenAi, closedPortUrl } from "../../../support/fakeCloud";
import { rejectsWith } from "./rejectsWith";

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
const secrets = (values: Record<string, string>): SecretSource => ({ get: (key) => values[key] });
const OPENAI_KEY = "sk-test-openai-0000";
const ANTHROPIC_KEY = "sk-ant-test-0000";

describe("providers against loopback fakes (real SDKs)", function () {
  this.timeout(20_000);
  let openai: FakeOpenAi;
  let anthropic: FakeAnthropic;
  let local: FakeOpenAi;

  before(async () => {
    openai = await new FakeOpenAi().start();
    anthropic = await new FakeAnthropic().start();
    local = await new FakeOpenAi().start();
    openai.apiKey = OPENAI_KEY;
    anthropic.apiKey = ANTHROPIC_KEY;
  });
  after(async () => {
    await Promise.all([openai.stop(), anthropic.stop(), local.stop()]);
  });
  beforeEach(() => {
    for (const fake of [openai, anthropic, local]) fake.reset();
  });

  it("OpenAI: streams a chat answer and sends exactly the prepared bytes, with the key from the secret source", async () => {
    const provider = new OpenAiProvider({ secrets: secrets({ [SECRET_KEYS.openai]: OPENAI_KEY }), baseUrl: openai.baseUrl });
    const prepared = provider.prepare({ kind: "chat", model: "gpt-4o-mini", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }], maxTokens: 50 });
    const deltas: string[] = [];
    const result = await provider.send(prepared, { onDelta: (d) => deltas.push(d) });

    assert.equal(result.text, openai.answer);
    assert.ok(deltas.length > 3, "the answer arrived in pieces");
    assert.equal(deltas.join(""), result.text);
    assert.equal(result.finishReason, "stop");
    assert.ok(result.usage !== undefined && result.usage.completionTokens > 0);
    assert.equal(openai.requests.length, 1);
    const [request] = openai.requests;
    assert.equal(sha256(request.body), sha256(prepared.json), "the bytes on the wire are the prepared bytes");
    assert.equal(request.headers.authorization, `Bearer ${OPENAI_KEY}`);
    const body = request.json as Record<string, unknown>;
    assert.equal(body.max_completion_tokens, 50);
    assert.equal(body.hearth, undefined, "Hearth's extension never goes to a cloud");
  });

  it("Anthropic: sends the system prompt separately, alternates roles, and reads the typed SSE events", async () => {
    const provider = new AnthropicProvider({ secrets: secrets({ [SECRET_KEYS.anthropic]: ANTHROPIC_KEY }), baseUrl: anthropic.baseUrl });
    const prepared = provider.prepare({
      kind: "chat",
      model: "claude-haiku-4-5",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Context: a.ts" },
        { role: "user", content: "Explain it" },
      ],
    });
    const deltas: string[] = [];
    const result = await provider.send(prepared, { onDelta: (d) => deltas.push(d) });

    assert.equal(result.text, anthropic.answer);
    assert.equal(deltas.join(""), result.text);
    assert.equal(result.finishReason, "end_turn");
    assert.equal(result.model, "claude-haiku-4-5");
    assert.ok(result.usage !== undefined && result.usage.promptTokens > 0 && result.usage.completionTokens > 0);
    const [request] = anthropic.requests;
    assert.equal(sha256(request.body), sha256(prepared.json));
    const credentials = [request.headers["x-api-key"], request.headers.authorization].filter((h) => h !== undefined);
    assert.deepEqual(credentials.map((h) => String(h).replace(/^Bearer /, "")), [ANTHROPIC_KEY], "one credential, the one from the secret source");
    const body = request.json as { system?: string; messages: { role: string; content: string }[]; max_tokens: number };
    assert.equal(body.system, "Be brief.");
    assert.deepEqual(body.messages, [{ role: "user", content: "Context: a.ts\n\nExplain it" }]);
    assert.ok(body.max_tokens > 0);
  });

  it("local: passes the hearth field through and asks for the endpoint on every call, so a restarted server is found", async () => {
    const second = await new FakeOpenAi().start();
    try {
      let endpoint: ServerEndpoint = { baseUrl: local.baseUrl, token: "token-1" };
      const provider = new LocalProvider({ endpoint: async () => endpoint });
      const call = { kind: "text" as const, prompt: "def f(", hearth: { role: "completion" as const, checkpoints: [3], reuse: false }, maxTokens: 8 };
      await provider.send(provider.prepare(call));
      endpoint = { baseUrl: second.baseUrl, token: "token-2" };
      await provider.send(provider.prepare(call));

      assert.equal(local.requests.length, 1);
      assert.equal(second.requests.length, 1);
      assert.equal(second.requests[0].headers.authorization, "Bearer token-2");
      assert.deepEqual((local.requests[0].json as { hearth: unknown }).hearth, { role: "completion", checkpoints: [3], reuse: false });
      assert.equal(local.requests[0].path, "/v1/completions");
    } finally {
      await second.stop();
    }
  });

  it("local with withServer: a stream that breaks after text is reported, not replayed by the wrapper", async () => {
    local.failNext({ kind: "drop", afterPieces: 2 });
    let calls = 0;
    // Like the supervisor's withServer: a thrown connection error means "restart and try again".
    const withServer = async <T>(request: (endpoint: ServerEndpoint) => Promise<T>): Promise<T> => {
      calls++;
      try {
        return await request({ baseUrl: local.baseUrl, token: "t" });
      } catch {
        calls++;
        return request({ baseUrl: local.baseUrl, token: "t" });
      }
    };
    const provider = new LocalProvider({ withServer });
    const deltas: string[] = [];
    const error = await rejectsWith(provider.send(provider.prepare({ kind: "chat", messages: [{ role: "user", content: "hi" }] }), { onDelta: (d) => deltas.push(d) }));
    assert.equal(error.kind, "stream_broken");
    assert.equal(calls, 1, "the wrapper saw no thrown error");
    assert.equal(local.requests.length, 1);
    assert.equal(error.partialText, deltas.join(""));
    assert.ok(error.partialText.length > 0);
  });

  it("local: a server that is down is a network error that names the restart command", async () => {
    const provider = new LocalProvider({ endpoint: async () => ({ baseUrl: await closedPortUrl(), token: "t" }), limits: { maxRetries: 0 } });
    const error = await rejectsWith(provider.send(provider.prepare({ kind: "chat", messages: [{ role: "user", content: "hi" }] })));
    assert.equal(error.kind, "network");
    assert.match(error.message, /Hearth: Restart Model Server/);
    assert.match(error.message, /connection refused/);
  });

  it("local: a supervisor that cannot start a server is a network error in its own words", async () => {
    const startError = Object.assign(new Error("Model file not found: /m.gguf. Set hearth.model."), { name: "ServerStartError" });
    const provider = new LocalProvider({ endpoint: () => Promise.reject(startError) });
    const error = await rejectsWith(provider.send(provider.prepare({ kind: "chat", messages: [{ role: "user", content: "hi" }] })));
    assert.equal(error.kind, "network");
    assert.match(error.message, /Model file not found/);
  });

  it("selfHosted: uses the configured endpoint and model, its key from the secret source, and no hearth field", async () => {
    const provider = new SelfHostedProvider({ endpoint: () => ({ baseUrl: local.baseUrl, model: "qwen-team" }), secrets: secrets({ [SECRET_KEYS.selfHosted]: "team-key" }) });
    assert.equal(await provider.isConfigured(), true);
    await provider.send(provider.prepare({ kind: "chat", messages: [{ role: "user", content: "hi" }], hearth: { role: "chat" } }));
    const [request] = local.requests;
    assert.equal((request.json as { model: string }).model, "qwen-team");
    assert.equal((request.json as { hearth?: unknown }).hearth, undefined);
    assert.equal(request.headers.authorization, "Bearer team-key");
    assert.equal(await new SelfHostedProvider({ endpoint: () => undefined, secrets: secrets({}) }).isConfigured(), false);
  });

  it("clouds refuse raw completion prompts at prepare time, before anything is sent", () => {
    const call = { kind: "text" as const, prompt: "<|fim_prefix|>x" };
    for (const provider of [new OpenAiProvider({ secrets: secrets({}) }), new AnthropicProvider({ secrets: secrets({}) })]) {
      assert.throws(() => provider.prepare(call), (e: ProviderError) => e.kind === "bad_request");
    }
  });
});
