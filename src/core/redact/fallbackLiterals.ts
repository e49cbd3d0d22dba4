// A literal that stands in when a secret-named lookup comes back empty is the secret itself,
// often the production one (the fallback ships): `process.env.JWT_SECRET || "…"`,
// `os.getenv("API_KEY", "…")`, `ENV.fetch("TOKEN") { "…" }`, `cmp.Or(os.Getenv("T"), "…")`,
// `env::var("T").unwrap_or("…")`, `${API_KEY:-…}`. The scan is anchored on the fallback
// operator followed by a literal; the expression before the operator is read backwards, a
// bounded number of characters, to find the name it looks up. Placeholders ("YOUR_API_KEY",
// "changeme", "", "dev", a localhost URL) stay: `judgeSecretValue` decides, as for assignments.
import type { RedactionFinding } from "./findings";
import { classifySecretName } from "./secretNames";
import { judgeSecretValue } from "./secretValue";

const LITERAL = String.raw`(?:[bBrRuUfFL]{1,2}|@)?(?<q>["'\`])(?<s>(?:\\.|(?!\k<q>)[^\\\r\n]){0,400})\k<q>`;

/**
 * Operators that give a default, each followed by the literal. `or` is Python/Lua/Ruby, `?:`
 * Kotlin/PHP/GNU C, `{` a Ruby block after `fetch(…)`, `,` a second argument, `:` the
 * else-branch of a C ternary; the method forms are Rust, Java, Kotlin and Scala.
 */
const FALLBACK = new RegExp(
  String.raw`(?<op>\|\||\?\?|\?:|(?<![\w$])or(?![\w$])|\{|,(?:\s*(?:default|fallback|defaultValue|default_value)\s*[=:])?|:|\.(?:unwrap_or|unwrap_or_else|orElse|orElseGet|getOrElse|or|or_else|unwrapOr|orDefault|ifEmpty|ifBlank)\s*\(\s*(?:\|[^|\r\n]{0,20}\|\s*|\(\s*\)\s*->\s*|\{\s*)?)[ \t]*${LITERAL}`,
  "dg",
);

