// The chat webview. It renders what the extension posts (validated against the shared
// protocol, see guard.ts) and posts back what the person does; it never opens anything itself. All
// handlers are attached here with addEventListener (the CSP allows no inline handlers).
// Answers render incrementally, in animation frames (answerView.ts); model text everywhere
// shows invisible and bidirectional characters as marked escapes.
import { summarizeInvisible } from "../../src/shared/invisible";
import type { AttachmentView, Chat, ChatSummary, ChatTurn, ToHost } from "../../src/shared/chatProtocol";
import type { WebviewStrings } from "../../src/shared/webviewStringKeys";
import { AnswerView } from "./answerView";
import { parseToWebview } from "./guard";
import { codeOf, markedText } from "./markdown";
import { routeBadge } from "./routeBadge";

interface VsCodeApi {
  postMessage(message: ToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: ToHost): void => vscode.postMessage(message);

let strings: WebviewStrings | undefined;
let chat: Chat | undefined;
let history: ChatSummary[] = [];
let attachments: AttachmentView[] = [];
let busy = false;
/** The question just sent: the input is cleared once it shows up as a turn (a refused send keeps it). */
let pending: string | undefined;
/** Each assistant turn's view, kept across state messages so a long answer is not rendered again. */
const views = new Map<string, AnswerView>();
const dirty = new Set<AnswerView>();
const dirtyThoughts = new Set<string>();
let frame: number | undefined;
let noticeTimer: ReturnType<typeof setTimeout> | undefined;
/** How long a notice stays: long enough to read, then the line is free again. */
const NOTICE_MS = { info: 5_000, error: 12_000 } as const;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { className?: string; text?: string; attrs?: Record<string, string> } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [key, value] of Object.entries(props.attrs ?? {})) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

function button(label: string, onClick: (this: HTMLButtonElement) => void, props: { className?: string; text?: string; attrs?: Record<string, string> } = {}): HTMLButtonElement {
  const node = el("button", { className: props.className, text: props.text ?? label, attrs: { type: "button", "aria-label": label, title: label, ...props.attrs } });
  node.addEventListener("click", onClick);
  return node;
}

// ---- layout (built once, after init brings the strings) ----
let messages: HTMLElement;
let historyPanel: HTMLElement;
let notice: HTMLElement;
let chips: HTMLElement;
let input: HTMLTextAreaElement;
let sendButton: HTMLButtonElement;
let stopButton: HTMLButtonElement;
let thinkingBox: HTMLInputElement;

function buildLayout(s: WebviewStrings): void {
  const root = document.getElementById("root");
  if (root === null) return;
  root.textContent = "";
  thinkingBox = el("input", { attrs: { type: "checkbox", id: "thinking" } });
  thinkingBox.addEventListener("change", () => post({ type: "setThinking", on: thinkingBox.checked }));
  const historyButton = button(s.history, () => {
    const open = historyPanel.hidden;
    historyPanel.hidden = !open;
    historyButton.setAttribute("aria-expanded", String(open));
  }, { attrs: { "aria-expanded": "false", "aria-controls": "history" } });
  const toolbar = el(
    "div",
    { className: "toolbar", attrs: { role: "toolbar", "aria-label": s.assistant } },
    button(s.newChat, () => post({ type: "newChat" }), { className: "new-chat" }),
    historyButton,
    el("label", { className: "thinking-toggle", attrs: { for: "thinking" } }, thinkingBox, document.createTextNode(` ${s.thinking}`)),
  );
  historyPanel = el("nav", { className: "history", attrs: { id: "history", "aria-label": s.history } });
  historyPanel.hidden = true;
  messages = el("div", { className: "messages", attrs: { role: "log", "aria-live": "polite", "aria-label": s.messagesLabel, tabindex: "0" } });
  messages.addEventListener("click", onMessageClick);
  messages.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target instanceof HTMLElement && (event.target.dataset.href !== undefined || event.target.dataset.refused !== undefined)) onMessageClick(event);
  });
  notice = el("div", { className: "notice", attrs: { role: "status", "aria-live": "polite" } });
  chips = el("div", { className: "chips", attrs: { role: "list", "aria-label": s.attachments } });
  const attach = el(
    "div",
    { className: "attach" },
    button(s.attachSelection, () => post({ type: "attach", kind: "selection" }), { text: s.selectionShort, className: "icon" }),
    button(s.attachFile, () => post({ type: "attach", kind: "file" }), { text: s.fileShort, className: "icon" }),
    button(s.attachPick, () => post({ type: "attach", kind: "pick" }), { text: "@", className: "icon" }),
    button(s.attachRepo, () => post({ type: "attach", kind: "repo" }), { text: "@repo", className: "icon" }),
  );
  input = el("textarea", { className: "input", attrs: { id: "input", rows: "3", "aria-label": s.inputLabel, placeholder: s.inputPlaceholder } });
  input.addEventListener("keydown", onInputKey);
  sendButton = button(s.send, send, { className: "send primary" });
  stopButton = button(s.stop, stopAnswer, { className: "stop" });
  const composer = el("div", { className: "composer" }, chips, attach, input, el("div", { className: "actions" }, stopButton, sendButton));
  root.append(toolbar, historyPanel, messages, notice, composer);
}

