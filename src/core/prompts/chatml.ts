import { literal, special, type PromptText } from "./promptText.js";

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** The thoughts of an earlier assistant turn, when the client sends them back. */
  reasoning?: string;
}

export interface ChatMLOptions {
  /** Qwen3.5 thinks by default; Hearth always says which it wants. */
  enableThinking: boolean;
}

/**
 * Renders a conversation in Qwen3.5's ChatML layout.
 *
 * Unlike the official template, earlier assistant turns keep exactly the text they were
 * generated with (an empty think block when thinking was off, their thoughts when the
 * client sent them back). The official template strips past thoughts, which changes the
 * text early in the prompt and, on a hybrid model, forces the whole conversation to be
 * evaluated again on every turn (see the facts page). Rendering turns as generated makes
 * turn N's prompt an exact extension of turn N-1's prompt plus its answer.
 */
export function renderChatML(messages: readonly ChatMessage[], options: ChatMLOptions): PromptText {
  return renderChatMLWithEnds(messages, options).prompt;
}

/**
 * renderChatML, and where each message ends among the pieces (`messageEnds[i]` pieces hold
 * messages 0..i). One pass, linear in the conversation: rendering each prefix again to find
 * its end took 78 s for 16,000 one-word messages.
 */
export function renderChatMLWithEnds(messages: readonly ChatMessage[], options: ChatMLOptions): { prompt: PromptText; messageEnds: number[] } {
  const prompt: PromptText = [];
  const messageEnds: number[] = [];
  for (const message of messages) {
    prompt.push(special(`<|im_start|>${message.role}\n`));
    if (message.role === "assistant") {
      for (const piece of thinkBlock(message.reasoning ?? "")) prompt.push(piece);
    }
    prompt.push(literal(message.content));
    prompt.push(special("<|im_end|>\n"));
    messageEnds.push(prompt.length);
  }
  prompt.push(special("<|im_start|>assistant\n"));
  if (options.enableThinking) {
    prompt.push(special("<think>\n"));
  } else {
    for (const piece of thinkBlock("")) prompt.push(piece);
  }
  return { prompt, messageEnds };
}

function thinkBlock(reasoning: string): PromptText {
  const trimmed = reasoning.trim();
  if (trimmed === "") return [special("<think>\n\n</think>\n\n")];
  return [special("<think>\n"), literal(trimmed), special("\n</think>\n\n")];
}
