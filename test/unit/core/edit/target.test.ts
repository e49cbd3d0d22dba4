import assert from "node:assert/strict";
import { chooseTargets, innermostEnclosing, mergeSpans, type SymbolNode } from "../../../../src/core/edit/target";

const method: SymbolNode = { name: "greet", shape: "method", start: 20, end: 60, children: [] };
const klass: SymbolNode = { name: "Greeter", shape: "class", start: 10, end: 100, children: [method, { name: "count", shape: "other", start: 70, end: 80, children: [] }] };

describe("edit target selection", () => {
  it("uses the selections when there are any, sorted and with overlaps joined", () => {
    const targets = chooseTargets({ textLength: 200, selections: [{ start: 50, end: 60 }, { start: 5, end: 10 }, { start: 55, end: 70 }, { start: 90, end: 90 }], cursor: 0, symbols: [klass] });
    assert.deepEqual(targets, [
      { start: 5, end: 10, source: "selection" },
      { start: 50, end: 70, source: "selection" },
    ]);
  });

  it("falls back to the innermost enclosing method when nothing is selected", () => {
    assert.deepEqual(chooseTargets({ textLength: 200, selections: [{ start: 30, end: 30 }], cursor: 30, symbols: [klass] }), [{ start: 20, end: 60, source: "symbol", symbolName: "greet" }]);
  });

  it("takes the class when the cursor is in a field, not a function", () => {
    assert.equal(innermostEnclosing([klass], 75)?.name, "Greeter");
  });

  it("finds the innermost symbol in a flat list (SymbolInformation) too", () => {
    assert.equal(innermostEnclosing([{ ...klass, children: [] }, method], 30)?.name, "greet");
  });

  it("uses the whole file outside every symbol, without symbols, and for document translation", () => {
    const whole = [{ start: 0, end: 200, source: "file" }];
    assert.deepEqual(chooseTargets({ textLength: 200, selections: [], cursor: 150, symbols: [klass] }), whole);
    assert.deepEqual(chooseTargets({ textLength: 200, selections: [], cursor: 30 }), whole);
    assert.deepEqual(chooseTargets({ textLength: 200, selections: [], cursor: 30, symbols: [klass], useSymbols: false }), whole);
  });

  it("joins touching spans so two edits never share a boundary", () => {
    assert.deepEqual(mergeSpans([{ start: 10, end: 20 }, { start: 0, end: 10 }]), [{ start: 0, end: 20 }]);
  });
});
