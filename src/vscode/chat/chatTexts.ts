// The chat session's own sentences (src/core/chat/chatTexts.ts) in VS Code's display language.
import * as vscode from "vscode";
import type { ChatTexts } from "../../core/chat";

export function chatTexts(): ChatTexts {
  return {
    selectFirst: () => vscode.l10n.t("Select some text in an editor first, then attach the selection."),
    openFileFirst: () => vscode.l10n.t("Open a file in an editor first, then attach it."),
    noRepoService: () => vscode.l10n.t("Repository questions are not available yet: no repository service is set up, so @repo adds nothing."),
    repoLeftOut: () => vscode.l10n.t("@repo was left out: no repository service is set up yet. The question is sent with the other attachments."),
    notSent: ({ total, limit, model, route }) =>
      vscode.l10n.t("Not sent: the question, the conversation and the attachments come to about {0} tokens, but {1} ({2}) has room for {3}. Remove an attachment or start a new chat.", total, model, route, limit),
    keptHere: () => vscode.l10n.t("Earlier answers in this chat were made on this machine from those files, so the chat stays here: start the local model, or start a new chat to ask elsewhere."),
    leftOut: (count) =>
      count === 1
        ? vscode.l10n.t("An earlier answer made on this machine was left out of this question: Hearth has no record of the files it drew on (a chat saved by an older version, or an answer that did not say), so it might carry files that must stay here.")
        : vscode.l10n.t("{0} earlier answers made on this machine were left out of this question: Hearth has no record of the files they drew on (a chat saved by an older version, or an answer that did not say), so they might carry files that must stay here.", count),
  };
}
