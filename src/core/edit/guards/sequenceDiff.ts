// Where two sequences differ, as hunks of half-open index ranges. A guard's two inputs are
// almost equal, so after trimming the common prefix and suffix, Myers' O((N+M)·D) algorithm
// finds the few edits quickly, even when one is near the top of a 5,000-line file and another
// near the bottom. Past MAX_EDITS differences (a rewrite, not a translation) the middle is one
// hunk: the caller still learns where the differences start, which is what a person needs.

export interface Hunk {
  readonly aStart: number;
  readonly aEnd: number;
  readonly bStart: number;
  readonly bEnd: number;
}

/** Keeps the trace (about D² integers) near 16 MB and the time near N·D = tens of millions of steps. */
const MAX_EDITS = 2000;

export function diffSequences(a: readonly string[], b: readonly string[]): Hunk[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let aEnd = a.length;
  let bEnd = b.length;
  while (aEnd > start && bEnd > start && a[aEnd - 1] === b[bEnd - 1]) {
    aEnd--;
    bEnd--;
  }
  if (start === aEnd && start === bEnd) return [];
  if (start === aEnd || start === bEnd) return [{ aStart: start, aEnd, bStart: start, bEnd }];
  return myersHunks(a.slice(start, aEnd), b.slice(start, bEnd), start) ?? [{ aStart: start, aEnd, bStart: start, bEnd }];
}

/** Hunks of a against b, offset by `base`; undefined past MAX_EDITS. */
function myersHunks(a: readonly string[], b: readonly string[], base: number): Hunk[] | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, MAX_EDITS);
  const offset = limit + 1;
  // v[offset + k] = furthest x reached on diagonal k; trace[d] = v's diagonals -(d+1)..d+1 before step d.
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= limit && !found; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  if (!found) return undefined;

  // Walk back from the end, collecting each single-element edit as a 1-wide hunk (in reverse).
  const edits: Hunk[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const at = (k: number): number => trace[d][k + d + 1];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    edits.push(x === prevX ? { aStart: x, aEnd: x, bStart: prevY, bEnd: y } : { aStart: prevX, aEnd: x, bStart: y, bEnd: y });
    x = prevX;
    y = prevY;
  }
  edits.reverse();

  // Merge touching edits into hunks: a run of deletions and insertions with no equal element between.
  const hunks: Hunk[] = [];
  for (const e of edits) {
    const last = hunks[hunks.length - 1];
    if (last !== undefined && last.aEnd === e.aStart && last.bEnd === e.bStart) {
      hunks[hunks.length - 1] = { aStart: last.aStart, aEnd: e.aEnd, bStart: last.bStart, bEnd: e.bEnd };
    } else {
      hunks.push(e);
    }
  }
  return hunks.map((h) => ({ aStart: h.aStart + base, aEnd: h.aEnd + base, bStart: h.bStart + base, bEnd: h.bEnd + base }));
}
