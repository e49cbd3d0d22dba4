// Secrets sent encoded: base64 or hex of a token under a neutral name (`cfg = "Z2hwX2…"`), or
// spelled as character codes (`String.fromCharCode(103, 104, 112, …)`, `new byte[] {0x67, …}`).
// Each run long enough to hold a secret is decoded; when the decoded text is text (valid
// UTF-8, printable) and the detectors find a secret in it, the whole encoded run is redacted.
// Binary (hashes, images, compressed data) and identifiers that happen to use the base64
// alphabet decode to garbage and are left alone.
import type { RedactionFinding } from "./findings";

/** Shorter runs decode to at most 17 bytes: too little for a token with its prefix, and the alphabet matches too many words. */
const MIN_RUN = 24;
/** Base64 within base64 (a Docker auth inside a Kubernetes secret) is decoded again, once. */
const MAX_DEPTH = 2;

const BASE64 = new RegExp(`(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{${MIN_RUN},}={0,2}(?![A-Za-z0-9+/=_-])`, "g");
const HEX = new RegExp(`(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}){${MIN_RUN / 2},}(?![0-9A-Fa-f])`, "g");
/**
 * Numbers of two or three decimal digits, or 0x.. bytes, separated by commas. Matched as long as
 * the list goes, with no condition at its end (one would make every later start of a long list
 * scan it again); the count and the end are checked after.
 */
const CHAR_CODES = /(?<![\w.])(?:0[xX][0-9A-Fa-f]{2}|[1-9][0-9]{1,2})(?:[ \t]*,[ \t]*(?:0[xX][0-9A-Fa-f]{2}|[1-9][0-9]{1,2}))*/g;
const MIN_CODES = 16;

/** Between decoded texts read together: no detector reads across a blank line with a NUL in it. */
const SEPARATOR = "\n\n\u0000\n\n";

type Detector = (decoded: string) => readonly RedactionFinding[];

interface DecodedRun {
  /** The encoded run in the text. */
  readonly start: number;
  readonly end: number;
  /** Where its decoded text starts in the joined text. */
  readonly at: number;
  readonly length: number;
}

/**
 * All decoded runs are joined into one text and read once, so that a text of many short runs
 * costs one pass of the detectors, not one per run.
 */
export function findEncodedSecrets(text: string, detect: Detector, depth = 1): RedactionFinding[] {
  const runs: DecodedRun[] = [];
  const decodedTexts: string[] = [];
  let at = 0;
  const add = (start: number, end: number, decoded: string | undefined): void => {
    if (decoded === undefined) return;
    runs.push({ start, end, at, length: decoded.length });
    decodedTexts.push(decoded);
    at += decoded.length + SEPARATOR.length;
  };
  for (const match of text.matchAll(BASE64)) {
    const run = match[0];
    add(match.index, match.index + run.length, decodedText(Buffer.from(run, "base64")));
    // A run that takes a path or URL with it ("…/config/Z2hw…") is misaligned; its last segment may not be.
    const slash = run.lastIndexOf("/");
    if (slash >= 0 && run.length - slash - 1 >= MIN_RUN) add(match.index + slash + 1, match.index + run.length, decodedText(Buffer.from(run.slice(slash + 1), "base64")));
  }
  for (const match of text.matchAll(HEX)) add(match.index, match.index + match[0].length, decodedText(Buffer.from(match[0], "hex")));
  for (const match of text.matchAll(CHAR_CODES)) {
    const end = match.index + match[0].length;
    if (/[\w.]/.test(text.charAt(end))) continue;
    const codes = match[0].split(",").map((n) => Number(n.trim()));
    if (codes.length < MIN_CODES || codes.some((c) => c < 9 || c > 126)) continue;
    add(match.index, end, codes.map((c) => String.fromCharCode(c)).join(""));
  }
  if (runs.length === 0) return [];
  const joined = decodedTexts.join(SEPARATOR);
  const inside = [...detect(joined), ...(depth < MAX_DEPTH ? findEncodedSecrets(joined, detect, depth + 1) : [])];
  const findings: RedactionFinding[] = [];
  for (const f of inside) {
    for (const run of runsOverlapping(runs, f)) findings.push({ kind: f.kind, start: run.start, end: run.end });
  }
  return findings;
}

function runsOverlapping(runs: readonly DecodedRun[], f: RedactionFinding): DecodedRun[] {
  let low = 0;
  let high = runs.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (runs[mid].at + runs[mid].length <= f.start) low = mid + 1;
    else high = mid;
  }
  const out: DecodedRun[] = [];
  for (let i = low; i < runs.length && runs[i].at < f.end; i++) out.push(runs[i]);
  return out;
}

const UTF8 = new TextDecoder("utf-8");

/**
 * The bytes as text, if they are text: UTF-8 with at most one control character (or invalid
 * sequence) in twenty. The first bytes are judged alone first: almost every run in code is an
 * identifier or a hash, and its first 18 bytes already give it away.
 */
function decodedText(bytes: Buffer): string | undefined {
  if (bytes.length < 12) return undefined;
  if (bytes.length > 48 && !isMostlyPrintable(UTF8.decode(bytes.subarray(0, 18)))) return undefined;
  const text = UTF8.decode(bytes);
  return isMostlyPrintable(text) ? text : undefined;
}

function isMostlyPrintable(text: string): boolean {
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 9 && code !== 10 && code !== 13) || code === 0x7f || code === 0xfffd) control++;
  }
  return control * 20 <= text.length;
}
