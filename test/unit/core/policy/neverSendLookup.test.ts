// The lookup behind the neverSend index finds exactly the values indexOf finds: on random
// values and texts drawn from a small alphabet (so values are often prefixes of each other and
// share long starts), and on lines that share a long start with a text that repeats it. And it
// reads repetitive text in one pass: a line of 200,000 `A` against a prompt of 400,000 (the
// lookup that compared character by character at every position took minutes), and lines that
// are runs of every length against a million `A`.
import assert from "node:assert/strict";
import { NeverSendLookup, neverSendText, type NeverSendSecret } from "../../../../src/core/policy";

const secret = (value: string, standalone = false): NeverSendSecret => ({ value, kind: "never-send", wholeOnly: true, ...(standalone ? { standalone: true as const } : {}) });

/** A small deterministic generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("neverSend lookup", () => {
  it("finds the same values as indexOf, on values that are prefixes of each other", () => {
    const next = random(7);
    const word = (min: number, max: number): string => Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => "abé"[Math.floor(next() * 3)]).join("");
    for (let round = 0; round < 300; round++) {
      // Words and some of their prefixes; texts made of values, pieces of values and noise.
      const words = Array.from({ length: 1 + Math.floor(next() * 20) }, () => word(4, 16));
      const values = words.flatMap((w) => [w, w.slice(0, 4 + Math.floor(next() * (w.length - 3)))]);
      const lookup = new NeverSendLookup(values.map((v) => secret(v)), 1);
      const piece = (): string => (next() < 0.6 ? values[Math.floor(next() * values.length)] : word(0, 5));
      const texts = [Array.from({ length: 8 }, piece).join(""), word(0, 40)];
      const expected = new Set(values.filter((v) => v.length >= 6 && texts.some((t) => t.includes(v))));
      const got = new Set(lookup.secretsIn(texts).map((s) => s.value));
      assert.deepEqual([...got].sort(), [...expected].sort(), `values ${JSON.stringify(values)} in ${JSON.stringify(texts)}`);
    }
  });

  it("finds the same values as indexOf, on long values with long shared starts and ends (filed by hash, not compared by character)", () => {
    const next = random(11);
    const word = (min: number, max: number): string => Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => "ab"[Math.floor(next() * 2)]).join("");
    for (let round = 0; round < 300; round++) {
      // Values from 6 to 90 characters, short and long (16 or more), runs and near-runs among them.
      const words = Array.from({ length: 1 + Math.floor(next() * 12) }, () => (next() < 0.3 ? "a".repeat(6 + Math.floor(next() * 60)) + word(0, 2) : word(6, 90)));
      const values = words.flatMap((w) => [w, w.slice(0, 6 + Math.floor(next() * (w.length - 5))), w.slice(Math.floor(next() * (w.length - 6)))]);
      const lookup = new NeverSendLookup(values.map((v) => secret(v)), 1);
      const piece = (): string => (next() < 0.5 ? values[Math.floor(next() * values.length)] : next() < 0.5 ? "a".repeat(Math.floor(next() * 80)) : word(0, 8));
      const texts = [Array.from({ length: 10 }, piece).join(""), word(0, 200), Array.from({ length: 4 }, piece).join("")];
      const expected = new Set(values.filter((v) => v.length >= 6 && texts.some((t) => t.includes(v))));
      const got = new Set(lookup.secretsIn(texts).map((s) => s.value));
      assert.deepEqual([...got].sort(), [...expected].sort(), `values ${JSON.stringify(values)} in ${JSON.stringify(texts)}`);
    }
  });

  it("reads a long run of one character once, whatever the file's lines share with it", () => {
    // A .env line of 200,000 `A` then `x`, against 400,000 `A` then `y`: the old lookup compared
    // 200,000 characters at each of 200,000 positions (about 9 minutes; 20,000 took 5.4 s).
    const run = "A".repeat(200_000);
    const file = new NeverSendLookup(neverSendText(`${run}x\nOTHER=1\n`), 1);
    assert.deepEqual(file.secretsIn([`${run}${run}y`]), []);
    assert.deepEqual(file.secretsIn([`${run}${run}x`]).map((s) => s.value), [`${run}x`]);

    // Lines that are runs of 16 to 700 `A` (250 KB), against a million: each line is found once,
    // the whole file's text (runs with line breaks) nowhere. The old lookup did not end in 10 minutes.
    let lines = "";
    for (let k = 16; lines.length < 250_000; k++) lines += `${"A".repeat(k)}\n`;
    const runs = new NeverSendLookup(neverSendText(lines), 1);
    const hits = runs.secretsIn(["A".repeat(1_000_000)]).map((s) => s.value);
    assert.equal(hits.length, runs.values - 1);
    assert.ok(hits.every((v) => /^A+$/.test(v)));
  });

  it("finds lines that share a long start, in a text that repeats the start", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `SERVICE_${i}_TOKEN=v${(i * 7919).toString(36)}x`);
    const lookup = new NeverSendLookup(lines.map((v) => secret(v)), 1);
    const text = `${"SERVICE_ and ".repeat(2000)}${lines[4321]} then ${lines[17]}.`;
    assert.deepEqual(
      lookup.secretsIn([text]).map((s) => s.value).sort(),
      [lines[17], lines[4321]].sort(),
    );
  });

  it("keeps a value once, as a whole line where it is one (it then counts wherever it stands)", () => {
    const lookup = new NeverSendLookup([secret("Xy7kPq2mZ9vQ", true), secret("Xy7kPq2mZ9vQ"), secret("short")], 1);
    assert.equal(lookup.values, 1);
    assert.deepEqual(lookup.secretsIn(["aXy7kPq2mZ9vQb"]), [secret("Xy7kPq2mZ9vQ")]);
    assert.deepEqual(lookup.secretsIn(["short"]), []);
  });
});
