// The models offered to VS Code's language-model API, on the real gateway with loopback fakes.
import assert from "node:assert/strict";
import { listLmModels, tokenBudget, UNKNOWN_CONTEXT_TOKENS } from "../../../../src/core/lm";
import { TEMPLATE_MARGIN } from "../../../../src/core/model";
import { SECRET_KEYS } from "../../../../src/core/providers";
import { GPT, HAIKU, models, startHarness, userPolicy, type Harness } from "../gateway/gatewayHarness";

describe("language-model API: the models Hearth offers", function () {
  this.timeout(30_000);
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(() => h.reset());

  const cloudModels = models(GPT, HAIKU);
  const languageModelPolicy = (cloudAccess: "allow" | "ask" | "deny") => userPolicy({ features: { languageModel: { route: "cloud", cloudAccess, cloudModels } } });

  it("splits a context between prompt and answer: a quarter for the answer, at most 4,096, the rest less the template for the prompt", () => {
    assert.deepEqual(tokenBudget(8192), { maxOutputTokens: 2048, maxInputTokens: 8192 - 2048 - TEMPLATE_MARGIN });
    assert.deepEqual(tokenBudget(128_000), { maxOutputTokens: 4096, maxInputTokens: 128_000 - 4096 - TEMPLATE_MARGIN });
  });

  it("by default offers the local model only, with the context the local server reports", async () => {
    h.state.localContextTokens = 8192;
    const list = await listLmModels(h.gateway().port("languageModel"), { localName: "qwen3.5-4b", cloudModels: [] });
    assert.equal(list.length, 1);
    assert.equal(list[0].id, "local");
    assert.equal(list[0].name, "qwen3.5-4b (Hearth)");
    assert.equal(list[0].maxOutputTokens, 2048);
    assert.equal(list[0].maxInputTokens, 8192 - 2048 - TEMPLATE_MARGIN);
    assert.equal(list[0].contextAssumed, false);
    assert.deepEqual(list[0].preferred, {});
  });

  it("takes the context last reported while the server is not running, and assumes the smallest one before it ever ran", async () => {
    const port = h.gateway().port("languageModel");
    const remembered = await listLmModels(port, { localContextTokens: 16_384, cloudModels: [] });
    assert.equal(remembered[0].maxOutputTokens, 4096);
    assert.equal(remembered[0].contextAssumed, false);
    const never = await listLmModels(port, { cloudModels: [] });
    assert.deepEqual({ out: never[0].maxOutputTokens, in: never[0].maxInputTokens }, { out: tokenBudget(UNKNOWN_CONTEXT_TOKENS).maxOutputTokens, in: tokenBudget(UNKNOWN_CONTEXT_TOKENS).maxInputTokens });
    assert.equal(never[0].contextAssumed, true);
    assert.match(never[0].tooltip, /not known yet/);
  });

  it("offers each cloud model the policy lets languageModel reach with a key set, with that model's context; none when access is deny", async () => {
    h.state.policy = languageModelPolicy("ask");
    const port = h.gateway().port("languageModel");
    const list = await listLmModels(port, { cloudModels });
    assert.deepEqual(
      list.map((m) => [m.id, m.maxInputTokens, m.maxOutputTokens, m.detail]),
      [
        ["local", tokenBudget(UNKNOWN_CONTEXT_TOKENS).maxInputTokens, tokenBudget(UNKNOWN_CONTEXT_TOKENS).maxOutputTokens, "on this machine"],
        [`cloud:${GPT}`, 128_000 - 4096 - TEMPLATE_MARGIN, 4096, "openai, asks first"],
        [`cloud:${HAIKU}`, 200_000 - 4096 - TEMPLATE_MARGIN, 4096, "anthropic, asks first"],
      ],
    );
    assert.deepEqual(list[1].preferred, { route: "cloud", model: GPT });

    const anthropicKey = h.state.keys[SECRET_KEYS.anthropic];
    delete h.state.keys[SECRET_KEYS.anthropic];
    try {
      assert.deepEqual((await listLmModels(port, { cloudModels })).map((m) => m.id), ["local", `cloud:${GPT}`]);
    } finally {
      h.state.keys[SECRET_KEYS.anthropic] = anthropicKey;
    }

    h.state.policy = languageModelPolicy("deny");
    assert.deepEqual((await listLmModels(port, { cloudModels })).map((m) => m.id), ["local"]);
    assert.equal(h.egressRequests(), 0, "listing sends nothing");
  });

  it("does not offer a cloud model the policy does not list, even when the caller names it", async () => {
    h.state.policy = userPolicy({ features: { languageModel: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } });
    const list = await listLmModels(h.gateway().port("languageModel"), { cloudModels: models(GPT, HAIKU) });
    assert.deepEqual(list.map((m) => m.id), ["local", `cloud:${GPT}`]);
  });
});
