// The webview's own strings, resolved here with vscode.l10n.t so the panel follows VS
// Code's display language (the webview cannot call vscode.l10n itself).
import * as vscode from "vscode";
import type { WebviewStrings } from "../../core/chat";

export function webviewStrings(): WebviewStrings {
  return {
    messagesLabel: vscode.l10n.t("Chat messages"),
    inputLabel: vscode.l10n.t("Ask Hearth"),
    inputPlaceholder: vscode.l10n.t("Ask about your code (Enter sends, Shift+Enter adds a line)"),
    send: vscode.l10n.t("Send"),
    stop: vscode.l10n.t("Stop"),
    newChat: vscode.l10n.t("New chat"),
    history: vscode.l10n.t("Past chats"),
    deleteChat: vscode.l10n.t("Delete chat"),
    openChat: vscode.l10n.t("Open chat"),
    noChats: vscode.l10n.t("No past chats yet."),
    thinking: vscode.l10n.t("Thinking"),
    thoughts: vscode.l10n.t("Thoughts"),
    copy: vscode.l10n.t("Copy"),
    insert: vscode.l10n.t("Insert at cursor"),
    apply: vscode.l10n.t("Apply"),
    copied: vscode.l10n.t("Copied"),
    you: vscode.l10n.t("You"),
    assistant: vscode.l10n.t("Hearth"),
    attachSelection: vscode.l10n.t("Attach selection"),
    attachFile: vscode.l10n.t("Attach current file"),
    attachPick: vscode.l10n.t("Attach a file (@)"),
    attachRepo: vscode.l10n.t("Ask about the repository (@repo)"),
    removeAttachment: vscode.l10n.t("Remove attachment"),
    tokens: vscode.l10n.t("tokens"),
    tokensEstimated: vscode.l10n.t("tokens (estimated)"),
    stopped: vscode.l10n.t("Stopped."),
    routeLocal: vscode.l10n.t("local"),
    routeSelfHosted: vscode.l10n.t("self-hosted"),
    routeCloud: vscode.l10n.t("cloud"),
    auditEntry: vscode.l10n.t("Audit entry"),
    emptyState: vscode.l10n.t("Ask a question about your code. Attach the selection, a file or @repo for context."),
    codeBlock: vscode.l10n.t("Code block"),
    attachments: vscode.l10n.t("Attachments"),
    renderFailed: vscode.l10n.t("This answer could not be formatted; it is shown as plain text."),
  };
}
