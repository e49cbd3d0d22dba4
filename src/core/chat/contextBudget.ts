// Whether a question with its attachments fits the context of the route it would take: the
// one fit rule (core/model's fitContext), with a share of the context kept free for the
// answer. The tokens of the conversation so far and of the question are counted like the
// attachments.
import { fitContext, TEMPLATE_MARGIN } from "../model";

export interface BudgetInput {
  /** Tokens of the conversation so far plus the new question. */
  readonly conversationTokens: number;
  readonly attachmentTokens: number;
  /** The route's context, when known. */
  readonly contextTokens: number | undefined;
  /** Tokens kept free for the answer. */
  readonly answerReserve?: number;
}

/** `limit`: the most tokens the question, conversation and attachments may take on this route. */
export type BudgetVerdict = { readonly fits: true; readonly total: number } | { readonly fits: false; readonly total: number; readonly limit: number };

export const DEFAULT_ANSWER_RESERVE = 512;

export function checkBudget(input: BudgetInput): BudgetVerdict {
  const total = input.conversationTokens + input.attachmentTokens;
  // A small context (the tests' 2048) still leaves the answer a quarter of it.
  const reserve = input.contextTokens === undefined ? 0 : Math.min(input.answerReserve ?? DEFAULT_ANSWER_RESERVE, Math.floor(input.contextTokens / 4));
  const fit = fitContext({ promptTokens: total, answerTokens: reserve, contextTokens: input.contextTokens });
  return fit.fits ? { fits: true, total } : { fits: false, total, limit: fit.contextTokens - reserve - TEMPLATE_MARGIN };
}