function send(): void {
  const text = input.value;
  if (busy || text.trim() === "") return;
  pending = text;
  post({ type: "send", text });
}

function onInputKey(event: KeyboardEvent): void {
  // IME composition (Japanese input) uses Enter to confirm a conversion, not to send.
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    send();
  }
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && busy) {
    event.preventDefault();
    stopAnswer();
  }
});

/** Stop takes effect on screen at once: the answer shows nothing more, and the extension keeps only what was shown. */
function stopAnswer(): void {
  if (!busy) return;
  const last = chat?.turns.at(-1);
  const view = last?.role === "assistant" ? views.get(last.id) : undefined;
  const keep = view?.freeze();
  post(keep === undefined ? { type: "stop" } : { type: "stop", keep });
  // Idle at once, as the extension will say: the turn stopped, Send back. Its confirmation (the
  // stopped turn, same as here) then changes nothing on screen, however long the round trip.
  if (chat !== undefined && last !== undefined && last.role === "assistant") {
    chat = { ...chat, turns: chat.turns.map((turn) => (turn === last ? { ...turn, stopped: true } : turn)) };
  }
  busy = false;
  renderAll();
}

function onMessageClick(event: Event): void {
  const target = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-href], [data-refused]") : null;
  if (target === null) return;
  event.preventDefault();
  // A refused link is sent too: the extension refuses it again and says why.
  const href = target.dataset.href ?? target.dataset.refused ?? "";
  post({ type: "openLink", href, text: (target.dataset.href !== undefined ? target.textContent ?? "" : "").slice(0, 4096) });
}

// ---- rendering ----
/** Each turn's article and what it was built from: an unchanged turn keeps its node, a long answer is not laid out again. */
const articles = new Map<string, { signature: string; node: HTMLElement }>();

function signatureOf(turn: ChatTurn, streaming: boolean): string {
  return JSON.stringify([turn.role, turn.role === "user" ? turn.text : "", turn.reasoning ?? "", turn.meta ?? null, turn.error ?? null, turn.stopped === true, turn.attachments ?? [], streaming]);
}

function renderTurn(turn: ChatTurn, streaming: boolean): HTMLElement {
  const s = strings!;
  const signature = signatureOf(turn, streaming);
  const cached = articles.get(turn.id);
  // A user turn is all in its signature: an unchanged one keeps its node (built anew, it would be a DOM change per state message).
  if (turn.role === "user" && cached !== undefined && cached.signature === signature) return cached.node;
  const content = turn.role === "assistant" ? answerView(turn, streaming).element : el("div", { className: "content" }, el("p", { className: "user-text" }, markedText(turn.text)));
  if (cached !== undefined && cached.signature === signature && content.parentElement === cached.node) return cached.node;
  // The article is patched around its content, which stays in place (moving a long answer would lay it out again).
  const article = cached?.node ?? el("article", { className: `turn ${turn.role}`, attrs: { "data-turn-id": turn.id, "aria-label": turn.role === "user" ? s.you : s.assistant } });
  const wasOpen = article.querySelector("details.thoughts")?.hasAttribute("open") === true;
  for (const child of Array.from(article.children)) if (child !== content) child.remove();
  if (content.parentElement !== article) article.append(content);
  const header = el("div", { className: "turn-header" }, el("span", { className: "who", text: turn.role === "user" ? s.you : s.assistant }));
  if (turn.meta !== undefined) {
    const badge = routeBadge(s, turn.meta);
    const badgeNode = el("span", { className: `route route-${turn.meta.route}`, text: badge.text, attrs: { "data-route": turn.meta.route, title: badge.title } });
    if (badge.spokenReason !== undefined) {
      // The reason is the badge's text for a screen reader, and a tab stop lets the keyboard reach it (the tooltip is for the mouse).
      badgeNode.append(el("span", { className: "visually-hidden route-reason" }, markedText(`. ${badge.spokenReason}`)));
      badgeNode.tabIndex = 0;
    }
    header.append(badgeNode);
    const auditId = turn.meta.auditId;
    if (auditId !== undefined) header.append(button(s.auditEntry, () => post({ type: "openAudit", auditId }), { className: "link audit" }));
  }
  content.before(header);
  if (turn.attachments !== undefined && turn.attachments.length > 0) content.before(el("div", { className: "sent-attachments" }, markedText(turn.attachments.join(", "))));
  if (turn.role === "assistant") {
    const details = el("details", { className: "thoughts" }, el("summary", { text: s.thoughts }), el("div", { className: "thoughts-body" }, markedText(turn.reasoning ?? "")));
    details.hidden = (turn.reasoning ?? "") === "";
    if (wasOpen) details.setAttribute("open", "");
    content.before(details);
  }
  if (turn.error !== undefined) content.after(el("div", { className: "turn-error", text: turn.error, attrs: { role: "alert" } }));
  if (turn.stopped === true || views.get(turn.id)?.isFrozen === true) content.after(el("div", { className: "turn-stopped", text: s.stopped }));
  articles.set(turn.id, { signature, node: article });
  return article;
}

