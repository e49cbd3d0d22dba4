// A text derived from part of another (escapes decoded, invisible characters dropped, look-alike
// letters folded, continued lines joined) that remembers where each of its characters came
// from. Detectors read the derived text; what they find is redacted in the original, over the
// whole source of the match, so what leaves is the original text with the obfuscated run
// replaced, never a decoded copy.

export interface TextView {
  readonly text: string;
  /** For each view character, the original offset of the first character it came from. */
  readonly starts: Int32Array;
  /** For each view character, the original offset just past what it came from. */
  readonly ends: Int32Array;
  /** View offsets where the view differs from the original (a character replaced, or removed just before), ascending. */
  readonly changes: readonly number[];
}

/** Appends view characters with their sources; memory grows by doubling, three typed arrays, so a view of megabytes makes no garbage per character. */
export class TextViewBuilder {
  private codes: Uint16Array;
  private starts: Int32Array;
  private ends: Int32Array;
  private length = 0;
  private readonly changes: number[] = [];

  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.codes = new Uint16Array(size);
    this.starts = new Int32Array(size);
    this.ends = new Int32Array(size);
  }

  /** original[from, to) as it is. */
  copy(original: string, from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    for (let at = from; at < to; at++, this.length++) {
      this.codes[this.length] = original.charCodeAt(at);
      this.starts[this.length] = at;
      this.ends[this.length] = at + 1;
    }
  }

  /** `replacement` in place of original[from, to); an empty replacement removes it. */
  replace(replacement: string, from: number, to: number): void {
    this.changes.push(this.length);
    this.reserve(replacement.length);
    for (let k = 0; k < replacement.length; k++, this.length++) {
      this.codes[this.length] = replacement.charCodeAt(k);
      this.starts[this.length] = from;
      this.ends[this.length] = to;
    }
  }

  build(): TextView {
    const codes = this.codes.subarray(0, this.length);
    let text = "";
    if (LITTLE_ENDIAN) text = UTF16.decode(codes);
    else for (let at = 0; at < codes.length; at += CHUNK) text += String.fromCharCode(...codes.subarray(at, at + CHUNK));
    return { text, starts: this.starts.subarray(0, this.length), ends: this.ends.subarray(0, this.length), changes: this.changes };
  }

  private reserve(more: number): void {
    if (this.length + more <= this.starts.length) return;
    const capacity = Math.max(this.starts.length * 2, this.length + more);
    const codes = new Uint16Array(capacity);
    const starts = new Int32Array(capacity);
    const ends = new Int32Array(capacity);
    codes.set(this.codes.subarray(0, this.length));
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.codes = codes;
    this.starts = starts;
    this.ends = ends;
  }
}

// Code units back to text. The decoder reads the array's bytes, which are in the machine's
// order; where that is not little-endian, a slower path passes them as arguments, CHUNK at a
// time. A lone surrogate reads as U+FFFD: one unit for one, so offsets still hold.
const UTF16 = new TextDecoder("utf-16le");
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const CHUNK = 8192;

/** The original span behind view[start, end): from the first source character to the end of the last, removed characters between included. */
export function originalSpan(view: TextView, start: number, end: number): { start: number; end: number } {
  return { start: view.starts[start], end: view.ends[end - 1] };
}

/**
 * Whether a finding at view[start, end) owes something to the view: a change inside it, or
 * earlier on its line (a look-alike or escaped name before a plain value, a line joined by "\"
 * between name and value). Others are the original's business; taking them from a view that
 * begins mid-file would read its first lines out of context.
 */
export function dependsOnChange(view: TextView, start: number, end: number): boolean {
  let lineStart = start;
  const limit = Math.max(0, start - 1024);
  while (lineStart > limit && view.text.charCodeAt(lineStart - 1) !== 10) lineStart--;
  const changes = view.changes;
  let low = 0;
  let high = changes.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (changes[mid] < lineStart) low = mid + 1;
    else high = mid;
  }
  return low < changes.length && changes[low] < end;
}
