// A conversation as VS Code's language-model API hands it over, in plain data (src/vscode/lm
// turns VS Code's part classes into these), and the same conversation in the gateway's
// words. VS Code puts a tool's result in the user turn after the assistant's call; the
// OpenAI wire wants it as a `tool` turn of its own, right after that call.
import type { ChatMessage } from "../model";

export type LmPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "toolCall"; readonly callId: string; readonly name: string; readonly input: unknown }
  | { readonly kind: "toolResult"; readonly callId: string; readonly text: string };

export interface LmMessage {
  readonly role: "system" | "user" | "assistant";
  readonly parts: readonly LmPart[];
}

/** Tokens ChatML adds around each message (`<|im_start|>`, the role, a line break, `<|im_end|>`, a line break). */
export const MESSAGE_OVERHEAD_TOKENS = 5;

export function toChatMessages(messages: readonly LmMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    // VS Code splits text into parts where it likes: they are one text.
    const text = message.parts.flatMap((p) => (p.kind === "text" ? [p.text] : [])).join("");
    if (message.role === "assistant") {
      const toolCalls = message.parts.flatMap((p) => (p.kind === "toolCall" ? [{ id: p.callId, name: p.name, arguments: argumentsText(p.input) }] : []));
      out.push({ role: "assistant", content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
      continue;
    }
    // A result answers the call of the turn before, so it comes before the user's own words.
    for (const part of message.parts) if (part.kind === "toolResult") out.push({ role: "tool", toolCallId: part.callId, content: part.text });
    if (text !== "" || !message.parts.some((p) => p.kind === "toolResult")) out.push({ role: message.role, content: text });
  }
  return out;
}

/** Every text of a message the model reads: for counting its tokens. */
export function lmMessageTexts(message: LmMessage): string[] {
  return message.parts.map((p) => (p.kind === "text" ? p.text : p.kind === "toolResult" ? p.text : `${p.name}${argumentsText(p.input)}`));
}

/** A call's input as the wire carries it: a JSON object's text ({} when the caller gave none). */
function argumentsText(input: unknown): string {
  return JSON.stringify(typeof input === "object" && input !== null && !Array.isArray(input) ? input : {});
}
