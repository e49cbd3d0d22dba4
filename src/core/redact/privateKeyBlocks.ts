// PEM and OpenSSH private keys, PGP private key blocks and PuTTY keys. The BEGIN/END lines
// stay so the model still knows a key is there; the body goes. A block cut off before its
// END line (a prompt truncated mid-file) is redacted to the end of its base64 run, and a key
// written on one line with "\n" escapes (JSON, .env) is handled the same way.
//
// A body without its BEGIN line (the window cut it off, or someone pasted only the base64)
// is redacted too: a run of at least two full-width base64 lines (64 characters as PEM wraps
// them, 70 as OpenSSH does) that does not follow a BEGIN line and is not closed by the END
// line of something public (CERTIFICATE, PUBLIC KEY). Unsure means redact: a certificate cut
// at both ends reads the same as a key and goes too.
import type { RedactionFinding } from "./findings";

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
// A truncated body: line breaks (real or "\n" escapes), each followed by base64 or a PEM
// header line ("Proc-Type: 4,ENCRYPTED"), indented as in a YAML block.
const TRUNCATED_BODY = /(?:(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z][A-Za-z-]*: [^\r\n\\]*)?)+/y;
/** A real key is a few KB; an END marker further away than this belongs to something else. */
const MAX_BLOCK = 64 * 1024;

const END = /-----END ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----/g;
// Line by line with bounded lengths: a free-form gap here backtracked for minutes on one long line.
const PUTTY = /PuTTY-User-Key-File-\d: [^\r\n]{1,200}\r?\n(?:[^\r\n]{0,4096}\r?\n){0,40}?Private-Lines: \d+\r?\n(?<s>(?:[A-Za-z0-9+/=]+(?:\r?\n|$))+)/dg;

// Two or more full lines, then an optional short last line; a line break may be written "\n".
const BASE64_RUN = /(?<![A-Za-z0-9+/=])(?:[A-Za-z0-9+/]{64}(?:[A-Za-z0-9+/]{6})?[ \t]*(?:\r?\n|\\r?\\n)[ \t]*){2,}(?:[A-Za-z0-9+/]{1,70}={0,2}(?![A-Za-z0-9+/=]))?/g;
const ANY_BEGIN_BEFORE = /-----BEGIN [A-Z0-9 ]{1,40}-----(?:[ \t]*(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z][A-Za-z-]*: [^\r\n\\]*)?)*[ \t]*(?:\r?\n|\\r?\\n)?[ \t]*$/;
const PUBLIC_END_AFTER = /^[ \t]*(?:\r?\n|\\r?\\n)?[ \t]*-----END (?![A-Z0-9 ]*PRIVATE KEY)[A-Z0-9 ]{1,40}-----/;
/** A partial first line (the window cut into it) directly before a run. */
const PARTIAL_LINE_BEFORE = /(?:^|[\r\n"'`]|\\n)[ \t]*([A-Za-z0-9+/]{8,69})[ \t]*(?:\r?\n|\\r?\\n)[ \t]*$/;

export function findPrivateKeyBlocks(text: string): RedactionFinding[] {
  return [...findMarkedBlocks(text), ...findHeadlessBodies(text)];
}

function findHeadlessBodies(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  BASE64_RUN.lastIndex = 0;
  for (const run of text.matchAll(BASE64_RUN)) {
    const before = text.slice(Math.max(0, run.index - 400), run.index);
    if (ANY_BEGIN_BEFORE.test(before)) continue; // a marked block: private ones are found above, public ones stay
    const end = run.index + run[0].length;
    if (PUBLIC_END_AFTER.test(text.slice(end, end + 80))) continue;
    const partial = PARTIAL_LINE_BEFORE.exec(before);
    const start = partial === null ? run.index : run.index - partial[0].length + partial[0].indexOf(partial[1]);
    findings.push({ kind: "private-key", ...trimSeparators(text, start, end) });
  }
  return findings;
}

function findMarkedBlocks(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  // Markers are collected once, so that many BEGINs without their END stay linear.
  const begins = [...text.matchAll(BEGIN)];
  const endsByLabel = new Map<string, number[]>();
  for (const end of text.matchAll(END)) {
    const list = endsByLabel.get(end[1]) ?? [];
    list.push(end.index);
    endsByLabel.set(end[1], list);
  }
  begins.forEach((begin, i) => {
    const bodyStart = begin.index + begin[0].length;
    const nextBegin = begins[i + 1]?.index ?? Infinity;
    const endAt = firstAtOrAfter(endsByLabel.get(begin[1]) ?? [], bodyStart);
    let bodyEnd: number;
    if (endAt !== undefined && endAt - bodyStart <= MAX_BLOCK && endAt < nextBegin) {
      bodyEnd = endAt;
    } else {
      TRUNCATED_BODY.lastIndex = bodyStart;
      bodyEnd = TRUNCATED_BODY.test(text) ? Math.min(TRUNCATED_BODY.lastIndex, nextBegin) : bodyStart;
    }
    const trimmed = trimSeparators(text, bodyStart, bodyEnd);
    if (trimmed.end - trimmed.start >= 16) findings.push({ kind: "private-key", ...trimmed });
  });
  for (const match of text.matchAll(PUTTY)) {
    const span = match.indices?.groups?.s;
    if (span !== undefined) findings.push({ kind: "private-key", ...trimSeparators(text, span[0], span[1]) });
  }
  return findings;
}

function firstAtOrAfter(sorted: readonly number[], at: number): number | undefined {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid] < at) low = mid + 1;
    else high = mid;
  }
  return sorted[low];
}

/** Keeps the line breaks (or "\n" escapes) next to BEGIN and END, so the layout survives. */
function trimSeparators(text: string, start: number, end: number): { start: number; end: number } {
  let from = start;
  let to = end;
  for (;;) {
    if (from < to && /\s/.test(text[from])) from++;
    else if (from + 1 < to && text[from] === "\\" && (text[from + 1] === "n" || text[from + 1] === "r")) from += 2;
    else break;
  }
  for (;;) {
    if (to > from && /\s/.test(text[to - 1])) to--;
    else if (to - 2 >= from && text[to - 2] === "\\" && (text[to - 1] === "n" || text[to - 1] === "r")) to -= 2;
    else break;
  }
  return { start: from, end: to };
}
