// Tool schemas are prompt text like any other: a secret used as a property's name, or as a
// schema's `type`, must not reach the vendor. The body must still be a request the SDKs and
// the vendor take: the protocol's own names (model, roles, a tool's "function" type) stay,
// and two property names redacted to one placeholder stay two properties. Real gateway, real
// OpenAI and Anthropic SDK clients, loopback fakes.
import assert from "node:assert/strict";
import type { Gateway, GatewayRequest } from "../../../../src/core/gateway";
import type { ToolSpec } from "../../../../src/core/model";
import type { FeatureRuleOverride } from "../../../../src/core/policy";
import { GPT, HAIKU, models, sha256, startHarness, userPolicy, type Harness } from "./gatewayHarness";

// Fake, shape-valid GitHub tokens (the review's, and a second one).
const TOKEN = "ghp_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5";
const OTHER_TOKEN = "ghp_" + "Zy9xW7vU5tS3rQ1pO9nM7lK5jI3hG1fE9dC7";
const TOKEN_PLACEHOLDER = "«redacted:github-token»";

const allowCloud = (key: string): FeatureRuleOverride => ({ route: "cloud", cloudAccess: "allow", cloudModels: models(key) });

/** The review's tool: the token is a property's name and that property's `type`; a plain property beside it. */
const reviewTool = (): ToolSpec => ({
  name: "lookup",
  description: "Looks a thing up.",
  parameters: { type: "object", properties: { [TOKEN]: { type: TOKEN, description: "x" }, path: { type: "string", description: "a path" } }, required: [TOKEN, "path"] },
});

interface OpenAiBody {
  model: string;
  messages: { role: string; content: string }[];
  tools: { type: string; function: { name: string; parameters: { type: string; properties: Record<string, { type: string; description: string }>; required: string[] } } }[];
}
interface AnthropicBody {
  model: string;
  tools: { name: string; input_schema: { type: string; properties: Record<string, { type: string; description: string }>; required: string[] } }[];
}

describe("gateway: tool schemas are redacted, keys and `type` values included", function () {
  this.timeout(30_000);
  let h: Harness;
  let gateway: Gateway;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    h.state.policy = userPolicy({ features: { languageModel: allowCloud(GPT) } });
    gateway = h.gateway();
  });

  const request = (tools: ToolSpec[], extra: Partial<GatewayRequest> = {}): GatewayRequest => ({
    feature: "languageModel",
    messages: [{ role: "user", content: "hi" }],
    tools,
    preferred: { route: "cloud" },
    ...extra,
  });

  it("OpenAI: the token as a property name and as its type leaves as placeholders; the protocol's names and the plain property stay", async () => {
    const result = await gateway.request(request([reviewTool()]));
    const received = h.openai.requests[0];
    assert.ok(!received.body.includes(TOKEN.slice(4, 20)), received.body);
    const body = received.json as OpenAiBody;
    assert.equal(body.model, "gpt-4o-mini");
    assert.equal(body.messages[0].role, "user");
    assert.equal(body.tools[0].type, "function");
    const schema = body.tools[0].function.parameters;
    assert.equal(schema.type, "object");
    assert.deepEqual(Object.keys(schema.properties), [TOKEN_PLACEHOLDER, "path"]);
    assert.equal(schema.properties[TOKEN_PLACEHOLDER].type, TOKEN_PLACEHOLDER);
    assert.deepEqual(schema.properties.path, { type: "string", description: "a path" });
    assert.deepEqual(schema.required, [TOKEN_PLACEHOLDER, "path"], "required still names the property it named");
    assert.equal(result.redactions, 3);
    const [entry] = (await h.audit.read()).entries;
    assert.equal(entry.sha256, sha256(received.body));
    assert.equal(entry.redactions, 3);
  });

  it("Anthropic: the same tool's input_schema leaves without the token", async () => {
    h.state.policy = userPolicy({ features: { languageModel: allowCloud(HAIKU) } });
    await gateway.request(request([reviewTool()]));
    const received = h.anthropic.requests[0];
    assert.ok(!received.body.includes(TOKEN.slice(4, 20)), received.body);
    const schema = (received.json as AnthropicBody).tools[0].input_schema;
    assert.deepEqual(Object.keys(schema.properties), [TOKEN_PLACEHOLDER, "path"]);
    assert.equal(schema.properties[TOKEN_PLACEHOLDER].type, TOKEN_PLACEHOLDER);
    assert.equal(schema.type, "object");
  });

  it("two property names redacted to one placeholder stay two properties, in their order", async () => {
    const tool: ToolSpec = { name: "pair", description: "Two keys.", parameters: { type: "object", properties: { [TOKEN]: { type: "string" }, [OTHER_TOKEN]: { type: "number" } } } };
    await gateway.request(request([tool]));
    const received = h.openai.requests[0];
    assert.ok(!received.body.includes(TOKEN.slice(4, 20)) && !received.body.includes(OTHER_TOKEN.slice(4, 20)), received.body);
    const properties = (received.json as OpenAiBody).tools[0].function.parameters.properties;
    assert.deepEqual(Object.keys(properties), [TOKEN_PLACEHOLDER, `${TOKEN_PLACEHOLDER} 2`]);
    assert.deepEqual(
      Object.values(properties).map((p) => p.type),
      ["string", "number"],
    );
  });

  it("a neverSend file's value used as a property name is taken out too", async () => {
    const tool: ToolSpec = { name: "env", description: "Reads a setting.", parameters: { type: "object", properties: { Xy7kPq2mZ9vB: { type: "string" } } } };
    const result = await gateway.request(request([tool], { files: [{ path: ".env", content: "PW=Xy7kPq2mZ9vB\n", origin: "file" }] }));
    assert.deepEqual(result.dropped, [".env"]);
    const received = h.openai.requests[0];
    assert.ok(!received.body.includes("Xy7kPq2mZ9vB"), received.body);
    assert.deepEqual(Object.keys((received.json as OpenAiBody).tools[0].function.parameters.properties), ["«redacted:never-send»"]);
  });

  it("renaming a property keeps a property named __proto__ beside it, as data, not as the object's prototype", async () => {
    // Built by JSON.parse, as a tool's schema arrives: a literal would set the prototype instead.
    const parameters = JSON.parse(`{"type":"object","properties":{"__proto__":{"type":"string"},"${TOKEN}":{"type":"number"}}}`) as Record<string, unknown>;
    await gateway.request(request([{ name: "proto", description: "A hostile schema.", parameters }]));
    const received = h.openai.requests[0];
    assert.ok(!received.body.includes(TOKEN.slice(4, 20)), received.body);
    assert.ok(received.body.includes(`"properties":{"__proto__":{"type":"string"},"${TOKEN_PLACEHOLDER}":{"type":"number"}}`), received.body);
  });
});
