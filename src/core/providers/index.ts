// Providers: the code that talks to a model server. Only the gateway (src/core/gateway) uses them.
export type { HearthOptions, ChatCall, TextCall, ModelCall, PreparedCall, ProviderResult, SendOptions, ModelProvider } from "./providerTypes";
export { ProviderError, isProviderError, PROVIDER_ERROR_KINDS, type ProviderErrorKind, type ProviderErrorDetails } from "./providerError";
export { describeProviderError, type ErrorFacts } from "./errorMessages";
export { classifyError, retryAfterOf, type Classified } from "./classifyError";
export { runCall, backoff, CLOUD_LIMITS, LOCAL_LIMITS, type CallLimits, type AttemptContext, type AttemptOutcome, type CallSpec } from "./callRunner";
export { SECRET_KEYS, SET_KEY_COMMANDS, readSecret, type SecretSource } from "./secretSource";
export { LocalProvider, DEFAULT_LOCAL_MODEL, type LocalProviderOptions } from "./localProvider";
export { SelfHostedProvider, type SelfHostedProviderOptions, type SelfHostedEndpoint } from "./selfHostedProvider";
export { OpenAiProvider, OPENAI_BASE_URL, DEFAULT_OPENAI_MODEL, type OpenAiProviderOptions } from "./openAiProvider";
export { AnthropicProvider, ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_MODEL, DEFAULT_ANTHROPIC_MAX_TOKENS, type AnthropicProviderOptions } from "./anthropicProvider";
export { streamDeltas, type DeltaStream } from "./deltaStream";
