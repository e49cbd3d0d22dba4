// The glossary file: parsing with errors a person can find, the JSON schema in step with the
// parser, the prompt lines, and term matching across scripts.
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkGlossary, glossaryInstructions, parseGlossary, type Glossary } from "../../../../../src/core/edit/guards";
import { GLOSSARY_KEYS, MAX_GLOSSARY_TERMS, MAX_TERM_LENGTH } from "../../../../../src/core/edit/guards/glossary";
import { LANGUAGE_TAG } from "../../../../../src/core/edit/guards/targetLanguages";
import { findTerm } from "../../../../../src/core/edit/guards/termMatch";

function parsed(text: string): Glossary {
  const result = parseGlossary(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.glossary;
}

function errorsOf(text: string): { message: string; at: string }[] {
  const result = parseGlossary(text);
  assert.equal(result.ok, false, "expected errors");
  return result.ok ? [] : result.errors.map((e) => ({ message: e.message, at: text.slice(e.offset, e.offset + e.length) }));
}

describe("glossary file", () => {
  it("reads keep and translate terms from JSONC with comments and trailing commas", () => {
    const glossary = parsed('// team terms\n{ "version": 1, "keep": ["Hearth", "gateway", "Hearth",], "translate": { "pull request": { "ja": "プルリクエスト", }, }, }');
    assert.deepEqual(glossary.keep, ["Hearth", "gateway"]);
    assert.equal(glossary.translate.get("pull request")?.get("ja"), "プルリクエスト");
  });

  it("accepts an empty object and a byte-order mark", () => {
    assert.deepEqual(parsed("\uFEFF{}").keep, []);
  });

  it("points syntax errors at the offending text", () => {
    const errors = errorsOf('{ "keep": ["a" "b"] }');
    assert.match(errors[0].message, /JSON syntax error: comma expected/);
    assert.equal(errors[0].at, '"b"');
  });

  it("points a wrong type at its value, an unknown key and a bad language tag at the key", () => {
    const errors = errorsOf('{ "keep": "Hearth", "translate": { "pr": { "Japanese": "x" } }, "terms": [] }');
    assert.deepEqual(
      errors.map((e) => e.at),
      ['"Hearth"', '"Japanese"', '"terms"'],
    );
    assert.match(errors[0].message, /^keep: keep must be a list of terms/);
    assert.match(errors[1].message, /"Japanese" is not a language tag; use one such as "ja"/);
    assert.match(errors[2].message, /unknown key "terms"; expected \$schema, version, keep, translate/);
  });

  it("refuses empty and overlong terms, and a version other than 1", () => {
    const errors = errorsOf(`{ "version": 2, "keep": ["  "], "translate": { "x": { "ja": "${"あ".repeat(MAX_TERM_LENGTH + 1)}" } } }`);
    assert.deepEqual(
      errors.map((e) => e.message.split(":")[0]),
      ["version", "keep.0", "translate.x.ja"],
    );
  });

  it("refuses a term given twice, pointing at the second", () => {
    const text = '{ "translate": { "merge": { "ja": "マージ" }, "merge": { "ja": "統合" } } }';
    const result = parseGlossary(text);
    assert.ok(!result.ok);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0].message, /"merge" appears twice/);
    assert.equal(result.errors[0].offset, text.lastIndexOf('"merge"'));
  });

  it('refuses "__proto__" as a term rather than losing it', () => {
    const errors = errorsOf('{ "translate": { "__proto__": { "ja": "x" } } }');
    assert.equal(errors[0].at, '"__proto__"');
  });

  it("refuses absurd nesting without overflowing the stack", () => {
    const text = `{"keep": ${"[".repeat(200_000)}`;
    const result = parseGlossary(text);
    assert.ok(!result.ok);
    assert.match(result.errors[0].message, /nested deeper than 16 levels/);
  });

  it("says so for an empty file and for a non-object", () => {
    assert.match(errorsOf("")[0].message, /JSON syntax error/);
    assert.match(errorsOf("[]")[0].message, /must be an object/);
  });
});

