// One chat panel's conversation: the current chat, sending a question through the gateway
// with its attachments, streaming the answer to the webview, stopping, and the history.
// The webview only renders what this posts; every state change goes through here.
import * as vscode from "vscode";
import { ChatHistory, checkBudget, newChat, newTurnId, toGatewayMessages, updateTurn, withTurn, type Chat, type ChatRepoAnswerer, type ChatTurn, type KeyValueStore, type RouteMeta, type ToWebview } from "../../core/chat";
import { isGatewayRefusal, type ContextFile, type GatewayRequest, type GatewayResult } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import { isProviderError } from "../../core/providers";
import { Attachments } from "./attachments";
import { countTokens, type ChatGateway } from "./chatGateway";

export interface ChatSessionDeps {
  readonly gateway: ChatGateway;
  readonly store: KeyValueStore;
  readonly log: Logger;
  /** Shows a refusal once with the button its message names (the gateway's FailureNotifier). */
  readonly notify?: (error: unknown) => Promise<void>;
  /** The @repo service (repository Q&A), when one is wired. */
  readonly repoSource?: () => ChatRepoAnswerer | undefined;
}

export class ChatSession implements vscode.Disposable {
  readonly history: ChatHistory;
  readonly attachments: Attachments;
  private chat: Chat = newChat();
  /** keep: set by Stop to how much of the answer the person was shown; the stored turn keeps that much. */
  private running: { controller: AbortController; turnId: string; keep?: number } | undefined;
  private post: (message: ToWebview) => void = () => undefined;

  constructor(private readonly deps: ChatSessionDeps) {
    this.history = new ChatHistory(deps.store);
    this.attachments = new Attachments(deps.gateway, () => deps.repoSource?.(), () => this.postState());
  }

  /** The webview to talk to (a view is created again when it moves or reloads). */
  connect(post: (message: ToWebview) => void): void {
    this.post = post;
  }

