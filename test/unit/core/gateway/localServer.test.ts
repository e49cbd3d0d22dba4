// The real local path: the gateway, the local provider and the openai SDK against Hearth's
// own model server (dist/server.mjs, a tiny qwen35 model through node-llama-cpp). Needs
// `npm run build`. The cloud is allowed and keyed, yet local comes first: nothing leaves.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, UsageLedger } from "../../../../src/core/audit";
import { Gateway, InMemoryConsentMemory } from "../../../../src/core/gateway";
import { LocalProvider, OpenAiProvider, SECRET_KEYS } from "../../../../src/core/providers";
import { ensureTestModel } from "../../../fixtures/models";
import { FakeOpenAi } from "../../../support/fakeCloud";
import { startServer, type RunningServer } from "../../../support/serverProcess";
import { GPT, models, userPolicy } from "./gatewayHarness";

describe("gateway against the real Hearth server (tiny qwen35 model)", function () {
  this.timeout(120_000);
  let server: RunningServer;
  let cloud: FakeOpenAi;
  let dir: string;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1"]);
    cloud = await new FakeOpenAi().start();
    dir = await mkdtemp(join(tmpdir(), "hearth-local-gateway-"));
  });
  after(async () => {
    await server?.stop();
    await cloud?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("streams a chat answer with route local, passes the hearth role through, and writes no audit entry", async () => {
    const audit = new AuditLog({ dir });
    const usage = new UsageLedger({ dir, flushAfterMs: 0 });
    const gateway = new Gateway({
      policy: () => userPolicy({ features: { repoQuestion: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } }),
      providers: {
        local: new LocalProvider({ endpoint: async () => ({ baseUrl: `${server.baseUrl}/v1`, token: server.token }) }),
        openai: new OpenAiProvider({ secrets: { get: (key) => (key === SECRET_KEYS.openai ? "sk-test" : undefined) }, baseUrl: cloud.baseUrl }),
      },
      consent: { ask: async () => assert.fail("nothing to ask on the local route") },
      consentMemory: new InMemoryConsentMemory(),
      audit,
      usage,
    });

    const deltas: string[] = [];
    const result = await gateway.request({
      feature: "repoQuestion",
      messages: [{ role: "user", content: "Where is the server started?" }],
      files: [{ path: "src/server/main.ts", content: "startServer();\n", origin: "repo" }],
      maxTokens: 8,
      temperature: 0,
      onDelta: (d) => deltas.push(d),
    });

    assert.equal(result.route, "local");
    assert.equal(result.provider, "local");
    assert.equal(result.auditId, undefined);
    assert.ok(deltas.length > 0, "the answer streamed");
    assert.equal(deltas.join(""), result.text);
    assert.ok((result.usage?.completionTokens ?? 0) > 0);
    assert.deepEqual((await audit.read()).entries, [], "no audit entry: nothing left the machine");
    assert.equal(cloud.requests.length, 0);

    // The server made a context for the `repo` role: the hearth field reached it.
    const health = (await (await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } })).json()) as { roles: Record<string, unknown> };
    assert.ok("repo" in health.roles, `roles: ${Object.keys(health.roles).join(", ")}`);

    assert.equal((await usage.tally()).local.calls, 1);
  });

  function localGateway(extra: { contextTokens?: number; available?: boolean } = {}): Gateway {
    return new Gateway({
      policy: () => userPolicy({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } }),
      providers: {
        local: new LocalProvider({ endpoint: async () => ({ baseUrl: `${server.baseUrl}/v1`, token: server.token }) }),
        openai: new OpenAiProvider({ secrets: { get: (key) => (key === SECRET_KEYS.openai ? "sk-test" : undefined) }, baseUrl: cloud.baseUrl }),
      },
      localStatus: { isAvailable: () => extra.available ?? true, contextTokens: () => extra.contextTokens },
      consent: { ask: async () => assert.fail("nothing to ask on the local route") },
      consentMemory: new InMemoryConsentMemory(),
      audit: new AuditLog({ dir }),
    });
  }

  it("streams thoughts apart from the answer when thinking is on, and none when it is off", async () => {
    const gateway = localGateway();
    const thoughts: string[] = [];
    const answer: string[] = [];
    const on = await gateway.request({ feature: "chat", messages: [{ role: "user", content: "Think first." }], thinking: true, maxTokens: 12, temperature: 0, onReasoning: (t) => thoughts.push(t), onDelta: (d) => answer.push(d) });
    // The prompt ends inside <think>: the tiny model's noise never closes it, so everything it says is thought.
    assert.ok(thoughts.length > 0, "thoughts streamed");
    assert.equal(thoughts.join(""), on.reasoning);
    assert.equal(answer.join(""), on.text);

    const offThoughts: string[] = [];
    const off = await gateway.request({ feature: "chat", messages: [{ role: "user", content: "Think first." }], thinking: false, maxTokens: 12, temperature: 0, onReasoning: (t) => offThoughts.push(t) });
    assert.deepEqual(offThoughts, []);
    assert.equal(off.reasoning, undefined);
    assert.ok(off.text.length > 0);
  });

  it("reports the prompt tokens the server reused (cached_tokens) on a repeated prompt", async () => {
    const gateway = localGateway();
    const prompt = { text: "<|fim_prefix|>function add(a, b) {\n  return <|fim_suffix|>\n}\n<|fim_middle|>" };
    await gateway.request({ feature: "completion", prompt, maxTokens: 4, temperature: 0 });
    const again = await gateway.request({ feature: "completion", prompt, maxTokens: 4, temperature: 0 });
    assert.ok(again.usage !== undefined);
    assert.ok((again.usage.cachedTokens ?? 0) >= again.usage.promptTokens - 1, `cached ${again.usage.cachedTokens} of ${again.usage.promptTokens}`);
  });

  it("counts tokens with the model's own tokenizer, special tokens included on request", async () => {
    const gateway = localGateway();
    const texts = ["hello world", "", "<|file_sep|>"];
    const counted = await gateway.countTokens(texts, { feature: "repoQuestion", special: true });
    assert.equal(counted.exact, true);
    const expected = [];
    for (const content of texts) {
      const body = (await (await fetch(`${server.baseUrl}/tokenize`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify({ content, parse_special: true }) })).json()) as { tokens: number[] };
      expected.push(body.tokens.length);
    }
    assert.deepEqual(counted.counts, expected);
    assert.equal(counted.counts[2], 1, "<|file_sep|> is one special token");
    const plain = await gateway.countTokens(["<|file_sep|>"], { feature: "repoQuestion" });
    assert.ok(plain.counts[0] > 1, "without `special` the marker is plain text");
  });

  it("estimates, and says so, when the local server cannot count", async () => {
    const gateway = new Gateway({
      policy: () => userPolicy({}),
      providers: { local: new LocalProvider({ endpoint: async () => ({ baseUrl: "http://127.0.0.1:9/v1", token: "x" }) }) },
      consent: { ask: async () => "local" as const },
      consentMemory: new InMemoryConsentMemory(),
      audit: new AuditLog({ dir }),
    });
    const counted = await gateway.countTokens(["abcdefgh"], { feature: "chat" });
    assert.deepEqual(counted, { counts: [2], exact: false });
  });

  it("plans the route a feature takes and how large its context is", async () => {
    const local = await localGateway({ contextTokens: 4096 }).plan("chat");
    assert.ok(local.ok);
    assert.equal(local.route, "local");
    assert.equal(local.contextTokens, 4096);
    assert.equal(local.needsAsk, false);

    const cloudRoute = await localGateway({ available: false }).plan("chat");
    assert.ok(cloudRoute.ok);
    assert.equal(cloudRoute.route, "cloud");
    assert.equal(cloudRoute.model, "gpt-4o-mini");
    assert.equal(cloudRoute.contextTokens, 128_000);

    const nowhere = await localGateway({ available: false }).plan("edit");
    assert.equal(nowhere.ok, false);
  });
});
