// The chat panel's VS Code side: the view, its commands, and the session behind it (the
// session itself is core: src/core/chat/chatSession.ts). extension.ts calls registerChat
// once and pushes the disposables.
import * as vscode from "vscode";
import { ChatSession, type ChatRepoAnswerer, type ExternalAnswer, type ExternalSource } from "../../core/chat";
import type { EditorPort } from "../../core/editor/editorPort";
import type { ModelPort } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import { READ_ONLY_SCHEMES, ReadOnlyDocuments } from "../readOnlyDocuments";
import { chatTexts } from "./chatTexts";
import { CHAT_VIEW_ID, ChatViewProvider } from "./chatViewProvider";

export { CHAT_VIEW_ID } from "./chatViewProvider";

export const CHAT_COMMANDS = {
  focus: "hearth.chat.focus",
  newChat: "hearth.chat.newChat",
  stop: "hearth.chat.stop",
  attachSelection: "hearth.chat.attachSelection",
} as const;

export interface ChatDeps {
  /** The gateway's port for the `chat` feature. */
  readonly model: ModelPort;
  readonly editor: EditorPort;
  readonly log: Logger;
  readonly notify?: (error: unknown) => Promise<void>;
  /** Answers @repo questions (the repository Q&A service's `ask`). */
  readonly repo?: ChatRepoAnswerer;
}

export interface ChatHandle {
  readonly session: ChatSession;
  /** The @repo service now wired (undefined: none). */
  readonly repoSource: ChatRepoAnswerer | undefined;
  /** Wires another @repo service; undefined unwires it. */
  setRepoSource(source: ChatRepoAnswerer | undefined): void;
  /** Where answers produced elsewhere (Hearth: Explain) are shown: the chat panel, focused. `source`: the file explained (see ChatSession.beginExternal). */
  readonly externalAnswers: { begin(title: string, source?: ExternalSource): Promise<ExternalAnswer> };
}

export function registerChat(context: vscode.ExtensionContext, deps: ChatDeps): ChatHandle {
  let repoSource: ChatRepoAnswerer | undefined = deps.repo;
  const session = new ChatSession({ model: deps.model, editor: deps.editor, store: context.workspaceState, log: deps.log, texts: chatTexts(), notify: deps.notify, repoSource: () => repoSource });
  const proposals = new ReadOnlyDocuments(READ_ONLY_SCHEMES.chatProposal);
  const provider = new ChatViewProvider(context.extensionUri, session, proposals, deps.log);
  context.subscriptions.push(
    session,
    provider,
    proposals,
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand(CHAT_COMMANDS.focus, () => provider.focus()),
    vscode.commands.registerCommand(CHAT_COMMANDS.newChat, async () => {
      await session.newChat();
      await provider.focus();
    }),
    vscode.commands.registerCommand(CHAT_COMMANDS.stop, () => session.stop()),
    vscode.commands.registerCommand(CHAT_COMMANDS.attachSelection, async () => {
      const problem = await session.attachments.addSelection();
      await provider.focus();
      if (problem !== undefined) session.notice(problem, "error");
    }),
  );
  return {
    session,
    externalAnswers: {
      begin: async (title, source) => {
        await provider.focus();
        return session.beginExternal(title, source);
      },
    },
    get repoSource() {
      return repoSource;
    },
    setRepoSource(source) {
      repoSource = source;
      session.postState();
    },
  };
}
