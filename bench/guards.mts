// npm run bench:guards -- [--lines 5000] [--runs 5]
//
// Times the edit/translate guards on large inputs, the way the edit command runs them after a
// model answers: the code guard on a TypeScript and a Python file of about --lines lines whose
// comments were all translated, the Markdown guard on a long translated document, and the
// glossary check on it. Prints one JSON object: median milliseconds per guard and input size.
//
// Target: a guard must not be the slow part of showing a diff, which follows a model writing
// the whole file (minutes for 5,000 lines): under 1 s for 5,000 lines. Lezer's two parses are
// most of the code guard's time.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkCodeUnchanged, checkGlossary, checkMarkdownStructure, parseGlossary } from "../src/core/edit/guards/index.js";

const { values } = parseArgs({ options: { lines: { type: "string", default: "5000" }, runs: { type: "string", default: "5" } } });
const targetLines = Number(values.lines);
const runs = Number(values.runs);
const cases = join(import.meta.dirname, "../test/unit/core/edit/guards/cases");

function read(path: string): string {
  return readFileSync(join(cases, path), "utf8");
}

/** Repeats a file's text until it has about `lines` lines. */
function grow(text: string, lines: number): string {
  const per = text.split("\n").length;
  return Array.from({ length: Math.max(1, Math.round(lines / per)) }, () => text).join("\n");
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] * 10) / 10;
}

function time(fn: () => unknown): number {
  const times: number[] = [];
  fn(); // warm: the grammars load on first use
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

const result: Record<string, { lines: number; medianMs: number; status: string }> = {};
for (const [name, languageId, folder, ext] of [
  ["typescript", "typescript", "ts-pass-comments-translated-ja", "ts"],
  ["python", "python", "py-pass-comments-translated-ja", "py"],
] as const) {
  const original = grow(read(`code-unchanged/${folder}/original.${ext}`), targetLines);
  const proposal = grow(read(`code-unchanged/${folder}/proposal.${ext}`), targetLines);
  const status = checkCodeUnchanged(languageId, original, proposal).status;
  result[`code-${name}`] = { lines: original.split("\n").length, medianMs: time(() => checkCodeUnchanged(languageId, original, proposal)), status };
}
{
  const original = grow(read("markdown-structure/pass-prose-translated-ja/original.md").replace(/^---[\s\S]*?---\n/, ""), targetLines);
  const proposal = grow(read("markdown-structure/pass-prose-translated-ja/proposal.md").replace(/^---[\s\S]*?---\n/, ""), targetLines);
  const status = checkMarkdownStructure(original, proposal).status;
  result.markdown = { lines: original.split("\n").length, medianMs: time(() => checkMarkdownStructure(original, proposal)), status };
  const parsed = parseGlossary(read("glossary/pass-ja-kept-and-fixed-terms/glossary.json"));
  if (!parsed.ok) throw new Error("bench glossary does not parse");
  const source = grow(read("glossary/pass-ja-kept-and-fixed-terms/original.md"), targetLines);
  const translated = grow(read("glossary/pass-ja-kept-and-fixed-terms/proposal.md"), targetLines);
  result.glossary = { lines: source.split("\n").length, medianMs: time(() => checkGlossary(parsed.glossary, source, translated, "ja")), status: checkGlossary(parsed.glossary, source, translated, "ja").status };
}
console.log(JSON.stringify({ bench: "guards", runs, results: result }, null, 2));
