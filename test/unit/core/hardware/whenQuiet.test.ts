import assert from "node:assert/strict";
import { whenQuiet } from "../../../../src/core/hardware/whenQuiet";

/** A busy source that names `reasons` in turn, then nothing; counts how often it was asked. */
function busyFor(reasons: readonly string[]): { busyWith: () => string | undefined; asked: () => number } {
  let asked = 0;
  return { busyWith: () => reasons[asked++], asked: () => asked };
}

describe("whenQuiet (the background measurement waits for Hearth's own work)", () => {
  it("goes on at once when nothing is busy", async () => {
    const source = busyFor([]);
    const waited: string[] = [];
    assert.equal(await whenQuiet(source.busyWith, { pollMs: 1, maxWaits: 5, onWait: (busy) => waited.push(busy) }), true);
    assert.equal(source.asked(), 1);
    assert.deepEqual(waited, []);
  });

  it("waits while the server starts and a download runs, and says once what it waits for", async () => {
    const source = busyFor(["the model server is starting", "the model server is starting", "a download is running"]);
    const waited: string[] = [];
    assert.equal(await whenQuiet(source.busyWith, { pollMs: 1, maxWaits: 10, onWait: (busy) => waited.push(busy) }), true);
    assert.equal(source.asked(), 4, "three busy answers, then the quiet one");
    assert.deepEqual(waited, ["the model server is starting"]);
  });

  it("goes on after maxWaits looks when Hearth never gets quiet", async () => {
    let asked = 0;
    const always = (): string => {
      asked++;
      return "a download is running";
    };
    assert.equal(await whenQuiet(always, { pollMs: 1, maxWaits: 3 }), true);
    assert.equal(asked, 4);
  });

  it("gives up without measuring when the extension goes while it waits", async () => {
    const stop = new AbortController();
    let asked = 0;
    const busy = (): string => {
      if (++asked === 2) stop.abort();
      return "the model server is starting";
    };
    assert.equal(await whenQuiet(busy, { pollMs: 1, maxWaits: 100, signal: stop.signal }), false);
    assert.equal(asked, 2);
  });
});
