// How many tokens the answer may take, given the route's context: the one fit rule
// (core/model's fitContext) with room for at least the smallest answer that can do the job.
// A rewrite needs about as many tokens as the text it rewrites, so when even that does not
// fit, the user hears it before anything is sent, with the two ways out.
import { fitContext } from "../model";

export interface BudgetInput {
  /** Tokens of the whole prompt (messages, as counted by the model's tokenizer or estimated). */
  readonly promptTokens: number;
  /** Tokens of the target text alone. */
  readonly targetTokens: number;
  /** The answer budget wanted when room is not a concern. */
  readonly wanted: number;
  /** The route's context size; undefined when unknown. */
  readonly contextTokens: number | undefined;
  /** True when the answer rewrites the target (so needs about its size). */
  readonly rewrites: boolean;
}

export type Budget = { readonly ok: true; readonly maxTokens: number } | { readonly ok: false; readonly needed: number; readonly available: number };

const MIN_ANSWER = 64;

export function answerBudget(input: BudgetInput): Budget {
  const least = input.rewrites ? Math.max(MIN_ANSWER, input.targetTokens) : MIN_ANSWER;
  const fit = fitContext({ promptTokens: input.promptTokens, answerTokens: least, contextTokens: input.contextTokens });
  if (!fit.fits) return { ok: false, needed: fit.needed, available: fit.contextTokens };
  // What is left after the least answer is room the answer may grow into, up to what was wanted.
  return { ok: true, maxTokens: fit.spare === undefined ? input.wanted : Math.min(input.wanted, least + fit.spare) };
}
