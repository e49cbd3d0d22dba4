// Redaction of a prompt as one text, not piece by piece. A request reaches a provider as
// several strings (messages, a system prompt, a completion prefix and suffix, context files
// between Hearth's <file> tags), and a secret can straddle any boundary between them: the
// cursor inside a token puts its start in the prefix and the rest in the suffix. So the
// redactor reads several views of the same segments, and every span any view finds is
// mapped back onto every segment it touches:
//   - a segment from a file alone, with the file's name as the redactor's hint;
//   - all segments joined with nothing between them (a secret cut at a boundary reads whole);
//   - all segments joined by line breaks (a name in one part, its value in the next);
//   - the caller's text only, without Hearth's wrappers (a file's last line continued by the message).
// Every secret found is then looked for again, whole or cut (a prefix or suffix of at
// least FRAGMENT_MIN characters), in every segment: a prompt may hold a value twice, or
// hold it split by a marker such as <CURSOR>, which no view of the text can join again.
// A segment may be JSON text (a tool call's arguments, a tool's result), where a value is
// written escaped (`a\"b` for `a"b`) and a line break before it is `\n`: the escaped form is
// looked for too, and an escape before a value is a boundary, not a letter touching it.
// It errs towards redacting: a false positive costs the model a few characters of context.

/** How the gateway calls the redactor (src/core/redact's `redact` by default). */
export type Redactor = (text: string, fileName?: string) => Promise<RedactorResult>;

export interface RedactorResult {
  readonly text: string;
  readonly count: number;
  /** Spans of the input that are secrets; sorted or not, overlapping or not. */
  readonly findings: readonly { readonly kind: string; readonly start: number; readonly end: number }[];
  /** A layer that failed while the others ran; for the log. */
  readonly warnings?: readonly string[];
}

export interface Segment {
  readonly text: string;
  /** The redactor's hint for this segment alone (the file it comes from). */
  readonly fileName?: string;
  /** false for Hearth's own wrapping (the <file> tags and blank lines around them). */
  readonly content: boolean;
}

/** A value known to be a secret, taken out wherever it appears. */
export interface KnownSecret {
  readonly value: string;
  readonly kind: string;
  /** Only whole occurrences count (text of a neverSend file); default: cut pieces too. */
  readonly wholeOnly?: boolean;
  /**
   * Only whole occurrences that no letter or digit touches count (a short value of a neverSend
   * file: `Xy7kPq` inside `Xy7kPq2mZ9` is not it); such a value may be as short as STANDALONE_MIN.
   * A JSON escape just before it (`\n`, `\u00e9`) does not touch it.
   */
  readonly standalone?: boolean;
}

export interface SegmentRedaction {
  readonly texts: readonly string[];
  /** Placeholders put into the segments: the redactions applied to what is sent. */
  readonly count: number;
  /** Every secret value found, for later passes over the same request. */
  readonly secrets: readonly KnownSecret[];
}

/** Secrets shorter than this are not searched for elsewhere (they would match by chance). */
const SECRET_MIN = 8;
/** A standalone secret cannot match inside a longer word, so it may be shorter. */
const STANDALONE_MIN = 6;
/** The shortest cut piece of a known secret that is taken out. */
const FRAGMENT_MIN = 6;

/** Text that is placeholders only (and the space between them). */
const ALREADY_REDACTED = /^\s*(?:«redacted:[^»]*»\s*)+$/;

interface Span {
  readonly start: number;
  readonly end: number;
  readonly kind: string;
}

export function placeholder(kind: string): string {
  return `«redacted:${kind}»`;
}

