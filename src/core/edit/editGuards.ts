// Which guards check which answer, and what their verdict means for Accept. Translating
// comments must leave the code alone; translating a Markdown document must keep its
// structure; every translation must follow the glossary. A violation means Accept needs an
// explicit "Accept anyway"; "not-checked" is said plainly, never shown as a pass.
import type { EditKind } from "./editKinds";
import type { EditProposal } from "./editProposal";
import { checkCodeUnchanged, checkGlossary, checkMarkdownStructure, type Glossary, type GuardReport } from "./guards";

export interface GuardInput {
  readonly kind: EditKind;
  readonly languageId: string;
  readonly original: string;
  readonly proposal: string;
  /** English name of the target language (translations). */
  readonly targetLanguage?: string;
  readonly glossary?: Glossary;
}

export function runGuards(input: GuardInput): GuardReport[] {
  const reports: GuardReport[] = [];
  if (input.kind === "translateComments") reports.push(checkCodeUnchanged(input.languageId, input.original, input.proposal));
  if (input.kind === "translateDocument" && input.languageId === "markdown") reports.push(checkMarkdownStructure(input.original, input.proposal));
  if ((input.kind === "translateComments" || input.kind === "translateDocument") && input.glossary !== undefined) {
    reports.push(checkGlossary(input.glossary, input.original, input.proposal, input.targetLanguage ?? "English"));
  }
  return reports;
}

/** Every guard that applies, on each target of a proposal, with its lines counted in the whole document. */
export function checkProposal(proposal: EditProposal, context: { readonly languageId: string; readonly targetLanguage?: string; readonly glossary?: Glossary }): GuardReport[] {
  return mergeReports(
    proposal.targets.flatMap((target, i) =>
      runGuards({ kind: proposal.kind, languageId: context.languageId, original: target.original, proposal: target.replacement ?? target.original, targetLanguage: context.targetLanguage, glossary: context.glossary }).map((report) =>
        shiftLines(report, proposal.originalStartLine(i), proposal.proposalStartLine(i)),
      ),
    ),
  );
}

export function hasViolations(reports: readonly GuardReport[]): boolean {
  return reports.some((r) => r.status === "violations");
}

/** One line for the notification: the violations first, then what was not checked. */
export function guardHeadline(reports: readonly GuardReport[]): string | undefined {
  const violations = reports.filter((r) => r.status === "violations");
  if (violations.length > 0) return violations.map((r) => r.summary).join(" ");
  const unchecked = reports.filter((r) => r.status === "not-checked");
  if (unchecked.length > 0) return unchecked.map((r) => r.summary).join(" ");
  return undefined;
}

const GUARD_TITLES: Readonly<Record<GuardReport["guard"], string>> = {
  "code-unchanged": "Code unchanged",
  "markdown-structure": "Markdown structure",
  glossary: "Glossary",
};

const STATUS_WORDS: Readonly<Record<GuardReport["status"], string>> = {
  ok: "passed",
  violations: "VIOLATIONS",
  "not-checked": "not checked",
};

/** A Markdown report of every guard, with the changed lines, for the user to read before Accept anyway. */
export function guardReportMarkdown(fileName: string, reports: readonly GuardReport[]): string {
  const lines = [`# Hearth checks for ${fileName}`, ""];
  if (reports.length === 0) lines.push("No checks apply to this kind of change.");
  for (const report of reports) {
    lines.push(`## ${GUARD_TITLES[report.guard]}: ${STATUS_WORDS[report.status]}`, "", report.summary, "");
    for (const issue of report.issues) {
      const where = [issue.originalLine !== undefined ? `original line ${issue.originalLine}` : "", issue.proposalLine !== undefined ? `proposal line ${issue.proposalLine}` : ""].filter((s) => s !== "").join(", ");
      lines.push(`- ${where !== "" ? `${where}: ` : ""}${issue.message}`);
    }
    if (report.issues.length > 0) lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

/** Reports of a target whose line numbers are shifted to where the target sits in the files. */
export function shiftLines(report: GuardReport, originalOffset: number, proposalOffset: number): GuardReport {
  if (originalOffset === 0 && proposalOffset === 0) return report;
  return {
    ...report,
    issues: report.issues.map((issue) => ({
      message: issue.message,
      ...(issue.originalLine !== undefined ? { originalLine: issue.originalLine + originalOffset } : {}),
      ...(issue.proposalLine !== undefined ? { proposalLine: issue.proposalLine + proposalOffset } : {}),
    })),
  };
}

/** Joins per-target reports of the same guard into one. */
export function mergeReports(reports: readonly GuardReport[]): GuardReport[] {
  const byGuard = new Map<GuardReport["guard"], GuardReport[]>();
  for (const r of reports) byGuard.set(r.guard, [...(byGuard.get(r.guard) ?? []), r]);
  return [...byGuard.values()].map((group) => {
    if (group.length === 1) return group[0];
    const status = group.some((r) => r.status === "violations") ? "violations" : group.some((r) => r.status === "not-checked") ? "not-checked" : "ok";
    const summaries = [...new Set(group.filter((r) => r.status === status).map((r) => r.summary))];
    return { guard: group[0].guard, status, summary: summaries.join(" "), issues: group.flatMap((r) => r.issues) };
  });
}
