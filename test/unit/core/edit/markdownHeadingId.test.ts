import assert from "node:assert/strict";
import fc from "fast-check";
import { explicitHeadingId } from "../../../../src/core/edit/guards/markdownParts";

const OLD = /\s*\{#([^}\s]+)\}\s*$/;

describe("a heading's explicit {#id} (markdown guard)", () => {
  it("finds what the regular expression it replaces found, for any heading text", () => {
    const text = fc.array(fc.constantFrom(" ", "\t", "{", "#", "}", "{#", "a", "-", "\u3000"), { maxLength: 20 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, (heading) => {
        const old = OLD.exec(heading);
        assert.deepEqual(explicitHeadingId(heading), old === null ? undefined : { id: old[1], index: old.index }, JSON.stringify(heading));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads a long run of spaces or of '{#' in one pass", () => {
    assert.deepEqual(explicitHeadingId(`Intro${" ".repeat(500_000)}{#intro}  `), { id: "intro", index: 5 });
    assert.equal(explicitHeadingId(`a${" ".repeat(500_000)}b`), undefined);
    assert.deepEqual(explicitHeadingId(`x ${"{#".repeat(250_000)}y}`), { id: `${"{#".repeat(249_999)}y}`.slice(0, -1), index: 1 });
  });
});
