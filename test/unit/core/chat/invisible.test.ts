import assert from "node:assert/strict";
import { codePointLabel, escapeInvisible, hasInvisible, isBidiControl, splitInvisible, stripInvisible, summarizeInvisible } from "../../../../src/core/chat";

describe("invisible and bidirectional characters", () => {
  const BIDI = ["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u200E", "\u200F", "\u061C"];
  const HIDDEN = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD", "\u{E0041}", "\u{E007F}", "\u3164"];

  it("finds every bidi control and invisible character the issue names", () => {
    for (const char of [...BIDI, ...HIDDEN]) assert.ok(hasInvisible(`a${char}b`), codePointLabel(char));
    for (const char of BIDI) assert.ok(isBidiControl(char), codePointLabel(char));
    for (const char of HIDDEN) assert.ok(!isBidiControl(char), codePointLabel(char));
  });

  it("leaves ordinary text alone, emoji with their variation selector included", () => {
    for (const text of ["plain ASCII", "日本語のテキスト", "עברית ועברית", "❤️ 👍🏽", "tab\tand\nnewline", "e\u0301"]) {
      assert.ok(!hasInvisible(text), text);
      assert.deepEqual(splitInvisible(text), [{ text }]);
      assert.equal(escapeInvisible(text), text);
    }
  });

  it("splits text into runs and marked characters, in order (astral tag characters as one)", () => {
    assert.deepEqual(splitInvisible("report\u202Etxt.exe"), [
      { text: "report" },
      { invisible: "\u202E", label: "U+202E", bidi: true },
      { text: "txt.exe" },
    ]);
    assert.deepEqual(splitInvisible("\u200B\u{E0041}x"), [
      { invisible: "\u200B", label: "U+200B", bidi: false },
      { invisible: "\u{E0041}", label: "U+E0041", bidi: false },
      { text: "x" },
    ]);
  });

  it("escapes like the editor and strips for comparison", () => {
    assert.equal(escapeInvisible("a\u202Eb\u200Bc"), "a<U+202E>b<U+200B>c");
    assert.equal(stripInvisible("pay\u200Bpal\u2066.com"), "paypal.com");
  });

  it("summarizes what a code block holds", () => {
    assert.deepEqual(summarizeInvisible("x\u202Ey\u202Ez\u200B"), { count: 3, bidi: 2, labels: ["U+202E", "U+200B"] });
    assert.deepEqual(summarizeInvisible("clean"), { count: 0, bidi: 0, labels: [] });
  });
});
