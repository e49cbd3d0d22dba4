// What the chat session says to the person in its own words (the gateway's and the
// providers' messages speak for themselves). The editor side hands in these sentences in
// the display language (src/vscode/chat/chatTexts.ts); English is the default, for tests
// and for anything that runs without an editor.
import type { Route } from "../policy";

export interface ChatTexts {
  /** An attachment of the selection asked for with nothing selected. */
  selectFirst(): string;
  /** An attachment of the current file asked for with no editor open. */
  openFileFirst(): string;
  /** The @repo chip's problem while no repository service is wired. */
  noRepoService(): string;
  /** A question with @repo sent while no repository service is wired. */
  repoLeftOut(): string;
  /** A question that does not fit the route's context; nothing was sent. */
  notSent(figures: { readonly total: number; readonly limit: number; readonly model: string; readonly route: Route }): string;
}

export const ENGLISH_CHAT_TEXTS: ChatTexts = {
  selectFirst: () => "Select some text in an editor first, then attach the selection.",
  openFileFirst: () => "Open a file in an editor first, then attach it.",
  noRepoService: () => "Repository questions are not available yet: no repository service is set up, so @repo adds nothing.",
  repoLeftOut: () => "@repo was left out: no repository service is set up yet. The question is sent with the other attachments.",
  notSent: ({ total, limit, model, route }) =>
    `Not sent: the question, the conversation and the attachments come to about ${total} tokens, but ${model} (${route}) has room for ${limit}. Remove an attachment or start a new chat.`,
};
