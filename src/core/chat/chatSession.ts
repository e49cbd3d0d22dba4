// One chat panel's conversation: the current chat, a question sent through the chat's model
// port with its attachments (planned, built and checked for the route it takes), the answer
// streamed to the view, Stop, and the history. The view only renders what this posts; every
// state change goes through here. The editor side connects a view (the webview) and hands
// in the editor port, the model port and the words to say.
import type { EditorPort } from "../editor/editorPort";
import { isGatewayRefusal, isModelFailure, type GatewayResult, type ModelPort, type PlannedPrompt, type PlanRequest, type RequestPlan } from "../gateway";
import type { Logger } from "../logger";
import type { ChatMessage } from "../model";
import type { Chat, ChatTurn, RouteMeta, ToWebview, TurnSources } from "../../shared/chatProtocol";
import { Attachments } from "./attachments";
import { chatPromptFor } from "./chatPrompt";
import { ENGLISH_CHAT_TEXTS, type ChatTexts } from "./chatTexts";
import type { ChatRepoAnswerer } from "./contextSource";
import { newChat, newTurnId, toGatewayMessages, updateTurn, withTurn } from "./conversation";
import { conversationScope, withFolders, type ConversationScope } from "./conversationScope";
import { ChatHistory, type KeyValueStore } from "./historyStore";

export interface ChatSessionDeps {
  /** The gateway's port for the `chat` feature. */
  readonly model: ModelPort;
  readonly editor: EditorPort;
  readonly store: KeyValueStore;
  readonly log: Logger;
  /** The session's own sentences, in the display language; default English. */
  readonly texts?: ChatTexts;
  /** Shows a refusal once with the button its message names (the gateway's FailureNotifier). */
  readonly notify?: (error: unknown) => Promise<void>;
  /** The @repo service (repository Q&A), when one is wired. */
  readonly repoSource?: () => ChatRepoAnswerer | undefined;
}

/** What an answer produced elsewhere drew on: the explained file and its folders. */
export interface ExternalSource {
  readonly folders: readonly string[];
  readonly paths: readonly string[];
}

/** Where an answer produced elsewhere (Hearth: Explain) is shown as it streams. */
export interface ExternalAnswer {
  append(text: string): void;
  answeredBy(result: GatewayResult): void;
  end(): Promise<void>;
}

/** The question would not fit the planned route's context; the message says so, with the figures. */
class DoesNotFit extends Error {
  override readonly name = "DoesNotFit";
}

export class ChatSession {
  readonly history: ChatHistory;
  readonly attachments: Attachments;
  private readonly texts: ChatTexts;
  private chat: Chat = newChat();
  /** keep: set by Stop to how much of the answer the person was shown; the stored turn keeps that much. */
  private running: { controller: AbortController; turnId: string; keep?: number } | undefined;
  private post: (message: ToWebview) => void = () => undefined;

  constructor(private readonly deps: ChatSessionDeps) {
    this.texts = deps.texts ?? ENGLISH_CHAT_TEXTS;
    this.history = new ChatHistory(deps.store);
    this.attachments = new Attachments({ editor: deps.editor, model: deps.model, texts: this.texts, repoSource: () => deps.repoSource?.(), onChange: () => this.postState() });
  }

