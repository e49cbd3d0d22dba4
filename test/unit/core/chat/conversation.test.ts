import assert from "node:assert/strict";
import { TEMPLATE_MARGIN } from "../../../../src/core/model";
import { checkBudget, newChat, titleFor, toGatewayMessages, updateTurn, withTurn } from "../../../../src/core/chat";

describe("chat conversation", () => {
  it("titles a chat by its first question's first line, shortened", () => {
    assert.equal(titleFor("  How does greet work?\nmore"), "How does greet work?");
    assert.equal(titleFor("x".repeat(100)).length, 60);
    let chat = withTurn(newChat(), { id: "u1", role: "user", text: "first" });
    chat = withTurn(chat, { id: "u2", role: "user", text: "second" });
    assert.equal(chat.title, "first");
  });

  it("sends the turns in order, without thoughts, keeping a stopped answer's partial text", () => {
    let chat = newChat();
    chat = withTurn(chat, { id: "u1", role: "user", text: "q1" });
    chat = withTurn(chat, { id: "a1", role: "assistant", text: "partial", stopped: true, reasoning: "hmm" });
    chat = withTurn(chat, { id: "u2", role: "user", text: "q2" });
    assert.deepEqual(toGatewayMessages(chat), [
      { role: "user", content: "q1" },
      { role: "assistant", content: "partial" },
      { role: "user", content: "q2" },
    ]);
  });

  it("leaves out a failed empty answer with its question, so the model never sees two questions in a row", () => {
    let chat = newChat();
    chat = withTurn(chat, { id: "u1", role: "user", text: "q1" });
    chat = withTurn(chat, { id: "a1", role: "assistant", text: "", error: "server died" });
    chat = withTurn(chat, { id: "u2", role: "user", text: "q2" });
    assert.deepEqual(toGatewayMessages(chat), [{ role: "user", content: "q2" }]);
  });

  it("updates one turn without touching the others", () => {
    let chat = withTurn(newChat(), { id: "a", role: "assistant", text: "x" });
    const before = chat;
    chat = updateTurn(chat, "a", (t) => ({ ...t, text: "y" }));
    assert.equal(before.turns[0].text, "x");
    assert.equal(chat.turns[0].text, "y");
  });
});

describe("chat context budget", () => {
  it("fits when the route's context is unknown", () => {
    assert.deepEqual(checkBudget({ conversationTokens: 10_000_000, attachmentTokens: 5, contextTokens: undefined }), { fits: true, total: 10_000_005 });
  });

  it("keeps room for the answer (512 tokens, or a quarter of a small context) and the chat template", () => {
    // The one fit rule (core/model) counts the template's own tokens too: each limit is TEMPLATE_MARGIN below the context less the answer's room.
    assert.equal(checkBudget({ conversationTokens: 3000, attachmentTokens: 584 - TEMPLATE_MARGIN, contextTokens: 4096 }).fits, true);
    assert.deepEqual(checkBudget({ conversationTokens: 3000, attachmentTokens: 585 - TEMPLATE_MARGIN, contextTokens: 4096 }), { fits: false, total: 3585 - TEMPLATE_MARGIN, limit: 4096 - 512 - TEMPLATE_MARGIN });
    assert.deepEqual(checkBudget({ conversationTokens: 1000, attachmentTokens: 600, contextTokens: 2048 }), { fits: false, total: 1600, limit: 2048 - 512 - TEMPLATE_MARGIN });
    assert.equal(checkBudget({ conversationTokens: 1000, attachmentTokens: 488, contextTokens: 2048 }).fits, true);
    assert.equal(checkBudget({ conversationTokens: 1000, attachmentTokens: 489, contextTokens: 2048 }).fits, false);
  });
});
