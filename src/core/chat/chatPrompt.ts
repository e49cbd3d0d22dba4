// A chat question's prompt, built for the route the gateway planned: the conversation, the
// attached files, thinking on or off, and whether it all fits that route's context by the one
// fit rule (core/model's fitContext), with a share of the context kept free for the answer.
// The tokens counted for the check travel with the prompt, so the gateway rechecks the fit
// with the same numbers.
import type { ContextFile, ModelPort, PlannedPrompt, RequestPlan } from "../gateway";
import { fitContext, TEMPLATE_MARGIN, type ChatMessage } from "../model";

export interface ChatPromptInput {
  /** The conversation, the new question last. */
  readonly messages: readonly ChatMessage[];
  readonly files: readonly ContextFile[];
  readonly thinking: boolean;
}

export interface ChatPrompt {
  readonly prompt: PlannedPrompt;
  readonly verdict: BudgetVerdict;
}

export async function chatPromptFor(plan: RequestPlan, input: ChatPromptInput, model: Pick<ModelPort, "countTokens">, signal?: AbortSignal): Promise<ChatPrompt> {
  const prompt: PlannedPrompt = { messages: input.messages, files: input.files, thinking: input.thinking };
  // A route that does not say how large its context is takes anything: nothing to count.
  if (plan.contextTokens === undefined) return { prompt, verdict: { fits: true, total: 0 } };
  const { counts } = await model.countTokens([...input.messages.map((m) => m.content), ...input.files.map((f) => f.content)], { signal });
  const sum = (from: number, to?: number): number => counts.slice(from, to).reduce((a, b) => a + b, 0);
  const verdict = checkBudget({ conversationTokens: sum(0, input.messages.length), attachmentTokens: sum(input.messages.length), contextTokens: plan.contextTokens });
  return { prompt: { ...prompt, promptTokens: verdict.total }, verdict };
}

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
