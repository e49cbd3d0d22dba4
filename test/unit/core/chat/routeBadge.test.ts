// The chat's route badge says why an answer went where it did: the gateway's reason is its
// tooltip and, for a screen reader, its hidden text (media/chat/routeBadge.ts; main.ts
// builds the element from this with textContent and attributes).
import assert from "node:assert/strict";
import { WEBVIEW_STRINGS_EN } from "../../../../src/shared/webviewStringKeys";
import { routeBadge } from "../../../../media/chat/routeBadge";

const NEVER_SEND = ".env is in neverSend, so this stays on this machine";

describe("chat route badge", () => {
  it("shows route and model, and gives the reason as tooltip and as spoken text", () => {
    const badge = routeBadge(WEBVIEW_STRINGS_EN, { route: "local", provider: "local", model: "qwen3.5-2b", reason: NEVER_SEND });
    assert.equal(badge.text, `${WEBVIEW_STRINGS_EN.routeLocal} · qwen3.5-2b`);
    assert.equal(badge.title, `local: ${NEVER_SEND}`);
    assert.equal(badge.spokenReason, NEVER_SEND);
  });

  it("names the provider of a cloud answer with the reason for the cloud", () => {
    const badge = routeBadge(WEBVIEW_STRINGS_EN, { route: "cloud", provider: "openai", model: "gpt-4o-mini", reason: "The local model is not running; goes to openai:gpt-4o-mini" });
    assert.equal(badge.text, `${WEBVIEW_STRINGS_EN.routeCloud} · gpt-4o-mini`);
    assert.equal(badge.title, "openai: The local model is not running; goes to openai:gpt-4o-mini");
  });

  it("without a reason (a chat stored before Hearth kept one, or a blank one) keeps the provider alone and adds no hidden text", () => {
    for (const reason of [undefined, "", "   "]) {
      const badge = routeBadge(WEBVIEW_STRINGS_EN, { route: "selfHosted", provider: "selfHosted", model: "m", ...(reason !== undefined ? { reason } : {}) });
      assert.equal(badge.text, `${WEBVIEW_STRINGS_EN.routeSelfHosted} · m`);
      assert.equal(badge.title, "selfHosted");
      assert.equal(badge.spokenReason, undefined);
    }
  });

  it("writes out invisible and bidirectional characters in the tooltip, which cannot mark them", () => {
    // A neverSend file named by the workspace: the right-to-left override would flip the tooltip's text.
    const reason = "secret\u202Etxt.env is in neverSend, so this stays on this machine";
    const badge = routeBadge(WEBVIEW_STRINGS_EN, { route: "local", provider: "local", model: "m", reason });
    assert.equal(badge.title, "local: secret<U+202E>txt.env is in neverSend, so this stays on this machine");
    assert.ok(!badge.title.includes("\u202E"));
    // The hidden text stays raw: main.ts renders it with markedText, as all text in the view.
    assert.equal(badge.spokenReason, reason);
  });
});