  /** The view to talk to (a webview is created again when it moves or reloads). */
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
      const repo = this.repoAnswerer();
      const labels = this.attachments.views().map((a) => a.label);
      // What the earlier turns drew on goes with this question too (see conversationScope).
      const scope = conversationScope(this.chat.turns);
      // A repository question's files are the pack's, named once it is built (until then, unnamed).
      const sources: TurnSources = repo !== undefined ? { folders: [], paths: [], unnamed: true } : { folders: this.attachments.folders(), paths: this.attachments.files().map((f) => f.path) };
      const userTurn: ChatTurn = { id: newTurnId(), role: "user", text: question, ...(labels.length > 0 ? { attachments: labels } : {}), sources };
      const asked = withTurn(this.chat, userTurn);
      // Without the answers that cannot be judged, for a request that may leave this machine (see conversationScope).
      const judged = toGatewayMessages(asked, scope.unnamed);
      /** Puts the question and the (empty) answer on screen and in the history; once. */
      let shown: Promise<string> | undefined;
      const show = (): Promise<string> => {
        shown ??= (async () => {
          this.chat = withTurn(withTurn(this.chat, userTurn), { id: assistantId, role: "assistant", text: "" });
          this.attachments.clear();
          this.postState();
          // Stored before the answer, so a New chat or another chat opened meanwhile leaves it in the history.
          await this.save(this.chat);
          return this.chat.id;
        })();
        return shown;
      };
      if (repo !== undefined) {
        // The repository service routes its request itself, out of the chat's sight: it may leave.
        if (scope.unnamed.size > 0) this.notice(this.texts.leftOut(scope.unnamed.size));
        // The repository service packs its own context to fit; the chat only checks what it sends itself.
        await this.answerFromRepo(repo, await show(), { question: userTurn.id, answer: assistantId }, question, judged, scope, controller);
        return;
      }
      await this.answer(show, { question: userTurn.id, answer: assistantId }, { all: toGatewayMessages(asked), judged }, scope, controller);
    } finally {
      // (A stopped answer already let go of `running` while its turn was being stored; a newer answer may hold it now.)
      if (this.running?.controller === controller) this.running = undefined;
      this.postState();
    }
  }

  /**
   * Plans the question's route, builds the prompt for it and sends it. The question goes on
   * screen only once its prompt fits (built, right before the gateway sends it): one that
   * does not fit is not added, and the notice says why. A refusal or failure is shown in
   * the answer's turn. `messages.judged` leaves out the answers that cannot be judged: it is
   * the conversation sent where the prompt may leave this machine, `messages.all` where it
   * cannot; a question sent with them cannot be judged either (its answer may quote them).
   */
  private async answer(
    show: () => Promise<string>,
    turnIds: { readonly question: string; readonly answer: string },
    messages: { readonly all: readonly ChatMessage[]; readonly judged: readonly ChatMessage[] },
    scope: ConversationScope,
    controller: AbortController,
  ): Promise<void> {
    const turnId = turnIds.answer;
    const files = this.attachments.files();
    const request = scopedRequest(scope, this.attachments.folders());
    const thinking = this.chat.thinking;
    let chatId: string | undefined;
    let text = "";
    let reasoning = "";
    let told = false;
    const build = async (plan: RequestPlan): Promise<PlannedPrompt> => {
      const leaveOut = scope.unnamed.size > 0 && (await this.mayLeave(plan));
      if (leaveOut && !told) {
        told = true;
        this.notice(this.texts.leftOut(scope.unnamed.size));
      }
      const { prompt, verdict } = await chatPromptFor(plan, { messages: leaveOut ? messages.judged : messages.all, files, thinking }, this.deps.model, controller.signal);
      if (!verdict.fits) throw new DoesNotFit(this.texts.notSent({ total: verdict.total, limit: verdict.limit, model: plan.model, route: plan.route }));
      chatId = await show();
      if (scope.unnamed.size > 0 && !leaveOut) await this.changeTurn(chatId, turnIds.question, (turn) => ({ ...turn, sources: { folders: [], paths: [], ...turn.sources, unnamed: true } }), true);
      return prompt;
    };
    try {
      const result = await this.deps.model.run(request, build, {
        signal: controller.signal,
        // The turn on screen follows the stream too, so a webview created meanwhile (the view moved) shows it all.
        onDelta: (piece) => {
          text += piece;
          if (chatId !== undefined) this.showDelta(chatId, turnId, text, piece);
        },
        onReasoning: (piece) => {
          reasoning += piece;
          if (chatId !== undefined) void this.changeTurn(chatId, turnId, (turn) => ({ ...turn, reasoning }), false);
          this.post({ type: "reasoning", turnId, text: piece });
        },
      });
      const finalReasoning = result.reasoning ?? reasoning;
      await this.changeTurn(chatId ?? (await show()), turnId, (turn) => ({ ...turn, text: result.text, meta: routeMeta(result), ...(finalReasoning !== "" ? { reasoning: finalReasoning } : {}) }), true);
    } catch (error) {
      const stopped = controller.signal.aborted;
      if (chatId === undefined && (stopped || error instanceof DoesNotFit)) {
        // Nothing was shown or sent: the question stays unasked (and its attachments attached).
        if (!stopped) this.notice(error instanceof Error ? error.message : String(error), "error");
        return;
      }
      const partial = isModelFailure(error) && error.partialText.length > text.length ? error.partialText : text;
      const stored = this.changeTurn(
        chatId ?? (await show()),
        turnId,
        (turn) => ({
          ...turn,
          text: stopped ? this.kept(partial) : partial,
          ...(reasoning !== "" ? { reasoning } : {}),
          ...(stopped ? { stopped: true } : { error: this.failureMessage(error, scope) }),
        }),
        true,
      );
      if (stopped) await this.settleStopped(controller, stored);
      else await stored;
      if (!stopped) {
        this.deps.log.warn(`Chat answer failed: ${this.failureMessage(error, scope)}`);
        if (isGatewayRefusal(error)) void this.deps.notify?.(error);
      }
    }
  }

  /**
   * Whether a prompt built for `plan` may leave this machine: it is planned elsewhere, or it is
   * planned here and the local model failing would send it elsewhere (the gateway falls back
   * with the prompt as built, to any route the policy lets this feature take). The plan for the
   * furthest route the person could pick finds such a route, where one is allowed and set up;
   * it asks and sends nothing.
   */
  private async mayLeave(plan: RequestPlan): Promise<boolean> {
    if (plan.route !== "local") return true;
    const furthest = await this.deps.model.plan({ ...plan.request, preferred: { route: "cloud" } });
    return furthest.ok && furthest.route !== "local";
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
   * `source`: the file it explains; without it the answer, when made here, stays out of
   * later questions (Hearth cannot tell whether it carries a neverSend file).
   */
  async beginExternal(question: string, source?: ExternalSource): Promise<ExternalAnswer> {
    const chatId = this.chat.id;
    const turnId = newTurnId();
    const sources: TurnSources = source !== undefined ? { folders: [...source.folders], paths: [...source.paths] } : { folders: [], paths: [], unnamed: true };
    this.chat = withTurn(this.chat, { id: newTurnId(), role: "user", text: question, sources });
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

  /**
   * An @repo question: the repository service answers it (streaming), with the chat so far as
   * history and what that history drew on; what the pack drew on is kept with the question.
   */
  private async answerFromRepo(
    repo: ChatRepoAnswerer,
    chatId: string,
    turnIds: { readonly question: string; readonly answer: string },
    question: string,
    messages: readonly ChatMessage[],
    scope: ConversationScope,
    controller: AbortController,
  ): Promise<void> {
    const turnId = turnIds.answer;
    let text = "";
    try {
      const answer = await repo.ask(question, {
        signal: controller.signal,
        history: messages.slice(0, -1),
        drewOn: { folders: scope.folders, paths: scope.localPaths },
        onSources: (sources) => void this.changeTurn(chatId, turnIds.question, (turn) => ({ ...turn, sources: { folders: [...sources.folders], paths: [...sources.paths] } }), true),
        onDelta: (piece) => {
          text += piece;
          this.showDelta(chatId, turnId, text, piece);
        },
      });
      const meta: RouteMeta = { route: answer.route, provider: answer.route, model: answer.model, ...(answer.auditId !== undefined ? { auditId: answer.auditId } : {}) };
      await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text: answer.text, meta }), true);
    } catch (error) {
      const stopped = controller.signal.aborted;
      await this.changeTurn(chatId, turnId, (turn) => ({ ...turn, text: stopped ? this.kept(text) : text, ...(stopped ? { stopped: true } : { error: this.failureMessage(error, scope) }) }), true);
      if (!stopped) {
        this.deps.log.warn(`Chat @repo answer failed: ${this.failureMessage(error, scope)}`);
        if (isGatewayRefusal(error)) void this.deps.notify?.(error);
      }
    }
  }

  /** The repository service that answers an @repo question; says so when none is wired. */
  private repoAnswerer(): ChatRepoAnswerer | undefined {
    if (!this.attachments.hasRepo()) return undefined;
    const answerer = this.deps.repoSource?.();
    if (answerer === undefined) this.notice(this.texts.repoLeftOut(), "error");
    return answerer;
  }

  /** The gateway's message, and when its neverSend refusal is about files behind earlier answers, what that means for the chat. */
  private failureMessage(error: unknown, scope: ConversationScope): string {
    const message = failureMessage(error);
    return isGatewayRefusal(error) && error.code === "neverSend" && scope.localPaths.length > 0 ? `${message} ${this.texts.keptHere()}` : message;
  }

  dispose(): void {
    this.stop();
  }
}

/** The question's request: the conversation's folders with its own, and the files behind answers made here as part of the prompt. */
function scopedRequest(scope: ConversationScope, folders: readonly string[]): PlanRequest {
  const named = withFolders(scope, folders);
  return { ...(named.length > 0 ? { folders: named } : {}), ...(scope.localPaths.length > 0 ? { embeddedPaths: scope.localPaths } : {}) };
}

function routeMeta(result: GatewayResult): RouteMeta {
  return {
    route: result.route,
    provider: result.provider,
    model: result.model,
    reason: result.reason,
    ...(result.auditId !== undefined ? { auditId: result.auditId } : {}),
    ...(result.fellBackBecause !== undefined ? { fellBackBecause: result.fellBackBecause } : {}),
  };
}

/** The gateway's messages already say what happened and what to do (and that the partial text is kept). */
function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
