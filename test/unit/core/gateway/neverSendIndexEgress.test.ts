// The text of the workspace's neverSend files, found through the neverSend index, is taken out
// of a request that leaves even when the request names no file: a chat message quoting `.env`,
// an old turn of the conversation. An index that fails or is not ready keeps the request on
// this machine, or refuses it; a request that stays local never waits for the index. Real
// gateway, real OpenAI SDK client, loopback fakes, a real `.env` in a temporary folder.
import assert from "node:assert/strict";
import { GatewayRefusal, type Gateway, type GatewayRequest } from "../../../../src/core/gateway";
import { GPT, models, startHarness, type Harness } from "./gatewayHarness";
import { ENV_SECRETS, ENV_TEXT, indexedWorkspace, type IndexedWorkspace } from "./neverSendWorkspace";

const CLOUD_CHAT = { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } as const;

describe("gateway: the neverSend index in requests that name no file", function () {
  this.timeout(30_000);
  let h: Harness;
  let ws: IndexedWorkspace;

  before(async () => {
    h = await startHarness();
    ws = await indexedWorkspace({ ".env": ENV_TEXT, ".env.example": "EXAMPLE_ONLY_VALUE=Qz8rWm3kTn5vLp\n", "src/app.ts": "export const port = 8080;\n" });
  });
  after(async () => {
    await Promise.all([h.stop(), ws.remove()]);
  });
  beforeEach(async () => {
    await h.reset();
    h.state.policy = ws.policy(CLOUD_CHAT);
  });

  const gateway = (): Gateway => h.gateway({ neverSendContent: () => ws.content() });
  /** A question that pastes `.env`'s lines, after an earlier turn that quoted one. */
  const pasted = (): GatewayRequest => ({
    feature: "chat",
    messages: [
      { role: "user", content: "Which host do we use?" },
      { role: "assistant", content: "Your config says INTERNAL_DB_HOST=db7.prod.corp.internal." },
      { role: "user", content: `Why does the licence check fail with\nLICENSE_SEAT_ID=ACME-4471-ZQ-9\nPW=Xy7kPq2mZ9vB\nPORT=8080\nand the example's EXAMPLE_ONLY_VALUE=Qz8rWm3kTn5vLp?` },
    ],
    preferred: { route: "cloud" },
  });

  it("without the index, the pasted values reach the cloud (what the index is for)", async () => {
    await h.gateway().request(pasted());
    const body = h.openai.requests[0].body;
    assert.ok(ENV_SECRETS.filter((s) => body.includes(s)).length >= 2, "the control request lost its point: the redactor alone took the values out");
  });

  it("a chat message and an old turn quoting .env reach the cloud with its values redacted; common values and sendable files stay", async () => {
    const result = await gateway().request(pasted());
    assert.equal(result.provider, "openai");
    const body = h.openai.requests[0].body;
    for (const secret of ENV_SECRETS) assert.ok(!body.includes(secret), `${secret} left the machine`);
    assert.match(body, /«redacted:never-send»/);
    assert.ok(body.includes("PORT=8080"), "a common value is no copy of the file");
    assert.ok(body.includes("Qz8rWm3kTn5vLp"), ".env.example is sendable (the built-in ! line), so it is not in the index");
    const [entry] = (await h.audit.read()).entries;
    assert.ok(entry.redactions >= 3, `redactions: ${entry.redactions}`);
  });

  it("takes the values out with redaction turned off too (neverSend is not redaction)", async () => {
    h.state.policy = ws.policy(CLOUD_CHAT, { redactSecrets: false });
    await gateway().request(pasted());
    const body = h.openai.requests[0].body;
    for (const secret of ENV_SECRETS) assert.ok(!body.includes(secret), `${secret} left the machine`);
  });

  it("the dry run shows the same: nothing of .env in the payload", async () => {
    const preview = await gateway().preview(pasted());
    assert.ok(preview.ok);
    for (const secret of ENV_SECRETS) assert.ok(!preview.payload.includes(secret), `${secret} in the preview`);
    assert.equal(h.egressRequests(), 0);
  });

  it("an index that fails keeps the request on this machine, or refuses it where the local model cannot serve", async () => {
    const broken = h.gateway({ neverSendContent: () => Promise.reject(new Error("the search for neverSend files failed")) });
    const result = await broken.request(pasted());
    assert.equal(result.route, "local");
    assert.match(result.reason, /could not read the workspace's neverSend files/);
    assert.equal(h.egressRequests(), 0);
    // The plan says so too: a feature builds its prompt for this machine.
    const plan = await broken.plan("chat", { preferred: { route: "cloud" } });
    assert.ok(plan.ok && plan.route === "local");

    h.state.localKnownDown = true;
    await assert.rejects(broken.request(pasted()), (error: unknown) => error instanceof GatewayRefusal && error.code === "neverSend" && /nothing was sent/.test(error.message));
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual((await h.audit.read()).entries, []);
  });

  it("an index that is not ready in time keeps the request on this machine", async () => {
    const stuck = h.gateway({ neverSendContent: () => new Promise(() => undefined), neverSendWaitMs: 50 });
    const result = await stuck.request(pasted());
    assert.equal(result.route, "local");
    assert.match(result.reason, /still reading the workspace's neverSend files/);
    assert.equal(h.egressRequests(), 0);
  });

  it("a request that stays on this machine does not consult the index", async () => {
    h.state.policy = ws.policy({});
    let asked = 0;
    const result = await h
      .gateway({
        neverSendContent: () => {
          asked++;
          return Promise.reject(new Error("not needed"));
        },
      })
      .request(pasted());
    assert.equal(result.route, "local");
    assert.equal(asked, 0);
    // On this machine the prompt goes as written.
    assert.ok(h.local.requests.some((r) => r.body.includes("ACME-4471-ZQ-9")));
  });
});
