// Values labelled by a name that says "secret", in the many ways people write a label:
//   code        const apiKey = "…"   password="…" (kwargs)   Password: "…" (struct)   x.setPassword("…")
//   data        "password": "…" (JSON)   password: … (YAML)   db.password=… (.properties)   <password>…</password>
//   shell       DB_PASSWORD=…   export TOKEN="…"   ENV API_KEY …   --password …   curl -u user:…
//   labels      パスワード: … (labels in other languages, typically in comments; sentences are proseCredentials.ts)
// Only the value is replaced; the name stays, so the model still understands the code.
import { looksRandom } from "./entropy";
import type { RedactionFinding } from "./findings";
import { fileKindOf, type FileKind } from "./fileKind";
import { classifySecretName, type SecretName } from "./secretNames";
import { judgeSecretValue } from "./secretValue";

// Optional string prefixes: Python b"" r"" f"", C# @"".
const QUOTED = String.raw`(?:[bBrRuUfF]{1,2}|@)?(?<qv>["'\`])(?<quoted>(?:\\.|(?!\k<qv>)[^\\\r\n])*)\k<qv>`;
const RAW = String.raw`(?<raw>[^\s"'\`,;)\]}][^\s"'\`,;)\]}]*)`;

/** name = value, name: value, "name": value, name := value, name => value, config["name"] = value. */
const ASSIGNMENT = new RegExp(
  String.raw`(?<![\w$@.-])(?<qn>["'\`]?)(?<name>[A-Za-z_$@][\w$@.-]{0,80})\k<qn>\]?[ \t]*(?::=|=>|===|==|=|:|<-)[ \t]*(?:${QUOTED}|${RAW})`,
  "dg",
);

