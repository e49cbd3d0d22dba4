// Citations in answers, and the progress line's numbers.
import assert from "node:assert/strict";
import { parseCitations } from "../../../../src/core/repo";
import { ProgressMeter } from "../../../../src/core/repo/progressMeter";

const FILES = new Set(["src/server/main.ts", "README.md", "lib/util.py"]);
const isFile = (path: string): boolean => FILES.has(path);

describe("citations in repo answers", () => {
  it("finds path:line, path:a-b, path#Lnn and path#La-Lb of repository files, with their offsets", () => {
    const text = "See src/server/main.ts:42 and `lib/util.py:3-9`, also [here](README.md#L7) and README.md#L2-L4.";
    const found = parseCitations(text, isFile);
    assert.deepEqual(
      found.map(({ path, line, endLine }) => ({ path, line, endLine })),
      [
        { path: "src/server/main.ts", line: 42, endLine: undefined },
        { path: "lib/util.py", line: 3, endLine: 9 },
        { path: "README.md", line: 7, endLine: undefined },
        { path: "README.md", line: 2, endLine: 4 },
      ],
    );
    for (const c of found) assert.ok(text.slice(c.offset, c.offset + c.length).startsWith(c.path));
  });

  it("ignores what only looks like a citation: URLs with ports, times, unknown files, line 0", () => {
    const text = "Open http://localhost:8080 at 12:30; other/file.ts:3 does not exist; README.md:0 is no line.";
    assert.deepEqual(parseCitations(text, isFile), []);
  });

  it("accepts ./-prefixed paths and a line:column form", () => {
    const found = parseCitations("at ./src/server/main.ts:10:5", isFile);
    assert.equal(found.length, 1);
    assert.equal(found[0].path, "src/server/main.ts");
    assert.equal(found[0].line, 10);
  });
});

describe("repo progress meter", () => {
  it("reports the rate of evaluated tokens and the time left, not counting a restored prefix as speed", () => {
    let now = 0;
    const meter = new ProgressMeter(() => now);
    const first = meter.update({ evaluated: 8000, total: 20_000, cached: 8000 });
    assert.equal(first.rate, undefined);
    now = 2000;
    const second = meter.update({ evaluated: 12_000, total: 20_000, cached: 8000 });
    assert.equal(second.rate, 2000);
    assert.equal(second.secondsLeft, 4);
    assert.equal(second.done, 12_000);
  });
});
