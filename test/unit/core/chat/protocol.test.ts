import assert from "node:assert/strict";
import { parseToHost, parseToWebview } from "../../../../src/shared/chatProtocol";
import { WEBVIEW_STRING_KEYS } from "../../../../src/shared/webviewStringKeys";

describe("chat protocol", () => {
  it("accepts each message kind the webview may send", () => {
    const messages = [
      { type: "ready" },
      { type: "send", text: "why?" },
      { type: "stop" },
      { type: "newChat" },
      { type: "openChat", id: "c1" },
      { type: "deleteChat", id: "c1" },
      { type: "setThinking", on: true },
      { type: "copy", code: "x" },
      { type: "insert", code: "x" },
      { type: "apply", code: "x" },
      { type: "openLink", href: "https://example.com" },
      { type: "openAudit", auditId: "a1" },
      { type: "attach", kind: "repo" },
      { type: "removeAttachment", id: "a1" },
    ];
    for (const message of messages) assert.deepEqual(parseToHost(message), message, JSON.stringify(message));
  });

  it("refuses unknown kinds, missing or mistyped fields, and oversized text", () => {
    for (const bad of [
      null,
      "send",
      { type: "runCommand", command: "workbench.action.terminal.new" },
      { type: "send" },
      { type: "send", text: "" },
      { type: "send", text: 42 },
      { type: "setThinking", on: "yes" },
      { type: "attach", kind: "terminal" },
      { type: "openChat", id: "" },
      { type: "openLink", href: "x".repeat(5000) },
    ]) {
      assert.equal(parseToHost(bad), undefined, JSON.stringify(bad)?.slice(0, 80));
    }
  });

  it("drops fields the schema does not name, so nothing extra reaches a handler", () => {
    assert.deepEqual(parseToHost({ type: "stop", command: "evil" }), { type: "stop" });
  });

  it("validates what the extension sends: init needs every string of the table", () => {
    const strings = Object.fromEntries(WEBVIEW_STRING_KEYS.map((k) => [k, k]));
    assert.ok(parseToWebview({ type: "init", strings, language: "ja" }));
    const { send: _missing, ...partial } = strings;
    assert.equal(parseToWebview({ type: "init", strings: partial, language: "ja" }), undefined);
  });

  it("validates a state snapshot down to its turns", () => {
    const chat = { id: "c", title: "t", createdAt: 1, updatedAt: 2, thinking: false, turns: [{ id: "u", role: "user", text: "q" }] };
    assert.ok(parseToWebview({ type: "state", chat, history: [], attachments: [], busy: false }));
    const badTurn = { ...chat, turns: [{ id: "u", role: "system", text: "q" }] };
    assert.equal(parseToWebview({ type: "state", chat: badTurn, history: [], attachments: [], busy: false }), undefined);
  });
});
