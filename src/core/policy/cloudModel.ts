// How a policy names a cloud model. Users write either `provider:model`
// ("anthropic:claude-haiku-4-5") or, for the two families whose vendor is obvious from the
// id, the bare id ("gpt-4o-mini", "claude-haiku-4-5"). Model ids are data, not code: a new
// model needs no release of Hearth, only a new string in the policy.
import { quoteExcerpt } from "./policyDiagnostic";
import { CLOUD_PROVIDERS, type CloudModel, type CloudProvider } from "./policyModel";

/** Model ids the JSON schema offers for completion; any other well-formed id is accepted too. */
export const SUGGESTED_CLOUD_MODELS = ["gpt-4o-mini", "claude-haiku-4-5"] as const;

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._\-/@]{0,127}$/;

export type CloudModelParse = { readonly ok: true; readonly value: CloudModel } | { readonly ok: false; readonly message: string };

export function parseCloudModel(text: string): CloudModelParse {
  const colon = text.indexOf(":");
  if (colon >= 0) {
    const provider = text.slice(0, colon);
    const model = text.slice(colon + 1);
    if (!isCloudProvider(provider)) {
      return { ok: false, message: `unknown cloud provider ${quoteExcerpt(provider)}; use one of ${CLOUD_PROVIDERS.map((p) => `"${p}"`).join(", ")}` };
    }
    if (!MODEL_ID.test(model)) return { ok: false, message: `${quoteExcerpt(model)} is not a valid model id` };
    return { ok: true, value: { provider, model } };
  }
  if (!MODEL_ID.test(text)) return { ok: false, message: `${quoteExcerpt(text)} is not a valid model id` };
  const provider = inferProvider(text);
  if (provider === undefined) {
    return { ok: false, message: `cannot tell which vendor serves ${quoteExcerpt(text)}; Hearth has cloud providers for OpenAI and Anthropic, written "openai:<model>" or "anthropic:<model>"` };
  }
  return { ok: true, value: { provider, model: text } };
}

/** The canonical spelling, used for comparisons and consent records. */
export function cloudModelKey(model: CloudModel): string {
  return `${model.provider}:${model.model}`;
}

function inferProvider(id: string): CloudProvider | undefined {
  if (/^claude-/.test(id)) return "anthropic";
  if (/^(gpt-|chatgpt-|o\d)/.test(id)) return "openai";
  return undefined;
}

function isCloudProvider(value: string): value is CloudProvider {
  return (CLOUD_PROVIDERS as readonly string[]).includes(value);
}
