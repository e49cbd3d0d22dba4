// The glossary's two uses: lines for the prompt that tell the model the team's terms, and a
// check afterwards that it followed them. The check counts: a kept term found 3 times in the
// source must be found at least 3 times in the proposal, and a term with a fixed translation
// found n times needs its translation at least n times. Counting cannot tell which sentence
// lost a term, so an issue points at the term's first line in the original.
import type { Glossary } from "./glossary";
import { LineIndex } from "./lineIndex";
import { languageName, pickForLanguage } from "./targetLanguages";
import { findTerm } from "./termMatch";
import { MAX_ISSUES, type GuardIssue, type GuardReport } from "./types";

export function glossaryInstructions(glossary: Glossary, targetLanguage: string): string {
  const lines: string[] = [];
  if (glossary.keep.length > 0) {
    lines.push(`Keep these terms exactly as written; do not translate them: ${glossary.keep.map((t) => `"${t}"`).join(", ")}.`);
  }
  const fixed = fixedTranslations(glossary, targetLanguage);
  if (fixed.length > 0) {
    lines.push(`Translate these terms into ${languageName(targetLanguage)} exactly this way, every time:`);
    for (const { source, target } of fixed) lines.push(`- "${source}" → "${target}"`);
  }
  if (lines.length === 0) return "";
  return ["Glossary (the team's terms; follow it strictly):", ...lines].join("\n");
}

export function checkGlossary(glossary: Glossary, source: string, proposal: string, targetLanguage: string): GuardReport {
  const sourceLines = new LineIndex(source.normalize("NFC"));
  const proposalLines = new LineIndex(proposal.normalize("NFC"));
  const issues: GuardIssue[] = [];
  let checked = 0;

  for (const term of glossary.keep) {
    const inSource = findTerm(source, term);
    if (inSource.length === 0) continue;
    checked++;
    const inProposal = findTerm(proposal, term);
    if (inProposal.length < inSource.length) {
      issues.push({
        message: `"${term}" must stay untranslated: the original has it ${times(inSource.length)}, the proposal ${times(inProposal.length)}.`,
        originalLine: sourceLines.lineAt(inSource[0]),
        proposalLine: inProposal.length > 0 ? proposalLines.lineAt(inProposal[0]) : undefined,
      });
    }
  }
  for (const { source: term, target } of fixedTranslations(glossary, targetLanguage)) {
    const inSource = findTerm(source, term);
    if (inSource.length === 0) continue;
    checked++;
    // Text already in the target language may hold the translation before any is made.
    const already = findTerm(source, target).length;
    const inProposal = findTerm(proposal, target);
    if (inProposal.length < inSource.length + already) {
      const before = already > 0 ? ` (and "${target}" ${times(already)})` : "";
      issues.push({
        message: `"${term}" must be translated as "${target}": the original has the term ${times(inSource.length)}${before}, the proposal has "${target}" ${times(inProposal.length)}.`,
        originalLine: sourceLines.lineAt(inSource[0]),
        proposalLine: inProposal.length > 0 ? proposalLines.lineAt(inProposal[0]) : undefined,
      });
    }
  }

  if (issues.length > 0) {
    return {
      guard: "glossary",
      status: "violations",
      summary: `${issues.length} glossary ${issues.length === 1 ? "term was" : "terms were"} not followed (.hearth/glossary.json).`,
      issues: issues.slice(0, MAX_ISSUES),
    };
  }
  const summary = checked === 0 ? "No glossary term occurs in the original." : `Glossary followed: ${checked} ${checked === 1 ? "term" : "terms"} checked.`;
  return { guard: "glossary", status: "ok", summary, issues: [] };
}

function fixedTranslations(glossary: Glossary, targetLanguage: string): { source: string; target: string }[] {
  const out: { source: string; target: string }[] = [];
  for (const [source, byLanguage] of glossary.translate) {
    const target = pickForLanguage(byLanguage, targetLanguage);
    if (target !== undefined) out.push({ source, target });
  }
  return out;
}

function times(n: number): string {
  return n === 1 ? "once" : `${n} times`;
}
