// OpenAI's API (GPT-4o-mini by default; the model id comes from the policy). Conversations
// only: OpenAI's chat models do not take raw completion prompts.
import { CLOUD_LIMITS, type CallLimits } from "./callRunner";
import { describeProviderError } from "./errorMessages";
import { prepareOpenAiCall, runOpenAiCall, type OpenAiDialect } from "./openAiWire";
import { ProviderError } from "./providerError";
import type { ModelCall, ModelProvider, PreparedCall, ProviderResult, SendOptions } from "./providerTypes";
import { readSecret, SECRET_KEYS, type SecretSource } from "./secretSource";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";
export const DEFAULT_OPENAI_MODEL = "gpt-4o-mini";

export interface OpenAiProviderOptions {
  readonly secrets: SecretSource;
  /** Tests point this at a loopback fake; users never need to. */
  readonly baseUrl?: string;
  readonly limits?: Partial<CallLimits>;
}

const DIALECT: OpenAiDialect = {
  provider: "openai",
  label: "OpenAI",
  maxTokensField: "max_completion_tokens",
  sendHearth: false,
  acceptsText: false,
  templateKwargs: false,
};

export class OpenAiProvider implements ModelProvider {
  readonly id = "openai";
  readonly label = DIALECT.label;
  readonly acceptsText = false;
  private readonly limits: CallLimits;

  constructor(private readonly options: OpenAiProviderOptions) {
    this.limits = { ...CLOUD_LIMITS, ...options.limits };
  }

  async isConfigured(): Promise<boolean> {
    return (await readSecret(this.options.secrets, SECRET_KEYS.openai)) !== undefined;
  }

  prepare(call: ModelCall): PreparedCall {
    return prepareOpenAiCall(call, call.model ?? DEFAULT_OPENAI_MODEL, DIALECT);
  }

  async send(prepared: PreparedCall, options?: SendOptions): Promise<ProviderResult> {
    const apiKey = await readSecret(this.options.secrets, SECRET_KEYS.openai);
    if (apiKey === undefined) {
      throw new ProviderError({ kind: "auth", provider: "openai", message: describeProviderError("auth", { provider: "openai", label: this.label, missingKey: true }) });
    }
    const baseUrl = this.options.baseUrl ?? OPENAI_BASE_URL;
    return runOpenAiCall(DIALECT, this.limits, prepared, options, (stream) => stream(baseUrl, apiKey));
  }
}
