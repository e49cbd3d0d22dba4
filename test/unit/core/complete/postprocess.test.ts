import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { postprocessCompletion, tracePostprocess, type PostprocessInput } from "../../../../src/core/complete/postprocess";
import { checkGoldenCase, parseGoldenCase, type GoldenCase } from "./golden/goldenCase";

const GOLDEN_DIR = join(__dirname, "golden");

function loadCases(): GoldenCase[] {
  return readdirSync(GOLDEN_DIR)
    .filter((name) => name.endsWith(".case"))
    .sort()
    .map((name) => parseGoldenCase(name, readFileSync(join(GOLDEN_DIR, name), "utf8")));
}

const cases = loadCases();

describe("postprocessCompletion golden cases", () => {
  for (const c of cases) {
    it(`${c.file}: ${c.title}`, () => {
      const failure = checkGoldenCase(c);
      if (failure !== undefined) assert.fail(failure);
    });
  }

  it("covers every language with at least five cases, and at least forty in all", () => {
    const perLanguage = new Map<string, number>();
    for (const c of cases) perLanguage.set(c.input.languageId, (perLanguage.get(c.input.languageId) ?? 0) + 1);
    for (const language of ["typescript", "python", "go", "rust", "java", "json", "markdown"]) {
      assert.ok((perLanguage.get(language) ?? 0) >= 5, `${language}: ${perLanguage.get(language) ?? 0} cases`);
    }
    assert.ok(cases.length >= 40, `${cases.length} cases`);
    assert.ok(cases.filter((c) => c.expected === undefined).length >= 7, "too few cases whose answer is nothing");
  });

  it("exercises every rule somewhere in the golden cases", () => {
    const fired = new Set<string>();
    for (const c of cases) for (const rule of tracePostprocess(c.input).rules) fired.add(rule);
    for (const rule of [
      "special-token",
      "fence-unwrap",
      "prefix-echo",
      "double-space",
      "code-fence",
      "single-line",
      "block-end",
      "sentence",
      "suffix-lines",
      "string-end",
      "bracket",
      "suffix-overlap",
      "block-close-line",
      "indentation",
      "trailing-space",
      "whitespace-only",
    ]) {
      assert.ok(fired.has(rule), `no golden case fires ${rule}`);
    }
  });
});

describe("golden case format", () => {
  const sample = [
    "# adds the numbers",
    "language: typescript",
    "--- prefix",
    "function add(a: number, b: number) {",
    "  ¶",
    "--- suffix",
    "",
    "}",
    "--- completion",
    "return a + b;",
    "}",
    "--- expected",
    "return a + b;",
    "",
  ].join("\n");

  it("reads sections exactly: ¶ marks the end, the newline before a header is not content", () => {
    const c = parseGoldenCase("sample.case", sample);
    assert.equal(c.title, "adds the numbers");
    assert.equal(c.input.prefix, "function add(a: number, b: number) {\n  ");
    assert.equal(c.input.suffix, "\n}");
    assert.equal(c.input.completion, "return a + b;\n}");
    assert.equal(c.expected, "return a + b;");
    assert.equal(checkGoldenCase(c), undefined);
  });

  it("fails a case whose expectation is wrong", () => {
    const wrong = parseGoldenCase("wrong.case", sample.replace("--- expected\nreturn a + b;", "--- expected\nreturn a - b;"));
    assert.match(checkGoldenCase(wrong) ?? "", /expected/);
    const nothing = parseGoldenCase("nothing.case", sample.replace("--- expected\nreturn a + b;\n", "--- expected nothing\n"));
    assert.match(checkGoldenCase(nothing) ?? "", /nothing/);
  });

  it("refuses invisible trailing whitespace at the end of a section", () => {
    assert.throws(() => parseGoldenCase("bad.case", sample.replace("  ¶", "  ")), /¶/);
    assert.throws(() => parseGoldenCase("bad.case", sample.replace("--- suffix\n\n}", "--- suffix\n}\n")), /¶/);
  });

  it("refuses a case with a missing section or an unknown header", () => {
    assert.throws(() => parseGoldenCase("bad.case", sample.replace("--- suffix\n\n}\n", "")), /suffix/);
    assert.throws(() => parseGoldenCase("bad.case", sample.replace("language: typescript", "langauge: typescript")), /langauge/);
  });
});

