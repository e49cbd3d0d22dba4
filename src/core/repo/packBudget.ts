// Chooses what of the repo goes into a pack of at most `budget` tokens. When everything
// fits, everything goes, in stability order. Otherwise: a stable core (top-level docs, then
// the files most others import) up to a share of the budget, then the question's best
// chunks (BM25 + symbol and path matches), then more whole files by dependents until
// nothing else fits. Each section is charged its own token count plus a margin for merges
// at the seams, so the pack is never over budget.
//
// Counting tokens is the expensive part (the model's tokenizer, on the server's thread or
// over HTTP), so files are counted lazily: in stability order only until the running total
// passes the budget (then the repository does not fit whole), and afterwards only
// candidates that could still fit by a cheap lower bound, giving up on a step after a
// bounded number of candidates that were counted and did not fit. A pack of ~650 tokens
// from a folder of 8,000 files tokenizes a few dozen files, not all of them.
import { categoryOf } from "./fileOrder";
import type { PackSection } from "./packLayout";
import type { ChunkIndex } from "./retrieval";

export interface BudgetFile {
  readonly path: string;
  readonly content: string;
  /** Length of the file's whole rendered section, for the lower bound on its tokens. */
  readonly chars: number;
}

export interface IncludedEntry {
  readonly path: string;
  readonly tokens: number;
  /** Present when only these lines (1-based, inclusive) are included. */
  readonly lines?: { readonly start: number; readonly end: number };
  readonly why: string;
}

export interface LeftOutEntry {
  readonly path: string;
  /** Tokens the whole file would take (an estimate when `estimated`). */
  readonly tokens: number;
  /** The file was never tokenized: it could not have fit. */
  readonly estimated?: boolean;
  /** Some of its lines are included as chunks. */
  readonly partly: boolean;
}

export interface PackSelection {
  /** In pack order. */
  readonly sections: readonly (PackSection & { readonly tokens: number })[];
  readonly included: readonly IncludedEntry[];
  readonly leftOut: readonly LeftOutEntry[];
  /** Sum of the sections' tokens plus margins: what the budget was charged. */
  readonly chargedTokens: number;
  readonly whole: boolean;
  /** Tokens of every file's whole section (counted, or estimated from those counted) plus margins. */
  readonly filesTokens: number;
  /** Whether filesTokens was counted for every file. */
  readonly filesTokensExact: boolean;
  /** How many files were tokenized whole for this selection. */
  readonly filesCounted: number;
}

export interface SelectionInput {
  /** Whole files in stability order. */
  readonly files: readonly BudgetFile[];
  readonly budget: number;
  readonly question: string;
  /** How many files import each file. */
  readonly dependents: ReadonlyMap<string, number>;
  /** Built on demand: only a pack that does not fit needs chunks. */
  readonly chunks: () => ChunkIndex | Promise<ChunkIndex>;
  /** Token counts of rendered sections (chunks), in order. */
  readonly countSections: (sections: readonly PackSection[]) => Promise<number[]>;
  /** Token counts of the whole sections of files[i] for these indices, in order. */
  readonly countFiles: (indices: readonly number[]) => Promise<number[]>;
  readonly signal?: AbortSignal;
}

/** Room kept for follow-up questions and their answers beyond the first question. */
const FOLLOW_UP_ROOM = 1024;
/** Chat template tokens per message (`<|im_start|>role\n` … `<|im_end|>\n`). */
const TEMPLATE_TOKENS_PER_MESSAGE = 8;
/** Below this there is no point in sending a pack. */
export const MIN_PACK_TOKENS = 128;

export interface PackRoomInput {
  readonly contextTokens: number;
  readonly answerTokens: number;
  /** The instructions in front of the pack. */
  readonly instructionTokens: number;
  /** The conversation's text: earlier turns and the new question. */
  readonly conversationTokens: number;
  /** Messages in the conversation, the new question included. */
  readonly messages: number;
}

/**
 * Tokens the pack may take: the context less the answer, the conversation, the template
 * around each message and the instructions. The conversation is charged at least
 * FOLLOW_UP_ROOM, so the first follow-ups fit beside the same pack and reuse its state
 * instead of getting a smaller pack that must be evaluated again. The extension (RepoQa)
 * and the server's `hearth.repo` both size their packs here.
 */
export function packRoom(input: PackRoomInput): number {
  return input.contextTokens - input.answerTokens - Math.max(input.conversationTokens, FOLLOW_UP_ROOM) - TEMPLATE_TOKENS_PER_MESSAGE * (input.messages + 2) - input.instructionTokens;
}

