// Citations in an answer: `path:line`, `path:line-line`, `path#Lnn` and `path#Lnn-Lmm`,
// bare or in backticks or Markdown links. Only paths that are files of the repository
// count, so `http://host:8080` or `12:30` never become links.

export interface Citation {
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  readonly endLine?: number;
  /** Where the citation text starts in the answer, and its length. */
  readonly offset: number;
  readonly length: number;
}

const CITATION = /(?<![\w./@-])((?:\.\/)?[\w@.\-/]+)(?::(\d+)(?:[-–](\d+))?|#L(\d+)(?:-L?(\d+))?)(?![\w])/g;

/**
 * Citations of known files, in order of appearance. `isFile` says whether a relative path
 * (with `/` separators) is a file of the repository.
 */
export function parseCitations(text: string, isFile: (path: string) => boolean): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITATION)) {
    const raw = m[1];
    const path = raw.startsWith("./") ? raw.slice(2) : raw;
    if (!isFile(path)) continue;
    const line = Number(m[2] ?? m[4]);
    const end = m[3] ?? m[5];
    if (!Number.isSafeInteger(line) || line < 1) continue;
    const endLine = end === undefined ? undefined : Number(end);
    out.push({ path, line, ...(endLine !== undefined && endLine >= line ? { endLine } : {}), offset: m.index, length: m[0].length });
  }
  return out;
}
