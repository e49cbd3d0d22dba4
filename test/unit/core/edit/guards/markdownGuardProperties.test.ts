// Property: the Markdown guard lets prose change freely. A document with every protected kind
// of part and prose slots between them stays "ok" whatever plain prose fills the slots, and
// editing any one protected part is still caught.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { checkMarkdownStructure } from "../../../../../src/core/edit/guards";

const TEMPLATE = `---
title: Guide
---

# {P0}

{P1} \`npm ci\` {P2} [{P3}](https://example.com/a) {P4}
<kbd>Ctrl</kbd> {P5} ![{P6}](img/a.png)

\`\`\`sh
npm run build
\`\`\`

## {P7} {#setup}

> {P8} [{P9}][ref]

- {P10}
- {P11} <span class="x">{P12}</span>

[ref]: https://example.com/ref
`;

/** Prose a translation produces, without Markdown syntax characters; leading spaces would indent it into code. */
const prose = fc
  .string({ unit: fc.constantFrom(..."abcxyz ABC 日本語の文章を翻訳する 中文 한국어 éüß,.?、。"), minLength: 1, maxLength: 30 })
  .map((t) => t.trim())
  .filter((t) => t !== "");

const PROTECTED_EDITS: readonly [string, string][] = [
  ["`npm ci`", "`npm シーアイ`"],
  ["https://example.com/a", "https://example.com/ja/a"],
  ["<kbd>Ctrl</kbd>", "<kbd>コントロール</kbd>"],
  ["img/a.png", "img/画像.png"],
  ["npm run build", "npm run ビルド"],
  ["{#setup}", "{#準備}"],
  ["https://example.com/ref", "https://example.com/参照"],
  ['class="x"', 'class="エックス"'],
  ["title: Guide", "title: ガイド"],
];

function fill(slots: readonly string[]): string {
  return TEMPLATE.replace(/\{P(\d+)\}/g, (_, i: string) => slots[Number(i)]);
}

describe("markdown guard properties (fast-check)", () => {
  it("any prose keeps the structure ok, and each protected edit is still caught", () => {
    const original = fill(Array.from({ length: 13 }, (_, i) => `Prose ${i}`));
    assert.equal(checkMarkdownStructure(original, original).status, "ok");
    fc.assert(
      fc.property(fc.array(prose, { minLength: 13, maxLength: 13 }), fc.nat(PROTECTED_EDITS.length - 1), (slots, which) => {
        const proposal = fill(slots);
        const report = checkMarkdownStructure(original, proposal);
        assert.equal(report.status, "ok", `${report.summary}\n${report.issues.map((i) => i.message).join("\n")}\n${proposal}`);
        const [from, to] = PROTECTED_EDITS[which];
        assert.equal(checkMarkdownStructure(original, proposal.replace(from, to)).status, "violations", `${from} → ${to}`);
      }),
      { numRuns: 60 },
    );
  });
});
