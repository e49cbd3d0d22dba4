// A problem found in a policy file, located precisely enough for the editor to underline it
// (offset/length for a TextDocument, zero-based line/character for a Range) and worded so
// that a log line alone names the file, the field and the fix.

export type PolicyDiagnosticSeverity = "error" | "warning";

export interface TextPosition {
  /** Zero-based line. */
  readonly line: number;
  /** Zero-based UTF-16 column, as VS Code's `Position.character`. */
  readonly character: number;
}

export interface PolicyDiagnostic {
  readonly file: string;
  readonly severity: PolicyDiagnosticSeverity;
  /** A stable id per kind of problem, for tests and for quick fixes later. */
  readonly code: string;
  readonly message: string;
  /** Dotted path of the field the problem is in, e.g. `features.chat.route`; "" for the file itself. */
  readonly path: string;
  readonly offset: number;
  readonly length: number;
  readonly start: TextPosition;
  readonly end: TextPosition;
}

/** Input quoted in a message is cut to this many characters: a message names the problem, it does not echo the file. */
export const MAX_EXCERPT_CHARS = 40;
const MAX_MESSAGE_CHARS = 400;
const MAX_PATH_CHARS = 120;

/**
 * A piece of the user's input, quoted for a message: at most MAX_EXCERPT_CHARS characters,
 * with control characters and bidirectional overrides (which could make a message read
 * differently from what it says) written as \u escapes.
 */
export function quoteExcerpt(text: string): string {
  const chars = [...String(text)];
  const cut = chars.length > MAX_EXCERPT_CHARS ? `${chars.slice(0, MAX_EXCERPT_CHARS).join("")}…` : chars.join("");
  return `"${escapeInvisible(cut)}"`;
}

/** Escapes invisible and direction-changing characters and caps the length (a last line of defence). */
function tame(text: string, max: number): string {
  const escaped = escapeInvisible(text);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

function escapeInvisible(text: string): string {
  // C0/C1 controls, bidi embeddings/overrides/isolates, zero-width and line/paragraph separators.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Builds diagnostics for one text, converting offsets to line/character once per text. */
export class DiagnosticCollector {
  readonly diagnostics: PolicyDiagnostic[] = [];
  private readonly lineStarts: number[];
  private readonly seen = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lineStarts = computeLineStarts(text);
  }

  add(severity: PolicyDiagnosticSeverity, code: string, path: string, offset: number, length: number, message: string): void {
    const start = clamp(offset, 0, this.text.length);
    const end = clamp(offset + Math.max(0, length), start, this.text.length);
    // The parser reports one missing "}" per open object at the same spot; once is enough.
    message = tame(message, MAX_MESSAGE_CHARS);
    path = tame(path, MAX_PATH_CHARS);
    const identity = `${code}\u0000${start}\u0000${end}\u0000${message}`;
    if (this.seen.has(identity)) return;
    this.seen.add(identity);
    this.diagnostics.push({
      file: this.file,
      severity,
      code,
      message,
      path,
      offset: start,
      length: end - start,
      start: this.positionAt(start),
      end: this.positionAt(end),
    });
  }

  get hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }

  private positionAt(offset: number): TextPosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }
}

/** `file:line:col: severity: message`, one-based like compilers print, for logs and notifications. */
export function formatPolicyDiagnostic(d: PolicyDiagnostic): string {
  const where = d.path === "" ? "" : ` (${d.path})`;
  return `${d.file}:${d.start.line + 1}:${d.start.character + 1}: ${d.severity}: ${d.message}${where}`;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}
