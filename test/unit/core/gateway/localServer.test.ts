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
});
