import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { MAX_POLICY_BYTES, MAX_POLICY_DEPTH, parsePolicy, type PolicyParseResult } from "../../../../src/core/policy/parsePolicy";
import { formatPolicyDiagnostic, type PolicyDiagnostic } from "../../../../src/core/policy/policyDiagnostic";

const CASES_DIR = join(__dirname, "cases");

interface Expected {
  readonly code: string;
  /** Text the diagnostic must start at (its first occurrence, or the `occurrence`-th). */
  readonly at: string;
  readonly occurrence?: number;
  /** The diagnostic is at the end of the file (something is missing). */
  readonly atEnd?: true;
}

/** Hostile or broken files on disk, each with the diagnostics it must produce. */
const HOSTILE_FILES: Readonly<Record<string, readonly Expected[]>> = {
  "missing-close-brace.jsonc": [{ code: "syntax", at: "", atEnd: true }],
  "trailing-garbage.jsonc": [{ code: "syntax", at: "and then" }],
  "features-is-array.jsonc": [{ code: "wrong-type", at: "[ {" }],
  "unknown-top-level-key.jsonc": [{ code: "unknown-key", at: '"neverSnd"' }],
  "unknown-feature.jsonc": [{ code: "unknown-feature", at: '"autocomplete"' }],
  "bad-route-enum.jsonc": [{ code: "bad-enum", at: '"clod"' }],
  "bad-access-case.jsonc": [{ code: "bad-enum", at: '"Allow"' }],
  "never-send-double-star.jsonc": [{ code: "pattern-matches-everything", at: '"**"' }],
  "never-send-star.jsonc": [{ code: "pattern-matches-everything", at: '"*"' }],
  "never-send-slash.jsonc": [{ code: "pattern-matches-nothing", at: '"/"' }],
  "never-send-empty-string.jsonc": [{ code: "pattern-empty", at: '""' }],
  "never-send-not-strings.jsonc": [
    { code: "wrong-type", at: "42" },
    { code: "wrong-type", at: "null" },
    { code: "wrong-type", at: '{ "path"' },
  ],
  "never-send-not-array.jsonc": [{ code: "wrong-type", at: '"secrets/"' }],
  "never-send-unclosed-bracket.jsonc": [{ code: "pattern-invalid-glob", at: '"config/[abc.yml"' }],
  "never-send-dot-dot.jsonc": [{ code: "pattern-dot-segment", at: '"../other' }],
  "never-send-control-char.jsonc": [{ code: "pattern-control-character", at: '"secrets/' }],
  "duplicate-top-level-key.jsonc": [{ code: "duplicate-key", at: '"redactSecrets"', occurrence: 2 }],
  "duplicate-feature.jsonc": [{ code: "duplicate-key", at: '"chat"', occurrence: 2 }],
  "top-level-null.jsonc": [{ code: "wrong-type", at: "null" }],
  "top-level-array.jsonc": [{ code: "wrong-type", at: "[" }],
  "top-level-string.jsonc": [{ code: "wrong-type", at: '"local"' }],
  "redact-secrets-string.jsonc": [{ code: "wrong-type", at: '"false"' }],
  "unsupported-version.jsonc": [{ code: "unsupported-version", at: "2" }],
  "unknown-model-vendor.jsonc": [
    { code: "bad-model", at: '"gemini-2.0-flash"' },
    { code: "bad-model", at: '"google:gemini-pro"' },
  ],
  "feature-is-string.jsonc": [{ code: "wrong-type", at: '"cloud"' }],
  "unknown-feature-field.jsonc": [{ code: "unknown-key", at: '"cloudAcess"' }],
  "unclosed-comment.jsonc": [{ code: "syntax", at: "/*" }],
  "unclosed-string.jsonc": [{ code: "syntax", at: '"secrets/ ]' }],
  "single-quotes.jsonc": [{ code: "syntax", at: "'redactSecrets'" }],
  "cloud-models-not-array.jsonc": [{ code: "wrong-type", at: '"gpt-4o-mini"' }],
};

function offsetOf(text: string, needle: string, occurrence = 1): number {
  let at = -1;
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    assert.notEqual(at, -1, `fixture lacks occurrence ${occurrence} of ${JSON.stringify(needle)}`);
  }
  return at;
}