  get current(): Chat {
    return this.chat;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  postState(): void {
    this.post({ type: "state", chat: this.chat, history: this.history.list(), attachments: this.attachments.views(), busy: this.busy });
  }

  notice(message: string, level: "info" | "error" = "info"): void {
    this.post({ type: "notice", message, level });
  }

  stop(keep?: number): void {
    if (this.running !== undefined && keep !== undefined) this.running.keep = keep;
    this.running?.controller.abort();
  }

  /** An answer cut short by Stop: only what the person was shown (the webview shows nothing after Stop). */
  private kept(text: string): string {
    const keep = this.running?.keep;
    return keep === undefined ? text : text.slice(0, keep);
  }

  async newChat(): Promise<void> {
    this.stop();
    this.chat = newChat(Date.now(), this.chat.thinking);
    this.attachments.clear();
    this.postState();
  }

  open(id: string): void {
    const chat = this.history.get(id);
    if (chat === undefined) return;
    this.stop();
    this.chat = chat;
    this.postState();
  }

  async delete(id: string): Promise<void> {
    await this.history.delete(id);
    if (this.chat.id === id) await this.newChat();
    else this.postState();
  }

  async setThinking(on: boolean): Promise<void> {
    this.chat = { ...this.chat, thinking: on };
    await this.history.save(this.chat);
    this.postState();
  }

  async send(question: string): Promise<void> {
    if (this.running !== undefined || question.trim() === "") return;
    const controller = new AbortController();
    const assistantId = newTurnId();
    this.running = { controller, turnId: assistantId };
    try {
      const files = this.attachments.files();
      const folders = this.attachments.folders();
      const repo = this.repoAnswerer();
      // The repository service packs its own context to fit; the check is for what the chat sends itself.
      if (repo === undefined && !(await this.fits(question, files, controller.signal))) return;
      const labels = this.attachments.views().map((a) => a.label);
      this.chat = withTurn(this.chat, { id: newTurnId(), role: "user", text: question, ...(labels.length > 0 ? { attachments: labels } : {}) });
      const messages = toGatewayMessages(this.chat);
      this.chat = withTurn(this.chat, { id: assistantId, role: "assistant", text: "" });
      this.attachments.clear();
      this.postState();
      // Stored before the answer, so a New chat or another chat opened meanwhile leaves it in the history.
      await this.save(this.chat);
      if (repo !== undefined) await this.answerFromRepo(repo, this.chat.id, assistantId, question, messages, controller);
      else await this.answer(this.chat.id, assistantId, messages, files, controller, folders);
    } finally {
      // (A stopped answer already let go of `running` while its turn was being stored; a newer answer may hold it now.)
      if (this.running?.controller === controller) this.running = undefined;
      this.postState();
    }
  }

  /** Stop is over for the person as soon as the turn is final in memory; storing it (megabytes, for a long answer) goes on meanwhile. */
  private async settleStopped(controller: AbortController, stored: Promise<void>): Promise<void> {
    if (this.running?.controller === controller) this.running = undefined;
    this.postState();
    await stored;
  }

  /**
   * A question answered elsewhere (Hearth: Explain, which sends under the `edit` feature's
   * policy): shown here as a user turn and an assistant turn that fills in as it streams.
   */
  async beginExternal(question: string): Promise<{ append(text: string): void; answeredBy(result: GatewayResult): void; end(): Promise<void> }> {
    const chatId = this.chat.id;
    const turnId = newTurnId();
    this.chat = withTurn(this.chat, { id: newTurnId(), role: "user", text: question });
    this.chat = withTurn(this.chat, { id: turnId, role: "assistant", text: "" });
    this.postState();
    await this.save(this.chat);
    let text = "";
    let meta: RouteMeta | undefined;
    return {
      append: (piece) => {
        text += piece;
        this.showDelta(chatId, turnId, text, piece);
      },
      answeredBy: (result) => {
        meta = routeMeta(result);
      },
      end: async () => {
        await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text, ...(meta !== undefined ? { meta } : {}) }), true);
        this.postState();
      },
    };
  }

  /** A piece of an answer: the turn keeps the text so far (a webview created meanwhile shows it all), the webview gets the piece. */
  private showDelta(chatId: string, turnId: string, text: string, piece: string): void {
    void this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text }), false);
    this.post({ type: "delta", turnId, text: piece });
  }

  private async save(chat: Chat): Promise<void> {
    await this.history.save(chat).catch((error: unknown) => this.deps.log.warn(`Chat history not saved: ${String(error)}`));
  }

  /** Changes a turn of the chat on screen, or of the stored chat when the person has moved on to another one. */
  private async changeTurn(chatId: string, turnId: string, change: (turn: ChatTurn) => ChatTurn, persist: boolean): Promise<void> {
    if (this.chat.id === chatId) {
      this.chat = updateTurn(this.chat, turnId, change);
      if (persist) await this.save(this.chat);
      return;
    }
    const stored = this.history.get(chatId);
    if (stored !== undefined && persist) await this.save(updateTurn(stored, turnId, change));
  }

  private async answer(chatId: string, turnId: string, messages: GatewayRequest["messages"], files: ContextFile[], controller: AbortController, folders: readonly string[] = []): Promise<void> {
    let text = "";
    let reasoning = "";
    const request: GatewayRequest = {
      feature: "chat",
      messages,
      files,
      ...(folders.length > 0 ? { folders } : {}),
      thinking: this.chat.thinking,
      signal: controller.signal,
      // The turn on screen follows the stream too, so a webview created meanwhile (the view moved) shows it all.
      onDelta: (piece) => {
        text += piece;
        this.showDelta(chatId, turnId, text, piece);
      },
      onReasoning: (piece) => {
        reasoning += piece;
        void this.changeTurn(chatId, turnId, (turn) => ({ ...turn, reasoning }), false);
        this.post({ type: "reasoning", turnId, text: piece });
      },
    };
    try {
      const result = await this.deps.gateway.request(request);
      const finalReasoning = result.reasoning ?? reasoning;
      await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text: result.text, meta: routeMeta(result), ...(finalReasoning !== "" ? { reasoning: finalReasoning } : {}) }), true);
    } catch (error) {
      const partial = isProviderError(error) && error.partialText.length > text.length ? error.partialText : text;
      const stopped = controller.signal.aborted;
      const stored = this.changeTurn(
        chatId,
        turnId,
        (turn) => ({
          ...turn,
          text: stopped ? this.kept(partial) : partial,
          ...(reasoning !== "" ? { reasoning } : {}),
          ...(stopped ? { stopped: true } : { error: failureMessage(error) }),
        }),
        true,
      );
      if (stopped) await this.settleStopped(controller, stored);
      else await stored;
      if (!stopped) {
        this.deps.log.warn(`Chat answer failed: ${error instanceof Error ? error.message : String(error)}`);
        if (isGatewayRefusal(error)) void this.deps.notify?.(error);
      }
    }
  }

  /** An @repo question: the repository service answers it (streaming), with the chat so far as history. */
  private async answerFromRepo(repo: ChatRepoAnswerer, chatId: string, turnId: string, question: string, messages: GatewayRequest["messages"], controller: AbortController): Promise<void> {
    let text = "";
    try {
      const answer = await repo.ask(question, {
        signal: controller.signal,
        history: (messages ?? []).slice(0, -1),
        onDelta: (piece) => {
          text += piece;
          this.showDelta(chatId, turnId, text, piece);
        },
      });
      const meta: RouteMeta = { route: answer.route, provider: answer.route, model: answer.model, ...(answer.auditId !== undefined ? { auditId: answer.auditId } : {}) };
      await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text: answer.text, meta }), true);
    } catch (error) {
      const stopped = controller.signal.aborted;
      await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text: stopped ? this.kept(text) : text, ...(stopped ? { stopped: true } : { error: failureMessage(error) }) }), true);
      if (!stopped) {
        this.deps.log.warn(`Chat @repo answer failed: ${error instanceof Error ? error.message : String(error)}`);
        if (isGatewayRefusal(error)) void this.deps.notify?.(error);
      }
    }
  }

  /** The repository service that answers an @repo question; says so when none is wired. */
  private repoAnswerer(): ChatRepoAnswerer | undefined {
    if (!this.attachments.hasRepo()) return undefined;
    const answerer = this.deps.repoSource?.();
    if (answerer === undefined) this.notice(vscode.l10n.t("@repo was left out: no repository service is set up yet. The question is sent with the other attachments."), "error");
    return answerer;
  }

  /** Checks the question, the conversation and the files against the route's context; says so when they do not fit. */
  private async fits(question: string, files: readonly ContextFile[], signal: AbortSignal): Promise<boolean> {
    const route = await this.deps.gateway.routeFor("chat");
    if (!route.ok || route.contextTokens === undefined) return true;
    const history = toGatewayMessages(this.chat).map((m) => m.content);
    const { counts } = await countTokens(this.deps.gateway, [...history, question, ...files.map((f) => f.content)], signal);
    const conversation = counts.slice(0, history.length + 1).reduce((a, b) => a + b, 0);
    const attached = counts.slice(history.length + 1).reduce((a, b) => a + b, 0);
    const verdict = checkBudget({ conversationTokens: conversation, attachmentTokens: attached, contextTokens: route.contextTokens });
    if (verdict.fits) return true;
    this.notice(
      vscode.l10n.t(
        "Not sent: the question, the conversation and the attachments come to about {0} tokens, but {1} ({2}) has room for {3}. Remove an attachment or start a new chat.",
        verdict.total,
        route.model,
        route.route,
        verdict.limit,
      ),
      "error",
    );
    return false;
  }

  dispose(): void {
    this.stop();
  }
}

function routeMeta(result: GatewayResult): RouteMeta {
  return {
    route: result.route,
    provider: result.provider,
    model: result.model,
    ...(result.auditId !== undefined ? { auditId: result.auditId } : {}),
    ...(result.fellBackBecause !== undefined ? { fellBackBecause: result.fellBackBecause } : {}),
  };
}

/** The gateway's and providers' messages already say what happened and what to do (and that the partial text is kept). */
function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
