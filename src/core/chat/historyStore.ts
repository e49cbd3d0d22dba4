// Chats of one workspace, kept in a key-value store (VS Code's workspaceState in the
// extension, a Map in tests) so they survive reloads. Data that does not parse (an older
// shape, a hand edit) is dropped chat by chat, never the whole history.
import { chatSchema, type Chat, type ChatSummary } from "../../shared/chatProtocol";

/** The part of vscode.Memento the history needs. */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = "hearth.chat.history";
/** Oldest chats go first beyond this: workspaceState is loaded whole at startup. */
export const MAX_CHATS = 50;

export class ChatHistory {
  private chats: Chat[] | undefined;

  constructor(private readonly store: KeyValueStore) {}

  /** Most recent first. */
  list(): ChatSummary[] {
    return this.all().map(({ id, title, updatedAt }) => ({ id, title, updatedAt }));
  }

  get(id: string): Chat | undefined {
    return this.all().find((chat) => chat.id === id);
  }

  /** Stores the chat (replacing one with its id); empty chats are not kept. */
  async save(chat: Chat): Promise<void> {
    if (chat.turns.length === 0) return;
    const others = this.all().filter((c) => c.id !== chat.id);
    this.chats = [chat, ...others].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_CHATS);
    await this.store.update(KEY, this.chats);
  }

  async delete(id: string): Promise<void> {
    this.chats = this.all().filter((c) => c.id !== id);
    await this.store.update(KEY, this.chats);
  }

  private all(): Chat[] {
    if (this.chats === undefined) {
      const raw = this.store.get<unknown>(KEY);
      const items = Array.isArray(raw) ? raw : [];
      this.chats = items.flatMap((item) => {
        const parsed = chatSchema.safeParse(item);
        return parsed.success ? [parsed.data] : [];
      });
      this.chats.sort((a, b) => b.updatedAt - a.updatedAt);
    }
    return this.chats;
  }
}
