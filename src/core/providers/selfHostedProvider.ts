// The organisation's own OpenAI-compatible endpoint (vLLM, llama-server, Ollama, LM Studio
// on a team GPU box): the policy's `selfHosted` route. It is not this machine, so the gateway
// treats it like any egress (neverSend, redaction, audit); the API key, if the endpoint
// wants one, lives in SecretStorage like the cloud keys.
import { CLOUD_LIMITS, type CallLimits } from "./callRunner";
import { prepareOpenAiCall, runOpenAiCall, type OpenAiDialect } from "./openAiWire";
import { ProviderError } from "./providerError";
import type { ModelCall, ModelProvider, PreparedCall, ProviderResult, SendOptions } from "./providerTypes";
import { readSecret, SECRET_KEYS, type SecretSource } from "./secretSource";

export interface SelfHostedEndpoint {
  /** OpenAI-style base URL, e.g. `http://gpu-box:8000/v1`. */
  readonly baseUrl: string;
  /** The model id the server serves; vLLM refuses requests without the right one. */
  readonly model: string;
}

export interface SelfHostedProviderOptions {
  /** Read on every call, so a settings change applies at once; undefined = not configured. */
  readonly endpoint: () => SelfHostedEndpoint | undefined;
  readonly secrets: SecretSource;
  readonly limits?: Partial<CallLimits>;
}

const DIALECT: OpenAiDialect = {
  provider: "selfHosted",
  label: "the self-hosted endpoint",
  maxTokensField: "max_tokens",
  sendHearth: false,
  acceptsText: true,
  templateKwargs: true,
};

export class SelfHostedProvider implements ModelProvider {
  readonly id = "selfHosted";
  readonly label = DIALECT.label;
  readonly acceptsText = true;
  private readonly limits: CallLimits;

  constructor(private readonly options: SelfHostedProviderOptions) {
    this.limits = { ...CLOUD_LIMITS, ...options.limits };
  }

  async isConfigured(): Promise<boolean> {
    const endpoint = this.options.endpoint();
    return endpoint !== undefined && endpoint.baseUrl.trim() !== "";
  }

  prepare(call: ModelCall): PreparedCall {
    return prepareOpenAiCall(call, this.requireEndpoint().model, DIALECT);
  }

  async send(prepared: PreparedCall, options?: SendOptions): Promise<ProviderResult> {
    const endpoint = this.requireEndpoint();
    const apiKey = (await readSecret(this.options.secrets, SECRET_KEYS.selfHosted)) ?? "";
    return runOpenAiCall(DIALECT, this.limits, prepared, options, (stream) => stream(endpoint.baseUrl, apiKey));
  }

  private requireEndpoint(): SelfHostedEndpoint {
    const endpoint = this.options.endpoint();
    if (endpoint === undefined || endpoint.baseUrl.trim() === "") {
      throw new ProviderError({ kind: "network", provider: "selfHosted", message: "No self-hosted endpoint is configured. Set hearth.selfHosted.url (and hearth.selfHosted.model)." });
    }
    return endpoint;
  }
}
