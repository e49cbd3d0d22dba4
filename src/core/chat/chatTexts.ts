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
  /** After the gateway's neverSend refusal, when the files it names are behind earlier answers of the chat. */
  keptHere(): string;
  /** Earlier answers made on this machine from files Hearth cannot name were left out of the question. */
  leftOut(count: number): string;
}

export const ENGLISH_CHAT_TEXTS: ChatTexts = {
  selectFirst: () => "Select some text in an editor first, then attach the selection.",
  openFileFirst: () => "Open a file in an editor first, then attach it.",
  noRepoService: () => "Repository questions are not available yet: no repository service is set up, so @repo adds nothing.",
  repoLeftOut: () => "@repo was left out: no repository service is set up yet. The question is sent with the other attachments.",
  notSent: ({ total, limit, model, route }) =>
    `Not sent: the question, the conversation and the attachments come to about ${total} tokens, but ${model} (${route}) has room for ${limit}. Remove an attachment or start a new chat.`,
  keptHere: () => "Earlier answers in this chat were made on this machine from those files, so the chat stays here: start the local model, or start a new chat to ask elsewhere.",
  leftOut: (count) =>
    `${count === 1 ? "An earlier answer" : `${count} earlier answers`} made on this machine ${count === 1 ? "was" : "were"} left out of this question: Hearth has no record of the files ${count === 1 ? "it" : "they"} drew on (a chat saved by an older version, or an answer that did not say), so ${count === 1 ? "it" : "they"} might carry files that must stay here.`,
};
