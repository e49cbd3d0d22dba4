// Guard for Markdown translation: prose may change freely, but code, HTML, link targets,
// front matter and anchors must come back byte-identical. Each violation names its kind,
// its lines and what changed, so the diff view can point at it.
import { diffSequences } from "./sequenceDiff";
import { markdownParts, type MarkdownParts, type ProtectedPart } from "./markdownParts";
import { MAX_GUARD_INPUT_CHARS, MAX_ISSUES, type GuardIssue, type GuardReport } from "./types";

const QUOTE_CHARS = 60;

export function checkMarkdownStructure(original: string, proposal: string): GuardReport {
  if (original.length > MAX_GUARD_INPUT_CHARS || proposal.length > MAX_GUARD_INPUT_CHARS) {
    return {
      guard: "markdown-structure",
      status: "not-checked",
      summary: `Markdown structure NOT checked: the document is over ${MAX_GUARD_INPUT_CHARS / 1_000_000} million characters, too large to check without freezing the editor. Review the whole diff yourself.`,
      issues: [],
    };
  }
  const before = markdownParts(original);
  const after = markdownParts(proposal);
  const issues: GuardIssue[] = [...checkFrontMatter(before, after), ...checkParts(before.parts, after.parts), ...checkHeadings(before, after)];
  issues.sort((a, b) => (a.originalLine ?? a.proposalLine ?? 0) - (b.originalLine ?? b.proposalLine ?? 0));
  if (issues.length === 0) {
    const kept = before.parts.length + (before.frontMatter === undefined ? 0 : 1);
    return { guard: "markdown-structure", status: "ok", summary: `Markdown structure kept: ${kept} code, HTML, link and anchor parts are byte-identical.`, issues: [] };
  }
  return {
    guard: "markdown-structure",
    status: "violations",
    summary: `${issues.length} ${issues.length === 1 ? "part" : "parts"} that must stay byte-identical (code, HTML, links, front matter, anchors) changed. Review them before accepting.`,
    issues: issues.slice(0, MAX_ISSUES),
  };
}

function checkFrontMatter(before: MarkdownParts, after: MarkdownParts): GuardIssue[] {
  const a = before.frontMatter;
  const b = after.frontMatter;
  if (a === undefined && b === undefined) return [];
  if (a === undefined) return [{ message: "Front matter added: the original has none.", proposalLine: 1 }];
  if (b === undefined) return [{ message: "Front matter removed or broken: the original starts with a --- block.", originalLine: 1, proposalLine: 1 }];
  if (a.text === b.text) return [];
  const aLines = a.text.split("\n");
  const bLines = b.text.split("\n");
  let i = 0;
  while (i < aLines.length && i < bLines.length && aLines[i] === bLines[i]) i++;
  return [{ message: `Front matter changed: expected ${quote(aLines[i] ?? "")}, found ${quote(bLines[i] ?? "")}.`, originalLine: i + 1, proposalLine: i + 1 }];
}

function checkParts(a: readonly ProtectedPart[], b: readonly ProtectedPart[]): GuardIssue[] {
  const key = (p: ProtectedPart): string => `${p.kind}\u0000${p.value}`;
  const issues: GuardIssue[] = [];
  for (const hunk of diffSequences(a.map(key), b.map(key))) {
    const removed = a.slice(hunk.aStart, hunk.aEnd);
    const added = b.slice(hunk.bStart, hunk.bEnd);
    // Pair a removed part with the next added part of the same kind: that is one part edited.
    for (const old of removed) {
      const index = added.findIndex((p) => p.kind === old.kind);
      if (index >= 0) {
        const [now] = added.splice(index, 1);
        // A long block is shown at its first differing line, which is what the reader needs.
        const d = firstDifferentLine(old.value, now.value);
        issues.push({ message: `${capital(old.kind)} changed: expected ${quote(d.expected)}, found ${quote(d.found)}.`, originalLine: old.line + d.index, proposalLine: now.line + d.index });
      } else {
        issues.push({ message: `${capital(old.kind)} removed: ${quote(old.value)}.`, originalLine: old.line, proposalLine: b[hunk.bStart]?.line });
      }
    }
    for (const now of added) issues.push({ message: `${capital(now.kind)} added: ${quote(now.value)}.`, originalLine: a[hunk.aStart]?.line, proposalLine: now.line });
  }
  return issues;
}

/** A heading's auto-anchor may change with its text, unless something in the document links to it. */
function checkHeadings(before: MarkdownParts, after: MarkdownParts): GuardIssue[] {
  const linked = new Map<string, number>();
  for (const link of before.inPageLinks) if (!linked.has(link.target)) linked.set(link.target, link.line);
  const issues: GuardIssue[] = [];
  if (before.headings.length !== after.headings.length) {
    const line = after.headings.length < before.headings.length ? before.headings[after.headings.length]?.line : undefined;
    issues.push({ message: `Headings changed: the original has ${before.headings.length}, the proposal ${after.headings.length}.`, originalLine: line });
    return issues;
  }
  before.headings.forEach((old, i) => {
    const now = after.headings[i];
    if (old.level !== now.level) issues.push({ message: `Heading level changed from ${old.level} to ${now.level}.`, originalLine: old.line, proposalLine: now.line });
    if (old.explicitId !== undefined) {
      if (now.explicitId !== old.explicitId) {
        issues.push({ message: `Heading anchor changed: expected #${old.explicitId}, found ${now.explicitId === undefined ? "none" : `#${now.explicitId}`}.`, originalLine: old.line, proposalLine: now.line });
      }
      return;
    }
    const linkLine = linked.get(old.slug);
    const newAnchor = now.explicitId ?? now.slug;
    if (linkLine !== undefined && newAnchor !== old.slug) {
      issues.push({
        message: `Heading anchor changed from #${old.slug} to #${newAnchor}, but line ${linkLine} links to #${old.slug}. Keep the heading's anchor (e.g. add <a id="${old.slug}"></a>) or the link breaks.`,
        originalLine: old.line,
        proposalLine: now.line,
      });
    }
  });
  return issues;
}

function firstDifferentLine(a: string, b: string): { index: number; expected: string; found: string } {
  const aLines = a.split("\n");
  const bLines = b.split("\n");
  if (aLines.length === 1 && bLines.length === 1) return { index: 0, expected: a, found: b };
  let index = 0;
  while (index < aLines.length && index < bLines.length && aLines[index] === bLines[index]) index++;
  return { index, expected: aLines[index] ?? "", found: bLines[index] ?? "" };
}

function quote(value: string): string {
  const oneLine = value.replace(/\r?\n/g, "⏎");
  return `"${oneLine.length > QUOTE_CHARS ? `${oneLine.slice(0, QUOTE_CHARS)}…` : oneLine}"`;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
