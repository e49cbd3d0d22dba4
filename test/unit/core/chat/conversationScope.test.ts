// What a conversation has drawn on (core/chat/conversationScope): which folders later
// questions name, which files behind answers made here they name as part of the prompt, and
// which answers cannot be judged and stay out.
import assert from "node:assert/strict";
import { conversationScope, toGatewayMessages, type Chat, type ChatTurn } from "../../../../src/core/chat";

const local = { route: "local" as const, provider: "local", model: "qwen" };
const cloud = { route: "cloud" as const, provider: "openai", model: "gpt-4o-mini" };
const ask = (id: string, sources?: ChatTurn["sources"]): ChatTurn => ({ id, role: "user", text: `question ${id}`, ...(sources !== undefined ? { sources } : {}) });
const answer = (id: string, text: string, meta?: ChatTurn["meta"]): ChatTurn => ({ id, role: "assistant", text, ...(meta !== undefined ? { meta } : {}) });

describe("conversation scope", () => {
  it("names every folder; carries the files of answers made here, or of answers with no route on record (failed, stopped)", () => {
    const scope = conversationScope([
      ask("u1", { folders: ["file:///a"], paths: [".env"] }),
      answer("a1", "quoted", local),
      ask("u2", { folders: ["file:///b"], paths: ["b.txt"] }),
      answer("a2", "from the cloud", cloud),
      ask("u3", { folders: ["file:///a"], paths: ["partial.txt"] }),
      answer("a3", "cut short"),
    ]);
    assert.deepEqual(scope.folders, ["file:///a", "file:///b"]);
    assert.deepEqual(scope.localPaths, [".env", "partial.txt"], "the cloud's answer never saw a neverSend file");
    assert.equal(scope.unnamed.size, 0);
  });

  it("an answer with no text carries nothing; a question answered here without sources is unnamed", () => {
    const scope = conversationScope([ask("u1", { folders: [], paths: [".env"] }), answer("a1", "  "), ask("u2"), answer("a2", "legacy", local), ask("u3", { folders: [], paths: [], unnamed: true }), answer("a3", "explained", local)]);
    assert.deepEqual(scope.localPaths, []);
    assert.deepEqual([...scope.unnamed], ["u2", "u3"]);
  });

  it("toGatewayMessages leaves the unnamed questions out with their answers", () => {
    const chat: Chat = { id: "c", title: "t", createdAt: 0, updatedAt: 0, thinking: false, turns: [ask("u1"), answer("a1", "kept out", local), ask("u2"), answer("a2", "kept", local), ask("u3")] };
    assert.deepEqual(toGatewayMessages(chat, new Set(["u1"])), [
      { role: "user", content: "question u2" },
      { role: "assistant", content: "kept" },
      { role: "user", content: "question u3" },
    ]);
  });
});
