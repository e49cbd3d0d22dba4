// Where two sequences differ, as hunks of half-open index ranges. Common prefix and suffix are
// trimmed first (a guard's inputs are almost equal, so the middle is usually tiny), then an
// LCS table aligns the middle. A middle too large for the table becomes one hunk: the caller
// still learns where the first and last differences are, which is what a person needs.

export interface Hunk {
  readonly aStart: number;
  readonly aEnd: number;
  readonly bStart: number;
  readonly bEnd: number;
}

/** 4M cells of Uint32 = 16 MB, a few tens of milliseconds. */
const MAX_TABLE_CELLS = 4_000_000;

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
  const n = aEnd - start;
  const m = bEnd - start;
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_TABLE_CELLS) return [{ aStart: start, aEnd, bStart: start, bEnd }];
  return lcsHunks(a, b, start, aEnd, start, bEnd);
}

function lcsHunks(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number): Hunk[] {
  const n = a1 - a0;
  const m = b1 - b0;
  const width = m + 1;
  // table[i][j] = LCS length of a[a0+i..a1) and b[b0+j..b1), filled from the end so the walk goes forward.
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] = a[a0 + i] === b[b0 + j] ? table[(i + 1) * width + j + 1] + 1 : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  let open: { aStart: number; bStart: number } | undefined;
  const close = (): void => {
    if (open !== undefined) hunks.push({ aStart: a0 + open.aStart, aEnd: a0 + i, bStart: b0 + open.bStart, bEnd: b0 + j });
    open = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
      close();
      i++;
      j++;
      continue;
    }
    open ??= { aStart: i, bStart: j };
    if (j >= m || (i < n && table[(i + 1) * width + j] >= table[i * width + j + 1])) i++;
    else j++;
  }
  close();
  return hunks;
}
