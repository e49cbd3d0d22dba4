// PEM and OpenSSH private keys, PGP private key blocks and PuTTY keys. The BEGIN/END lines
// stay so the model still knows a key is there; the body goes. A block cut off before its
// END line (a prompt truncated mid-file) is redacted to the end of its base64 run, and a key
// written on one line with "\n" escapes (JSON, .env) is handled the same way.
import type { RedactionFinding } from "./findings";

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
// A truncated body: line breaks (real or "\n" escapes), each followed by base64 or a PEM
// header line ("Proc-Type: 4,ENCRYPTED"), indented as in a YAML block.
const TRUNCATED_BODY = /(?:(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z][A-Za-z-]*: [^\r\n\\]*)?)+/y;
/** A real key is a few KB; an END marker further away than this belongs to something else. */
const MAX_BLOCK = 64 * 1024;

export function findPrivateKeyBlocks(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  BEGIN.lastIndex = 0;
  for (const begin of text.matchAll(BEGIN)) {
    const bodyStart = begin.index + begin[0].length;
    const endMarker = `-----END ${begin[1]}-----`;
    const endAt = text.indexOf(endMarker, bodyStart);
    let bodyEnd: number;
    if (endAt >= 0 && endAt - bodyStart <= MAX_BLOCK && !text.slice(bodyStart, endAt).includes("-----BEGIN ")) {
      bodyEnd = endAt;
    } else {
      TRUNCATED_BODY.lastIndex = bodyStart;
      bodyEnd = TRUNCATED_BODY.test(text) ? TRUNCATED_BODY.lastIndex : bodyStart;
    }
    const trimmed = trimSeparators(text, bodyStart, bodyEnd);
    if (trimmed.end - trimmed.start >= 16) findings.push({ kind: "private-key", ...trimmed });
  }
  const putty = /PuTTY-User-Key-File-\d: [^\r\n]+[\s\S]*?Private-Lines: \d+\r?\n(?<s>(?:[A-Za-z0-9+/=]+\r?\n?)+)/dg;
  for (const match of text.matchAll(putty)) {
    const span = match.indices?.groups?.s;
    if (span !== undefined) findings.push({ kind: "private-key", start: span[0], end: span[1] });
  }
  return findings;
}

/** Keeps the line breaks (or "\n" escapes) next to BEGIN and END, so the layout survives. */
function trimSeparators(text: string, start: number, end: number): { start: number; end: number } {
  const lead = /^(?:\s|\\[nr])*/.exec(text.slice(start, end))?.[0].length ?? 0;
  const body = text.slice(start + lead, end);
  const trail = /(?:\s|\\[nr])*$/.exec(body)?.[0].length ?? 0;
  return { start: start + lead, end: end - trail };
}
