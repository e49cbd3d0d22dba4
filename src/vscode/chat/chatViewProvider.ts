// The chat webview view: its HTML, and the one place messages from the webview come in.
// Every message is validated against the protocol's schema before anything acts on it.
import * as vscode from "vscode";
import { parseToHost, type ChatSession, type ToHost, type ToWebview } from "../../core/chat";
import type { Logger } from "../../core/logger";
import type { ReadOnlyDocuments } from "../readOnlyDocuments";
import { chatHtml } from "./chatHtml";
import { applyWithDiff, insertAtCursor, invisibleMention, openLink, TrustedLinkHosts, type ActionOutcome } from "./codeActions";
import { pickFile } from "./filePicker";
import { webviewStrings } from "./webviewStrings";

export const CHAT_VIEW_ID = "hearth.chatView";

/** Streamed pieces are gathered this long before one message carries them (one message per piece floods the webview). */
const DELTA_FLUSH_MS = 25;

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly trustedHosts = new TrustedLinkHosts();
  /** Streamed pieces not yet posted, in order: consecutive pieces of one kind for one turn are joined. */
  private pending: Array<Extract<ToWebview, { type: "delta" | "reasoning" }>> = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: ChatSession,
    private readonly proposals: ReadOnlyDocuments,
    private readonly log: Logger,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, "dist"), vscode.Uri.joinPath(this.extensionUri, "media", "chat")],
    };
    view.webview.html = chatHtml(view.webview, this.extensionUri);
    this.session.connect((message) => this.post(message));
    this.disposables.push(
      view.webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseToHost(raw);
        if (message === undefined) {
          this.log.warn(`Chat: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        this.handle(message).catch((error: unknown) => {
          this.log.error(error instanceof Error ? error : String(error));
          this.session.notice(error instanceof Error ? error.message : String(error), "error");
        });
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    );
  }

  /** Shows the view and puts the cursor in its input. */
  async focus(): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    this.post({ type: "focusInput" });
  }

  private post(message: ToWebview): void {
    if (message.type === "delta" || message.type === "reasoning") {
      const last = this.pending.at(-1);
      if (last !== undefined && last.type === message.type && last.turnId === message.turnId) this.pending[this.pending.length - 1] = { ...last, text: last.text + message.text };
      else this.pending.push(message);
      this.flushTimer ??= setTimeout(() => this.flush(), DELTA_FLUSH_MS);
      return;
    }
    // Everything else keeps its place after the pieces posted before it.
    this.flush();
    void this.view?.webview.postMessage(message);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const pieces = this.pending;
    this.pending = [];
    for (const piece of pieces) void this.view?.webview.postMessage(piece);
  }

  private tell(outcome: ActionOutcome | undefined): void {
    if (outcome !== undefined) this.session.notice(outcome.message, outcome.level);
  }

  private async handle(message: ToHost): Promise<void> {
    const session = this.session;
    const say = (problem: string | undefined): void => {
      if (problem !== undefined) session.notice(problem, "error");
    };
    switch (message.type) {
      case "ready":
        this.post({ type: "init", strings: webviewStrings(), language: vscode.env.language });
        session.postState();
        return;
      case "send":
        return session.send(message.text);
      case "stop":
        return session.stop(message.keep);
      case "newChat":
        return session.newChat();
      case "openChat":
        return session.open(message.id);
      case "deleteChat":
        return session.delete(message.id);
      case "setThinking":
        return session.setThinking(message.on);
      case "copy":
        await vscode.env.clipboard.writeText(message.code);
        session.notice(vscode.l10n.t("Copied the code block.") + invisibleMention(message.code));
        return;
      case "insert":
        return this.tell(await insertAtCursor(message.code));
      case "apply":
        return this.tell(await applyWithDiff(message.code, this.proposals));
      case "openLink":
        return this.tell(await openLink(message.href, message.text, this.trustedHosts));
      case "openAudit":
        await vscode.commands.executeCommand("hearth.openAuditLog", message.auditId);
        return;
      case "attach":
        switch (message.kind) {
          case "selection":
            return say(await session.attachments.addSelection());
          case "file":
            return say(await session.attachments.addCurrentFile());
          case "pick":
            return say(await pickFile(session.attachments));
          case "repo":
            return session.attachments.addRepo();
        }
        return;
      case "removeAttachment":
        return session.attachments.remove(message.id);
    }
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }
}
