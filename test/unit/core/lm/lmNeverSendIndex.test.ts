// The privacy review's case: an agent's read_file of `.env` comes back as a tool result of a
// language-model API request, which names no file. With the neverSend index (a real `.env` in
// a temporary workspace folder, found and read as the extension does), its values reach the
// (fake) OpenAI and Anthropic as placeholders. Real gateway, real SDK clients, loopback fakes.
import assert from "node:assert/strict";
import { sendLmRequest, type LmMessage, type LmToolCall } from "../../../../src/core/lm";
import type { ToolSpec } from "../../../../src/core/model";
import { GPT, HAIKU, models, startHarness, type Harness } from "../gateway/gatewayHarness";
import { ENV_SECRETS, ENV_TEXT, indexedWorkspace, type IndexedWorkspace } from "../gateway/neverSendWorkspace";

const READ_FILE: ToolSpec = {
  name: "read_file",
  description: "Reads a file of the workspace",
  parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
};

/** The agent read `.env` and asks the model about it: the file's text is the tool's result, once as it is and once as JSON. */
const AGENT_TURN: LmMessage[] = [
  { role: "user", parts: [{ kind: "text", text: "Why can't the app reach its database?" }] },
  { role: "assistant", parts: [{ kind: "toolCall", callId: "call_env", name: "read_file", input: { path: ".env" } }] },
  { role: "user", parts: [{ kind: "toolResult", callId: "call_env", text: ENV_TEXT }] },
  { role: "assistant", parts: [{ kind: "toolCall", callId: "call_env2", name: "read_file", input: { path: "./.env" } }] },
  { role: "user", parts: [{ kind: "toolResult", callId: "call_env2", text: JSON.stringify({ content: ENV_TEXT }) }] },
];

describe("language-model API: the neverSend index takes .env's text out of tool results", function () {
  this.timeout(30_000);
  let h: Harness;
  let ws: IndexedWorkspace;

  before(async () => {
    h = await startHarness();
    ws = await indexedWorkspace({ ".env": ENV_TEXT, "src/db.ts": "export const connect = () => undefined;\n" });
  });
  after(async () => {
    await Promise.all([h.stop(), ws.remove()]);
  });
  beforeEach(async () => {
    await h.reset();
    h.state.policy = ws.policy({ languageModel: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT, HAIKU) } });
  });

  const sink = { text: (_: string) => undefined, toolCall: (_: LmToolCall) => undefined };

  it("without the index, the tool result carries .env's values to the cloud (the review's finding)", async () => {
    await sendLmRequest(h.gateway().port("languageModel"), { preferred: { route: "cloud", model: GPT } }, { messages: AGENT_TURN, tools: [READ_FILE] }, sink);
    const body = h.openai.requests[0].body;
    assert.ok(ENV_SECRETS.filter((s) => body.includes(s)).length >= 2, "the control request lost its point");
  });

  for (const [vendor, model] of [
    ["openai", GPT],
    ["anthropic", HAIKU],
  ] as const) {
    it(`${vendor}: the tool results reach the fake with .env's values redacted, the rest of the turn intact`, async () => {
      const port = h.gateway({ neverSendContent: () => ws.content() }).port("languageModel");
      const result = await sendLmRequest(port, { preferred: { route: "cloud", model } }, { messages: AGENT_TURN, tools: [READ_FILE] }, sink);
      assert.equal(result.provider, vendor);
      const fake = vendor === "openai" ? h.openai : h.anthropic;
      const body = fake.requests[0].body;
      for (const secret of ENV_SECRETS) assert.ok(!body.includes(secret), `${secret} reached ${vendor}`);
      assert.match(body, /«redacted:never-send»/);
      assert.ok(body.includes("Why can't the app reach its database?"));
      assert.ok(body.includes("read_file"));
      const [entry] = (await h.audit.read()).entries;
      assert.equal(entry.feature, "languageModel");
      // Each tool result is the whole of .env (once as text, once as JSON text): at least one placeholder each.
      assert.ok(entry.redactions >= 2, `redactions: ${entry.redactions}`);
    });
  }

  it("an index that cannot be built keeps the agent's request on this machine: nothing reaches the cloud", async () => {
    const port = h.gateway({ neverSendContent: () => Promise.reject(new Error("EACCES")) }).port("languageModel");
    const result = await sendLmRequest(port, { preferred: { route: "cloud", model: GPT } }, { messages: AGENT_TURN, tools: [READ_FILE] }, sink);
    assert.equal(result.route, "local");
    assert.equal(h.egressRequests(), 0);
  });
});
