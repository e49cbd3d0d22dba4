// Guard for "translate comments and docs only": the proposal's code tokens must equal the
// original's. A difference is reported per hunk, with lines on both sides and the tokens that
// were expected and found, so the diff view can point at them before the user accepts.
import { codeLanguage, codeLanguageIds } from "./codeLanguages";
import { BLOCK_END, BLOCK_START, codeTokens, CONTINUED_COMMENT, DIRECTIVE_PREFIX, STRING_PLACEHOLDER, type CodeToken } from "./codeTokens";
import { placeholderDifference } from "./formatPlaceholders";
import { LineIndex } from "./lineIndex";
import { diffSequences, type Hunk } from "./sequenceDiff";
import { MAX_GUARD_INPUT_CHARS, MAX_ISSUES, type GuardIssue, type GuardReport } from "./types";

/** Placeholder tokens, as a person reads them. */
const READABLE = new Map([
  [STRING_PLACEHOLDER, "(a string)"],
  [BLOCK_START, "(indented block start)"],
  [BLOCK_END, "(indented block end)"],
  [CONTINUED_COMMENT, "(a // comment ending in \\, which hides the next line)"],
]);

/** How many tokens of a hunk an issue message quotes on each side. */
const QUOTED_TOKENS = 8;

export function codeGuardLanguages(): readonly string[] {
  return codeLanguageIds();
}

export function checkCodeUnchanged(languageId: string, original: string, proposal: string): GuardReport {
  const language = codeLanguage(languageId);
  if (language === undefined) {
    return {
      guard: "code-unchanged",
      status: "not-checked",
      summary: `Code NOT checked: Hearth has no parser for "${languageId}", so it cannot tell whether only comments changed. Review the whole diff yourself.`,
      issues: [],
    };
  }
  if (original.length > MAX_GUARD_INPUT_CHARS || proposal.length > MAX_GUARD_INPUT_CHARS) {
    return {
      guard: "code-unchanged",
      status: "not-checked",
      summary: `Code NOT checked: the text is over ${MAX_GUARD_INPUT_CHARS / 1_000_000} million characters, too large to parse without freezing the editor. Select a smaller part, or review the whole diff yourself.`,
      issues: [],
    };
  }
  const before = codeTokens(language, original);
  const after = codeTokens(language, proposal);
  const originalLines = new LineIndex(original);
  const proposalLines = new LineIndex(proposal);
  const issues: GuardIssue[] = [];

  // The model broke the syntax: say so first, it explains every token difference that follows.
  // A selection (one function, a method body) may not parse on its own; then only more errors than the original had count.
  const syntaxBroken = after.errorCount > before.errorCount && after.firstErrorAt !== undefined;
  if (syntaxBroken && after.firstErrorAt !== undefined) {
    const message =
      before.errorCount === 0
        ? "The proposal no longer parses: the translation broke the code's syntax here."
        : `The proposal has more syntax errors than the original (${after.errorCount} against ${before.errorCount}): the translation broke the code's syntax; the first error is here.`;
    issues.push({ message, proposalLine: proposalLines.lineAt(after.firstErrorAt) });
  }

  const hunks = diffSequences(
    before.tokens.map((t) => t.text),
    after.tokens.map((t) => t.text),
  );
  for (const hunk of hunks) issues.push(describeHunk(hunk, before.tokens, after.tokens, originalLines, proposalLines));

  // With the tokens aligned one to one, the strings can be compared pairwise.
  let changedStrings = 0;
  let placeholderIssues = 0;
  if (hunks.length === 0) {
    before.tokens.forEach((token, i) => {
      const other = after.tokens[i];
      if (token.raw === undefined || other.raw === undefined || token.raw === other.raw) return;
      changedStrings++;
      const { missing, extra } = placeholderDifference(token.raw, other.raw);
      if (missing.length === 0 && extra.length === 0) return;
      placeholderIssues++;
      const lost = missing.length > 0 ? `lost ${missing.join(" ")}` : "";
      const gained = extra.length > 0 ? `gained ${extra.join(" ")}` : "";
      issues.push({
        message: `A translated string ${[lost, gained].filter((t) => t !== "").join(" and ")}: format placeholders must be kept, or the formatting call breaks.`,
        originalLine: originalLines.lineAt(token.from),
        proposalLine: proposalLines.lineAt(other.from),
      });
    });
  }

  const caveat = before.errorCount > 0 ? " The original does not parse on its own (as with part of a file), so the comparison is best effort." : "";
  if (issues.length === 0) {
    const strings = changedStrings === 0 ? "" : ` ${changedStrings} string ${changedStrings === 1 ? "literal was" : "literals were"} translated: check none is a key, tag or identifier.`;
    return { guard: "code-unchanged", status: "ok", summary: `Code unchanged: ${before.tokens.length} code tokens compared; only comments, docs and string text differ.${strings}${caveat}`, issues: [] };
  }
  const findings: string[] = [];
  if (syntaxBroken) findings.push("the proposal no longer parses");
  if (hunks.length > 0) findings.push(`its code changed in ${hunks.length === 1 ? "1 place" : `${hunks.length} places`}`);
  if (placeholderIssues > 0) findings.push(`${placeholderIssues} translated ${placeholderIssues === 1 ? "string" : "strings"} lost or gained format placeholders`);
  const sentence = findings.join(", and ");
  return {
    guard: "code-unchanged",
    status: "violations",
    summary: `Not only comments and docs changed: ${sentence}. Review these lines before accepting.${caveat}`,
    issues: issues.slice(0, MAX_ISSUES),
  };
}

function describeHunk(hunk: Hunk, a: readonly CodeToken[], b: readonly CodeToken[], aLines: LineIndex, bLines: LineIndex): GuardIssue {
  const removed = a.slice(hunk.aStart, hunk.aEnd);
  const added = b.slice(hunk.bStart, hunk.bEnd);
  // An insertion has no token of its own in the original: point at the token it was inserted before (or after, at the end).
  const originalLine = lineNear(a, hunk.aStart, aLines);
  const proposalLine = lineNear(b, hunk.bStart, bLines);
  let message: string;
  if (added.length === 0) message = `Code removed: expected ${quote(removed)}, found nothing.`;
  else if (removed.length === 0) message = `Code added: expected nothing, found ${quote(added)}.`;
  else message = `Code changed: expected ${quote(removed)}, found ${quote(added)}.`;
  return { message, originalLine, proposalLine };
}

function lineNear(tokens: readonly CodeToken[], index: number, lines: LineIndex): number | undefined {
  const token = tokens[index] ?? tokens[index - 1];
  return token === undefined ? undefined : lines.lineAt(token.from);
}

function quote(tokens: readonly CodeToken[]): string {
  const shown = tokens.slice(0, QUOTED_TOKENS).map((t) => READABLE.get(t.text) ?? (t.text.startsWith(DIRECTIVE_PREFIX) ? `(the comment directive "${t.text.slice(DIRECTIVE_PREFIX.length, -1)}")` : t.text));
  return `\`${shown.join(" ")}${tokens.length > QUOTED_TOKENS ? " …" : ""}\``;
}
