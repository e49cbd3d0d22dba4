import { literal, special, type PromptText } from "./promptText.js";

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** The thoughts of an earlier assistant turn, when the client sends them back. */
  reasoning?: string;
  /**
   * An assistant turn's tool calls, already in the model's own layout (see
   * src/server/toolCalls.ts renderToolCalls): written after the content, before `<|im_end|>`.
   */
  toolCallsText?: string;
}

export interface ChatMLOptions {
  /** Qwen3.5 thinks by default; Hearth always says which it wants. */
  enableThinking: boolean;
  /**
   * The tools block of the system message when the request offers tools (toolsSystemText):
   * it replaces the first system message's text, or makes a system message of its own.
   */
  toolsSystem?: string;
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
  // As Qwen3.5's template: with tools, the system message is the tools block followed by the
  // client's system text; without a system message the tools block is one of its own.
  const toolsOwnSystem = options.toolsSystem !== undefined && messages[0]?.role !== "system";
  if (toolsOwnSystem) prompt.push(special("<|im_start|>system\n"), literal(options.toolsSystem!), special("<|im_end|>\n"));
  messages.forEach((message, index) => {
    if (message.role === "tool") {
      // Consecutive tool results share one user turn, each in <tool_response> tags.
      if (messages[index - 1]?.role !== "tool") prompt.push(special("<|im_start|>user"));
      prompt.push(literal(`\n<tool_response>\n${message.content}\n</tool_response>`));
      if (messages[index + 1]?.role !== "tool") prompt.push(special("<|im_end|>\n"));
      messageEnds.push(prompt.length);
      return;
    }
    prompt.push(special(`<|im_start|>${message.role}\n`));
    if (message.role === "assistant") {
      for (const piece of thinkBlock(message.reasoning ?? "")) prompt.push(piece);
    }
    const text = index === 0 && message.role === "system" && options.toolsSystem !== undefined ? options.toolsSystem : message.content;
    prompt.push(literal(message.toolCallsText !== undefined ? text + message.toolCallsText : text));
    prompt.push(special("<|im_end|>\n"));
    messageEnds.push(prompt.length);
  });
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