export async function redactSegments(segments: readonly Segment[], options: { readonly redactor: Redactor; readonly hint?: string; readonly known?: readonly KnownSecret[] }): Promise<SegmentRedaction> {
  const starts: number[] = [];
  let total = 0;
  for (const s of segments) {
    starts.push(total);
    total += s.text.length;
  }
  const spans: Span[] = [];
  const secrets: KnownSecret[] = [...(options.known ?? [])];

  const all = segments.map((_, i) => i).filter((i) => segments[i].text !== "");
  for (const i of all) {
    const { text, fileName } = segments[i];
    // The joined views read every segment with the request's hint; one with a hint of its own (a file) is also read alone.
    if (all.length > 1 && (fileName === undefined || fileName === options.hint)) continue;
    for (const f of (await options.redactor(text, fileName ?? options.hint)).findings) {
      if (f.end <= f.start) continue;
      spans.push({ start: starts[i] + f.start, end: starts[i] + f.end, kind: f.kind });
      secrets.push({ value: text.slice(f.start, f.end), kind: f.kind });
    }
  }

  const content = all.filter((i) => segments[i].content);
  const views: { indices: number[]; separator: string }[] = [];
  if (all.length > 1) views.push({ indices: all, separator: "" }, { indices: all, separator: "\n" });
  if (content.length > 1 && content.length < all.length) views.push({ indices: content, separator: "" });
  for (const view of views) {
    const viewStarts: number[] = [];
    let text = "";
    for (const i of view.indices) {
      if (text !== "") text += view.separator;
      viewStarts.push(text.length);
      text += segments[i].text;
    }
    for (const f of (await options.redactor(text, options.hint)).findings) {
      if (f.end <= f.start) continue;
      view.indices.forEach((i, k) => {
        const from = Math.max(f.start, viewStarts[k]);
        const to = Math.min(f.end, viewStarts[k] + segments[i].text.length);
        if (from < to) spans.push({ start: starts[i] + from - viewStarts[k], end: starts[i] + to - viewStarts[k], kind: f.kind });
      });
      // A span of a joined view is one secret only where nothing was put between the segments.
      if (view.separator === "") secrets.push({ value: text.slice(f.start, f.end), kind: f.kind });
    }
  }

  const searched = distinct(secrets);
  for (let i = 0; i < segments.length; i++) {
    for (const span of occurrences(segments[i].text, searched)) spans.push({ start: starts[i] + span.start, end: starts[i] + span.end, kind: span.kind });
  }

  const texts: string[] = [];
  let count = 0;
  const merged = merge(spans);
  for (let i = 0; i < segments.length; i++) {
    const from = starts[i];
    const to = from + segments[i].text.length;
    let out = "";
    let at = 0;
    for (const span of merged) {
      if (span.end <= from || span.start >= to) continue;
      const [widened, end] = wholeEscapes(segments[i].text, Math.max(span.start, from) - from, Math.min(span.end, to) - from);
      const start = Math.max(widened, at);
      // A layer that reads a placeholder as a secret again (a key block whose body is one) changes nothing.
      if (ALREADY_REDACTED.test(segments[i].text.slice(start, end))) continue;
      out += segments[i].text.slice(at, start) + placeholder(span.kind);
      at = end;
      count++;
    }
    texts.push(out + segments[i].text.slice(at));
  }
  return { texts, count, secrets: searched.filter((s) => s.wholeOnly !== true && s.standalone !== true).map(({ value, kind }) => ({ value, kind })) };
}

/** Known secrets taken out of one text that no redactor reads (an object key that is data; see cleanBody). */
export function redactKnown(text: string, known: readonly KnownSecret[]): { readonly text: string; readonly count: number } {
  let out = "";
  let at = 0;
  let count = 0;
  for (const span of merge(occurrences(text, distinct(known)))) {
    const [widened, end] = wholeEscapes(text, span.start, span.end);
    const start = Math.max(widened, at);
    if (ALREADY_REDACTED.test(text.slice(start, end))) continue;
    out += text.slice(at, start) + placeholder(span.kind);
    at = end;
    count++;
  }
  return { text: out + text.slice(at), count };
}

/** A secret as it is searched for: with its JSON-escaped form where that differs (computed once: a neverSend file's whole text may be long). */
interface Searched extends KnownSecret {
  readonly escaped?: string;
}

function distinct(secrets: readonly KnownSecret[]): Searched[] {
  const seen = new Map<string, Searched>();
  for (const s of secrets) {
    const value = s.wholeOnly === true || s.standalone === true ? s.value : s.value.trim();
    if (value.length < (s.standalone === true ? STANDALONE_MIN : SECRET_MIN) || value.includes("«redacted:")) continue;
    const key = `${s.standalone === true ? "a" : s.wholeOnly === true ? "w" : "s"}:${value}`;
    if (seen.has(key)) continue;
    const escaped = JSON.stringify(value).slice(1, -1);
    seen.set(key, { ...s, value, ...(escaped !== value ? { escaped } : {}) });
  }
  return [...seen.values()];
}

const ALPHANUMERIC = /^[\p{L}\p{N}]$/u;
/** A JSON escape that ends in a letter or digit: `\n`, `\t`, `\u00e9` (the others end in `"`, `\` or `/`). */
const LETTER_ESCAPE = /\\(?:[bfnrt]|u[0-9A-Fa-f]{4})$/;

