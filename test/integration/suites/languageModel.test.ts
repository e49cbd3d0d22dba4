// Hearth's models through VS Code's language-model API, in a real VS Code with a second
// extension (test/integration/lmClient, installed by the harness beside Hearth) that calls them
// the way any extension would: vscode.lm.selectChatModels({vendor: "hearth"}) and
// sendRequest, with a tool. Needs the finalised LanguageModelChatProvider (VS Code 1.104+);
// on an older VS Code the suite says so and skips.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { tokenBudget } from "../../../src/core/lm";
import { atLeast, CHAT_PROVIDER_MIN_VSCODE } from "../../../src/vscode/lm/chatProviderApi";
import { describeIn, note, waitFor } from "../harness/host";

const CLIENT_ID = "hearth-tests.hearth-lm-client";

interface ClientPart {
  readonly kind: "text" | "toolCall" | "other";
  readonly value?: string;
  readonly callId?: string;
  readonly name?: string;
  readonly input?: Record<string, unknown>;
}

interface ClientResult {
  readonly parts: readonly ClientPart[];
  readonly tokens?: number;
  readonly cancelled?: boolean;
  readonly error?: { readonly name?: string; readonly message?: string; readonly code?: string };
}

interface ClientModel {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly maxInputTokens: number;
}

// maxLength bounds the grammar's string: the tiny model's noise would otherwise run to max_tokens.
const WEATHER = {
  name: "get_weather",
  description: "The forecast for a city",
  inputSchema: { type: "object", properties: { city: { type: "string", maxLength: 30 }, unit: { type: "string", enum: ["C", "F"] } }, required: ["city", "unit"] },
};
const QUESTION = { role: "user", parts: [{ kind: "text", text: "Weather in Paris?" }] };

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

const client = <T>(command: string, ...args: unknown[]): Promise<T> => Promise.resolve(vscode.commands.executeCommand<T>(`hearthLmClient.${command}`, ...args));

describeIn(["trusted"], "language-model API: a second extension calls Hearth's models", function () {
  this.timeout(180_000);
  let api: HearthApi;

  before(async function () {
    if (!atLeast(vscode.version, CHAT_PROVIDER_MIN_VSCODE)) {
      const loaded = vscode.extensions.getExtension(CLIENT_ID) !== undefined;
      note(`language-model API suite skipped: VS Code ${vscode.version} has no finalised LanguageModelChatProvider (it came in ${CHAT_PROVIDER_MIN_VSCODE}); ${CLIENT_ID} ${loaded ? "is loaded" : "is not loaded"}`);
      this.skip();
    }
    assert.ok(vscode.extensions.getExtension(CLIENT_ID), `${CLIENT_ID} is not loaded: the harness installs test/integration/lmClient beside Hearth (harness/run.ts, TEST_EXTENSIONS)`);
    api = await hearth();
    await waitFor("the local model server", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
  });

  it("lists Hearth's local model under vendor hearth, with the context its server reports", async () => {
    let models: readonly ClientModel[] = [];
    await waitFor("Hearth's models in vscode.lm", async () => (models = await client<ClientModel[]>("models")).some((m) => m.id === "local"), { timeoutMs: 30_000 });
    const local = models.find((m) => m.id === "local")!;
    assert.equal(local.vendor, "hearth");
    const state = api.modelService.state;
    assert.equal(state.kind, "ready");
    const context = state.kind === "ready" ? (state.info.contexts?.chat ?? state.info.contextSize) : 0;
    assert.equal(local.maxInputTokens, tokenBudget(context).maxInputTokens);
    assert.match(local.name, /\(Hearth\)$/);
    note(`vscode.lm offers ${models.map((m) => `${m.vendor}/${m.id}`).join(", ")} on VS Code ${vscode.version}`);
  });

  it("streams text parts to the caller", async () => {
    const result = await client<ClientResult>("run", { modelId: "local", messages: [QUESTION], modelOptions: { max_tokens: 12 } });
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    assert.ok(result.parts.length > 0 && result.parts.every((p) => p.kind === "text"), JSON.stringify(result.parts));
  });

  it("a required tool comes back as a LanguageModelToolCallPart whose input fits the schema; its result goes back for the next call", async () => {
    const first = await client<ClientResult>("run", { modelId: "local", messages: [QUESTION], tools: [WEATHER], toolMode: "required", modelOptions: { max_tokens: 200 } });
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    const calls = first.parts.filter((p) => p.kind === "toolCall");
    assert.equal(calls.length, 1, JSON.stringify(first.parts));
    const [call] = calls;
    assert.equal(call.name, "get_weather");
    assert.equal(typeof call.input?.city, "string");
    assert.ok(call.input?.unit === "C" || call.input?.unit === "F", JSON.stringify(call.input));

    const second = await client<ClientResult>("run", {
      modelId: "local",
      messages: [QUESTION, { role: "assistant", parts: [{ kind: "toolCall", callId: call.callId, name: call.name, input: call.input }] }, { role: "user", parts: [{ kind: "toolResult", callId: call.callId, text: "Sunny, 21 degrees" }] }],
      tools: [WEATHER],
      toolMode: "required",
      modelOptions: { max_tokens: 200 },
    });
    assert.equal(second.error, undefined, JSON.stringify(second.error));
    assert.equal(second.parts.filter((p) => p.kind === "toolCall").length, 1, JSON.stringify(second.parts));
  });

  it("counts tokens with the local model's own tokenizer", async () => {
    const text = "def greet(name):\n    return f'Hello, {name}!'\n";
    const result = await client<ClientResult>("run", { modelId: "local", messages: [QUESTION], modelOptions: { max_tokens: 1 }, countTokensOf: text });
    const own = await api.gateway.countTokens([text], { feature: "languageModel" });
    assert.ok(own.exact);
    assert.equal(result.tokens, own.counts[0]);
  });

  it("cancelling the caller's token stops the request, and the server abandons the generation", async () => {
    const health = (): Promise<{ generations: { aborted: number } }> =>
      api.modelService.withEndpoint(async (endpoint) => (await fetch(`${endpoint.baseUrl.replace(/\/v1$/, "")}/health`, { headers: { authorization: `Bearer ${endpoint.token}` } })).json() as Promise<{ generations: { aborted: number } }>);
    const before = (await health()).generations.aborted;
    const result = await client<ClientResult>("run", { modelId: "local", messages: [QUESTION], modelOptions: { max_tokens: 1500 }, cancelAfterFirstText: true });
    assert.equal(result.cancelled, true);
    assert.ok(result.parts.length >= 1);
    await waitFor("the server to count the abandoned generation", async () => (await health()).generations.aborted > before, { timeoutMs: 30_000 });
  });
});
