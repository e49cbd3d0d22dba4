// How many tokens the answer may take, given the route's context: the prompt plus the answer
// must fit. A rewrite needs about as many tokens as the text it rewrites, so when even that
// does not fit, the user hears it before anything is sent, with the two ways out.

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

/** Room for the chat template's own tokens around the messages. */
export const TEMPLATE_MARGIN = 48;
const MIN_ANSWER = 64;

export function answerBudget(input: BudgetInput): Budget {
  if (input.contextTokens === undefined) return { ok: true, maxTokens: input.wanted };
  const available = input.contextTokens - input.promptTokens - TEMPLATE_MARGIN;
  const needed = input.rewrites ? Math.max(MIN_ANSWER, input.targetTokens) : MIN_ANSWER;
  if (available < needed) return { ok: false, needed: input.promptTokens + TEMPLATE_MARGIN + needed, available: input.contextTokens };
  return { ok: true, maxTokens: Math.min(input.wanted, available) };
}
