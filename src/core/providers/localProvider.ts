// Hearth's own model server (or the user's external OpenAI-compatible server set in
// hearth.server.url). The endpoint is asked for on every call, because the server can be
// restarted on a new port with a new token at any time; with `withServer` (the supervisor's,
// or ModelService.withEndpoint) a server that crashed is brought back and the call tried once more.
import { HearthServerClient, HearthServerError, type ServerEndpoint } from "../wire/serverClient";
import { LOCAL_LIMITS, type CallLimits } from "./callRunner";
import { ProviderError } from "./providerError";
import { prepareOpenAiCall, runOpenAiCall, type OpenAiDialect } from "./openAiWire";
import type { ModelCall, ModelProvider, PreparedCall, ProviderResult, SendOptions, TokenizeOptions } from "./providerTypes";

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
  templateKwargs: true,
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
    return runOpenAiCall(LOCAL_DIALECT, this.limits, prepared, options, async (stream) => {
      const once = (endpoint: ServerEndpoint) => stream(endpoint.baseUrl, endpoint.token);
      try {
        if (this.options.withServer !== undefined) return await this.options.withServer(once);
        return await once(await this.options.endpoint!());
      } catch (error) {
        throw serverNotRunning(error) ?? error;
      }
    });
  }

  async tokenize(texts: readonly string[], options?: TokenizeOptions): Promise<number[]> {
    const counts = new Array<number>(texts.length);
    const countAll = async (endpoint: ServerEndpoint): Promise<number[]> => {
      const client = new HearthServerClient(endpoint, { timeoutMs: TOKENIZE_TIMEOUT_MS });
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < texts.length) {
          const index = next++;
          counts[index] = texts[index] === "" ? 0 : await tokenizeOne(client, texts[index], options);
        }
      };
      await Promise.all(Array.from({ length: Math.min(TOKENIZE_CONCURRENCY, texts.length) }, worker));
      return counts;
    };
    try {
      if (this.options.withServer !== undefined) return await this.options.withServer(countAll);
      return await countAll(await this.options.endpoint!());
    } catch (error) {
      throw serverNotRunning(error) ?? error;
    }
  }
}

/** Requests in flight at once when counting many texts: enough to hide latency, few enough not to crowd out a completion. */
const TOKENIZE_CONCURRENCY = 4;
const TOKENIZE_TIMEOUT_MS = 30_000;

/** POST /tokenize as Hearth's server and llama-server offer it: `{content}` → `{tokens: number[]}`. */
async function tokenizeOne(client: HearthServerClient, content: string, options: TokenizeOptions | undefined): Promise<number> {
  try {
    const tokens = await client.tokenize({ content, ...(options?.role !== undefined ? { role: options.role } : {}), ...(options?.special === true ? { parse_special: true } : {}) }, { signal: options?.signal });
    return tokens.length;
  } catch (error) {
    if (!(error instanceof HearthServerError)) throw error;
    switch (error.kind) {
      case "cancelled":
        throw new ProviderError({ kind: "cancelled", provider: "local", message: "Token counting was cancelled.", cause: error });
      case "unreachable":
      case "timeout":
        throw new ProviderError({ kind: "network", provider: "local", message: `Hearth could not reach the local model server to count tokens: ${error.message}`, cause: error });
      case "http":
        throw new ProviderError({ kind: "bad_request", provider: "local", status: error.status, message: `The local model server cannot count tokens (HTTP ${error.status} on /tokenize).`, cause: error });
      case "malformed":
        throw new ProviderError({ kind: "bad_request", provider: "local", message: "The local model server answered /tokenize without a token list.", cause: error });
    }
  }
}

/** The supervisor could not start or find a server: say so in its own words, as a network failure the gateway may fall back from. */
function serverNotRunning(error: unknown): ProviderError | undefined {
  if (!(error instanceof Error) || error.name !== "ServerStartError") return undefined;
  return new ProviderError({ kind: "network", provider: "local", message: `Hearth's local model server is not running: ${error.message}`, cause: error });
}
