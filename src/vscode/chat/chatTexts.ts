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
  };
}
