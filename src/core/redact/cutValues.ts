// Values cut by the context window. A prompt is a window onto files: the text may start in
// the middle of a secret (its head dropped with the lines above) or end in the middle of one
// (its tail dropped). Neither the name nor the vendor prefix is left to recognise it, so at a
// cut the redactor errs towards redacting:
//   - at a start: a first token of at least 12 value characters that runs straight into a
//     closing quote or a line break, and looks random (or is a long hex run);
//   - at an end: an open quote followed by such a token, or a secret-named assignment whose
//     quoted value never closes.
// The text's own start and end are cuts; callers that join cut pieces into one text pass the
// offsets where they joined them.
import { looksRandom } from "./entropy";
import type { RedactionFinding } from "./findings";
import { classifySecretName } from "./secretNames";
import { judgeSecretValue } from "./secretValue";

const VALUE_CHAR = /[A-Za-z0-9+/=_\-.~!@#$%^&*]/;
/** Values are short; a longer run is data (and bounding the walk keeps it linear). */
const MAX_VALUE = 4096;
const PUBLIC_BODY_REST = /^(?:\r?\n[ \t]*[A-Za-z0-9+/=]*)*\r?\n[ \t]*-----END (?![A-Z0-9 ]*PRIVATE KEY)[A-Z0-9 ]{1,40}-----/;

export function findCutValues(text: string, cuts: readonly number[] = []): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  const inner = cuts.filter((c) => c > 0 && c < text.length);
  for (const at of [0, ...inner]) {
    const f = headCutAt(text, at);
    if (f !== undefined) findings.push(f);
  }
  for (const at of [...inner, text.length]) {
    const f = tailCutAt(text, at);
    if (f !== undefined) findings.push(f);
  }
  return findings;
}

/** `9Lm3Vx6Rt1Kp9WqZ4nB7";` at the start: the tail of a value whose head was cut off. */
function headCutAt(text: string, at: number): RedactionFinding | undefined {
  let end = at;
  const limit = Math.min(text.length, at + MAX_VALUE);
  while (end < limit && VALUE_CHAR.test(text[end])) end++;
  if (end - at < 12 || end === limit) return undefined;
  // A whole text that is one token is not known to be cut; a quote or line break after it says it was inside something.
  if (!/["'`\r\n]/.test(text[end])) return undefined;
  const value = text.slice(at, end);
  // The tail of a certificate (a BEGIN-less body closed by a public END line) is public.
  if (PUBLIC_BODY_REST.test(text.slice(end, end + 64 * 1024))) return undefined;
  return looksSecret(value) ? { kind: "cut-value", start: at, end } : undefined;
}

/** `apiKey = "Qx7Lm2Vr9Kp4` at the end: the head of a value whose tail was cut off. */
function tailCutAt(text: string, at: number): RedactionFinding | undefined {
  let start = at;
  const floor = Math.max(0, at - MAX_VALUE);
  while (start > floor && VALUE_CHAR.test(text[start - 1])) start--;
  if (start === at || start === floor && floor > 0) return undefined;
  const quote = text[start - 1];
  if (quote !== '"' && quote !== "'" && quote !== "`") return undefined;
  // The quote must open a string: an even number of the same quote before it on its line.
  const lineStart = text.lastIndexOf("\n", start - 2) + 1;
  let count = 0;
  for (let i = Math.max(lineStart, start - 1 - MAX_VALUE); i < start - 1; i++) if (text[i] === quote && text[i - 1] !== "\\") count++;
  if (count % 2 !== 0) return undefined;
  const value = text.slice(start, at);
  if (value.length >= 12 && looksSecret(value)) return { kind: "cut-value", start, end: at };
  // Shorter, or less random, but the name says secret: `password = "Tr0ub`.
  const label = /([A-Za-z_$][\w$.-]{0,80})["'`]?\s*(?::=|=>|=|:)\s*[bBrRuUfF@]?$/.exec(text.slice(Math.max(lineStart, start - 120), start - 1));
  const secret = label === null ? undefined : classifySecretName(label[1]);
  if (secret === undefined) return undefined;
  const verdict = judgeSecretValue(value, secret.strength);
  return verdict.offset < 0 ? undefined : { kind: secret.kind, start: start + verdict.offset, end: at };
}

function looksSecret(value: string): boolean {
  // `NODE_ENV=production`: a setting, not a value; base64 has "=" only as trailing padding.
  if (/=(?!=*$)/.test(value)) return false;
  return looksRandom(value, 12) || (/^[0-9a-fA-F]{16,}$/.test(value) && /[0-9]/.test(value) && /[a-fA-F]/.test(value));
}
