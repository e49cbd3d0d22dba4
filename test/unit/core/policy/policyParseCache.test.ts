// Large policies are parsed in slices, once per content, and their messages quote only excerpts.
import * as assert from "node:assert/strict";
import { NeverSendMatcherCache, PolicyParseCache } from "../../../../src/core/policy/policyParseCache";
import { MAX_NEVER_SEND_PATTERNS, parsePolicy } from "../../../../src/core/policy/parsePolicy";
import { MAX_EXCERPT_CHARS } from "../../../../src/core/policy/policyDiagnostic";

function countingCache(sliceSize = 25) {
  const counter = { yields: 0 };
  const cache = new PolicyParseCache({ sliceSize, yieldToLoop: () => ((counter.yields++), Promise.resolve()) });
  return { cache, counter };
}

const patterns = (n: number) => Array.from({ length: n }, (_, i) => `dir${i}/**/secret-${i}-*.key`);

describe("PolicyParseCache", () => {
  it("gives the same answer as parsePolicy", async () => {
    const { cache } = countingCache();
    for (const text of ['{ "neverSend": ["*.pem", "**", "a[b", "./x"] }', '{ "features": { "chat": { "route": "clod" } } }', "[".repeat(50_000), "{}", `{"neverSend": ${JSON.stringify(patterns(40))}}`]) {
      const parsed = await cache.parse(text, ".hearth/policy.json");
      assert.deepEqual(parsed.result, parsePolicy(text, ".hearth/policy.json"), text.slice(0, 40));
    }
  });

  it("checks a long pattern list in slices that yield to the event loop", async () => {
    const { cache, counter } = countingCache(25);
    const text = JSON.stringify({ neverSend: patterns(MAX_NEVER_SEND_PATTERNS) });
    const parsed = await cache.parse(text, "p");
    assert.equal(parsed.result.localOnly, false);
    assert.equal(parsed.result.policy?.neverSend.length, MAX_NEVER_SEND_PATTERNS);
    assert.ok(counter.yields >= MAX_NEVER_SEND_PATTERNS / 25, `yielded ${counter.yields} times`);
  });

  it("parses each content once, however often it is asked for", async () => {
    const { cache } = countingCache();
    const text = JSON.stringify({ neverSend: patterns(300) });
    const [a, b] = await Promise.all([cache.parse(text, "p"), cache.parse(text, "p")]);
    await cache.parse(text, "p");
    assert.equal(cache.parses, 1);
    assert.equal(a, b);
    await cache.parse(`${text} `, "p");
    assert.equal(cache.parses, 2, "another content is parsed");
  });

  it("refuses 50,000 patterns without checking them one by one", async () => {
    const { cache, counter } = countingCache(25);
    const text = JSON.stringify({ neverSend: Array.from({ length: 50_000 }, (_, i) => String(i % 10)) }).slice(0, 240 * 1024);
    const closed = `${text.slice(0, text.lastIndexOf(","))}]}`;
    const parsed = await cache.parse(closed, "p");
    assert.equal(parsed.result.localOnly, true);
    assert.ok(parsed.result.diagnostics.some((d) => d.code === "too-many"), JSON.stringify(parsed.result.diagnostics.map((d) => d.code)));
    assert.ok(counter.yields <= 2, `checked patterns of a list that is refused anyway (${counter.yields} yields)`);
  });
});

describe("NeverSendMatcherCache", () => {
  it("compiles a list once per folder", () => {
    const cache = new NeverSendMatcherCache();
    const a = cache.compile(["*.pem"], { root: "/w" });
    assert.equal(cache.compile(["*.pem"], { root: "/w" }), a);
    assert.notEqual(cache.compile(["*.pem"], { root: "/v" }), a);
    assert.ok(a.matches("x.pem"));
  });
});

describe("policy messages quote only a short excerpt of bad input", () => {
  it("a huge bad value, key or pattern is cut, and direction overrides are shown as escapes", () => {
    const huge = "A".repeat(100_000);
    const texts = [
      `{ "features": { "chat": { "route": "${huge}" } } }`,
      `{ "${huge}": 1 }`,
      `{ "neverSend": ["./${huge}"] }`,
      `{ "features": { "chat": { "cloudModels": ["${huge}"] } } }`,
      `{ "features": { "chat": { "route": "lo\u202Ecal" } } }`,
    ];
    for (const text of texts) {
      const { diagnostics, localOnly } = parsePolicy(text, "p");
      assert.ok(localOnly);
      for (const d of diagnostics) {
        assert.ok(d.message.length <= 400, `${d.code}: ${d.message.length} characters`);
        assert.ok(!d.message.includes("A".repeat(MAX_EXCERPT_CHARS + 1)), d.message.slice(0, 200));
        assert.ok(!/[\u202A-\u202E\u2066-\u2069]/.test(d.message + d.path), d.message);
        assert.ok(d.path.length <= 120);
      }
    }
    const rtl = parsePolicy(texts[4], "p").diagnostics[0];
    assert.match(rtl.message, /\\u202e/);
  });
});