/** The start of another assignment, right where an unquoted value begins. */
const NEXT_ASSIGNMENT = /(?<qn>["'`]?)(?<name>[A-Za-z_$@][\w$@.-]{0,80})\k<qn>\]?[ \t]*(?::=|=>|=|:)/y;

/** Forms with their own syntax; each captures the name and the value span `s`. */
const OTHER_FORMS: readonly RegExp[] = [
  // <password>…</password>
  /<(?<name>[A-Za-z][\w.:-]{0,60})>(?<s>[^<\r\n]{1,300})<\/\k<name>>/dg,
  // Dockerfile ENV/ARG without "="
  /^[ \t]*(?:ENV|ARG)[ \t]+(?<name>[A-Za-z_][\w]*)[ \t]+["']?(?<s>[^\s"'=][^\s"']*)/dgm,
  // --password hunter2, --api-key=…
  /(?<=^|[ \t])--?(?<name>[A-Za-z][\w-]{1,40})(?:=|[ \t]+)(?<q>["']?)(?<s>[^\s"'`\\|;&<>]+)\k<q>/dgm,
  // curl -u user:password, --user user:password
  /(?<=^|[ \t])(?:-u|--user)[ \t]+["']?[^\s:"']+:(?<s>[^\s"'@]+)/dgm,
  // x.setPassword("…"), setApiKey('…')
  /\bset(?<name>[A-Z][A-Za-z0-9]{1,40})\(\s*(?<q>["'])(?<s>(?:\\.|(?!\k<q>)[^\\\r\n])*)\k<q>\s*\)/dg,
  // put("password", "…"), headers.set("X-Api-Key", "…"), ("token", "…"): first arguments only,
  // so that `"label": "Password", "hint": "…"` in data is not read as a pair.
  /\(\s*(?<q1>["'])(?<name>[A-Za-z_][\w.-]{0,60})\k<q1>\s*,\s*(?<q>["'])(?<s>(?:\\.|(?!\k<q>)[^\\\r\n])*)\k<q>/dg,
  // .NET config: <add key="ApiKey" value="…" />
  /\bkey\s*=\s*(?<q1>["'])(?<name>[^"'\r\n]{1,60})\k<q1>\s+value\s*=\s*(?<q>["'])(?<s>[^"'\r\n]*)\k<q>/dgi,
  // .netrc: machine host login me password … (tokens may be spread over lines)
  /\b(?:machine|default)(?:\s+(?!password\b)\S+){0,6}?\s+(?<name>password)[ \t]+(?<s>[^\s"']+)/dg,
  // SQL: CREATE USER … WITH PASSWORD '…', IDENTIFIED BY '…'
  /\b(?:WITH\s+(?:ENCRYPTED\s+)?(?<name>PASSWORD)|IDENTIFIED\s+BY)\s+'(?<s>[^'\r\n]+)'/dgi,
  // Python requests: auth=("user", "…")
  /\bauth\s*=\s*\(\s*(?<q1>["'])[^"'\r\n]*\k<q1>\s*,\s*(?<q>["'])(?<s>[^"'\r\n]+)\k<q>\s*\)/dg,
  // パスワード: …, 密码：…, contraseña = …
  /(?<name>パスワード|暗証番号|密码|密碼|口令|비밀번호|пароль|contraseña|mot de passe|passwort|kennwort|senha|wachtwoord|hasło|parola|秘密鍵|シークレット|アクセスキー|トークン|令牌|密钥|秘钥|토큰|токен)[^\r\n:：=]{0,12}?[ \t]*[:：=][ \t]*(?<s>[^\s、。，,）)」』"'`]+)/dgi,
];

// A value that continues with + "…" pieces: the whole concatenation is the secret.
const CONTINUATION = /(?:\s|\\(?=\r?\n))*\+(?:\s|\\(?=\r?\n))*(["'])((?:\\.|(?!\1)[^\\\r\n])*)\1/y;

export function findSecretAssignments(text: string, fileName?: string): RedactionFinding[] {
  const kind = fileKindOf(fileName);
  return [...assignments(text, kind), ...otherForms(text)];
}

function assignments(text: string, fileKind: FileKind): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  // A match that starts inside a value already read (a YAML value running to the end of its
  // line) is part of that value; skipping it also keeps long lines linear.
  let takenUntil = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let match = ASSIGNMENT.exec(text); match !== null; match = ASSIGNMENT.exec(text)) {
    if (match.index < takenUntil) continue;
    const groups = match.groups ?? {};
    const secret = classifySecretName(groups.name ?? "");
    if (secret === undefined) {
      // "config: password = …": the unquoted "value" of an ordinary name may itself start a
      // secret assignment. Look again from there, but only then: a secret match consumes its
      // value, so this never rescans a long line more than once.
      const raw = match.indices?.groups?.raw;
      if (raw !== undefined) {
        NEXT_ASSIGNMENT.lastIndex = raw[0];
        const next = NEXT_ASSIGNMENT.exec(text);
        if (next && classifySecretName(next.groups?.name ?? "") !== undefined) ASSIGNMENT.lastIndex = raw[0];
      }
      continue;
    }
    const quotedSpan = match.indices?.groups?.quoted;
    if (quotedSpan !== undefined) {
      const found = judged(text, quotedSpan[0], quotedSpan[1], secret);
      if (found === undefined) continue;
      findings.push(found, ...continuation(text, match.index + match[0].length, secret.kind));
      continue;
    }
    const rawSpan = match.indices?.groups?.raw;
    if (rawSpan === undefined) continue;
    const span = rawValueSpan(text, rawSpan[0], rawSpan[1], fileKind, match.index);
    if (span === undefined) continue;
    // The value has been read, secret or not; nothing inside it is a new assignment.
    takenUntil = span.end;
    const found = judged(text, span.start, span.end, secret, span.inComment);
    if (found !== undefined) findings.push(found);
  }
  return findings;
}

function otherForms(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const form of OTHER_FORMS) {
    form.lastIndex = 0;
    for (const match of text.matchAll(form)) {
      const span = match.indices?.groups?.s;
      if (span === undefined) continue;
      // Forms without a field name (curl -u user:…, IDENTIFIED BY '…', auth=(user, …)) hold a password.
      const name = match.groups?.name ?? "password";
      const secret = classifySecretName(name);
      if (secret === undefined) continue;
      const found = judged(text, span[0], span[1], secret);
      if (found !== undefined) findings.push(found);
    }
  }
  return findings;
}

function judged(text: string, start: number, end: number, secret: SecretName, amongWords = false): RedactionFinding | undefined {
  const value = text.slice(start, end);
  // In comments and prose a label is often followed by ordinary words ("token: see the
  // wiki", "the password is stored in Vault"); only credential-looking values count there.
  if (amongWords && !(value.length >= 6 && characterClasses(value) >= 2)) return undefined;
  const verdict = judgeSecretValue(value, secret.strength);
  if (verdict.offset < 0) return undefined;
  return { kind: secret.kind, start: start + verdict.offset, end };
}

/**
 * Where an unquoted value is a literal. Config files: the rest of the line, minus a trailing
 * comment. Shell: one word. Code: only inside a comment. Unknown files: a single token that
 * ends its line.
 */
function rawValueSpan(text: string, start: number, end: number, fileKind: FileKind, statementStart: number): { start: number; end: number; inComment: boolean } | undefined {
  const lineEnd = endOfLine(text, start);
  const inComment = isInComment(text, statementStart);
  // Expressions, YAML anchors and tags, shell substitutions ($VAR, $(cmd)): not literals.
  if (/^(?:[[{(&*!|>=@$]|new\b|function\b|lambda\b|await\b|this\.|self\.)/.test(text.slice(start, start + 9))) return undefined;
  if (/^[A-Za-z_$][\w$]*(?:\.[\w$]+)*\s*\(/.test(text.slice(start, Math.min(lineEnd, start + 256)))) return undefined;
  if (fileKind === "config" && !inComment) {
    // The rest of the line, up to a comment or a quote that closes an enclosing string.
    const rest = text.slice(start, lineEnd).replace(/["'`].*$/, "").replace(/\s+(?:#|\/\/|;).*$/, "").trimEnd();
    return rest === "" ? undefined : { start, end: start + rest.length, inComment };
  }
  if (fileKind === "shell" && !inComment) return { start, end, inComment };
  const followedBy = text.slice(end, lineEnd);
  if (inComment) return /^(?:[\s.,;:!?)]|$)/.test(followedBy) ? { start, end, inComment } : undefined;
  // In code an unquoted value is an expression, unless it cannot be one: a long random token
  // (no identifier reads like "SG2JCA2YzP2chT2KyN2k"), e.g. a YAML line pasted into a code block.
  if (fileKind === "code") return /^[A-Za-z0-9+/=-]{16,}$/.test(text.slice(start, end)) && /\d/.test(text.slice(start, end)) && looksRandom(text.slice(start, end), 16) ? { start, end, inComment } : undefined;
  // Unknown syntax: `var.db_password`, `settings.secret` read like expressions, not values.
  if (/^[a-z_]\w*(?:\.[A-Za-z_]\w*)+$/.test(text.slice(start, end))) return undefined;
  return /^\s*(?:(?:#|\/\/).*)?$/.test(followedBy) ? { start, end, inComment } : undefined;
}

function continuation(text: string, from: number, kind: string): RedactionFinding[] {
  const out: RedactionFinding[] = [];
  CONTINUATION.lastIndex = from;
  for (let match = CONTINUATION.exec(text); match !== null; match = CONTINUATION.exec(text)) {
    const contentStart = CONTINUATION.lastIndex - match[2].length - 1;
    if (match[2].length > 0) out.push({ kind, start: contentStart, end: contentStart + match[2].length });
  }
  return out;
}

function characterClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
}

/**
 * A line ends at "\n" (and a "\r" before it), but never more than LINE_WINDOW characters
 * away: values are short, and an unbounded look at a megabyte-long line per match would make
 * the scan quadratic.
 */
const LINE_WINDOW = 1024;

function endOfLine(text: string, from: number): number {
  const limit = Math.min(text.length, from + LINE_WINDOW);
  let end = from;
  while (end < limit && text.charCodeAt(end) !== 10) end++;
  return end > from && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
}

/** Is `index` after a comment marker on its line? (`//`, `#`, `/*`, ` * ` in doc blocks, `--`, `<!--`.) */
function isInComment(text: string, index: number): boolean {
  const limit = Math.max(0, index - LINE_WINDOW);
  let lineStart = index;
  while (lineStart > limit && text.charCodeAt(lineStart - 1) !== 10) lineStart--;
  const prefix = text.slice(lineStart, index);
  return /(?:^|\s)(?:\/\/|#|\/\*|--|<!--)|^\s*\*\s/.test(prefix);
}
