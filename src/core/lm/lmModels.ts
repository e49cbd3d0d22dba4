// The models Hearth offers through VS Code's language-model API (policy feature
// `languageModel`): the local model, and each cloud model the policy lets this feature
// reach with a key set. Each says the context its route really has, split between the
// prompt and the answer, so a caller that fills `maxInputTokens` still leaves the answer room.
import { cloudModelKey, type CloudModel } from "../policy";
import type { ModelPort, PlanRequest } from "../gateway";
import { TEMPLATE_MARGIN } from "../model";

export const LOCAL_LM_ID = "local";
/** The most tokens one answer is given; never more than a quarter of the context. */
export const ANSWER_TOKENS_CAP = 4096;
/**
 * The context assumed while it is not known (the local server has not started yet, a cloud
 * model of a family Hearth has no figure for): the smallest Hearth's server runs a chat with.
 */
export const UNKNOWN_CONTEXT_TOKENS = 4096;

export interface LmModel {
  /** `local`, or `cloud:<provider>:<model>`. */
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly version: string;
  readonly detail: string;
  readonly tooltip: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  /** Whether `maxInputTokens` rests on UNKNOWN_CONTEXT_TOKENS rather than the route's own figure. */
  readonly contextAssumed: boolean;
  /** What the gateway is asked for when this model is picked. */
  readonly preferred: NonNullable<PlanRequest["preferred"]>;
}

export interface LmModelFacts {
  /** The local model as its server names it (the model file), when known. */
  readonly localName?: string;
  /** The local chat context the server last reported; it stays the same while the server rests. */
  readonly localContextTokens?: number;
  /** The cloud models the effective policy lists for `languageModel` (empty unless its route is cloud and access is not deny). */
  readonly cloudModels: readonly CloudModel[];
}

/** A context split between prompt and answer: the answer gets a quarter, at most ANSWER_TOKENS_CAP. */
export function tokenBudget(contextTokens: number): { readonly maxInputTokens: number; readonly maxOutputTokens: number } {
  const maxOutputTokens = Math.max(1, Math.min(ANSWER_TOKENS_CAP, Math.floor(contextTokens / 4)));
  return { maxOutputTokens, maxInputTokens: Math.max(1, contextTokens - maxOutputTokens - TEMPLATE_MARGIN) };
}

export async function listLmModels(port: ModelPort, facts: LmModelFacts): Promise<LmModel[]> {
  const models: LmModel[] = [];
  const local = await port.plan({});
  const knownLocal = local.ok && local.route === "local" ? local.contextTokens : undefined;
  const localContext = knownLocal ?? facts.localContextTokens;
  const localName = facts.localName ?? "local model";
  const elsewhere = local.ok && local.route !== "local" ? ` Now: ${local.reason}.` : !local.ok ? ` Now: ${local.reason}` : "";
  models.push({
    id: LOCAL_LM_ID,
    name: `${localName} (Hearth)`,
    family: "hearth-local",
    version: localName,
    detail: "on this machine",
    tooltip: `Hearth's local model, ${localName}: prompts stay on this machine unless your Hearth policy for "languageModel" lets them go further when it cannot serve.${contextNote(localContext)}${elsewhere}`,
    ...tokenBudget(localContext ?? UNKNOWN_CONTEXT_TOKENS),
    contextAssumed: localContext === undefined,
    preferred: {},
  });
  for (const cloud of facts.cloudModels) {
    const key = cloudModelKey(cloud);
    const plan = await port.plan({ preferred: { route: "cloud", model: key } });
    // Listed only where the policy would really send it there now (the model allowed, its key set).
    if (!plan.ok || plan.route !== "cloud" || `${plan.provider}:${plan.model}` !== key) continue;
    models.push({
      id: `cloud:${key}`,
      name: `${cloud.model} (Hearth)`,
      family: cloud.model,
      version: cloud.model,
      detail: plan.needsAsk ? `${cloud.provider}, asks first` : cloud.provider,
      tooltip: `${key} through Hearth's privacy gateway: secrets redacted, neverSend files left out, every request in Hearth's audit log.${plan.needsAsk ? " Hearth asks before each prompt leaves." : ""}${contextNote(plan.contextTokens)}`,
      ...tokenBudget(plan.contextTokens ?? UNKNOWN_CONTEXT_TOKENS),
      contextAssumed: plan.contextTokens === undefined,
      preferred: { route: "cloud", model: key },
    });
  }
  return models;
}

function contextNote(contextTokens: number | undefined): string {
  return contextTokens === undefined ? ` Its context size is not known yet, so ${UNKNOWN_CONTEXT_TOKENS.toLocaleString("en")} tokens are assumed.` : ` Context: ${contextTokens.toLocaleString("en")} tokens.`;
}
