// Where Hearth registers its language-model provider: only where VS Code has the finalised API.
import assert from "node:assert/strict";
import { atLeast, chatProviderRegistration } from "../../../../src/vscode/lm/chatProviderApi";

describe("language-model provider API detection", () => {
  it("compares VS Code versions by number, insiders' suffix aside", () => {
    assert.equal(atLeast("1.104.0", "1.104.0"), true);
    assert.equal(atLeast("1.139.1", "1.104.0"), true);
    assert.equal(atLeast("1.105.0-insider", "1.104.0"), true);
    assert.equal(atLeast("1.100.3", "1.104.0"), false);
    assert.equal(atLeast("1.99.9", "1.104.0"), false);
    assert.equal(atLeast("2.0.0", "1.104.0"), true);
  });

  it("finds the register function on 1.104+, and not on an older VS Code even where a proposed one exists", () => {
    const calls: string[] = [];
    const lm = {
      registerLanguageModelChatProvider(this: { tag: string }, vendor: string) {
        calls.push(`${this.tag}:${vendor}`);
        return { dispose() {} };
      },
      tag: "lm",
    };
    const register = chatProviderRegistration({ version: "1.104.2", lm });
    assert.ok(register);
    register("hearth", { provideLanguageModelChatInformation: () => [], provideLanguageModelChatResponse: async () => {}, provideTokenCount: async () => 0 });
    assert.deepEqual(calls, ["lm:hearth"], "called on vscode.lm itself");
    assert.equal(chatProviderRegistration({ version: "1.103.0", lm }), undefined);
    assert.equal(chatProviderRegistration({ version: "1.110.0", lm: {} }), undefined);
  });
});
