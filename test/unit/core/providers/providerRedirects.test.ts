// A server that answers a prompt with a redirect never gets the prompt sent on: the SDKs'
// fetch would follow a 307/308 with the body and the key to whatever host it names.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AnthropicProvider, OpenAiProvider, SECRET_KEYS, SelfHostedProvider, type SecretSource } from "../../../../src/core/providers";
import { FakeAnthropic, FakeOpenAi } from "../../../support/fakeCloud";
import { rejectsWith } from "./rejectsWith";

const secrets = (values: Record<string, string>): SecretSource => ({ get: (key) => values[key] });

/** Answers every request with `status` and a Location on `target` (same path), and counts them. */
async function redirector(status: number, target: () => string): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((request, response) => {
    hits += 1;
    request.resume();
    response.writeHead(status, { location: `${target()}${request.url ?? ""}` });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe("providers never follow a redirect with a prompt (real SDKs, loopback servers)", function () {
  this.timeout(20_000);
  let openai: FakeOpenAi;
  let anthropic: FakeAnthropic;
  const servers: Server[] = [];

  before(async () => {
    openai = await new FakeOpenAi().start();
    anthropic = await new FakeAnthropic().start();
  });
  after(async () => {
    await Promise.all([openai.stop(), anthropic.stop()]);
    for (const server of servers) server.close();
  });
  beforeEach(() => {
    openai.reset();
    anthropic.reset();
  });

  for (const status of [301, 302, 307, 308]) {
    it(`self-hosted: a ${status} to another host fails, says so, and that host receives nothing`, async () => {
      const hop = await redirector(status, () => new URL(openai.baseUrl).origin);
      servers.push(hop.server);
      const provider = new SelfHostedProvider({ endpoint: () => ({ baseUrl: `${hop.url}/v1`, model: "qwen" }), secrets: secrets({ [SECRET_KEYS.selfHosted]: "sk-self-0000" }) });
      const prepared = provider.prepare({ kind: "chat", messages: [{ role: "user", content: "the secret plan" }], maxTokens: 20 });
      const error = await rejectsWith(provider.send(prepared, {}));
      assert.equal(error.kind, "network");
      assert.match(error.message, /redirect/);
      assert.equal(hop.hits(), 1, "the request reached the configured server once");
      assert.equal(openai.requests.length, 0, "the prompt never reached the host the redirect named");
    });
  }

  it("OpenAI and Anthropic clients refuse a redirect too", async () => {
    const toOpenAi = await redirector(307, () => new URL(openai.baseUrl).origin);
    const toAnthropic = await redirector(308, () => new URL(anthropic.baseUrl).origin);
    servers.push(toOpenAi.server, toAnthropic.server);
    const gpt = new OpenAiProvider({ secrets: secrets({ [SECRET_KEYS.openai]: "sk-test-openai-0000" }), baseUrl: `${toOpenAi.url}/v1` });
    const haiku = new AnthropicProvider({ secrets: secrets({ [SECRET_KEYS.anthropic]: "sk-ant-test-0000" }), baseUrl: toAnthropic.url });
    const a = await rejectsWith(gpt.send(gpt.prepare({ kind: "chat", model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], maxTokens: 20 }), {}));
    const b = await rejectsWith(haiku.send(haiku.prepare({ kind: "chat", model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }], maxTokens: 20 }), {}));
    for (const error of [a, b]) {
      assert.equal(error.kind, "network");
      assert.match(error.message, /redirect/);
    }
    assert.equal(openai.requests.length + anthropic.requests.length, 0);
  });
});
