// Which of many known values (every neverSend file's text, lines and values: up to about
// 200,000 of them at the index's caps) occur in a request's texts. Looking each value up with
// indexOf costs values × characters; comparing a value with the text character by character
// at every position costs characters × the length they share, which on repetitive text (a
// line of 20,000 `A` against a prompt of them) is quadratic. Here each text is read once, and
// every comparison is of two numbers, whatever the values:
//   - a polynomial hash of every prefix of the text (one pass) gives the hash of any piece of
//     it in a few arithmetic steps;
//   - a bit per hash of a value's first KEY_CHARS characters rules out almost every position;
//   - at a position that passes, a value shorter than ANCHOR_CHARS is looked up by the hash of
//     the text's piece of its length (one lookup per such length: at most 10); a longer value
//     by the hash of its first ANCHOR_CHARS characters, which names the few values that start
//     so, and then each of those is compared by the hash of the whole piece;
//   - a hash that agrees is confirmed with startsWith, once per value found: the values found
//     in a request are not looked for again (nor, once all are found, is their start).
// Work per position: at most 10 lookups, plus one hash per value not yet found that shares
// the text's first 16 characters there (a few, unless the files hold many lines with one start).
// A hash that agrees by chance only costs a startsWith: a value is reported only where it is.
// Memory: a hash and a length per value (8 bytes), the values' first-characters bit set
// (128 KB), and per text looked at, 4 bytes per character while it is read.
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
/**
 * A value this long or longer is filed under the hash of its first ANCHOR_CHARS characters; a
 * shorter one under its own hash, so a position costs one lookup per short length (10 at most).
 * Lines of a file are this long (DISTINCTIVE_LINE), and rarely share all of their first 16.
 */
const ANCHOR_CHARS = 16;
/** How many windows of a long value are weighed as its anchor. */
const ANCHOR_CANDIDATES = 8;
/** 2^20 bits (128 KB): with 200,000 values, about one position in five passes the first test by chance. */
const HASH_BITS = 20;
/**
 * The hashes' prime modulus, 2^26 − 5: the product of two residues stays below 2^52, exact in
 * a double. The base is drawn per lookup, so no file or text can be made to collide on purpose
 * (a collision would only cost a startsWith).
 */
const MODULUS = 67_108_859;

export class NeverSendLookup implements NeverSendContent {
  /** Distinct values, each once. */
  private readonly secrets: NeverSendSecret[];
  /** Per value, its polynomial hash (for a long value, compared with the text's piece). */
  private readonly hashes: Uint32Array;
  /** The polynomial hash's base, and base^k mod MODULUS for k up to the longest value's length. */
  private readonly base: number;
  private readonly powers: Float64Array;
  /** The seed of the window hash (windowStep), drawn per lookup as the base is. */
  private readonly seed: number;
  private readonly starts = new Uint32Array(1 << (HASH_BITS - 5));
  /** Short values by their window hash: the first one's index, and the next with the same hash in `nextShort` (-1 ends). */
  private readonly shortByHash = new Map<number, number>();
  private readonly nextShort: Int32Array;
  /** isShortLength[k]: some value is k characters long, k < ANCHOR_CHARS. */
  private readonly isShortLength = new Uint8Array(ANCHOR_CHARS);
  /**
   * Long values by the window hash of their anchor (ANCHOR_CHARS characters at `anchorAt`): a
   * group, whose members are groupMembers[groupStart[g], groupStart[g + 1]).
   */
  private readonly groupByAnchor = new Map<number, number>();
  private readonly groupStart: Int32Array;
  private readonly groupMembers: Int32Array;
  private readonly anchorAt: Int32Array;

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
    this.secrets = [...byValue.values()];
    this.base = 65_537 + Math.floor(Math.random() * (MODULUS - 2 * 65_537));
    this.seed = Math.floor(Math.random() * 0x7fffffff);
    const longest = this.secrets.reduce((n, s) => Math.max(n, s.value.length), 0);
    this.powers = new Float64Array(longest + 1);
    this.powers[0] = 1;
    for (let k = 1; k <= longest; k++) this.powers[k] = mulMod(this.powers[k - 1], this.base);

