// The only place in Hearth that constructs SDK clients (house rule 2: one door out; a test
// greps src/ for this). Every credential and address is passed explicitly, and each SDK's
// fallbacks to environment variables and credential files are switched off: a key Hearth
// did not get from SecretStorage, or a base URL the user did not configure, must never be used.
// Nor a host the user did not configure: redirects are not followed (see withoutRedirects).
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";

export interface ClientTarget {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The SDK's own timeout; Hearth's call runner keeps tighter ones, so this is a backstop. */
  readonly timeoutMs: number;
}

/** What a redirect is called in a failure's cause chain (classifyError turns it into words). */
export const REDIRECT_REFUSED = "EREDIRECT";

/**
 * fetch that never follows a redirect. A 307 or 308 would carry the prompt, and with it the
 * key in the headers, to whichever host the answer names: a self-hosted endpoint that was
 * moved, or one that is not what the policy approved. The call fails instead, naming where
 * the server pointed, so the user can configure that address if it is theirs.
 */
export const withoutRedirects: typeof fetch = async (input, init) => {
  const response = await fetch(input, { ...init, redirect: "manual" });
  if (response.status < 300 || response.status > 399) return response;
  await response.body?.cancel().catch(() => undefined);
  const location = response.headers.get("location") ?? "";
  let where = "another address";
  try {
    where = new URL(location, typeof input === "string" || input instanceof URL ? input : input.url).host || where;
  } catch {
    // An unreadable Location names nothing worth repeating.
  }
  throw Object.assign(new Error(`the server answered ${response.status}, a redirect to ${where}, which Hearth does not follow with a prompt`), { code: REDIRECT_REFUSED });
};

export function createOpenAiClient(target: ClientTarget): OpenAI {
  return new OpenAI({
    fetch: withoutRedirects,
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
    fetch: withoutRedirects,
    baseURL: target.baseUrl,
    // A key passed in code is the client's only credential: no ANTHROPIC_AUTH_TOKEN, no profile files.
    apiKey: target.apiKey,
    webhookKey: null,
    maxRetries: 0,
    timeout: target.timeoutMs,
  });
}
