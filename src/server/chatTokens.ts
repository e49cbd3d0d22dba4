import type { Token } from "node-llama-cpp";
import { renderChatMLWithEnds, type ChatMessage } from "../core/prompts/chatml.js";
import type { PromptText } from "../core/prompts/promptText.js";
import { appendPaced } from "./tokenizeSlices.js";

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
  /** May be asynchronous: the server's gives way to other requests during long prompts. */
  tokenize(text: string, parseSpecial: boolean): readonly Token[] | Promise<readonly Token[]>;
  /** Lets other work run during a long copy (the engine's pacer). */
  breathe?: () => Promise<void>;
}

/**
 * Tokenizes piece by piece, as the engine always has, so a boundary falls on a token
 * boundary the same way on every request. `specialSystem` parses control tokens in the
 * system message's text: the repo role's pack uses `<|repo_name|>` and `<|file_sep|>`.
 * Linear in the conversation: the template's pieces (`<|im_start|>user\n`, ...) are
 * tokenized once per request, each message's text once.
 */
export async function tokenizeChat(tokenizer: ChatTokenizer, messages: readonly ChatMessage[], options: { enableThinking: boolean; specialSystem: boolean; toolsSystem?: string }): Promise<ChatTokens> {
  const { prompt, messageEnds: endPieces } = renderChatMLWithEnds(messages, options);
  const systemFirst = messages[0]?.role === "system";
  const pieces: PromptText = prompt.map((piece, index) => (options.specialSystem && systemFirst && index === 1 ? { text: piece.text, special: true } : piece));
  const scaffolding = new Map<string, readonly Token[]>();
  const tokens: Token[] = [];
  const countAfter: number[] = [];
  for (const piece of pieces) {
    if (piece.text !== "") {
      let pieceTokens = piece.special ? scaffolding.get(piece.text) : undefined;
      if (pieceTokens === undefined) {
        pieceTokens = await tokenizer.tokenize(piece.text, piece.special);
        // Template pieces repeat every message; a control-token-parsed system message is content.
        if (piece.special && piece.text.length < 64) scaffolding.set(piece.text, pieceTokens);
      }
      await appendPaced(tokens, pieceTokens, tokenizer.breathe);
    }
    countAfter.push(tokens.length);
  }
  // Every message but the last: where it ends, and (its successor's header being one
  // piece) where the next message's text begins.
  const messageEnds = endPieces.slice(0, -1).map((end) => countAfter[end - 1]!);
  const textStarts = endPieces.slice(0, -1).map((end) => countAfter[end]!);
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
