// The sentences a user reads when a model call fails. Each says what happened, what it
// affects, and the one thing to do, naming the command or setting (docs/conventions.md,
// "Errors for people"). Kept apart from classification so the wording can be reviewed alone.
import type { ProviderErrorKind } from "./providerError";
import type { ProviderId } from "../model";
import { SET_KEY_COMMANDS } from "./secretSource";

export interface ErrorFacts {
  readonly provider: ProviderId;
  /** "OpenAI", "Anthropic", "the self-hosted endpoint", "Hearth's local model server". */
  readonly label: string;
  readonly status?: number;
  /** What the server said, trimmed; quoted when it helps. */
  readonly serverMessage?: string;
  readonly retryAfterMs?: number;
  readonly attempts?: number;
  readonly model?: string;
  /** Whether some text had streamed before the failure. */
  readonly partial?: boolean;
  readonly timeoutMs?: number;
  /** For network errors: the low-level reason ("connection refused"). */
  readonly detail?: string;
  /** A missing API key rather than a refused one. */
  readonly missingKey?: boolean;
}

export function describeProviderError(kind: ProviderErrorKind, facts: ErrorFacts): string {
  const { label } = facts;
  const kept = facts.partial ? " The text so far is kept." : "";
  const http = facts.status === undefined ? "" : ` (HTTP ${facts.status}${facts.serverMessage ? `: ${facts.serverMessage}` : ""})`;
  const httpAndTries = parenthesise([
    facts.status === undefined ? undefined : `HTTP ${facts.status}${facts.serverMessage ? `: ${facts.serverMessage}` : ""}`,
    facts.attempts !== undefined && facts.attempts > 1 ? `tried ${facts.attempts} times` : undefined,
  ]);
  switch (kind) {
    case "auth":
      if (facts.missingKey) return `No API key is set for ${label}. ${keyRemedy(facts.provider)}`;
      return `${capitalise(label)} refused the API key${http}. ${keyRemedy(facts.provider)}`;
    case "rate_limited": {
      const wait = facts.retryAfterMs === undefined ? "Wait a minute" : `Wait ${Math.ceil(facts.retryAfterMs / 1000)} s`;
      return `${capitalise(label)} is rate-limiting Hearth's requests${httpAndTries}. ${wait} and try again${facts.provider === "local" ? "" : ", or use the local model"}.${kept}`;
    }
    case "server_error":
      return `${capitalise(label)} had a server error${httpAndTries}. Try again later${facts.provider === "local" ? ', or run "Hearth: Restart Model Server"' : ", or use the local model"}.${kept}`;
    case "timeout": {
      const seconds = facts.timeoutMs === undefined ? "too long" : `${Math.round(facts.timeoutMs / 100) / 10} s`;
      const what = facts.partial ? `stopped sending for ${seconds} in the middle of the answer` : `sent nothing for ${seconds}`;
      return `${capitalise(label)} ${what}, so Hearth stopped waiting.${kept} ${facts.provider === "local" ? 'See "Hearth: Show Logs"; a large prompt on a slow machine can take minutes.' : "Try again; if it keeps happening, use the local model."}`.trim();
    }
    case "network":
      return networkMessage(facts);
    case "stream_broken":
      return `The connection to ${label} broke in the middle of the answer${facts.serverMessage ? ` (${facts.serverMessage})` : ""}.${facts.partial ? " The text so far is kept;" : ""} try again to get the rest.`;
    case "context_too_long":
      return `The prompt is too long for ${facts.model === undefined ? label : `${facts.model} at ${label}`}${facts.serverMessage ? ` (${facts.serverMessage})` : ""}. Include fewer files or a shorter selection.`;
    case "bad_request":
      return `${capitalise(label)} rejected the request${http}.${facts.status === 404 && facts.model !== undefined ? ` Check the model id "${facts.model}" in your Hearth policy (cloudModels).` : " This is a bug in Hearth; see \"Hearth: Show Logs\"."}`;
    case "cancelled":
      return `Cancelled.${kept}`;
  }
}

function keyRemedy(provider: ProviderId): string {
  switch (provider) {
    case "openai":
    case "anthropic":
      return `Run "${SET_KEY_COMMANDS[provider]}".`;
    case "selfHosted":
      return `Run "${SET_KEY_COMMANDS.selfHosted}", or check the endpoint in hearth.selfHosted.url.`;
    case "local":
      return 'Run "Hearth: Restart Model Server"; if hearth.server.url points at your own server, run "Hearth: Set API Key for External Server".';
  }
}

function networkMessage(facts: ErrorFacts): string {
  const why = facts.detail === undefined ? "" : ` (${facts.detail})`;
  switch (facts.provider) {
    case "local":
      return `Hearth's local model server is not answering${why}. Run "Hearth: Restart Model Server", or see "Hearth: Show Logs".`;
    case "selfHosted":
      return `Cannot reach the self-hosted endpoint${why}. Check hearth.selfHosted.url and that the server is running.`;
    default:
      return `Cannot reach ${facts.label}${why}. Check your network connection and VS Code's http.proxy setting, or use the local model.`;
  }
}

function parenthesise(parts: readonly (string | undefined)[]): string {
  const present = parts.filter((p): p is string => p !== undefined);
  return present.length === 0 ? "" : ` (${present.join("; ")})`;
}

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