/** Tokens charged per section beyond its own count: BPE merges across a seam, the template's join. */
export const SECTION_MARGIN = 2;
/** Share of the budget the stable core may take when there is a question to make room for. */
const CORE_SHARE = 0.5;
const TOP_DOC = /^(readme|architecture|contributing|overview)(\.[\w.]+)?$/i;
const CHUNK_BATCH = 32;
/** Files counted at a time while finding whether the repository fits whole. */
const WHOLE_BATCH = 16;
/** Candidates counted at a time in the core and fill steps. */
const CANDIDATE_BATCH = 16;
/**
 * No real tokenizer packs more characters than this into one token on average over a
 * whole file, so a text of n characters takes at least n / this many tokens. Only used to
 * skip counting what cannot fit; were it ever wrong, a file that fit would be left out.
 */
const MAX_CHARS_PER_TOKEN = 16;
/** A step gives up after this many candidates were counted and did not fit. */
export const MAX_MISSES_PER_STEP = 48;
/** Tokens per character assumed for files never counted, until some have been. */
const DEFAULT_TOKENS_PER_CHAR = 0.25;

const lowerBound = (chars: number): number => Math.ceil(chars / MAX_CHARS_PER_TOKEN);

/** Whole-file token counts, asked for only when needed and remembered for this selection. */
class FileCounts {
  private readonly known: (number | undefined)[];
  counted = 0;

  constructor(
    private readonly files: readonly BudgetFile[],
    private readonly count: SelectionInput["countFiles"],
  ) {
    this.known = new Array<number | undefined>(files.length);
  }

  get(index: number): number | undefined {
    return this.known[index];
  }

  /** Counts those of `indices` not known yet. */
  async ensure(indices: readonly number[]): Promise<void> {
    const missing = indices.filter((i) => this.known[i] === undefined);
    if (missing.length === 0) return;
    const counts = await this.count(missing);
    missing.forEach((i, j) => (this.known[i] = counts[j]));
    this.counted += missing.length;
  }

  /** The count when known, else at least this many. */
  atLeast(index: number): number {
    return this.known[index] ?? lowerBound(this.files[index].chars);
  }

  /** The count when known, else an estimate from the files counted so far. */
  estimate(index: number): number {
    const known = this.known[index];
    if (known !== undefined) return known;
    return Math.max(lowerBound(this.files[index].chars), Math.round(this.files[index].chars * this.tokensPerChar()));
  }

  private ratio?: { counted: number; value: number };

  private tokensPerChar(): number {
    if (this.ratio?.counted === this.counted) return this.ratio.value;
    let tokens = 0;
    let chars = 0;
    this.known.forEach((n, i) => {
      if (n === undefined) return;
      tokens += n;
      chars += this.files[i].chars;
    });
    this.ratio = { counted: this.counted, value: chars > 0 ? tokens / chars : DEFAULT_TOKENS_PER_CHAR };
    return this.ratio.value;
  }

  get all(): boolean {
    return this.counted === this.files.length;
  }
}

