// Which of many known values (every neverSend file's text, lines and values: up to about
// 200,000 of them at the index's caps) occur in a request's texts. Looking each value up with
// indexOf costs values × characters. Here each text is read once, position by position:
//   - a bit per hash of a value's first KEY_CHARS characters rules out almost every position
//     with a few arithmetic steps and no string made;
//   - at a position that passes, the values are one sorted array: a binary search finds the
//     greatest value not after the text there, and the longest possible match is what the two
//     share, so the values that start there are found in a few searches, however many lines
//     share a start (`SERVICE_1_TOKEN=`, `SERVICE_2_TOKEN=`).
// Memory: the array of the values (which the index holds already) and a 128 KB bit set.
import type { NeverSendSecret } from "./neverSendText";

/** What the gateway consults for a request that leaves: the neverSend files' values found in its texts. */
export interface NeverSendContent {
  /** The values that occur in any of `texts`, each once (a superset is fine: the redactor checks boundaries again). */
  secretsIn(texts: readonly string[]): readonly NeverSendSecret[];
  /** How many files the values come from, for the log. */
  readonly files: number;
}

/**
 * The characters hashed for the first test, and the shortest value filed: the gateway's
 * redaction ignores shorter ones anyway (VALUE_MIN and bodyRedaction's STANDALONE_MIN are 6).
 */
const KEY_CHARS = 6;
/** 2^20 bits (128 KB): with 200,000 values, about one position in five passes the first test by chance. */
const HASH_BITS = 20;

export class NeverSendLookup implements NeverSendContent {
  /** Distinct values, sorted by UTF-16 code units (as `<` compares strings). */
  private readonly sorted: NeverSendSecret[];
  private readonly starts = new Uint32Array(1 << (HASH_BITS - 5));

  constructor(
    secrets: Iterable<NeverSendSecret>,
    readonly files: number,
  ) {
    const byValue = new Map<string, NeverSendSecret>();
    for (const secret of secrets) {
      if (secret.value.length < KEY_CHARS) continue;
      const known = byValue.get(secret.value);
      // A value that is also a whole line of a file counts wherever it stands, not only where it stands alone.
      if (known === undefined || (known.standalone === true && secret.standalone !== true)) byValue.set(secret.value, secret);
    }
    this.sorted = [...byValue.values()].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    for (const { value } of this.sorted) {
      const h = keyHash(value, 0);
      this.starts[h >>> 5] |= 1 << (h & 31);
    }
  }

  /** Distinct values filed. */
  get values(): number {
    return this.sorted.length;
  }

  secretsIn(texts: readonly string[]): readonly NeverSendSecret[] {
    if (this.sorted.length === 0) return [];
    const found = new Set<NeverSendSecret>();
    for (const text of texts) {
      for (let at = 0; at + KEY_CHARS <= text.length; at++) {
        const h = keyHash(text, at);
        if ((this.starts[h >>> 5] & (1 << (h & 31))) === 0) continue;
        this.collect(text, at, found);
      }
    }
    return [...found];
  }

  /**
   * The values that start at `at`. With v the greatest value not after the text there (up to
   * `bound` characters) and l what v and the text share: no longer value can start there (it
   * would sort between v and the text), so v is one if l is its length, and the search goes on
   * below l, which shrinks every round.
   */
  private collect(text: string, at: number, found: Set<NeverSendSecret>): void {
    let bound = text.length - at;
    while (bound >= KEY_CHARS) {
      const i = this.greatestNotAfter(text, at, bound);
      if (i < 0) return;
      const value = this.sorted[i].value;
      const shared = sharedLength(value, text, at, bound);
      if (shared < KEY_CHARS) return;
      if (shared === value.length) {
        found.add(this.sorted[i]);
        bound = shared - 1;
      } else {
        bound = shared;
      }
    }
  }

  /** The index of the greatest value ≤ text[at, at + bound), or -1. */
  private greatestNotAfter(text: string, at: number, bound: number): number {
    let lo = 0;
    let hi = this.sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.sorted[mid].value, text, at, bound) <= 0) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }
}

function keyHash(text: string, at: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < KEY_CHARS; k++) h = Math.imul(h ^ text.charCodeAt(at + k), 0x01000193);
  return (h >>> 0) & ((1 << HASH_BITS) - 1);
}

/** `value` against text[at, at + bound), as `<` compares strings. */
function compareAt(value: string, text: string, at: number, bound: number): number {
  const n = Math.min(value.length, bound);
  for (let k = 0; k < n; k++) {
    const d = value.charCodeAt(k) - text.charCodeAt(at + k);
    if (d !== 0) return d;
  }
  return value.length - bound;
}

/** How many first characters `value` and text[at, at + bound) share. */
function sharedLength(value: string, text: string, at: number, bound: number): number {
  const n = Math.min(value.length, bound);
  let k = 0;
  while (k < n && value.charCodeAt(k) === text.charCodeAt(at + k)) k++;
  return k;
}
