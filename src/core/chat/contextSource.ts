// The hook for `@repo`: a service that answers a question about the repository itself
// (it chooses and packs the context, then asks the model through the gateway). The repo
// Q&A service (src/vscode/repo, `RepoHandle.ask`) fits it; the chat only calls it. Without
// one wired, an @repo chip says so and the question goes to the gateway as usual.
import type { ChatMessage } from "../model";
import type { Route } from "../policy";

export interface ChatRepoAnswer {
  readonly text: string;
  readonly route: Route;
  readonly model: string;
  readonly auditId?: string;
}

/** What a prompt draws on: the folders whose policy applies, and the files whose text it carries. */
export interface DrawnOn {
  readonly folders: readonly string[];
  readonly paths: readonly string[];
}

export interface ChatRepoAskOptions {
  readonly signal?: AbortSignal;
  readonly onDelta?: (text: string) => void;
  readonly history?: readonly ChatMessage[];
  /** What the history drew on: the request names the folders and, as part of the prompt, the files (a neverSend match keeps it on this machine). */
  readonly drewOn?: DrawnOn;
  /** What this question's own prompt draws on, once built (before it is sent): the chat keeps it for later questions. */
  readonly onSources?: (sources: DrawnOn) => void;
}

export interface ChatRepoAnswerer {
  ask(question: string, options: ChatRepoAskOptions): Promise<ChatRepoAnswer>;
}
