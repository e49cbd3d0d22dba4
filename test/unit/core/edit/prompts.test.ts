import assert from "node:assert/strict";
import { answerBudget } from "../../../../src/core/edit/answerBudget";
import { TEMPLATE_MARGIN } from "../../../../src/core/model";
import { EDIT_KINDS, type EditKind } from "../../../../src/core/edit/editKinds";
import { codeLanguage, languagePickOrder, naturalLanguage, remember } from "../../../../src/core/edit/languages";
import { answerTokenBudget, buildEditMessages, buildExplainMessages, surroundings, type EditPromptInput } from "../../../../src/core/edit/prompts";

const base: EditPromptInput = { kind: "refactor", languageId: "typescript", path: "src/greet.ts", target: "function f() {\n  return 1;\n}", wholeFile: false, before: "// head", after: "// tail" };

describe("edit prompts", () => {
  it("is a system message with the one-block rule and a user message with the target inside a fence", () => {
    const [system, user] = buildEditMessages({ ...base, instruction: "rename f to one" });
    assert.equal(system.role, "system");
    assert.match(system.content, /ONLY the requested text inside ONE fenced code block/);
    assert.equal(user.role, "user");
    assert.ok(user.content.includes("```ts\nfunction f() {\n  return 1;\n}\n```"));
    assert.match(user.content, /rename f to one/);
    assert.match(user.content, /context only/);
    assert.ok(user.content.includes("// head") && user.content.includes("// tail"));
  });

  it("leaves out the context blocks for a whole file", () => {
    const [, user] = buildEditMessages({ ...base, wholeFile: true });
    assert.doesNotMatch(user.content, /context only/);
    assert.match(user.content, /The whole file/);
  });

  it("fences a Markdown document with more backticks than its own code blocks", () => {
    const doc = "# T\n\n```sh\nls\n```\n";
    const [, user] = buildEditMessages({ kind: "translateDocument", languageId: "markdown", path: "README.md", target: doc, wholeFile: true, targetLanguage: "Japanese" });
    assert.ok(user.content.includes(`\`\`\`\`markdown\n${doc}\n\`\`\`\``));
    assert.match(user.content, /into Japanese/);
    assert.match(user.content, /code blocks and inline code/);
    assert.match(user.content, /its first line is ````markdown and its last line is ````$/m);
  });

  it("says what each kind asks for and names the target language", () => {
    const kinds: [EditKind, RegExp][] = [
      ["document", /documentation comments/],
      ["fix", /no problem here/],
      ["tests", /unit tests/],
      ["translateComments", /comment text only/],
    ];
    for (const [kind, pattern] of kinds) assert.match(buildEditMessages({ ...base, kind, targetLanguage: "Korean" })[1].content, pattern, kind);
    const fix = buildEditMessages({ ...base, kind: "fix", diagnostics: ["line 2: error: Type 'number' is not assignable"] })[1].content;
    assert.match(fix, /- line 2: error: Type 'number'/);
    const code = buildEditMessages({ ...base, kind: "translateCode", codeLanguage: codeLanguage("rust") })[1].content;
    assert.match(code, /idiomatic Rust/);
    assert.match(code, /its first line is ```rust and its last line is ```$/m);
  });

  it("adds the glossary's rules when there are any", () => {
    const [, user] = buildEditMessages({ ...base, kind: "translateComments", targetLanguage: "Japanese", glossary: "Keep \"Hearth\" untranslated." });
    assert.match(user.content, /Glossary \(follow it exactly\):\nKeep "Hearth" untranslated\./);
  });

  it("asks Explain for Markdown prose, not a block", () => {
    const [system] = buildExplainMessages(base);
    assert.match(system.content, /in Markdown/);
  });

  it("gives each kind a feature: translation of prose is `translate`, the rest `edit`", () => {
    assert.equal(EDIT_KINDS.translateComments.feature, "translate");
    assert.equal(EDIT_KINDS.translateDocument.feature, "translate");
    for (const kind of ["refactor", "explain", "document", "fix", "tests", "translateCode"] as const) assert.equal(EDIT_KINDS[kind].feature, "edit");
  });

  it("shows at most 30 lines of context each side", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line${i}`);
    const text = lines.join("\n");
    const start = text.indexOf("line50");
    const { before, after } = surroundings(text, start, start + "line50".length);
    assert.equal(before.split("\n").length, 30);
    assert.ok(before.endsWith("line49"));
    assert.ok(after.startsWith("line51"));
    assert.equal(after.split("\n").length, 30);
  });

  it("budgets answer tokens by the target's size within bounds", () => {
    assert.equal(answerTokenBudget("refactor", "x"), 256);
    assert.equal(answerTokenBudget("refactor", "x".repeat(100_000)), 8192);
  });

  it("orders languages recent first, then the default, then the rest", () => {
    const order = languagePickOrder("ja", ["de", "fr"]).map((l) => l.tag);
    assert.deepEqual(order.slice(0, 4), ["de", "fr", "ja", "en"]);
    assert.equal(new Set(order).size, order.length);
    for (const tag of ["en", "ja", "zh-CN", "ko", "es", "fr", "de"]) assert.ok(order.includes(tag), tag);
    assert.deepEqual(remember(["a", "b", "c"], "c", 3), ["c", "a", "b"]);
    assert.deepEqual(remember(["a", "b", "c"], "d", 3), ["d", "a", "b"]);
  });
});

describe("edit answer budget", () => {
  it("keeps the wanted budget when the context is unknown or roomy", () => {
    assert.deepEqual(answerBudget({ promptTokens: 500, targetTokens: 100, wanted: 300, contextTokens: undefined, rewrites: true }), { ok: true, maxTokens: 300 });
    assert.deepEqual(answerBudget({ promptTokens: 500, targetTokens: 100, wanted: 300, contextTokens: 32_768, rewrites: true }), { ok: true, maxTokens: 300 });
  });

  it("shrinks the answer to what is left of the context", () => {
    assert.deepEqual(answerBudget({ promptTokens: 1500, targetTokens: 200, wanted: 800, contextTokens: 2048, rewrites: true }), { ok: true, maxTokens: 2048 - 1500 - TEMPLATE_MARGIN });
  });

  it("refuses when the rewrite cannot fit, saying how much it needs", () => {
    assert.deepEqual(answerBudget({ promptTokens: 1800, targetTokens: 700, wanted: 1000, contextTokens: 2048, rewrites: true }), { ok: false, needed: 1800 + TEMPLATE_MARGIN + 700, available: 2048 });
    assert.equal(answerBudget({ promptTokens: 1800, targetTokens: 700, wanted: 1000, contextTokens: 2048, rewrites: false }).ok, true);
  });
});

describe("natural language lookup", () => {
  it("finds a language by tag, region tag, or English name, and never guesses a Chinese script", () => {
    assert.equal(naturalLanguage("ja")?.english, "Japanese");
    assert.equal(naturalLanguage("ja-JP")?.english, "Japanese");
    assert.equal(naturalLanguage("zh-cn")?.english, "Simplified Chinese");
    assert.equal(naturalLanguage("zh-HK"), undefined);
    assert.equal(naturalLanguage("German")?.tag, "de");
    assert.equal(naturalLanguage("xx"), undefined);
  });
});