/** `${NAME:-value}`, `${NAME-value}`, `${NAME:=value}` (sh, compose); `${app.secret:value}` (Spring). */
const SHELL_DEFAULT = /\$\{(?<name>[A-Za-z_]\w{0,80})(?::?[-=])(?<s>[^}\s"'`$]{1,200})\}/dg;
const SPRING_DEFAULT = /\$\{(?<name>[A-Za-z_][\w.-]{0,80}):(?![-=?+])(?<s>[^}\s"'`$]{1,200})\}/dg;

/** Callees that read a setting by name. */
const LOOKUP_CALLEE = /env|get|fetch|conf|setting|secret|^var(?:_os)?$|propert|param|lookup|value|option|read/i;
/** Calls whose later arguments are defaults for the first: `cmp.Or(os.Getenv("T"), "…")`. */
const COALESCING_CALL = /(?:^|[^\w$])(?:Or|or|coalesce|Coalesce|firstNonEmpty|FirstNonEmpty|firstNonBlank|defaultIfEmpty|defaultIfBlank|requireNonNullElse|getOrDefault|withDefault|ifEmpty|default)\s*\(\s*$/;

/** How far back the expression before an operator is read; keeps the scan linear. */
const LOOK_BACK = 200;

interface Subject {
  /** The setting's name as written: `JWT_SECRET`, `Jwt:Secret`, `apiKey`. */
  readonly name: string;
  readonly form: "call" | "subscript" | "identifier" | "first-argument";
  /** Where the expression starts. */
  readonly start: number;
}

export function findFallbackLiterals(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  FALLBACK.lastIndex = 0;
  for (let match = FALLBACK.exec(text); match !== null; match = FALLBACK.exec(text)) {
    const span = match.indices?.groups?.s;
    const op = match.groups?.op ?? "";
    if (span === undefined) continue;
    // The literal may itself be the subject of the next operator: `a ?? "x" ?? "y"`; rescan from its end.
    FALLBACK.lastIndex = span[1] + 1;
    const subject = subjectBefore(text, match.index);
    if (subject === undefined || !operatorFits(op, subject, text)) continue;
    const found = judge(text, subject.name, span[0], span[1]);
    if (found !== undefined) findings.push(found);
  }
  for (const form of [SHELL_DEFAULT, SPRING_DEFAULT]) {
    form.lastIndex = 0;
    for (const match of text.matchAll(form)) {
      const span = match.indices?.groups?.s;
      if (span === undefined) continue;
      const found = judge(text, match.groups?.name ?? "", span[0], span[1]);
      if (found !== undefined) findings.push(found);
    }
  }
  return findings;
}

function judge(text: string, name: string, start: number, end: number): RedactionFinding | undefined {
  const secret = classifySecretName(name);
  if (secret === undefined) return undefined;
  const verdict = judgeSecretValue(text.slice(start, end), secret.strength);
  return verdict.offset < 0 ? undefined : { kind: secret.kind, start: start + verdict.offset, end };
}

function operatorFits(op: string, subject: Subject, text: string): boolean {
  if (op === "{") return subject.form === "call";
  if (op === ":") return subject.form === "call" && ternaryBefore(text, subject.start);
  if (op.startsWith(",")) {
    if (subject.form === "first-argument") return true;
    return subject.form === "call" && COALESCING_CALL.test(text.slice(Math.max(0, subject.start - 40), subject.start));
  }
  return subject.form !== "first-argument";
}

/** `getenv("T") ? getenv("T") : "…"`: the subject is the then-branch of a ternary on the same line. */
function ternaryBefore(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - LOOK_BACK), at);
  const line = before.slice(before.lastIndexOf("\n") + 1);
  return /\?\s*$/.test(line);
}

/** Reads the expression that ends just before `at` (skipping spaces), within LOOK_BACK characters. */
function subjectBefore(text: string, at: number): Subject | undefined {
  const floor = Math.max(0, at - LOOK_BACK);
  let end = at;
  while (end > floor && /\s/.test(text[end - 1])) end--;
  if (end <= floor) return undefined;
  const last = text[end - 1];
  if (last === '"' || last === "'") return firstArgument(text, end, floor);
  if (last === ")") return callSubject(text, end, floor, 0);
  if (last === "]") {
    const open = matchingOpen(text, end - 1, floor, "[", "]");
    if (open === undefined) return undefined;
    const name = quotedName(text.slice(open + 1, end - 1).trim());
    return name === undefined ? undefined : { name, form: "subscript", start: chainStart(text, open, floor) };
  }
  if (last === "}") {
    // Perl: $ENV{TOKEN}
    const perl = /\$ENV\{\s*["']?([\w.-]{1,80})["']?\s*\}$/.exec(text.slice(Math.max(floor, end - 100), end));
    return perl === null ? undefined : { name: perl[1], form: "subscript", start: end - perl[0].length };
  }
  if (/[\w$]/.test(last)) {
    let start = end;
    while (start > floor && /[\w$]/.test(text[start - 1])) start--;
    const name = text.slice(start, end);
    if (/^\d/.test(name)) return undefined;
    return { name, form: "identifier", start: chainStart(text, start, floor) };
  }
  return undefined;
}

/** `getenv("NAME"` + `, "…"`: the quoted string is the first argument of a lookup call. */
function firstArgument(text: string, end: number, floor: number): Subject | undefined {
  const quote = text[end - 1];
  let open = end - 2;
  while (open >= floor && text[open] !== quote) open--;
  if (open < floor) return undefined;
  const name = text.slice(open + 1, end - 1);
  if (!/^[^\s"'\\]{1,80}$/.test(name)) return undefined;
  let paren = open;
  while (paren > floor && /\s/.test(text[paren - 1])) paren--;
  if (text[paren - 1] !== "(") return undefined;
  const callee = calleeBefore(text, paren - 1, floor);
  if (callee === undefined || !LOOKUP_CALLEE.test(callee.name)) return undefined;
  return { name, form: "first-argument", start: callee.start };
}

/** `os.getenv("NAME")`, `Optional.ofNullable(System.getenv("NAME"))`, `env::var("NAME")`. */
function callSubject(text: string, end: number, floor: number, depth: number): Subject | undefined {
  const open = matchingOpen(text, end - 1, floor, "(", ")");
  if (open === undefined) return undefined;
  const callee = calleeBefore(text, open, floor);
  if (callee === undefined) return undefined;
  const inside = text.slice(open + 1, end - 1).trim();
  const first = /^(["'])([^"'\\\r\n]{1,80})\1/.exec(inside);
  if (first !== null) {
    if (!LOOKUP_CALLEE.test(callee.name)) return undefined;
    return { name: first[2], form: "call", start: chainStart(text, callee.start, floor) };
  }
  // A wrapper around a lookup: ofNullable(getenv("X")), Some(env("X")).
  if (depth < 2 && inside.endsWith(")")) {
    const innerEnd = open + 1 + text.slice(open + 1, end - 1).trimEnd().length;
    const inner = callSubject(text, innerEnd, open + 1, depth + 1);
    if (inner !== undefined) return { ...inner, start: chainStart(text, callee.start, floor) };
  }
  return undefined;
}

function calleeBefore(text: string, paren: number, floor: number): { name: string; start: number } | undefined {
  let end = paren;
  while (end > floor && /\s/.test(text[end - 1])) end--;
  if (text[end - 1] === "!") end--; // Rust macros: option_env!("X")
  let start = end;
  while (start > floor && /[\w$]/.test(text[start - 1])) start--;
  return start === end ? undefined : { name: text.slice(start, end), start };
}

/** Back over `a.b?.c::d->` so that the subject starts where its receiver does. */
function chainStart(text: string, at: number, floor: number): number {
  let start = at;
  for (;;) {
    const m = /(?:[\w$]+(?:\(\))?\s*(?:\?\.|\.|::|->))$/.exec(text.slice(Math.max(floor, start - 60), start));
    if (m === null) return start;
    start -= m[0].length;
  }
}

/** Index of the bracket that opens the one at `close`, ignoring brackets inside quotes. */
function matchingOpen(text: string, close: number, floor: number, opener: string, closer: string): number | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let i = close; i >= floor; i--) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote && text[i - 1] !== "\\") quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === closer) depth++;
    else if (c === opener && --depth === 0) return i;
    else if (c === "\n" || c === ";") return undefined;
  }
  return undefined;
}

function quotedName(inside: string): string | undefined {
  const m = /^(["'])([^"'\\\r\n]{1,80})\1$/.exec(inside);
  return m === null ? undefined : m[2];
}
