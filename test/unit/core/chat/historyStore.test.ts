import assert from "node:assert/strict";
import { ChatHistory, MAX_CHATS, newChat, withTurn, type Chat, type KeyValueStore } from "../../../../src/core/chat";

class MapStore implements KeyValueStore {
  readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    // A real Memento hands back a JSON copy; so does this, so tests catch shared references.
    const value = this.data.get(key);
    return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    this.data.set(key, JSON.parse(JSON.stringify(value)));
  }
}

function chatWith(question: string, at: number): Chat {
  return withTurn(newChat(at), { id: `u-${question}`, role: "user", text: question }, at);
}

describe("chat history store", () => {
  it("keeps chats across a reload (a new ChatHistory over the same store), most recent first", async () => {
    const store = new MapStore();
    const first = new ChatHistory(store);
    await first.save(chatWith("older question", 1));
    await first.save(chatWith("newer question\nsecond line", 2));
    const reloaded = new ChatHistory(store);
    assert.deepEqual(
      reloaded.list().map((c) => c.title),
      ["newer question", "older question"],
    );
    const id = reloaded.list()[1].id;
    assert.equal(reloaded.get(id)?.turns[0].text, "older question");
  });

  it("replaces a chat saved again and deletes one by id", async () => {
    const store = new MapStore();
    const history = new ChatHistory(store);
    let chat = chatWith("q1", 1);
    await history.save(chat);
    chat = withTurn(chat, { id: "a1", role: "assistant", text: "answer" }, 5);
    await history.save(chat);
    assert.equal(history.list().length, 1);
    assert.equal(new ChatHistory(store).get(chat.id)?.turns.length, 2);
    await history.delete(chat.id);
    assert.deepEqual(new ChatHistory(store).list(), []);
  });

  it("does not store an empty chat", async () => {
    const store = new MapStore();
    await new ChatHistory(store).save(newChat());
    assert.deepEqual(new ChatHistory(store).list(), []);
  });

  it("drops entries that do not parse, keeping the others", async () => {
    const store = new MapStore();
    const good = chatWith("fine", 3);
    await store.update("hearth.chat.history", [{ id: 7, turns: "nope" }, good, "garbage"]);
    assert.deepEqual(
      new ChatHistory(store).list().map((c) => c.id),
      [good.id],
    );
  });

  it(`keeps at most ${MAX_CHATS} chats, forgetting the oldest`, async () => {
    const store = new MapStore();
    const history = new ChatHistory(store);
    for (let i = 0; i < MAX_CHATS + 3; i++) await history.save(chatWith(`q${i}`, i));
    const titles = new ChatHistory(store).list().map((c) => c.title);
    assert.equal(titles.length, MAX_CHATS);
    assert.equal(titles[0], `q${MAX_CHATS + 2}`);
    assert.ok(!titles.includes("q0"));
  });
});
