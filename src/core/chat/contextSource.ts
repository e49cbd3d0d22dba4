// The hook for `@repo`: a service that, given a question, chooses the repository context
// that answers it. The repo Q&A service (another part of Hearth) implements it; the chat
// only calls it. Until one is wired, an @repo chip says so and nothing is sent for it.
import type { ContextFile } from "../gateway";

export interface ChatContextSource {
  /** Shown on the chip, e.g. "@repo". */
  readonly label: string;
  /** Files (origin "repo") that answer `question`, within `maxTokens` when given. */
  contextFor(question: string, options: { signal?: AbortSignal; maxTokens?: number }): Promise<readonly ContextFile[]>;
}