describe("glossary JSON schema", () => {
  interface SchemaNode {
    properties?: Record<string, SchemaNode>;
    additionalProperties?: boolean | SchemaNode;
    propertyNames?: { pattern?: string };
    maxItems?: number;
    maxProperties?: number;
    maxLength?: number;
    definitions?: Record<string, SchemaNode>;
  }
  const schema = JSON.parse(readFileSync(join(__dirname, "../../../../../schemas/glossary.schema.json"), "utf8")) as SchemaNode;

  it("lists the parser's keys and closes the top-level object", () => {
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [...GLOSSARY_KEYS].sort());
    assert.equal(schema.additionalProperties, false);
  });

  it("uses the parser's limits and language-tag pattern", () => {
    assert.equal(schema.properties?.keep.maxItems, MAX_GLOSSARY_TERMS);
    assert.equal(schema.properties?.translate.maxProperties, MAX_GLOSSARY_TERMS);
    assert.equal(schema.definitions?.term.maxLength, MAX_TERM_LENGTH);
    const perLanguage = schema.properties?.translate.additionalProperties as SchemaNode;
    assert.equal(perLanguage.propertyNames?.pattern, LANGUAGE_TAG.source);
  });
});

describe("glossary instructions", () => {
  const glossary = parsed('{ "keep": ["Hearth"], "translate": { "pull request": { "ja": "プルリクエスト", "zh": "拉取请求" }, "merge": { "de": "Zusammenführen" } } }');

  it("lists kept terms and only the fixed translations for the target language", () => {
    const text = glossaryInstructions(glossary, "ja");
    assert.match(text, /"Hearth"/);
    assert.match(text, /"pull request" → "プルリクエスト"/);
    assert.doesNotMatch(text, /merge/);
    assert.match(text, /Japanese/);
  });

  it('serves "zh-CN" from a "zh" entry', () => {
    assert.match(glossaryInstructions(glossary, "zh-CN"), /"pull request" → "拉取请求"/);
  });

  it('accepts the target by English name as well as by tag ("Japanese", "Simplified Chinese")', () => {
    assert.match(glossaryInstructions(glossary, "Japanese"), /"pull request" → "プルリクエスト"/);
    assert.match(glossaryInstructions(glossary, "Simplified Chinese"), /"pull request" → "拉取请求"/);
    const report = checkGlossary(glossary, "Open a pull request.", "プル要求を開く。", "Japanese");
    assert.equal(report.status, "violations");
  });

  it("is empty when nothing applies", () => {
    assert.equal(glossaryInstructions(parsed('{ "translate": { "merge": { "de": "Zusammenführen" } } }'), "ja"), "");
    assert.equal(glossaryInstructions(parsed("{}"), "ja"), "");
  });
});

describe("glossary term matching", () => {
  it("finds Latin terms next to CJK text, which has no spaces", () => {
    assert.equal(findTerm("Hearthはgatewayを使う。Hearth를 쓰다", "Hearth").length, 2);
    assert.equal(findTerm("Hearthはgatewayを使う", "gateway").length, 1);
  });

  it("finds CJK terms inside running text", () => {
    assert.equal(findTerm("プルリクエストを作成し、プルリクエストを閉じる", "プルリクエスト").length, 2);
  });

  it("needs word edges between Latin letters", () => {
    assert.equal(findTerm("gateways and subgateway and gateway_x", "gateway").length, 0);
    assert.equal(findTerm("the gateway, (gateway) gateway.", "gateway").length, 3);
  });

  it("matches a lower-case term in any case, a capitalised name only exactly", () => {
    assert.equal(findTerm("Gateway GATEWAY gateway", "gateway").length, 3);
    assert.equal(findTerm("Hearth hearth HEARTH", "Hearth").length, 1);
  });

  it("matches a spaced term across spaces and line breaks, and normalises Unicode", () => {
    assert.equal(findTerm("a pull\n  request", "pull request").length, 1);
    assert.equal(findTerm("Caf\u0065\u0301", "Caf\u00e9").length, 1);
  });

  it("counts: a kept term dropped once of three times is reported at its first line", () => {
    const glossary = parsed('{ "keep": ["Hearth"] }');
    const report = checkGlossary(glossary, "Hearth\nHearth\nHearth\n", "Hearth\nハース\nHearth\n", "ja");
    assert.equal(report.status, "violations");
    assert.deepEqual(report.issues[0], {
      message: '"Hearth" must stay untranslated: the original has it 3 times, the proposal 2 times.',
      originalLine: 1,
      proposalLine: 1,
    });
  });

  it("counts a fixed translation already in the original, so it cannot stand in for a missing one", () => {
    const glossary = parsed('{ "translate": { "pull request": { "ja": "プルリクエスト" } } }');
    const source = "プルリクエストの説明。Open a pull request.";
    assert.equal(checkGlossary(glossary, source, "プルリクエストの説明。プル要求を開く。", "ja").status, "violations");
    assert.equal(checkGlossary(glossary, source, "プルリクエストの説明。プルリクエストを開く。", "ja").status, "ok");
  });
});

