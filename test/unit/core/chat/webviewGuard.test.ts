// The webview checks incoming messages by hand (to keep zod out of its bundle); it must
// accept and refuse the same messages as the protocol's zod schema.
import assert from "node:assert/strict";
import { parseToWebview as zodParse } from "../../../../src/shared/chatProtocol";
import { WEBVIEW_STRINGS_EN } from "../../../../src/shared/webviewStringKeys";
import { parseToWebview as guardParse } from "../../../../media/chat/guard";

const chat = { id: "c", title: "t", createdAt: 1, updatedAt: 2, thinking: true, turns: [{ id: "a", role: "assistant", text: "x", meta: { route: "local", provider: "local", model: "m" } }] };
const SAMPLES: unknown[] = [
  { type: "init", strings: WEBVIEW_STRINGS_EN, language: "en" },
  { type: "init", strings: { ...WEBVIEW_STRINGS_EN, send: 1 }, language: "en" },
  { type: "init", strings: WEBVIEW_STRINGS_EN },
  { type: "state", chat, history: [{ id: "c", title: "t", updatedAt: 2 }], attachments: [{ id: "a1", kind: "file", label: "a.ts", tokens: 3, exact: true }], busy: true },
  { type: "state", chat: { ...chat, turns: [{ id: "a", role: "tool", text: "x" }] }, history: [], attachments: [], busy: false },
  { type: "state", chat: { ...chat, turns: [{ id: "a", role: "assistant", text: "x", meta: { route: "mars", provider: "p", model: "m" } }] }, history: [], attachments: [], busy: false },
  { type: "state", chat, history: [], attachments: [{ id: "a1", kind: "clipboard", label: "x" }], busy: false },
  { type: "state", chat: { ...chat, turns: [{ id: "a", role: "assistant", text: "x", meta: { route: "local", provider: "local", model: "m", reason: ".env is in neverSend, so this stays on this machine" } }] }, history: [], attachments: [], busy: false },
  { type: "state", chat: { ...chat, turns: [{ id: "a", role: "assistant", text: "x", meta: { route: "local", provider: "local", model: "m", reason: { html: "<b>x</b>" } } }] }, history: [], attachments: [], busy: false },
  { type: "state", chat, history: [], attachments: [], busy: "no" },
  { type: "delta", turnId: "a", text: "piece" },
  { type: "delta", turnId: "a" },
  { type: "reasoning", turnId: "a", text: "hm" },
  { type: "notice", message: "m", level: "error" },
  { type: "notice", message: "m", level: "fatal" },
  { type: "focusInput" },
  { type: "eval", code: "alert(1)" },
  null,
  "delta",
];

describe("webview message guard", () => {
  it("agrees with the protocol's zod schema on every sample", () => {
    for (const sample of SAMPLES) assert.equal(guardParse(sample) !== undefined, zodParse(sample) !== undefined, JSON.stringify(sample)?.slice(0, 120));
  });
});
