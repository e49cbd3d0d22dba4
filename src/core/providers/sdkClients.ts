// The only place in Hearth that constructs SDK clients (house rule 2: one door out; a test
// greps src/ for this). Every credential and address is passed explicitly, and each SDK's
// fallbacks to environment variables and credential files are switched off: a key Hearth
// did not get from SecretStorage, or a base URL the user did not configure, must never be used.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

export interface ClientTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The SDK's own timeout; Hearth's call runner keeps tighter ones, so this is a backstop. */
  readonly timeoutMs: number;
}

export function createOpenAiClient(target: ClientTarget): OpenAI {
  return new OpenAI({
    baseURL: target.baseUrl,
    // Servers without auth still need a non-empty string, or the SDK looks in the environment.
    apiKey: target.apiKey === "" ? "none" : target.apiKey,
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    // Retries are the call runner's job: it knows whether text has already streamed.
    maxRetries: 0,
    timeout: target.timeoutMs,
  });
}

export function createAnthropicClient(target: ClientTarget): Anthropic {
  return new Anthropic({
    baseURL: target.baseUrl,
    // A key passed in code is the client's only credential: no ANTHROPIC_AUTH_TOKEN, no profile files.
    apiKey: target.apiKey,
    webhookKey: null,
    maxRetries: 0,
    timeout: target.timeoutMs,
  });
}