/** Where known secrets appear in `text`: whole, or cut so that a prefix or suffix of one remains. */
function occurrences(text: string, secrets: readonly Searched[]): Span[] {
  const found: Span[] = [];
  for (const secret of secrets) {
    const { value, kind, escaped } = secret;
    // In JSON text the value is written escaped; only whole, and never starting inside an escape
    // (a cut escaped form would leave half an escape, and the arguments no longer JSON).
    if (escaped !== undefined) {
      for (let at = text.indexOf(escaped); at !== -1; at = text.indexOf(escaped, at + 1)) {
        if (!escapes(text, at - 1) && (secret.standalone !== true || stands(text, at, escaped.length))) found.push({ start: at, end: at + escaped.length, kind });
      }
    }
    if (secret.standalone === true) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
        if (stands(text, at, value.length)) found.push({ start: at, end: at + value.length, kind });
      }
      continue;
    }
    if (secret.wholeOnly === true) {
      for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) found.push({ start: at, end: at + value.length, kind });
      continue;
    }
    // A prefix of the secret: its first FRAGMENT_MIN characters, extended as far as they go on matching.
    const head = value.slice(0, FRAGMENT_MIN);
    for (let at = text.indexOf(head); at !== -1; at = text.indexOf(head, at + 1)) {
      let length = FRAGMENT_MIN;
      while (length < value.length && at + length < text.length && text[at + length] === value[length]) length++;
      found.push({ start: at, end: at + length, kind });
    }
    const tail = value.slice(-FRAGMENT_MIN);
    for (let at = text.indexOf(tail); at !== -1; at = text.indexOf(tail, at + 1)) {
      const end = at + FRAGMENT_MIN;
      let length = FRAGMENT_MIN;
      while (length < value.length && end - length - 1 >= 0 && text[end - length - 1] === value[value.length - length - 1]) length++;
      found.push({ start: end - length, end, kind });
    }
  }
  return found;
}

/**
 * No letter or digit touches text[at, at + length): the character before is none, or ends a
 * JSON escape (in a tool call's arguments a value on a line of its own follows `\n`). One after
 * it cannot be an escape's: every escape starts with `\`, which is no letter.
 */
function stands(text: string, at: number, length: number): boolean {
  if (ALPHANUMERIC.test(text[at + length] ?? "")) return false;
  if (!ALPHANUMERIC.test(text[at - 1] ?? "")) return true;
  const escape = LETTER_ESCAPE.exec(text.slice(Math.max(0, at - 6), at));
  return escape !== null && escapes(text, at - escape[0].length);
}

/**
 * The span [start, end) widened to whole JSON escapes at its edges: a span that begins just
 * after an escape's backslash (a secret's fragment that starts with `n`, after `\`) or ends
 * inside `\u00e9` would leave half an escape (`\«redacted»`), and a tool call's arguments would
 * no longer be JSON. In text that is not JSON this takes at most a few more characters out.
 */
export function wholeEscapes(text: string, start: number, end: number): [number, number] {
  const escapeAround = (at: number): { from: number; to: number } | undefined => {
    for (let b = at - 1; b >= Math.max(0, at - 5); b--) {
      if (text[b] !== "\\" || !escapes(text, b)) continue;
      const to = b + (text[b + 1] === "u" && /^[0-9A-Fa-f]{4}$/.test(text.slice(b + 2, b + 6)) ? 6 : 2);
      return at < to ? { from: b, to } : undefined;
    }
    return undefined;
  };
  if (end <= start) return [start, end];
  return [escapeAround(start)?.from ?? start, escapeAround(end)?.to ?? end];
}

/** The character at `at` is a backslash that starts an escape: it ends an odd run of backslashes. */
function escapes(text: string, at: number): boolean {
  let run = 0;
  for (let i = at; i >= 0 && text[i] === "\\"; i--) run++;
  return run % 2 === 1;
}

/** Unites overlapping and touching spans; the widest one names the kind. */
function merge(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && span.start <= last.end) {
      const kind = last.end - last.start >= span.end - span.start ? last.kind : span.kind;
      out[out.length - 1] = { start: last.start, end: Math.max(last.end, span.end), kind };
    } else {
      out.push(span);
    }
  }
  return out;
}
