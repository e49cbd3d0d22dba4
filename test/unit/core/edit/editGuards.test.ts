import assert from "node:assert/strict";
import { guardHeadline, guardReportMarkdown, hasViolations, mergeReports, runGuards, shiftLines } from "../../../../src/core/edit/editGuards";
import { parseGlossary, type Glossary, type GuardReport } from "../../../../src/core/edit/guards";

const violation: GuardReport = { guard: "code-unchanged", status: "violations", summary: "Code changed on 1 line.", issues: [{ message: "`x = 1` became `x = 2`", originalLine: 2, proposalLine: 2 }] };

describe("edit guards wiring", () => {
  it("checks comment translation for unchanged code and the glossary, Markdown translation for structure", () => {
    const parsed = parseGlossary('{ "keep": ["Hearth"] }');
    assert.ok(parsed.ok);
    const glossary: Glossary = parsed.glossary;
    assert.deepEqual(runGuards({ kind: "translateComments", languageId: "python", original: "# a\n", proposal: "# b\n", glossary, targetLanguage: "Japanese" }).map((r) => r.guard), ["code-unchanged", "glossary"]);
    assert.deepEqual(runGuards({ kind: "translateDocument", languageId: "markdown", original: "a", proposal: "b" }).map((r) => r.guard), ["markdown-structure"]);
    assert.deepEqual(runGuards({ kind: "translateDocument", languageId: "plaintext", original: "a", proposal: "b" }), []);
    assert.deepEqual(runGuards({ kind: "refactor", languageId: "python", original: "a", proposal: "b", glossary }), []);
  });

  it("never reports a check it could not make as passed", () => {
    const reports = runGuards({ kind: "translateDocument", languageId: "markdown", original: "a", proposal: "b" });
    assert.ok(reports.every((r) => r.status !== "ok" || r.summary !== ""));
    const unchecked = reports.filter((r) => r.status === "not-checked");
    for (const r of unchecked) assert.match(guardHeadline([r]) ?? "", /not checked/i);
  });

  it("asks for Accept anyway only on violations, and names them first", () => {
    const unchecked: GuardReport = { guard: "glossary", status: "not-checked", summary: "Glossary not checked.", issues: [] };
    assert.equal(hasViolations([unchecked]), false);
    assert.equal(hasViolations([unchecked, violation]), true);
    assert.equal(guardHeadline([unchecked, violation]), "Code changed on 1 line.");
    assert.equal(guardHeadline([]), undefined);
  });

  it("moves a target's line numbers to where it sits in the file, and merges targets' reports", () => {
    const shifted = shiftLines(violation, 10, 12);
    assert.deepEqual(shifted.issues[0], { message: violation.issues[0].message, originalLine: 12, proposalLine: 14 });
    const ok: GuardReport = { guard: "code-unchanged", status: "ok", summary: "Code unchanged.", issues: [] };
    const merged = mergeReports([ok, shifted]);
    assert.equal(merged.length, 1);
    assert.equal(merged[0].status, "violations");
    assert.equal(merged[0].issues.length, 1);
  });

  it("writes a report with each changed line", () => {
    const text = guardReportMarkdown("a.py", [violation]);
    assert.match(text, /## Code unchanged: VIOLATIONS/);
    assert.match(text, /- original line 2, proposal line 2: `x = 1` became `x = 2`/);
  });
});
