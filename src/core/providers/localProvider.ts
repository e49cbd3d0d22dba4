// Hearth's own model server (or the user's external OpenAI-compatible server set in
// hearth.server.url). The endpoint is asked for on every call, because the server can be
// restarted on a new port with a new token at any time; with `withServer` (the supervisor's,
// or ModelService.withEndpoint) a server that crashed is brought back and the call tried once more.
import type { ServerEndpoint } from "../server/supervisor";
import { LOCAL_LIMITS, runCall, type CallLimits } from "./callRunner";
import { ProviderError } from "./providerError";
import { prepareOpenAiCall, streamOpenAi, type OpenAiDialect } from "./openAiWire";
import type { ModelCall, ModelProvider, PreparedCall, ProviderResult, SendOptions } from "./providerTypes";
import { createOpenAiClient } from "./sdkClients";

export interface LocalProviderOptions {
  /** The current endpoint; used when `withServer` is not given. */
  readonly endpoint?: () => Promise<ServerEndpoint>;
  /** Runs a request against the current endpoint, restarting a crashed server once. */
  readonly withServer?: <T>(request: (endpoint: ServerEndpoint) => Promise<T>) => Promise<T>;
  /** The `model` field; Hearth's server ignores it, external servers (Ollama) may need it. */
  readonly model?: () => string | undefined;
  readonly limits?: Partial<CallLimits>;
}

const LOCAL_DIALECT: OpenAiDialect = {
  provider: "local",
  label: "Hearth's local model server",
  maxTokensField: "max_tokens",
  sendHearth: true,
  acceptsText: true,
};

/** The model name sent when none is configured; Hearth's server answers with its real model id. */
export const DEFAULT_LOCAL_MODEL = "hearth-local";

export class LocalProvider implements ModelProvider {
  readonly id = "local";
  readonly label = LOCAL_DIALECT.label;
  readonly acceptsText = true;
  private readonly limits: CallLimits;

  constructor(private readonly options: LocalProviderOptions) {
    if (options.endpoint === undefined && options.withServer === undefined) throw new TypeError("LocalProvider needs `endpoint` or `withServer`.");
    this.limits = { ...LOCAL_LIMITS, ...options.limits };
  }

  async isConfigured(): Promise<boolean> {
    return true;
  }

  prepare(call: ModelCall): PreparedCall {
    return prepareOpenAiCall(call, call.model ?? this.options.model?.() ?? DEFAULT_LOCAL_MODEL, LOCAL_DIALECT);
  }

  send(prepared: PreparedCall, options?: SendOptions): Promise<ProviderResult> {
    const timeoutMs = this.limits.firstTokenTimeoutMs + 1000;
    return runCall({
      provider: "local",
      label: this.label,
      model: prepared.model,
      limits: this.limits,
      options,
      attempt: async (context) => {
        const once = (endpoint: ServerEndpoint) => streamOpenAi(createOpenAiClient({ baseUrl: endpoint.baseUrl, apiKey: endpoint.token, timeoutMs }), prepared, context, timeoutMs, options?.onProgress);
        try {
          if (this.options.withServer !== undefined) return await this.options.withServer(once);
          return await once(await this.options.endpoint!());
        } catch (error) {
          throw serverNotRunning(error) ?? error;
        }
      },
    });
  }
}

/** The supervisor could not start or find a server: say so in its own words, as a network failure the gateway may fall back from. */
function serverNotRunning(error: unknown): ProviderError | undefined {
  if (!(error instanceof Error) || error.name !== "ServerStartError") return undefined;
  return new ProviderError({ kind: "network", provider: "local", message: `Hearth's local model server is not running: ${error.message}`, cause: error });
}
