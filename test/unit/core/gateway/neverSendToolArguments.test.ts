// A tool call's arguments are JSON text: a value on a line of its own follows the two
// characters `\n`, and a value with a quote or a backslash is written escaped. A neverSend
// file's short value must leave as a placeholder there as it does in a message, and the
// arguments must stay JSON with the rest of their content as it was: Anthropic's wire wants
// them as an object (`input`), OpenAI's as the text. Real gateway, real OpenAI and Anthropic
// SDK clients, loopback fakes, a real `.env` found through the neverSend index.
import assert from "node:assert/strict";
import type { Gateway, GatewayRequest } from "../../../../src/core/gateway";
import type { FeatureRuleOverride } from "../../../../src/core/policy";
import { GPT, HAIKU, models, startHarness, type Harness } from "./gatewayHarness";
import { indexedWorkspace, type IndexedWorkspace } from "./neverSendWorkspace";

const PIN = "Xy7kPq2mZ9";
/** A password with a quote and a backslash: JSON writes it `Qa\"7kR\\p2mZ9x`. */
const QUOTED = 'Qa"7kR\\p2mZ9x';
const PLACEHOLDER = "«redacted:never-send»";

const allowCloud = (key: string): FeatureRuleOverride => ({ route: "cloud", cloudAccess: "allow", cloudModels: models(key) });

/** An agent's conversation: a write_file call with the value on a line of its own, and a tool result that is JSON too. */
const conversation = (content: string, result: string): GatewayRequest => ({
  feature: "languageModel",
  messages: [
    { role: "user", content: "Save my notes." },
    { role: "assistant", content: "", toolCalls: [{ id: "call_1", name: "write_file", arguments: JSON.stringify({ path: "notes.txt", content }) }] },
    { role: "tool", toolCallId: "call_1", content: JSON.stringify({ ok: true, echo: result }) },
    { role: "user", content: "Thanks." },
  ],
  tools: [{ name: "write_file", description: "Writes a file.", parameters: { type: "object", properties: { path: { type: "string" }, content: { type: "string" } }, required: ["path", "content"] } }],
  preferred: { route: "cloud" },
});

interface OpenAiBody {
  messages: { role: string; content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] }[];
}
interface AnthropicBody {
  messages: { role: string; content: string | { type: string; input?: unknown; content?: unknown }[] }[];
}

/** What each vendor received as the call's arguments and as the tool's result. */
function openAiCall(json: unknown): { args: unknown; result: unknown } {
  const messages = (json as OpenAiBody).messages;
  const call = messages.find((m) => m.tool_calls !== undefined)?.tool_calls?.[0];
  assert.ok(call !== undefined, "the call is in the body");
  assert.equal(call.function.name, "write_file");
  const result = messages.find((m) => m.role === "tool")?.content;
  return { args: JSON.parse(call.function.arguments), result: JSON.parse(String(result)) };
}
function anthropicCall(json: unknown): { args: unknown; result: unknown } {
  const blocks = (json as AnthropicBody).messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content));
  const use = blocks.find((b) => b.type === "tool_use");
  const result = blocks.find((b) => b.type === "tool_result");
  assert.ok(use !== undefined && result !== undefined, "the call and its result are in the body");
  return { args: use.input, result: JSON.parse(String(result.content)) };
}

describe("gateway: neverSend values inside a tool call's JSON arguments", function () {
  this.timeout(30_000);
  let h: Harness;
  let ws: IndexedWorkspace;

  before(async () => {
    h = await startHarness();
    ws = await indexedWorkspace({ ".env": `PIN=${PIN}\nPW=${QUOTED}\nPORT=8080\n` });
  });
  after(async () => {
    await Promise.all([h.stop(), ws.remove()]);
  });
  beforeEach(() => h.reset());

  const gateway = (): Gateway => h.gateway({ neverSendContent: () => ws.content() });

  for (const [vendor, key] of [
    ["OpenAI", GPT],
    ["Anthropic", HAIKU],
  ] as const) {
    const received = (): { body: string; args: unknown; result: unknown } => {
      const request = vendor === "OpenAI" ? h.openai.requests[0] : h.anthropic.requests[0];
      assert.ok(request !== undefined, `nothing reached ${vendor}`);
      return { body: request.body, ...(vendor === "OpenAI" ? openAiCall(request.json) : anthropicCall(request.json)) };
    };

    it(`${vendor}: a short value after a line break in write_file's arguments leaves as a placeholder, the arguments still JSON`, async () => {
      h.state.policy = ws.policy({ languageModel: allowCloud(key) });
      await gateway().request(conversation(`pin:\n${PIN}\nend`, `line 1\n${PIN}`));
      const { body, args, result } = received();
      assert.ok(!body.includes(PIN), body);
      assert.deepEqual(args, { path: "notes.txt", content: `pin:\n${PLACEHOLDER}\nend` });
      assert.deepEqual(result, { ok: true, echo: `line 1\n${PLACEHOLDER}` });
    });

    it(`${vendor}: a value with a quote and a backslash, escaped in the arguments, leaves as one placeholder`, async () => {
      h.state.policy = ws.policy({ languageModel: allowCloud(key) });
      await gateway().request(conversation(`pw ${QUOTED}\n`, `${QUOTED}`));
      const { body, args, result } = received();
      assert.ok(!body.includes("7kR"), body);
      assert.deepEqual(args, { path: "notes.txt", content: `pw ${PLACEHOLDER}\n` });
      assert.deepEqual(result, { ok: true, echo: PLACEHOLDER });
    });
  }
});