describe("postprocessCompletion", () => {
  const base: PostprocessInput = { prefix: "", suffix: "", completion: "", languageId: "typescript" };

  it("reports the rules that cut the completion", () => {
    const result = postprocessCompletion({ ...base, prefix: "const result = compute(", suffix: ");\n", completion: "a, b);" });
    assert.deepEqual(result, { text: "a, b", reason: "bracket" });
  });

  it("leaves an untouched completion without a reason", () => {
    assert.deepEqual(postprocessCompletion({ ...base, prefix: "const x = ", suffix: "\n", completion: "42;" }), { text: "42;" });
  });

  it("follows the document's line ending even when only the suffix has one", () => {
    const result = postprocessCompletion({ ...base, prefix: "if (ok) {", suffix: "\r\n}\r\n", completion: "\n  run();\n}" });
    assert.equal(result?.text, "\r\n  run();");
  });

  it("counts a Rust char literal's bracket as text and a lifetime's quote as code", () => {
    const prefix = "fn first<'a>(s: &'a str) -> usize {\n    s.find(|c: char| c == '(').unwrap_or(";
    const result = postprocessCompletion({ ...base, languageId: "rust", prefix, suffix: ")\n}\n", completion: "0))" });
    assert.equal(result?.text, "0");
  });

  it("keeps a closer the suffix does not provide when the suffix's closer belongs further out", () => {
    const prefix = "function f(x) {\n  if (x) {";
    const result = postprocessCompletion({ ...base, prefix, suffix: "\n  return 1;\n}\n", completion: "\n    x++;\n  }\n  return 1;\n}" });
    assert.equal(result?.text, "\n    x++;\n  }");
  });
});

describe("postprocessCompletion properties", () => {
  const SPECIAL = ["<|fim_middle|>", "<|im_end|>", "<|endoftext|>", "<|file_sep|>"];
  const piece = fc.constantFrom(
    "a", "b", "x", "foo", "return", " ", "  ", "\t", "\n", "\r\n", "\n  ", "(", ")", "[", "]", "{", "}",
    "\"", "'", "`", "\"\"\"", "${", "\\", "'a", "//", "#", "/*", "*/", ":", ";", ",", "=>", ".", "```", "```ts\n", "e.g.", "It. ",
    "<|", "|>", ...SPECIAL,
  );
  const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(""));
  const language = fc.constantFrom("typescript", "python", "go", "rust", "java", "json", "markdown", "plaintext", "cobol");
  const input = fc.record({
    prefix: text,
    suffix: text,
    completion: text,
    languageId: language,
    tabSize: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
  });

  it("never suggests whitespace only, never a special token, and only text the model wrote", () => {
    fc.assert(
      fc.property(input, (i) => {
        const trace = tracePostprocess(i);
        if (trace.text === undefined) return;
        assert.ok(trace.text.trim() !== "", "whitespace-only suggestion");
        for (const token of SPECIAL) assert.ok(!trace.text.includes(token), `contains ${token}`);
        let core = trace.text.replace(/\r\n/g, "\n");
        // The one addition: the line break that puts an auto-closed `}` on its own line.
        if (trace.rules.includes("block-close-line")) core = core.replace(/\n[ \t]*$/, "");
        assert.ok(i.completion.replace(/\r\n?/g, "\n").includes(core), `${JSON.stringify(core)} is not from the completion`);
      }),
      { numRuns: Number(process.env.HEARTH_PROPERTY_RUNS ?? 3000) },
    );
  });

  it("answers CRLF documents with CRLF only", () => {
    fc.assert(
      fc.property(input, (i) => {
        const prefix = `${i.prefix.replace(/\r?\n/g, "\r\n")}\r\n`;
        const result = postprocessCompletion({ ...i, prefix, suffix: i.suffix.replace(/\r?\n/g, "\r\n") });
        if (result) assert.ok(!/(^|[^\r])\n/.test(result.text), JSON.stringify(result.text));
      }),
      { numRuns: 1000 },
    );
  });
});
