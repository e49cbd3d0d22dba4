// Question-specific parts of a repo that does not fit whole: files cut into chunks at blank
// lines, ranked by BM25 (minisearch) over their text, path and declared names, plus a
// strong bonus when the question names a declared symbol (`parseConfig`) or a file
// (`server.ts`). A planted function named in the question must win over files that merely
// use common words.
import MiniSearch from "minisearch";

export interface Chunk {
  readonly id: number;
  readonly path: string;
  /** 1-based inclusive lines. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly symbols: readonly string[];
}

export interface RankedChunk extends Chunk {
  readonly score: number;
  readonly why: string;
}

/** A chunk ends at the first blank line after this many lines, or at the hard limit. */
const CHUNK_MIN_LINES = 40;
const CHUNK_MAX_LINES = 80;
const SYMBOL_BONUS = 100;
/** A plain word that happens to name a declaration (`restart`) says less than `restartServer`. */
const WORD_SYMBOL_BONUS = 15;
const PATH_BONUS = 40;

const DECLARATION =
  /\b(?:function\*?|class|interface|type|enum|def|fn|func|struct|trait|impl|module|namespace|object|record|const|let|var|val|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)|^[ \t]+(?:(?:public|private|protected|static|async|override|readonly|get|set)\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\([^)]*\)\s*(?::[^={]+)?\{/gm;

const STOP_WORDS = new Set(
  "the a an and or of to in on for is are was be it this that with as by at from how what where which who why when does do did can could should would will file files code function functions repo repository use used using there here about into than then them they its".split(" "),
);

export function chunkFile(path: string, content: string, firstId: number): Chunk[] {
  const lines = content.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const chunks: Chunk[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const size = i - start + 1;
    const atBreak = size >= CHUNK_MIN_LINES && lines[i].trim() === "";
    if (atBreak || size >= CHUNK_MAX_LINES || i === lines.length - 1) {
      const text = lines.slice(start, i + 1).join("\n");
      chunks.push({ id: firstId + chunks.length, path, start: start + 1, end: i + 1, text, symbols: declaredSymbols(text) });
      start = i + 1;
    }
  }
  return chunks;
}

export function declaredSymbols(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(DECLARATION)) {
    const name = m[1] ?? m[2];
    if (name !== undefined && !["if", "for", "while", "switch", "catch", "return", "function"].includes(name)) names.add(name);
  }
  return [...names];
}

/** Words of code and prose: `parseConfigFile` → parseconfigfile, parse, config, file. */
export function searchTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/[A-Za-z_$][\w$]*|\d+/g) ?? []) {
    const lower = word.toLowerCase();
    out.push(lower);
    const parts = word
      .replace(/([a-z\d])([A-Z])/g, "$1 $2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
      .split(/[\s_$]+/)
      .filter((p) => p !== "");
    if (parts.length > 1) for (const part of parts) out.push(part.toLowerCase());
  }
  return out.filter((t) => t.length > 1 && !STOP_WORDS.has(t));
}

/** Identifiers the question names: words that look like code, or any word matching a declared name. */
function questionNames(question: string): Set<string> {
  return new Set((question.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((w) => w.length >= 3 && !STOP_WORDS.has(w.toLowerCase())));
}

/** camelCase, PascalCase, snake_case or with digits: written as code, not as an English word. */
function looksLikeCode(name: string): boolean {
  return /[a-z][A-Z]|_|\d|^[A-Z][a-z]+[A-Z]/.test(name);
}

/** File names the question mentions (`server.ts`, `README`). */
function questionFiles(question: string): string[] {
  return (question.match(/[\w.-]+\.[A-Za-z]\w*|[\w-]+\/[\w./-]+/g) ?? []).map((f) => f.toLowerCase());
}

const BUILD_SLICE_FILES = 64;
const BUILD_SLICE_CHUNKS = 128;

function newSearch(): MiniSearch<Chunk> {
  return new MiniSearch<Chunk>({
    fields: ["text", "path", "symbols"],
    extractField: (chunk, field) => (field === "symbols" ? chunk.symbols.join(" ") : field === "id" ? chunk.id : String(chunk[field as "text" | "path"])),
    tokenize: searchTerms,
    processTerm: (term) => term,
  });
}

export class ChunkIndex {
  private readonly search: MiniSearch<Chunk>;
  private readonly chunks: readonly Chunk[];

  constructor(files: readonly { path: string; content: string }[], built?: { chunks: readonly Chunk[]; search: MiniSearch<Chunk> }) {
    if (built !== undefined) {
      this.chunks = built.chunks;
      this.search = built.search;
      return;
    }
    const chunks: Chunk[] = [];
    for (const file of files) chunks.push(...chunkFile(file.path, file.content, chunks.length));
    this.chunks = chunks;
    this.search = newSearch();
    this.search.addAll(chunks);
  }

  /**
   * The same index, built in slices with a yield to other work in between: indexing 8,000
   * files takes seconds, which on the model server's thread would stall every request.
   */
  static async build(files: readonly { path: string; content: string }[], signal?: AbortSignal): Promise<ChunkIndex> {
    const chunks: Chunk[] = [];
    for (let i = 0; i < files.length; i++) {
      chunks.push(...chunkFile(files[i].path, files[i].content, chunks.length));
      if (i % BUILD_SLICE_FILES === BUILD_SLICE_FILES - 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
      }
    }
    const search = newSearch();
    for (let start = 0; start < chunks.length; start += BUILD_SLICE_CHUNKS) {
      search.addAll(chunks.slice(start, start + BUILD_SLICE_CHUNKS));
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    return new ChunkIndex([], { chunks, search });
  }

  get size(): number {
    return this.chunks.length;
  }

  /** Chunks for a question, best first; ties by path and line so the result is deterministic. */
  rank(question: string, limit = 400): RankedChunk[] {
    const scores = new Map<number, { score: number; why: string[] }>();
    const add = (id: number, score: number, why: string): void => {
      const entry = scores.get(id) ?? { score: 0, why: [] };
      entry.score += score;
      if (!entry.why.includes(why)) entry.why.push(why);
      scores.set(id, entry);
    };
    if (question.trim() !== "") {
      for (const hit of this.search.search(question, { boost: { symbols: 3, path: 2 }, prefix: (term) => term.length > 4, combineWith: "OR" })) add(Number(hit.id), hit.score, "matches the question");
    }
    const names = questionNames(question);
    const files = questionFiles(question);
    for (const chunk of this.chunks) {
      const named = chunk.symbols.filter((s) => names.has(s));
      if (named.length > 0) add(chunk.id, named.reduce((n, name) => n + (looksLikeCode(name) ? SYMBOL_BONUS : WORD_SYMBOL_BONUS), 0), `declares ${named.join(", ")}`);
      const lowerPath = chunk.path.toLowerCase();
      const base = lowerPath.slice(lowerPath.lastIndexOf("/") + 1);
      if (files.some((f) => lowerPath === f || lowerPath.endsWith(`/${f}`) || base === f)) add(chunk.id, PATH_BONUS, "its path is in the question");
    }
    return [...scores.entries()]
      .map(([id, { score, why }]) => ({ ...this.chunks[id], score, why: why.join("; ") }))
      .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || a.start - b.start)
      .slice(0, limit);
  }
}