/** Every diagnostic's line/character must describe the same place as its offset. */
function assertPositionsConsistent(text: string, diagnostics: readonly PolicyDiagnostic[]): void {
  for (const d of diagnostics) {
    const before = text.slice(0, d.offset).split(/\r\n|\r|\n/);
    assert.equal(d.start.line, before.length - 1, formatPolicyDiagnostic(d));
    assert.equal(d.start.character, before[before.length - 1].length, formatPolicyDiagnostic(d));
    assert.ok(d.offset + d.length <= text.length);
  }
}

function assertLocalOnly(result: PolicyParseResult): void {
  assert.equal(result.policy, undefined);
  assert.equal(result.localOnly, true);
  assert.ok(result.diagnostics.some((d) => d.severity === "error"), "expected at least one error");
}

describe("parsePolicy", () => {
  describe("hostile and malformed files on disk", () => {
    for (const [file, expected] of Object.entries(HOSTILE_FILES)) {
      it(`${file}: reports ${expected.map((e) => e.code).join(", ")} at the offending text and goes local-only`, () => {
        const text = readFileSync(join(CASES_DIR, file), "utf8");
        const result = parsePolicy(text, `.hearth/policy.json`);
        assertLocalOnly(result);
        assertPositionsConsistent(text, result.diagnostics);
        for (const e of expected) {
          const offset = e.atEnd === true ? text.length : offsetOf(text, e.at, e.occurrence);
          const hit = result.diagnostics.find((d) => d.code === e.code && d.offset === offset);
          assert.ok(hit, `no ${e.code} at offset ${offset}; got ${result.diagnostics.map(formatPolicyDiagnostic).join(" | ")}`);
          assert.equal(hit.file, ".hearth/policy.json");
        }
      });
    }
  });

  it("names the field and suggests the fix for a typo", () => {
    const result = parsePolicy(readFileSync(join(CASES_DIR, "bad-access-case.jsonc"), "utf8"), "p.json");
    const d = result.diagnostics.find((x) => x.code === "bad-enum");
    assert.ok(d);
    assert.equal(d.path, "features.edit.cloudAccess");
    assert.match(d.message, /did you mean "allow"/);
    const typo = parsePolicy('{ "neverSnd": [] }', "p.json").diagnostics[0];
    assert.match(typo.message, /did you mean "neverSend"/);
  });

  it("tells a missing closer from text after the end, and reports trailing text once", () => {
    const missing = parsePolicy('{ "neverSend": ["a"]', "p.json").diagnostics;
    assert.deepEqual(
      missing.map((d) => d.message),
      ['JSON syntax: expected "}" to close the object'],
    );
    const trailing = parsePolicy("{}\nsome words that do not belong here", "p.json").diagnostics;
    assert.deepEqual(
      trailing.map((d) => [d.message, d.offset, d.length]),
      [["JSON syntax: unexpected text after the end of the policy object", 3, 34]],
    );
  });

  it("refuses a huge file without parsing it", () => {
    const text = `{ "neverSend": ["a"] ${" ".repeat(MAX_POLICY_BYTES)}}`;
    const result = parsePolicy(text, "p.json");
    assertLocalOnly(result);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.offset]),
      [["file-too-large", 0]],
    );
  });

  it("counts bytes, not characters, against the size limit", () => {
    const text = `{ "$schema": "${"é".repeat(MAX_POLICY_BYTES / 2 + 10)}" }`;
    assertLocalOnly(parsePolicy(text, "p.json"));
  });

  it("stops at the first level past the depth limit, even 200 000 levels deep", () => {
    const text = "[".repeat(200_000);
    const result = parsePolicy(text, "p.json");
    assertLocalOnly(result);
    assert.equal(result.diagnostics[0].code, "too-deep");
    assert.equal(result.diagnostics[0].offset, MAX_POLICY_DEPTH);
  });

  it("rejects deep nesting inside an otherwise plausible policy", () => {
    const inner = `${'{"x":'.repeat(20)}1${"}".repeat(20)}`;
    const text = `{ "features": { "chat": ${inner} } }`;
    const result = parsePolicy(text, "p.json");
    assertLocalOnly(result);
    assert.equal(result.diagnostics[0].code, "too-deep");
  });

  it("treats an empty file as an error, with a hint", () => {
    for (const text of ["", "   \n", "// only a comment\n", "/* block */"]) {
      const result = parsePolicy(text, "p.json");
      assertLocalOnly(result);
      assert.equal(result.diagnostics[0].code, "empty-file");
      assert.match(result.diagnostics[0].message, /write \{\}/);
    }
  });

  it("accepts a byte-order mark with a warning and keeps offsets of later problems exact", () => {
    const ok = parsePolicy('\uFEFF{ "redactSecrets": true }', "p.json");
    assert.equal(ok.localOnly, false);
    assert.deepEqual(ok.policy, { features: {}, neverSend: [], redactSecrets: true });
    assert.deepEqual(
      ok.diagnostics.map((d) => [d.code, d.severity, d.offset]),
      [["byte-order-mark", "warning", 0]],
    );
    const text = '\uFEFF{ "redactSecrets": "no" }';
    const bad = parsePolicy(text, "p.json");
    assertLocalOnly(bad);
    assert.equal(bad.diagnostics.find((d) => d.code === "wrong-type")?.offset, text.indexOf('"no"'));
  });

  it("reads a valid policy with comments and trailing commas", () => {
    const result = parsePolicy(readFileSync(join(CASES_DIR, "valid-with-comments.jsonc"), "utf8"), "p.json");
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.localOnly, false);
    assert.deepEqual(result.policy, {
      features: {
        completion: { route: "local" },
        chat: {
          route: "cloud",
          cloudAccess: "ask",
          cloudModels: [
            { provider: "openai", model: "gpt-4o-mini" },
            { provider: "anthropic", model: "claude-haiku-4-5" },
          ],
        },
        repoQuestion: { route: "selfHosted" },
      },
      neverSend: ["secrets/", "*.pem", "/config/prod.yml", "!secrets/README.md"],
      redactSecrets: true,
    });
  });

  it("warns, without going local-only, about settings that cannot take effect", () => {
    const text = '{ "features": { "chat": { "route": "local", "cloudAccess": "allow", "cloudModels": ["gpt-4o-mini"] } } }';
    const result = parsePolicy(text, "p.json");
    assert.equal(result.localOnly, false);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.severity, d.offset]),
      [
        ["no-effect", "warning", text.indexOf('"allow"')],
        ["no-effect", "warning", text.indexOf('["gpt')],
      ],
    );
  });

  it("refuses more than the maximum number of neverSend patterns", () => {
    const text = JSON.stringify({ neverSend: Array.from({ length: 1001 }, (_, i) => `dir${i}/`) });
    const result = parsePolicy(text, "p.json");
    assertLocalOnly(result);
    assert.equal(result.diagnostics[0].code, "too-many");
  });

  it("caps the number of diagnostics for a file full of mistakes", () => {
    const text = JSON.stringify({ neverSend: Array.from({ length: 500 }, () => "") });
    const result = parsePolicy(text, "p.json");
    assertLocalOnly(result);
    assert.equal(result.diagnostics.length, 101);
    assert.equal(result.diagnostics[100].code, "more-problems");
  });

  it("never throws on any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const result = parsePolicy(text, "p.json");
        assert.equal(result.localOnly, result.policy === undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it("never throws on any JSON value, and accepts only what it can fully read", () => {
    const key = fc.constantFrom("features", "neverSend", "redactSecrets", "version", "$schema", "chat", "completion", "route", "cloudAccess", "cloudModels", "x");
    const leaf = fc.oneof(fc.string(), fc.constantFrom("local", "cloud", "selfHosted", "ask", "allow", "deny", "**", "*.pem", "gpt-4o-mini"), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node"), { maxLength: 4 }), fc.dictionary(key, tie("node"), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(value, fc.boolean(), (json, pretty) => {
        const text = JSON.stringify(json, null, pretty ? 2 : undefined) ?? "";
        const result = parsePolicy(text, "p.json");
        assertPositionsConsistent(text, result.diagnostics);
        if (result.policy !== undefined) assert.ok(!result.diagnostics.some((d) => d.severity === "error"));
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on mutated versions of a valid policy", () => {
    const base = readFileSync(join(CASES_DIR, "valid-with-comments.jsonc"), "utf8");
    fc.assert(
      fc.property(fc.nat(base.length), fc.nat(20), fc.string({ maxLength: 5 }), (at, cut, insert) => {
        const text = base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut));
        const result = parsePolicy(text, "p.json");
        assertPositionsConsistent(text, result.diagnostics);
      }),
      { numRuns: 1000 },
    );
  });
});
