// File names are content: `keys/AKIA….txt` or `config/token=…/app.json` carry a credential
// in the name itself, and a path goes everywhere a file goes (the <file> tag of a chat
// context block, a repo pack's file separators, the completion prompt's "Current file:",
// the audit entry, the dry run, the log). The redactor reads a path like any text (token
// shapes, URLs with user:pass@); a `name=value` or `name:value` piece of a path component is
// also read as an assignment, which is how the secret names of the redactor see it.
import type { KnownSecret, Redactor } from "./bodyRedaction";
import { placeholder } from "./bodyRedaction";

/** A `key=value` / `key:value` piece of one path component; the value stops at a separator. */
const ASSIGNMENT_IN_COMPONENT = /([A-Za-z][\w.-]*?)[=:]([^=:&;,/\\\s]+)/g;
/** A file extension on the value's end is not part of the secret (`token=abc123.txt`). */
const TRAILING_EXTENSION = /\.[A-Za-z][A-Za-z0-9]{0,5}$/;

export interface RedactedPath {
  /** The path with each credential replaced by its placeholder; the input itself when it carries none. */
  readonly path: string;
  /** The credentials found in it, to be taken out of every other place the path appears. */
  readonly secrets: readonly KnownSecret[];
}

export async function redactPath(path: string, redactor: Redactor): Promise<RedactedPath> {
  const spans: { start: number; end: number; kind: string }[] = [];
  for (const f of (await redactor(path)).findings) spans.push({ start: f.start, end: f.end, kind: f.kind });
  for (const match of path.matchAll(ASSIGNMENT_IN_COMPONENT)) {
    const [, key, rawValue] = match;
    const value = rawValue.replace(TRAILING_EXTENSION, "");
    if (value.length < 6) continue;
    const probe = `${key} = "${value}"`;
    const valueStart = key.length + 4;
    const found = (await redactor(probe)).findings.filter((f) => f.start < valueStart + value.length && f.end > valueStart);
    if (found.length === 0) continue;
    const start = match.index + key.length + 1;
    spans.push({ start, end: start + value.length, kind: found[0].kind });
  }
  if (spans.length === 0) return { path, secrets: [] };
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = 0;
  const secrets: KnownSecret[] = [];
  for (const span of spans) {
    if (span.end <= at) continue;
    const start = Math.max(span.start, at);
    out += path.slice(at, start) + placeholder(span.kind);
    secrets.push({ value: path.slice(start, span.end), kind: span.kind });
    at = span.end;
  }
  return { path: out + path.slice(at), secrets };
}
