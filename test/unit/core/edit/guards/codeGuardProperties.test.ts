// Property: the code guard's stripping is stable under changes to comment text only. For
// each language, a program with comment slots; any text that stays a comment (no newline in
// a line comment, no closing marker in a block comment) must leave the verdict "ok", and
// the same generated comments around one changed code token must be caught.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { checkCodeUnchanged, codeGuardLanguages } from "../../../../../src/core/edit/guards";

interface Template {
  readonly languageId: string;
  /** Program text with {L0}, {L1}... line-comment slots and {B0}... block-comment slots. */
  readonly text: string;
  /** A code edit that must be caught whatever the comments say. */
  readonly codeEdit: readonly [string, string];
}

const TEMPLATES: readonly Template[] = [
  {
    languageId: "typescript",
    text: "// {L0}\nexport function f(a: number): number {\n  /* {B0} */ const b = a * 2; // {L1}\n  /** {B1} */\n  return b + `x${a}y`.length;\n}\n",
    codeEdit: ["a * 2", "a * 3"],
  },
  {
    languageId: "python",
    text: "# {L0}\ndef f(a):\n    b = a * 2  # {L1}\n    # {L2}\n    return b\n",
    codeEdit: ["a * 2", "a ** 2"],
  },
  { languageId: "go", text: "package m\n\n// {L0}\nfunc f(a int) int {\n\t/* {B0} */ b := a * 2 // {L1}\n\treturn b\n}\n", codeEdit: ["a * 2", "a << 2"] },
  { languageId: "rust", text: "/// {L0}\nfn f(a: i32) -> i32 {\n    /* {B0} */ let b = a * 2; // {L1}\n    b\n}\n", codeEdit: ["let b", "let mut b"] },
  { languageId: "java", text: "/** {B0} */\nclass A {\n    // {L0}\n    int f(int a) { return a * 2; /* {B1} */ }\n}\n", codeEdit: ["int f", "long f"] },
  { languageId: "cpp", text: "// {L0}\nint f(int a) {\n    /* {B0} */ return a * 2; // {L1}\n}\n", codeEdit: ["return a", "return -a"] },
];

/** Comment text a translation could produce: any script, punctuation, spaces; never a line break. */
const commentText = fc.string({ unit: fc.constantFrom(..."abc XYZ 日本語のコメント 中文 한국어 éß!?.,:;-_()[]{}<>\"'`*/#\\$%@0123456789"), maxLength: 40 });

function fill(template: string, line: readonly string[], block: readonly string[]): string {
  return template.replace(/\{L(\d)\}/g, (_, i: string) => line[Number(i)] ?? "").replace(/\{B(\d)\}/g, (_, i: string) => block[Number(i)] ?? "");
}

describe("code guard properties (fast-check)", () => {
  it("covers every language that has a template", () => {
    for (const t of TEMPLATES) assert.ok(codeGuardLanguages().includes(t.languageId), t.languageId);
  });

  for (const template of TEMPLATES) {
    it(`${template.languageId}: changing only comment text keeps the code unchanged, and a code edit is still caught`, () => {
      const original = fill(template.text, ["first comment", "second comment", "third"], ["block one", "block two"]);
      assert.equal(checkCodeUnchanged(template.languageId, original, original).status, "ok");
      // What keeps a comment a comment: no line break in a line comment, and no trailing backslash
      // (C splices the next line on); no closing marker in a block comment, nor an opening one (Rust nests them).
      // (GCC splices after "\\ " too, so trailing spaces and backslashes both go.)
      const lineComment = commentText.map((t) => t.replace(/[\\\s]+$/, ""));
      const blockComment = fc.tuple(commentText, commentText).map(([a, b]) => `${a}\n${b}`.replace(/\*\//g, "* /").replace(/\/\*/g, "/ *"));
      fc.assert(
        fc.property(fc.array(lineComment, { minLength: 3, maxLength: 3 }), fc.array(blockComment, { minLength: 2, maxLength: 2 }), (lines, blocks) => {
          const proposal = fill(template.text, lines, blocks);
          const report = checkCodeUnchanged(template.languageId, original, proposal);
          assert.equal(report.status, "ok", `${report.summary}\n${proposal}`);
          const edited = proposal.replace(template.codeEdit[0], template.codeEdit[1]);
          assert.notEqual(edited, proposal, "the code edit must apply");
          assert.equal(checkCodeUnchanged(template.languageId, original, edited).status, "violations", edited);
        }),
        { numRuns: 60 },
      );
    });
  }
});
