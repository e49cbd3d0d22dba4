import type { Token } from "node-llama-cpp";
import { renderChatML, type ChatMessage } from "../core/prompts/chatml.js";
import type { PromptText } from "../core/prompts/promptText.js";

/**
 * A chat prompt as tokens, with the token indices where the next request of the same
 * conversation can diverge at the earliest (a new question after the same system message,
 * a new turn after the same history). The server checkpoints there: on a hybrid model
 * nothing else makes the prefix reusable.
 */
export interface ChatTokens {
  tokens: Token[];
  /**
   * Ascending: the end of each message but the last, and where the text of each message
   * after the first begins (after its `<|im_start|>role\n`). A new question after the same
   * history shares that header too, so restoring after it saves evaluating it again.
   */
  boundaries: number[];
  /** Token index after messages[0] when it is a system message. */
  systemEnd?: number;
  /** Where the text of the message after the system message begins (after its header). */
  afterSystemHeader?: number;
  /** Where the system message's text starts (after its `<|im_start|>system\n`). */
  systemStart?: number;
}

export interface ChatTokenizer {
  tokenize(text: string, parseSpecial: boolean): Token[];
}

/**
 * Tokenizes piece by piece, as the engine always has, so a boundary falls on a token
 * boundary the same way on every request. `specialSystem` parses control tokens in the
 * system message's text: the repo role's pack uses `<|repo_name|>` and `<|file_sep|>`.
 */
export function tokenizeChat(tokenizer: ChatTokenizer, messages: readonly ChatMessage[], options: { enableThinking: boolean; specialSystem: boolean }): ChatTokens {
  const prompt = renderChatML(messages, options);
  // renderChatML appends the assistant's opening after the last message; its length in
  // pieces is the same for any conversation, so each message's end is found by rendering
  // the conversation up to it and dropping that trailer.
  const trailer = renderChatML([], options).length;
  const endPieces = messages.slice(0, -1).map((_, i) => renderChatML(messages.slice(0, i + 1), options).length - trailer);
  const systemFirst = messages[0]?.role === "system";
  const pieces: PromptText = prompt.map((piece, index) => (options.specialSystem && systemFirst && index === 1 ? { text: piece.text, special: true } : piece));
  const tokens: Token[] = [];
  const countAfter: number[] = [];
  for (const piece of pieces) {
    // A loop, not push(...): a pack's piece has more tokens than a call may take arguments.
    if (piece.text !== "") for (const token of tokenizer.tokenize(piece.text, piece.special)) tokens.push(token);
    countAfter.push(tokens.length);
  }
  const messageEnds = endPieces.map((end) => countAfter[end - 1]!);
  // Each message's header is one piece, so the next message's text begins one piece later.
  const textStarts = endPieces.map((end) => countAfter[end]!);
  const boundaries = [...new Set([...messageEnds, ...textStarts])].sort((a, b) => a - b);
  const result: ChatTokens = { tokens, boundaries };
  if (systemFirst) {
    result.systemStart = countAfter[0]!;
    if (messages.length > 1) {
      result.systemEnd = messageEnds[0]!;
      result.afterSystemHeader = textStarts[0]!;
    }
  }
  return result;
}

/**
 * Where to save a repo pack's state to disk: after the system message and the next
 * message's header (every question shares both), and the `<|file_sep|>` tokens nearest to
 * 50% and 75% of the pack, so when only later files changed the unchanged front is loaded
 * instead of evaluated. The state is saved just before the separator, so it holds only
 * files that ended before it.
 */
export function persistPoints(chat: ChatTokens, fileSepToken: Token | undefined): number[] {
  const { systemStart, systemEnd, afterSystemHeader, tokens } = chat;
  if (systemStart === undefined || systemEnd === undefined || afterSystemHeader === undefined) return [];
  const points = new Set<number>([afterSystemHeader]);
  if (fileSepToken !== undefined) {
    const seps: number[] = [];
    for (let i = systemStart; i < systemEnd; i++) if (tokens[i] === fileSepToken) seps.push(i);
    const length = systemEnd - systemStart;
    for (const fraction of [0.5, 0.75]) {
      const target = systemStart + length * fraction;
      let best: number | undefined;
      for (const at of seps) if (best === undefined || Math.abs(at - target) < Math.abs(best - target)) best = at;
      // The first separator holds nothing worth a file of its own.
      if (best !== undefined && best > seps[0]!) points.add(best);
    }
  }
  return [...points].sort((a, b) => a - b);
}