export async function selectForBudget(input: SelectionInput): Promise<PackSelection> {
  const { files, budget } = input;
  const charged = (tokens: number): number => tokens + SECTION_MARGIN;
  const counts = new FileCounts(files, input.countFiles);

  // 0. Does the whole repository fit? Count in stability order until the total passes the budget.
  let total = 0;
  let whole = true;
  for (let start = 0; start < files.length && whole; start += WHOLE_BATCH) {
    input.signal?.throwIfAborted();
    const batch = range(start, Math.min(files.length, start + WHOLE_BATCH));
    await counts.ensure(batch);
    for (const i of batch) total += charged(counts.get(i)!);
    if (total > budget) whole = false;
  }
  if (whole) {
    return {
      sections: files.map((f, i) => ({ path: f.path, content: f.content, tokens: counts.get(i)! })),
      included: files.map((f, i) => ({ path: f.path, tokens: counts.get(i)!, why: "the whole repository fits" })),
      leftOut: [],
      chargedTokens: total,
      whole: true,
      filesTokens: total,
      filesTokensExact: true,
      filesCounted: counts.counted,
    };
  }

  const position = new Map(files.map((f, i) => [f.path, i]));
  let used = 0;
  const wholeWhy = new Map<string, string>();
  const fits = (tokens: number, limit: number): boolean => used + charged(tokens) <= limit;

  /** Adds whole files from `candidates` (in order) while they fit `limit`, counting only those that might. */
  const addWhole = async (candidates: readonly (readonly [number, string])[], limit: number, onAdd?: (path: string) => void): Promise<void> => {
    let misses = 0;
    let next = 0;
    while (next < candidates.length && misses < MAX_MISSES_PER_STEP && limit - used > SECTION_MARGIN) {
      input.signal?.throwIfAborted();
      const batch: (readonly [number, string])[] = [];
      while (next < candidates.length && batch.length < CANDIDATE_BATCH) {
        const candidate = candidates[next++];
        if (!wholeWhy.has(files[candidate[0]].path) && fits(counts.atLeast(candidate[0]), limit)) batch.push(candidate);
      }
      await counts.ensure(batch.map(([i]) => i));
      for (const [i, why] of batch) {
        const tokens = counts.get(i)!;
        if (wholeWhy.has(files[i].path)) continue;
        if (!fits(tokens, limit)) {
          misses++;
          continue;
        }
        used += charged(tokens);
        wholeWhy.set(files[i].path, why);
        onAdd?.(files[i].path);
      }
    }
  };

  // 1. The stable core: the same for every question, so its evaluated state can be reused.
  const coreLimit = input.question.trim() === "" ? budget : Math.floor(budget * CORE_SHARE);
  const depended = (path: string): number => input.dependents.get(path) ?? 0;
  const indices = range(0, files.length);
  const docs = indices.filter((i) => categoryOf(files[i].path) === "docs" && TOP_DOC.test(files[i].path.slice(files[i].path.lastIndexOf("/") + 1)) && files[i].path.split("/").length <= 2);
  const hubs = indices.filter((i) => depended(files[i].path) > 0).sort((a, b) => depended(files[b].path) - depended(files[a].path) || a - b);
  await addWhole(
    [...docs.map((i) => [i, "project docs"] as const), ...hubs.map((i) => [i, `imported by ${depended(files[i].path)} file${depended(files[i].path) === 1 ? "" : "s"}`] as const)],
    coreLimit,
  );

  // 2. The question's chunks, best first, from files not already whole.
  const chunkPicks: { section: PackSection; tokens: number; why: string }[] = [];
  if (input.question.trim() !== "") {
    const ranked = (await input.chunks()).rank(input.question).filter((c) => !wholeWhy.has(c.path));
    let misses = 0;
    for (let start = 0; start < ranked.length && budget - used > SECTION_MARGIN && misses < MAX_MISSES_PER_STEP; start += CHUNK_BATCH) {
      input.signal?.throwIfAborted();
      const batch = ranked.slice(start, start + CHUNK_BATCH).filter((c) => fits(lowerBound(c.text.length), budget));
      const sections: PackSection[] = batch.map((c) => ({ path: c.path, content: c.text, lines: { start: c.start, end: c.end } }));
      const chunkCounts = sections.length > 0 ? await input.countSections(sections) : [];
      batch.forEach((chunk, i) => {
        if (!fits(chunkCounts[i], budget)) {
          misses++;
          return;
        }
        used += charged(chunkCounts[i]);
        chunkPicks.push({ section: sections[i], tokens: chunkCounts[i], why: chunk.why });
      });
    }
  }

  // 3. Whatever room is left: more whole files, most depended-on first, then in stability order.
  const partly = new Set(chunkPicks.map((p) => p.section.path));
  const filled = new Set<string>();
  const rest = indices.filter((i) => !wholeWhy.has(files[i].path) && !partly.has(files[i].path)).sort((a, b) => depended(files[b].path) - depended(files[a].path) || a - b);
  await addWhole(
    rest.map((i) => [i, "room left in the budget"] as const),
    budget,
    (path) => filled.add(path),
  );

  // Pack order: the core first (stable across questions), then the rest by the files' stability order.
  type Placed = { section: PackSection; tokens: number; why: string };
  const placedWhole = (i: number): Placed => ({ section: { path: files[i].path, content: files[i].content }, tokens: counts.get(i)!, why: wholeWhy.get(files[i].path)! });
  const core = indices.filter((i) => wholeWhy.has(files[i].path) && !filled.has(files[i].path));
  const later: Placed[] = [...indices.filter((i) => filled.has(files[i].path)).map(placedWhole), ...chunkPicks].sort(
    (a, b) => position.get(a.section.path)! - position.get(b.section.path)! || (a.section.lines?.start ?? 0) - (b.section.lines?.start ?? 0),
  );
  const ordered = [...core.map(placedWhole), ...later];
  const filesTokens = indices.reduce((n, i) => n + charged(counts.estimate(i)), 0);

  return {
    sections: ordered.map((o) => ({ ...o.section, tokens: o.tokens })),
    included: ordered.map((o) => ({ path: o.section.path, tokens: o.tokens, ...(o.section.lines !== undefined ? { lines: o.section.lines } : {}), why: o.why })),
    leftOut: indices
      .filter((i) => !wholeWhy.has(files[i].path))
      .map((i) => ({ path: files[i].path, tokens: counts.estimate(i), partly: partly.has(files[i].path), ...(counts.get(i) === undefined ? { estimated: true } : {}) })),
    chargedTokens: used,
    whole: false,
    filesTokens,
    filesTokensExact: counts.all,
    filesCounted: counts.counted,
  };
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}
