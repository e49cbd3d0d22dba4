// Checks one `neverSend` pattern before it is trusted. The `ignore` package accepts almost
// any string and silently matches nothing (or everything), so a typo would quietly let a
// secret file out, or a stray `**` would quietly turn Hearth off. Both deserve a message.
import { quoteExcerpt } from "./policyDiagnostic";
import ignore from "ignore";

export const MAX_PATTERN_LENGTH = 1024;

export interface PatternProblem {
  readonly severity: "error" | "warning";
  readonly code: string;
  readonly message: string;
}

// Paths of different depth, with and without extension or leading dot: a pattern that
// matches all of them matches every file.
const PROBE_PATHS = ["hearth-probe", "hearth-probe.txt", ".hearth-probe", "d1/hearth-probe.q", "d1/d2/d3/Hearth-Probe.Z"];

export function checkNeverSendPattern(pattern: string): PatternProblem[] {
  if (pattern.trim() === "") {
    return [{ severity: "error", code: "pattern-empty", message: "empty pattern; remove it or name the files to keep local" }];
  }
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return [{ severity: "error", code: "pattern-too-long", message: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` }];
  }
  if (hasControlCharacter(pattern)) {
    return [{ severity: "error", code: "pattern-control-character", message: "pattern contains a control character (a newline or tab?)" }];
  }
  const problems: PatternProblem[] = [];
  const body = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  if (body.trim() === "" || body === "/") {
    problems.push({ severity: "error", code: "pattern-matches-nothing", message: `${quoteExcerpt(pattern)} names no file; patterns are gitignore-style paths such as "secrets/" or "*.pem"` });
    return problems;
  }
  if (pattern.startsWith("#")) {
    problems.push({ severity: "error", code: "pattern-is-comment", message: `${quoteExcerpt(pattern)} is a comment in gitignore syntax and matches nothing; write "\\${pattern.slice(0, 40)}" to match a name starting with #` });
    return problems;
  }
  if (/(^|\/)\.\.?(\/|$)/.test(body)) {
    problems.push({ severity: "error", code: "pattern-dot-segment", message: `${quoteExcerpt(pattern)} contains "." or ".." segments, which never match; patterns are relative to the workspace folder` });
  }
  if (/^[A-Za-z]:[\\/]/.test(body) || body.startsWith("~")) {
    problems.push({ severity: "error", code: "pattern-absolute", message: `${quoteExcerpt(pattern)} is an absolute path; patterns are relative to the workspace folder (a leading "/" anchors to it)` });
  }
  const bracketProblem = unbalancedBracket(body);
  if (bracketProblem !== undefined) {
    problems.push({ severity: "error", code: "pattern-invalid-glob", message: `${quoteExcerpt(pattern)}: ${bracketProblem}` });
  }
  if (/(^|[^\\])(\\\\)*\\$/.test(body)) {
    problems.push({ severity: "error", code: "pattern-invalid-glob", message: `${quoteExcerpt(pattern)} ends with a lone backslash` });
  } else if (problems.length === 0 && /\\(?![\\*?[\]!# ])/.test(body)) {
    // Windows-style separators: in gitignore syntax "\\" only escapes the next character.
    problems.push({ severity: "warning", code: "pattern-backslash", message: `${quoteExcerpt(pattern)} uses "\\", which escapes the next character in gitignore syntax; separate folders with "/"` });
  }
  if (problems.some((p) => p.severity === "error")) return problems;
  if (!pattern.startsWith("!") && matchesEverything(pattern)) {
    problems.push({
      severity: "error",
      code: "pattern-matches-everything",
      message: `${quoteExcerpt(pattern)} matches every file; to keep a feature on this machine set its "route" to "local" instead`,
    });
  }
  return problems;
}

function matchesEverything(pattern: string): boolean {
  try {
    const matcher = ignore().add(pattern);
    return PROBE_PATHS.every((p) => matcher.ignores(p));
  } catch {
    return false;
  }
}

/** Reports a `[` without its `]` (outside escapes), which git treats as "no match". */
function unbalancedBracket(body: string): string | undefined {
  let open = -1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (open < 0 && c === "[") {
      open = i;
      // A `]` right after `[` or `[!` is a literal member of the class, not its end.
      if (body[i + 1] === "!" || body[i + 1] === "^") i++;
      if (body[i + 1] === "]") i++;
    } else if (open >= 0 && c === "]") {
      open = -1;
    }
  }
  return open >= 0 ? `"[" at position ${open + 1} is never closed with "]"` : undefined;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