/** The turn's view (kept from an earlier render when there is one), brought up to the turn's text. */
function answerView(turn: ChatTurn, streaming: boolean): AnswerView {
  let view = views.get(turn.id);
  if (view === undefined) {
    view = new AnswerView(strings!, decorateBlocks, scheduleView);
    views.set(turn.id, view);
  }
  view.streaming = streaming;
  view.setText(turn.text);
  // The end of a stream renders the last block in full (it is no longer throttled).
  scheduleView(view);
  return view;
}

function decorateBlocks(root: HTMLElement): void {
  for (const pre of Array.from(root.querySelectorAll("pre"))) if (codeOf.has(pre)) decorateCodeBlock(pre);
}

function decorateCodeBlock(pre: HTMLPreElement): void {
  const s = strings!;
  const raw = codeOf.get(pre) ?? "";
  const code = (): string => raw;
  const bar = el(
    "div",
    { className: "code-actions", attrs: { role: "toolbar", "aria-label": s.codeBlock } },
    button(
      s.copy,
      function (this: HTMLButtonElement) {
        post({ type: "copy", code: code() });
        this.textContent = s.copied;
        setTimeout(() => (this.textContent = s.copy), 1500);
      },
      { className: "copy" },
    ),
    button(s.insert, () => post({ type: "insert", code: code() }), { className: "insert" }),
    button(s.apply, () => post({ type: "apply", code: code() }), { className: "apply" }),
  );
  const wrapper = el("div", { className: "code-block" });
  pre.replaceWith(wrapper);
  wrapper.append(bar);
  const hidden = summarizeInvisible(raw);
  if (hidden.count > 0) {
    wrapper.classList.add("has-invisible");
    wrapper.append(el("div", { className: "code-warning", attrs: { role: "note" }, text: s.invisibleWarning.replace("{0}", String(hidden.count)).replace("{1}", hidden.labels.slice(0, 5).join(", ") + (hidden.labels.length > 5 ? ", …" : "")) }));
  }
  wrapper.append(pre);
}

function renderAll(): void {
  if (strings === undefined || chat === undefined) return;
  const s = strings;
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  const last = chat.turns.at(-1);
  const nodes = chat.turns.length === 0 ? [el("p", { className: "empty", text: s.emptyState })] : chat.turns.map((turn) => renderTurn(turn, busy && turn === last));
  // Only what changed is replaced: unchanged turns keep their place (and their layout).
  let same = 0;
  while (same < nodes.length && messages.children[same] === nodes[same]) same++;
  while (messages.children.length > same) messages.lastElementChild!.remove();
  messages.append(...nodes.slice(same));
  const ids = new Set(chat.turns.map((t) => t.id));
  for (const id of [...views.keys()]) if (!ids.has(id)) views.delete(id);
  for (const id of [...articles.keys()]) if (!ids.has(id)) articles.delete(id);
  if (atBottom) messages.scrollTop = messages.scrollHeight;
  thinkingBox.checked = chat.thinking;
  messages.setAttribute("aria-busy", String(busy));
  sendButton.disabled = busy;
  stopButton.disabled = !busy;
  renderChips(s);
  renderHistory(s);
}

