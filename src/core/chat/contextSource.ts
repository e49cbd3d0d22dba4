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

export interface ChatRepoAnswerer {
  ask(question: string, options: { readonly signal?: AbortSignal; readonly onDelta?: (text: string) => void; readonly history?: readonly ChatMessage[] }): Promise<ChatRepoAnswer>;
}
