// A chat question's prompt, built for the route the gateway planned: the conversation, the
// attached files, thinking on or off, and whether it all fits that route's context. The
// tokens counted for the check travel with the prompt, so the gateway rechecks the fit with
// the same numbers.
import type { ContextFile, ModelPort, PlannedPrompt, RequestPlan } from "../gateway";
import type { ChatMessage } from "../model";
import { checkBudget, type BudgetVerdict } from "./contextBudget";

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