function renderChips(s: WebviewStrings): void {
  chips.textContent = "";
  for (const chip of attachments) {
    const tokens = chip.tokens === undefined ? "" : ` · ${chip.tokens} ${chip.exact === false ? s.tokensEstimated : s.tokens}`;
    const item = el("span", { className: `chip chip-${chip.kind}${chip.problem !== undefined ? " has-problem" : ""}`, attrs: { role: "listitem", title: chip.problem ?? chip.label } }, el("span", { className: "chip-label" }, markedText(chip.label + tokens)));
    if (chip.problem !== undefined) item.append(el("span", { className: "chip-problem", text: chip.problem }));
    item.append(button(`${s.removeAttachment}: ${chip.label}`, () => post({ type: "removeAttachment", id: chip.id }), { text: "×", className: "chip-remove" }));
    chips.append(item);
  }
}

function renderHistory(s: WebviewStrings): void {
  historyPanel.textContent = "";
  if (history.length === 0) {
    historyPanel.append(el("p", { className: "empty", text: s.noChats }));
    return;
  }
  const list = el("ul", {});
  for (const item of history) {
    const title = item.title || s.newChat;
    const current = item.id === chat?.id;
    list.append(
      el(
        "li",
        { className: current ? "current" : "" },
        withMarkedText(button(`${s.openChat}: ${title}`, () => post({ type: "openChat", id: item.id }), { className: "link history-open", attrs: current ? { "aria-current": "true" } : {} }), title),
        button(`${s.deleteChat}: ${title}`, () => post({ type: "deleteChat", id: item.id }), { text: "×", className: "icon history-delete" }),
      ),
    );
  }
  historyPanel.append(list);
}

function withMarkedText<T extends HTMLElement>(node: T, text: string): T {
  node.textContent = "";
  node.append(markedText(text));
  return node;
}

function scheduleView(view: AnswerView): void {
  dirty.add(view);
  frame ??= requestAnimationFrame(renderFrame);
}

/** One animation frame's rendering: each changed answer within its budget; what is left waits for the next frame. */
function renderFrame(): void {
  frame = undefined;
  const started = performance.now();
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  const views = [...dirty];
  dirty.clear();
  for (const view of views) if (view.step(started)) dirty.add(view);
  for (const id of dirtyThoughts) {
    const turn = chat?.turns.find((t) => t.id === id);
    const thoughts = messages.querySelector<HTMLDetailsElement>(`article[data-turn-id="${CSS.escape(id)}"] details.thoughts`);
    const body = thoughts?.querySelector<HTMLElement>(".thoughts-body");
    if (turn === undefined || thoughts == null || body == null || (turn.reasoning ?? "") === "") continue;
    thoughts.hidden = false;
    withMarkedText(body, turn.reasoning ?? "");
  }
  dirtyThoughts.clear();
  if (atBottom) messages.scrollTop = messages.scrollHeight;
  if (dirty.size > 0) frame = requestAnimationFrame(renderFrame);
}

function appendText(turnId: string, piece: string): void {
  views.get(turnId)?.append(piece);
}

function appendReasoning(turnId: string, piece: string): void {
  if (chat === undefined) return;
  chat = { ...chat, turns: chat.turns.map((t) => (t.id === turnId ? { ...t, reasoning: (t.reasoning ?? "") + piece } : t)) };
  dirtyThoughts.add(turnId);
  frame ??= requestAnimationFrame(renderFrame);
}

function showNotice(message: string, level: "info" | "error"): void {
  notice.textContent = message;
  notice.className = `notice ${level}`;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    notice.textContent = "";
    notice.className = "notice";
  }, NOTICE_MS[level]);
}

window.addEventListener("message", (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (message === undefined) return;
  switch (message.type) {
    case "init":
      strings = message.strings;
      document.documentElement.lang = message.language;
      buildLayout(strings);
      renderAll();
      return;
    case "state":
      chat = message.chat;
      history = message.history;
      attachments = message.attachments;
      // A new answer starting makes the last notice (e.g. "does not fit") stale.
      if (message.busy && !busy) {
        notice.textContent = "";
        clearTimeout(noticeTimer);
      }
      busy = message.busy;
      if (pending !== undefined && chat.turns.some((t) => t.role === "user" && t.text === pending)) {
        input.value = "";
        pending = undefined;
      }
      renderAll();
      return;
    case "delta":
      appendText(message.turnId, message.text);
      return;
    case "reasoning":
      appendReasoning(message.turnId, message.text);
      return;
    case "notice":
      showNotice(message.message, message.level);
      return;
    case "focusInput":
      input.focus();
      return;
  }
});

post({ type: "ready" });
