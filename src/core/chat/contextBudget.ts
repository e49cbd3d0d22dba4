// Whether a question with its attachments fits the context of the route it would take.
// The tokens of the conversation so far and of the question are counted like the
// attachments; a share of the context stays free for the answer.
export interface BudgetInput {
  /** Tokens of the conversation so far plus the new question. */
  readonly conversationTokens: number;
  readonly attachmentTokens: number;
  /** The route's context, when known. */
  readonly contextTokens: number | undefined;
  /** Tokens kept free for the answer. */
  readonly answerReserve?: number;
}

export type BudgetVerdict = { readonly fits: true; readonly total: number } | { readonly fits: false; readonly total: number; readonly limit: number };

export const DEFAULT_ANSWER_RESERVE = 512;

export function checkBudget(input: BudgetInput): BudgetVerdict {
  const total = input.conversationTokens + input.attachmentTokens;
  if (input.contextTokens === undefined) return { fits: true, total };
  // A small context (the tests' 2048) still leaves the answer a quarter of it.
  const reserve = Math.min(input.answerReserve ?? DEFAULT_ANSWER_RESERVE, Math.floor(input.contextTokens / 4));
  const limit = input.contextTokens - reserve;
  return total <= limit ? { fits: true, total } : { fits: false, total, limit };
}
