import assert from "node:assert/strict";
import { applyReplacements, relocate } from "../../../../src/core/edit/replacements";

describe("edit replacements", () => {
  it("lays several replacements into one text in any order", () => {
    const text = "aaa bbb ccc";
    assert.equal(applyReplacements(text, [{ start: 8, end: 11, text: "C" }, { start: 0, end: 3, text: "AA" }]), "AA bbb C");
  });

  it("refuses overlapping replacements", () => {
    assert.throws(() => applyReplacements("abcdef", [{ start: 0, end: 3, text: "" }, { start: 2, end: 4, text: "" }]));
  });

  it("finds targets again after text was added above them", () => {
    const before = "one\nTWO\nthree\n";
    const after = "zero\none\nTWO\nthree\n";
    assert.deepEqual(relocate(after, [{ start: 4, end: 7, original: "TWO" }]), [{ start: 9, end: 12, original: "TWO" }]);
    assert.equal(before.slice(4, 7), "TWO");
  });

  it("keeps the nearest occurrence when the target's text appears twice", () => {
    const now = "x();\nfoo\nbar\nfoo\n";
    assert.equal(relocate(now, [{ start: 12, end: 15, original: "foo" }])?.[0].start, 13);
  });

  it("gives up when a target's text was changed", () => {
    assert.equal(relocate("one\nTw0\nthree\n", [{ start: 4, end: 7, original: "TWO" }]), undefined);
  });
});
