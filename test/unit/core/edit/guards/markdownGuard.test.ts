// The Markdown guard beyond the golden cases: front matter edge cases, anchors, and what
// counts as prose.
import * as assert from "node:assert/strict";
import { checkMarkdownStructure } from "../../../../../src/core/edit/guards";
import { slugify, uniqueSlugs } from "../../../../../src/core/edit/guards/headingSlug";

describe("markdown guard", () => {
  it("lets prose, emphasis and link text change freely", () => {
    const report = checkMarkdownStructure("Some *bold* text with [a link](https://a.example).\n", "**太字**の文と[リンク](https://a.example)。\n");
    assert.equal(report.status, "ok", report.summary);
  });

  it("treats CRLF and LF as the same, inside code blocks and front matter too", () => {
    assert.equal(checkMarkdownStructure("---\na: 1\n---\n# Title\n\nText `code`.\n\n```\nx\ny\n```\n", "---\r\na: 1\r\n---\r\n# タイトル\r\n\r\n文 `code`。\r\n\r\n```\r\nx\r\ny\r\n```\r\n").status, "ok");
  });

  it("reads front matter closed by ... and reports one added where there was none", () => {
    assert.equal(checkMarkdownStructure("---\na: 1\n...\nText\n", "---\na: 1\n...\n文\n").status, "ok");
    const added = checkMarkdownStructure("Text\n", "---\na: 1\n---\nText\n");
    assert.equal(added.status, "violations");
    assert.match(added.issues[0].message, /Front matter added/);
  });

  it("reads TOML front matter between +++ lines", () => {
    assert.equal(checkMarkdownStructure("+++\ntitle = 'A'\n+++\nText\n", "+++\ntitle = 'あ'\n+++\n文\n").status, "violations");
  });

  it("keeps a bare https:// URL in prose, as GitHub links it, but not a scheme-less name", () => {
    const original = "See https://example.com/docs for more, or example.com.\n";
    assert.equal(checkMarkdownStructure(original, "詳しくは https://example.com/docs を、または example.com を参照。\n").status, "ok");
    const report = checkMarkdownStructure(original, "詳しくは https://example.com/ja/docs を参照。\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /Link target changed/);
  });

  it("does not take a thematic break later in the file for front matter", () => {
    assert.equal(checkMarkdownStructure("Text\n\n---\n\nMore\n", "文\n\n---\n\nもっと\n").status, "ok");
  });

  it("reports a removed heading", () => {
    const report = checkMarkdownStructure("# A\n\ntext\n\n## B\n", "# A\n\ntext\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /Headings changed: the original has 2, the proposal 1/);
  });

  it("catches a translated heading linked by an encoded Japanese anchor", () => {
    const original = "## 使い方\n\nSee [usage](#%E4%BD%BF%E3%81%84%E6%96%B9).\n";
    const report = checkMarkdownStructure(original, "## Usage\n\nSee [usage](#%E4%BD%BF%E3%81%84%E6%96%B9).\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /#使い方 to #usage/);
  });

  it("allows a linked heading to be translated when the proposal keeps its anchor explicitly", () => {
    const original = "## Usage\n\nSee [usage](#usage).\n";
    assert.equal(checkMarkdownStructure(original, "## 使い方 {#usage}\n\n[使い方](#usage)を参照。\n").status, "ok");
    assert.equal(checkMarkdownStructure(original, '## 使い方 <a name="usage"></a>\n\n[使い方](#usage)を参照。\n').status, "ok");
  });

  it("keeps the text inside <code> and <kbd> literal, but not inside <em>", () => {
    assert.equal(checkMarkdownStructure("Use <code>npm ci</code>.\n", "<code>npm ci</code> を使う。\n").status, "ok");
    assert.equal(checkMarkdownStructure("Use <code>npm ci</code>.\n", "<code>npm シーアイ</code> を使う。\n").status, "violations");
    assert.equal(checkMarkdownStructure("An <em>important</em> note.\n", "<em>重要な</em>注意。\n").status, "ok");
  });

  it("shows the first differing line of a long code block, at its own line number", () => {
    const original = "Intro\n\n```js\nconst a = 1;\nconst b = 2;\n```\n";
    const report = checkMarkdownStructure(original, "はじめに\n\n```js\nconst a = 1;\nconst b = 3;\n```\n");
    assert.deepEqual(report.issues, [{ message: 'Code block changed: expected "const b = 2;", found "const b = 3;".', originalLine: 5, proposalLine: 5 }]);
  });

  it("gives the right lines for inline code in table cells, nested lists and quotes", () => {
    const original = "# T\n\n| a | b |\n|---|---|\n| `x` | y |\n| `z` | w |\n\n- item `q`\n  - nested `r`\n\n> quote `s`\n";
    const proposal = original.replace("`z`", "`ゼット`").replace("`r`", "`アール`").replace("`s`", "`エス`").replace("item", "項目");
    assert.deepEqual(
      checkMarkdownStructure(original, proposal).issues.map((i) => [i.originalLine, i.proposalLine]),
      [
        [6, 6],
        [9, 9],
        [11, 11],
      ],
    );
  });

  it("says not-checked for a document too large to check on the editor's thread", () => {
    const huge = "Some prose with `code`.\n\n".repeat(50_000);
    assert.equal(checkMarkdownStructure(huge, huge).status, "not-checked");
  });

  it("reports a code block that the translation dropped", () => {
    const report = checkMarkdownStructure("A\n\n```\nx\n```\n\nB\n", "あ\n\nい\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /Code block removed/);
  });
});

describe("heading slugs", () => {
  it("follows GitHub: lower case, punctuation dropped, spaces to hyphens, any script kept", () => {
    assert.equal(slugify("Getting Started!"), "getting-started");
    assert.equal(slugify("API: v2.0 (beta)"), "api-v20-beta");
    assert.equal(slugify("はじめに　ガイド"), "はじめにガイド");
  });

  it("numbers repeated headings", () => {
    assert.deepEqual(uniqueSlugs(["Intro", "Intro", "Intro"]), ["intro", "intro-1", "intro-2"]);
  });
});
