// A chat as the panel keeps it: turns in order, each assistant turn with the route that
// answered it. These functions turn it into what the gateway takes and name it for the
// history list; they never mutate a chat in place (the view renders snapshots).
import { randomUUID } from "node:crypto";
import type { ChatMessage } from "../model";
import type { Chat, ChatTurn } from "../../shared/chatProtocol";

const TITLE_LENGTH = 60;

export function newChat(now = Date.now(), thinking = false): Chat {
  return { id: randomUUID(), title: "", createdAt: now, updatedAt: now, thinking, turns: [] };
}

export function newTurnId(): string {
  return randomUUID();
}

/** The first line of the first question, shortened: what the history list shows. */
export function titleFor(question: string): string {
  const line = question.trim().split(/\r?\n/, 1)[0] ?? "";
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

export function withTurn(chat: Chat, turn: ChatTurn, now = Date.now()): Chat {
  const title = chat.title === "" && turn.role === "user" ? titleFor(turn.text) : chat.title;
  return { ...chat, title, updatedAt: now, turns: [...chat.turns, turn] };
}

export function updateTurn(chat: Chat, turnId: string, change: (turn: ChatTurn) => ChatTurn, now = Date.now()): Chat {
  return { ...chat, updatedAt: now, turns: chat.turns.map((turn) => (turn.id === turnId ? change(turn) : turn)) };
}

/**
 * The conversation for the model. An assistant turn that failed before saying anything is
 * left out (with the question it failed on, so the model never sees two questions in a
 * row and answers the stale one); a stopped or failed turn's partial text stays, as the
 * user saw it. Thoughts are never sent back: Qwen's template drops them from history too.
 * `leaveOut`: ids of user turns left out with their answers (see conversationScope's `unnamed`).
 */
export function toGatewayMessages(chat: Chat, leaveOut: ReadonlySet<string> = new Set()): ChatMessage[] {
  const messages: ChatMessage[] = [];
  let leaving = false;
  for (const turn of chat.turns) {
    if (turn.role === "assistant") {
      if (leaving) {
        leaving = false;
        continue;
      }
      if (turn.text.trim() === "") {
        if (messages.at(-1)?.role === "user") messages.pop();
        continue;
      }
      messages.push({ role: "assistant", content: turn.text });
    } else {
      leaving = leaveOut.has(turn.id);
      if (!leaving) messages.push({ role: "user", content: turn.text });
    }
  }
  return messages;
}
