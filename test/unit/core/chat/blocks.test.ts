// The streaming renderer re-renders only the answer's last block; these are the cuts it relies on.
import assert from "node:assert/strict";
import MarkdownIt from "markdown-it";
import { scanBlocks, START_SCAN, type BlockScan } from "../../../../media/chat/blocks";

const md = new MarkdownIt({ html: false, linkify: true });

/** Cuts found when the text arrives in pieces of `step` characters. */
function cutsStreamed(text: string, step: number): number[] {
  let scan: BlockScan = START_SCAN;
  const cuts: number[] = [];
  for (let end = step; end < text.length + step; end += step) {
    const result = scanBlocks(text.slice(0, Math.min(end, text.length)), scan);
    cuts.push(...result.cuts);
    scan = result.scan;
  }
  return cuts;
}

const SAMPLE = [
  "# Title\n\nA paragraph with `code` and **bold**.\n\n",
  "- one\n- two\n\n  continued in the item\n\n",
  "```ts\nconst a = 1;\n\nconst b = 2;\n```\n",
  "After the fence.\n\n",
  "1. first\n2. second\n\n3. third\n\n",
  "> quote\n>\n> more\n\n",
  "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
  "Text right before a fence:\n```\nplain\n\n\n```\nend\n",
].join("");

describe("streaming block cuts", () => {
  it("finds the same cuts however the text is split into pieces", () => {
    const whole = scanBlocks(SAMPLE, START_SCAN).cuts;
    assert.ok(whole.length >= 7, JSON.stringify(whole));
    for (const step of [1, 3, 17, 100]) assert.deepEqual(cutsStreamed(SAMPLE, step), whole, `pieces of ${step}`);
  });

  it("never cuts inside a code fence or an indented continuation", () => {
    const cuts = scanBlocks(SAMPLE, START_SCAN).cuts;
    for (const cut of cuts) {
      const before = SAMPLE.slice(0, cut);
      const fences = (before.match(/^```/gm) ?? []).length;
      assert.equal(fences % 2, 0, `cut at ${cut} is inside a fence: ${JSON.stringify(SAMPLE.slice(cut, cut + 20))}`);
      assert.ok(!/^\s/.test(SAMPLE.slice(cut)), `cut at ${cut} starts an indented line`);
    }
  });

  it("rendering block by block shows the same text as rendering the whole", () => {
    const cuts = [0, ...scanBlocks(SAMPLE, START_SCAN).cuts, SAMPLE.length];
    const pieces = cuts.slice(1).map((end, i) => md.render(SAMPLE.slice(cuts[i], end))).join("");
    const text = (html: string): string => html.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();
    assert.equal(text(pieces), text(md.render(SAMPLE)));
  });

  it("makes no cuts in a fence that is still open", () => {
    const open = "Intro.\n\n```py\nx = 1\n\n\ny = 2\n\nz = 3\n";
    assert.deepEqual(scanBlocks(open, START_SCAN).cuts, [8]);
  });
});
