// The diff under the code and Markdown guards: hunks must be minimal and exact, since each one
// becomes an issue a person reads.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { diffSequences, type Hunk } from "../../../../../src/core/edit/guards/sequenceDiff";

/** Applies the hunks to `a` with `b`'s elements; the result must be `b`. */
function apply(a: readonly string[], b: readonly string[], hunks: readonly Hunk[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const h of hunks) {
    out.push(...a.slice(i, h.aStart), ...b.slice(h.bStart, h.bEnd));
    i = h.aEnd;
  }
  out.push(...a.slice(i));
  return out;
}

/** Length of a longest common subsequence, by the textbook table (small inputs only). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  return t[0][0];
}

describe("sequence diff", () => {
  it("finds nothing in equal sequences", () => {
    assert.deepEqual(diffSequences(["a", "b"], ["a", "b"]), []);
  });

  it("reports a change, an insertion and a deletion as separate hunks", () => {
    const a = ["x", "=", "1", ";", "y", "=", "2", ";", "z", "(", ")", ";", "end"];
    const b = ["x", "=", "9", ";", "new", "y", "=", "2", ";", "z", "(", ")", "end"];
    assert.deepEqual(diffSequences(a, b), [
      { aStart: 2, aEnd: 3, bStart: 2, bEnd: 3 },
      { aStart: 4, aEnd: 4, bStart: 4, bEnd: 5 },
      { aStart: 11, aEnd: 12, bStart: 12, bEnd: 12 },
    ]);
  });

  it("keeps two edits far apart in a long sequence as two hunks", () => {
    const a = Array.from({ length: 50_000 }, (_, i) => `t${i}`);
    const b = [...a];
    b[10] = "changed";
    b[49_990] = "changed";
    assert.deepEqual(
      diffSequences(a, b).map((h) => h.aStart),
      [10, 49_990],
    );
  });

  it("produces a minimal edit script that turns a into b (property)", () => {
    const seq = fc.array(fc.constantFrom("a", "b", "c", "d"), { maxLength: 30 });
    fc.assert(
      fc.property(seq, seq, (a, b) => {
        const hunks = diffSequences(a, b);
        assert.deepEqual(apply(a, b, hunks), b);
        const edited = hunks.reduce((sum, h) => sum + (h.aEnd - h.aStart) + (h.bEnd - h.bStart), 0);
        assert.equal(edited, a.length + b.length - 2 * lcs(a, b));
      }),
      { numRuns: 300 },
    );
  });
});