    this.hashes = new Uint32Array(this.secrets.length);
    this.nextShort = new Int32Array(this.secrets.length).fill(-1);
    this.anchorAt = new Int32Array(this.secrets.length);
    const windows = (value: string): number[] => anchorCandidates(value.length).map((at) => windowKey(this.windowHash(value, at, ANCHOR_CHARS)));
    // How often each window is a long value's candidate anchor: each value is filed under its rarest.
    const often = new Map<number, number>();
    for (const { value } of this.secrets) {
      if (value.length >= ANCHOR_CHARS) for (const key of windows(value)) often.set(key, (often.get(key) ?? 0) + 1);
    }
    const groups = new Map<number, number[]>();
    for (const [i, { value }] of this.secrets.entries()) {
      let p = 0;
      for (let k = 0; k < value.length; k++) p = addChar(p, this.base, value.charCodeAt(k));
      this.hashes[i] = p;
      let filedAt = 0;
      if (value.length < ANCHOR_CHARS) {
        const key = windowKey(this.windowHash(value, 0, value.length));
        this.isShortLength[value.length] = 1;
        const first = this.shortByHash.get(key);
        if (first !== undefined) this.nextShort[i] = first;
        this.shortByHash.set(key, i);
      } else {
        const offsets = anchorCandidates(value.length);
        const keys = windows(value);
        let best = 0;
        // The rarest window; of equals, the last (a line's end, its value, tells it from its neighbours more than its name).
        for (let c = 1; c < keys.length; c++) if ((often.get(keys[c]) ?? 0) <= (often.get(keys[best]) ?? 0)) best = c;
        filedAt = offsets[best];
        this.anchorAt[i] = filedAt;
        const group = groups.get(keys[best]);
        if (group === undefined) groups.set(keys[best], [i]);
        else group.push(i);
      }
      const bit = this.windowHash(value, filedAt, KEY_CHARS) & ((1 << HASH_BITS) - 1);
      this.starts[bit >>> 5] |= 1 << (bit & 31);
    }
    this.groupStart = new Int32Array(groups.size + 1);
    this.groupMembers = new Int32Array([...groups.values()].reduce((n, g) => n + g.length, 0));
    let g = 0;
    let at = 0;
    for (const [anchor, members] of groups) {
      this.groupByAnchor.set(anchor, g);
      this.groupMembers.set(members, at);
      at += members.length;
      this.groupStart[++g] = at;
    }
  }

  /** Distinct values filed. */
  get values(): number {
    return this.secrets.length;
  }

  secretsIn(texts: readonly string[]): readonly NeverSendSecret[] {
    if (this.secrets.length === 0) return [];
    const found: NeverSendSecret[] = [];
    const seen = new Uint8Array(this.secrets.length);
    /**
     * Over groupMembers: the next place at or after this one whose member is not found yet
     * (path halving keeps the walk short), so that found members cost nothing on later visits.
     * Made when a group is first visited.
     */
    let unfound: Int32Array | undefined;
    const nextUnfound = (m: number): number => {
      if (unfound === undefined) return m;
      while (unfound[m] !== m) {
        unfound[m] = unfound[unfound[m]];
        m = unfound[m];
      }
      return m;
    };
    const mask = (1 << HASH_BITS) - 1;
    for (const text of texts) {
      const n = text.length;
      /** The text's prefix hashes, made when a long value is first compared with it. */
      let prefix: Float64Array | undefined;
      const take = (i: number, at: number): boolean => {
        if (seen[i] === 1 || !text.startsWith(this.secrets[i].value, at)) return false;
        seen[i] = 1;
        found.push(this.secrets[i]);
        return true;
      };
      for (let at = 0; at + KEY_CHARS <= n; at++) {
        let h = this.seed;
        for (let k = 0; k < KEY_CHARS; k++) h = windowStep(h, text.charCodeAt(at + k));
        const bit = h & mask;
        if ((this.starts[bit >>> 5] & (1 << (bit & 31))) === 0) continue;
        // The short values that start here, one lookup per length some value has, then the long values anchored here.
        const end = Math.min(n - at, ANCHOR_CHARS);
        for (let length = KEY_CHARS; ; length++) {
          if (length < ANCHOR_CHARS && this.isShortLength[length] === 1) {
            for (let i = this.shortByHash.get(windowKey(h)) ?? -1; i >= 0; i = this.nextShort[i]) {
              if (this.secrets[i].value.length === length) take(i, at);
            }
          }
          if (length === end) break;
          h = windowStep(h, text.charCodeAt(at + length));
        }
        if (end < ANCHOR_CHARS) continue;
        const g = this.groupByAnchor.get(windowKey(h));
        if (g === undefined) continue;
        prefix ??= prefixHashes(text, this.base);
        unfound ??= Int32Array.from({ length: this.groupMembers.length + 1 }, (_, m) => m);
        const last = this.groupStart[g + 1];
        for (let m = nextUnfound(this.groupStart[g]); m < last; m = nextUnfound(m + 1)) {
          const i = this.groupMembers[m];
          const start = at - this.anchorAt[i];
          const length = this.secrets[i].value.length;
          if (start < 0 || start + length > n) continue;
          let piece = prefix[start + length] - mulMod(prefix[start], this.powers[length]);
          if (piece < 0) piece += MODULUS;
          if (piece === this.hashes[i] && take(i, start)) unfound[m] = m + 1;
        }
      }
    }
    return found;
  }

  private windowHash(value: string, at: number, length: number): number {
    let h = this.seed;
    for (let k = at; k < at + length; k++) h = windowStep(h, value.charCodeAt(k));
    return h;
  }
}

/**
 * Where a long value's anchor may stand: its first windows of ANCHOR_CHARS characters, end to
 * end, and its last. A few, so that filing a 256 KB text costs no more than a line.
 */
function anchorCandidates(length: number): number[] {
  const offsets: number[] = [];
  for (let at = 0; at + ANCHOR_CHARS <= length && offsets.length < ANCHOR_CANDIDATES - 1; at += ANCHOR_CHARS) offsets.push(at);
  if (offsets[offsets.length - 1] !== length - ANCHOR_CHARS) offsets.push(length - ANCHOR_CHARS);
  return offsets;
}

/** One character into the window hash (FNV-1a's step: cheap, for the first test and the lookups by start or anchor). */
function windowStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

/** The window hash as a map key: 30 bits, a small integer to the engine. */
function windowKey(h: number): number {
  return h & 0x3fffffff;
}

/** (a × b) mod MODULUS, for a, b < MODULUS: the product is exact in a double, and a floored quotient is off by one at most. */
function mulMod(a: number, b: number): number {
  const x = a * b;
  const r = x - Math.floor(x / MODULUS) * MODULUS;
  return r < 0 ? r + MODULUS : r >= MODULUS ? r - MODULUS : r;
}

/** The polynomial hash of a text with one more character. */
function addChar(h: number, base: number, c: number): number {
  const x = mulMod(h, base) + c;
  return x >= MODULUS ? x - MODULUS : x;
}

/** prefix[k]: the polynomial hash of text[0, k). */
function prefixHashes(text: string, base: number): Float64Array {
  const prefix = new Float64Array(text.length + 1);
  let h = 0;
  for (let k = 0; k < text.length; k++) {
    h = addChar(h, base, text.charCodeAt(k));
    prefix[k + 1] = h;
  }
  return prefix;
}
