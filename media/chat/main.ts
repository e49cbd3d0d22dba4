// The chat webview. It renders what the extension posts (validated against the shared
// protocol, see guard.ts) and posts back what the person does; it never opens anything itself. All
// handlers are attached here with addEventListener (the CSP allows no inline handlers).
import type { AttachmentView, Chat, ChatSummary, ChatTurn, ToHost } from "../../src/core/chat/protocol";
import type { WebviewStrings } from "../../src/core/chat/webviewStringKeys";
import { parseToWebview } from "./guard";
import { renderMarkdown } from "./markdown";

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
const dirty = new Set<string>();
let frame: number | undefined;

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
    if (event.key === "Enter" && event.target instanceof HTMLElement && event.target.dataset.href !== undefined) onMessageClick(event);
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
  stopButton = button(s.stop, () => post({ type: "stop" }), { className: "stop" });
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
    post({ type: "stop" });
  }
});

function onMessageClick(event: Event): void {
  const target = event.target instanceof Element ? event.target.closest<HTMLElement>("[data-href]") : null;
  if (target === null) return;
  event.preventDefault();
  post({ type: "openLink", href: target.dataset.href ?? "" });
}

// ---- rendering ----
function routeLabel(s: WebviewStrings, route: string): string {
  return route === "local" ? s.routeLocal : route === "selfHosted" ? s.routeSelfHosted : s.routeCloud;
}

function renderTurn(turn: ChatTurn): HTMLElement {
  const s = strings!;
  const article = el("article", { className: `turn ${turn.role}`, attrs: { "data-turn-id": turn.id, "aria-label": turn.role === "user" ? s.you : s.assistant } });
  const header = el("div", { className: "turn-header" }, el("span", { className: "who", text: turn.role === "user" ? s.you : s.assistant }));
  if (turn.meta !== undefined) {
    header.append(el("span", { className: `route route-${turn.meta.route}`, text: `${routeLabel(s, turn.meta.route)} · ${turn.meta.model}`, attrs: { "data-route": turn.meta.route, title: turn.meta.provider } }));
    const auditId = turn.meta.auditId;
    if (auditId !== undefined) header.append(button(s.auditEntry, () => post({ type: "openAudit", auditId }), { className: "link audit" }));
  }
  article.append(header);
  if (turn.attachments !== undefined && turn.attachments.length > 0) article.append(el("div", { className: "sent-attachments", text: turn.attachments.join(", ") }));
  if (turn.role === "assistant") {
    const details = el("details", { className: "thoughts" }, el("summary", { text: s.thoughts }), el("div", { className: "thoughts-body", text: turn.reasoning ?? "" }));
    details.hidden = (turn.reasoning ?? "") === "";
    article.append(details);
  }
  const content = el("div", { className: "content" });
  article.append(content);
  fillContent(content, turn);
  if (turn.stopped === true) article.append(el("div", { className: "turn-stopped", text: s.stopped }));
  if (turn.error !== undefined) article.append(el("div", { className: "turn-error", text: turn.error, attrs: { role: "alert" } }));
  return article;
}

function fillContent(content: HTMLElement, turn: ChatTurn): void {
  content.textContent = "";
  if (turn.role === "user") {
    content.append(el("p", { className: "user-text", text: turn.text }));
    return;
  }
  const rendered = renderMarkdown(turn.text);
  content.append(rendered.fragment);
  if (!rendered.formatted) content.append(el("div", { className: "turn-error", text: strings!.renderFailed }));
  for (const pre of Array.from(content.querySelectorAll("pre"))) decorateCodeBlock(pre);
}

function decorateCodeBlock(pre: HTMLPreElement): void {
  const s = strings!;
  // A fence's content ends with the newline before the closing ```; the code itself does not.
  const code = (): string => (pre.querySelector("code")?.textContent ?? pre.textContent ?? "").replace(/\r?\n$/, "");
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
  wrapper.append(bar, pre);
}

function renderAll(): void {
  if (strings === undefined || chat === undefined) return;
  const s = strings;
  const atBottom = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  messages.textContent = "";
  if (chat.turns.length === 0) messages.append(el("p", { className: "empty", text: s.emptyState }));
  for (const turn of chat.turns) messages.append(renderTurn(turn));
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
    const item = el("span", { className: `chip chip-${chip.kind}${chip.problem !== undefined ? " has-problem" : ""}`, attrs: { role: "listitem", title: chip.problem ?? chip.label } }, el("span", { className: "chip-label", text: chip.label + tokens }));
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
        button(`${s.openChat}: ${title}`, () => post({ type: "openChat", id: item.id }), { text: title, className: "link history-open", attrs: current ? { "aria-current": "true" } : {} }),
        button(`${s.deleteChat}: ${title}`, () => post({ type: "deleteChat", id: item.id }), { text: "×", className: "icon history-delete" }),
      ),
    );
  }
  historyPanel.append(list);
}

/** Streams re-render only the turns that changed, once per animation frame. */
function scheduleTurn(turnId: string): void {
  dirty.add(turnId);
  frame ??= requestAnimationFrame(() => {
    frame = undefined;
    for (const id of dirty) {
      const turn = chat?.turns.find((t) => t.id === id);
      const node = messages.querySelector<HTMLElement>(`article[data-turn-id="${CSS.escape(id)}"]`);
      if (turn === undefined || node === null) continue;
      const content = node.querySelector<HTMLElement>(".content");
      if (content !== null) fillContent(content, turn);
      const thoughts = node.querySelector<HTMLDetailsElement>("details.thoughts");
      if (thoughts !== null && (turn.reasoning ?? "") !== "") {
        thoughts.hidden = false;
        const body = thoughts.querySelector(".thoughts-body");
        if (body !== null) body.textContent = turn.reasoning ?? "";
      }
    }
    dirty.clear();
    messages.scrollTop = messages.scrollHeight;
  });
}

function appendTo(turnId: string, field: "text" | "reasoning", piece: string): void {
  if (chat === undefined) return;
  chat = { ...chat, turns: chat.turns.map((t) => (t.id === turnId ? { ...t, [field]: (t[field] ?? "") + piece } : t)) };
  scheduleTurn(turnId);
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
      if (message.busy && !busy) notice.textContent = "";
      busy = message.busy;
      if (pending !== undefined && chat.turns.some((t) => t.role === "user" && t.text === pending)) {
        input.value = "";
        pending = undefined;
      }
      renderAll();
      return;
    case "delta":
      appendTo(message.turnId, "text", message.text);
      return;
    case "reasoning":
      appendTo(message.turnId, "reasoning", message.text);
      return;
    case "notice":
      notice.textContent = message.message;
      notice.className = `notice ${message.level}`;
      return;
    case "focusInput":
      input.focus();
      return;
  }
});

post({ type: "ready" });
