// Golden cases for the edit/translate guards: one folder per case under cases/<guard>/<name>/
// with original.<ext>, proposal.<ext> and expected.json; glossary cases add glossary.json.
//
// expected.json: { "status": "ok" | "violations" | "not-checked",
//                  "issueLines": [[originalLine | null, proposalLine | null], ...]   (in report order),
//                  "messageIncludes"?: ["text every listed string must appear in some issue"],
//                  "languageId"?: "typescript" (code cases), "targetLanguage"?: "ja" (glossary cases) }
//
// Where an issue is code added or removed, the side that lacks it points at the line of its next
// code token (or its last, at the end of the file): that is where the change sits.
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkCodeUnchanged, checkGlossary, checkMarkdownStructure, parseGlossary, type GuardReport } from "../../../../../src/core/edit/guards";

interface Expected {
  readonly status: GuardReport["status"];
  readonly issueLines: readonly (readonly [number | null, number | null])[];
  readonly messageIncludes?: readonly string[];
  readonly languageId?: string;
  readonly targetLanguage?: string;
}

const CASES = join(__dirname, "cases");

/** At least this many cases per guard, so a lost folder cannot turn the suite green by running nothing. */
const MINIMUM_CASES: Record<string, number> = { "code-unchanged": 60, "markdown-structure": 10, glossary: 6 };

function fileStartingWith(dir: string, prefix: string): string {
  const name = readdirSync(dir).find((f) => f.startsWith(`${prefix}.`));
  if (name === undefined) throw new Error(`${dir} has no ${prefix}.<ext> file`);
  return readFileSync(join(dir, name), "utf8");
}

function runCase(guard: string, dir: string, expected: Expected): GuardReport {
  const original = fileStartingWith(dir, "original");
  const proposal = fileStartingWith(dir, "proposal");
  switch (guard) {
    case "code-unchanged":
      return checkCodeUnchanged(expected.languageId ?? "", original, proposal);
    case "markdown-structure":
      return checkMarkdownStructure(original, proposal);
    case "glossary": {
      const parsed = parseGlossary(readFileSync(join(dir, "glossary.json"), "utf8"));
      if (!parsed.ok) throw new Error(`glossary.json does not parse: ${JSON.stringify(parsed.errors)}`);
      return checkGlossary(parsed.glossary, original, proposal, expected.targetLanguage ?? "");
    }
    default:
      throw new Error(`unknown guard folder "${guard}"`);
  }
}

describe("edit guards: golden cases", () => {
  for (const guard of readdirSync(CASES).sort()) {
    describe(guard, () => {
      const names = readdirSync(join(CASES, guard)).sort();
      it(`has at least ${MINIMUM_CASES[guard] ?? 1} cases`, () => {
        assert.ok(names.length >= (MINIMUM_CASES[guard] ?? 1), `${names.length} cases`);
      });
      for (const name of names) {
        it(name, () => {
          const dir = join(CASES, guard, name);
          const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;
          const report = runCase(guard, dir, expected);
          const explain = `\n${report.summary}\n${report.issues.map((i) => `  ${i.originalLine ?? "-"}/${i.proposalLine ?? "-"} ${i.message}`).join("\n")}`;
          assert.equal(report.guard, guard);
          assert.equal(report.status, expected.status, explain);
          const lines = report.issues.map((i) => [i.originalLine ?? null, i.proposalLine ?? null]);
          assert.deepEqual(lines, expected.issueLines, explain);
          const messages = report.issues.map((i) => i.message).join("\n");
          for (const text of expected.messageIncludes ?? []) assert.ok(messages.includes(text), `no issue mentions ${JSON.stringify(text)}${explain}`);
          // A report is either clean or explains itself.
          assert.equal(report.status === "violations", report.issues.length > 0, explain);
          assert.ok(report.summary.length > 0);
        });
      }
    });
  }
});
