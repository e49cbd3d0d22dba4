// The webview's strings table, by key: a plain constant (no zod), so the webview bundle
// imports it as a value without pulling zod in. The extension translates each English
// string with vscode.l10n.t.
/** The English strings; each is also the key of its translation in l10n/chat.<lang>.json. */
export const WEBVIEW_STRINGS_EN = {
  messagesLabel: "Chat messages",
  inputLabel: "Ask Hearth",
  inputPlaceholder: "Ask about your code (Enter sends, Shift+Enter adds a line)",
  send: "Send",
  stop: "Stop",
  newChat: "New chat",
  history: "Past chats",
  deleteChat: "Delete chat",
  openChat: "Open chat",
  noChats: "No past chats yet.",
  thinking: "Thinking",
  thoughts: "Thoughts",
  copy: "Copy",
  insert: "Insert at cursor",
  apply: "Apply",
  copied: "Copied",
  you: "You",
  assistant: "Hearth",
  attachSelection: "Attach selection",
  attachFile: "Attach current file",
  selectionShort: "+ Selection",
  fileShort: "+ File",
  attachPick: "Attach a file (@)",
  attachRepo: "Ask about the repository (@repo)",
  removeAttachment: "Remove attachment",
  tokens: "tokens",
  tokensEstimated: "tokens (estimated)",
  stopped: "Stopped.",
  routeLocal: "local",
  routeSelfHosted: "self-hosted",
  routeCloud: "cloud",
  auditEntry: "Audit entry",
  emptyState: "Ask a question about your code. Attach the selection, a file or @repo for context.",
  codeBlock: "Code block",
  attachments: "Attachments",
  renderFailed: "This answer could not be formatted; it is shown as plain text.",
  nestingTooDeep: "This part of the answer nests deeper than Hearth formats (100 levels); it is shown as plain text.",
  imageNotLoaded: "Image (not loaded)",
  linkRefused: "Not opened",
  linkLeadsTo: "leads to",
  showAll: "Show all",
  hiddenChars: "{0} more characters of this long answer are not shown yet.",
  invisibleWarning: "Contains {0} invisible or bidirectional characters ({1}), shown as <U+…>. Copy, Insert and Apply keep them.",
} as const;

export const WEBVIEW_STRING_KEYS = Object.keys(WEBVIEW_STRINGS_EN) as WebviewStringKey[];
export type WebviewStringKey = keyof typeof WEBVIEW_STRINGS_EN;
export type WebviewStrings = Record<WebviewStringKey, string>;
