// Chooses what of the repo goes into a pack of at most `budget` tokens. When everything
// fits, everything goes, in stability order. Otherwise: a stable core (top-level docs, then
// the files most others import) up to a share of the budget, then the question's best
// chunks (BM25 + symbol and path matches), then more whole files by dependents until
// nothing else fits. Each section is charged its own token count plus a margin for merges
// at the seams, so the pack is never over budget.
import { categoryOf } from "./fileOrder";
import type { PackSection } from "./packLayout";
import type { ChunkIndex } from "./retrieval";

export interface BudgetFile {
  readonly path: string;
  readonly content: string;
  /** Tokens of the file's whole rendered section. */
  readonly tokens: number;
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
  /** Tokens the whole file would take. */
  readonly tokens: number;
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
}

export interface SelectionInput {
  /** Whole files in stability order. */
  readonly files: readonly BudgetFile[];
  readonly budget: number;
  readonly question: string;
  /** How many files import each file. */
  readonly dependents: ReadonlyMap<string, number>;
  /** Built on demand: only a pack that does not fit needs chunks. */
  readonly chunks: () => ChunkIndex;
  /** Token counts of rendered sections (chunks), in order. */
  readonly countSections: (sections: readonly PackSection[]) => Promise<number[]>;
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

export async function selectForBudget(input: SelectionInput): Promise<PackSelection> {
  const { files, budget } = input;
  const charged = (tokens: number): number => tokens + SECTION_MARGIN;
  const total = files.reduce((n, f) => n + charged(f.tokens), 0);
  if (total <= budget) {
    return {
      sections: files.map((f) => ({ path: f.path, content: f.content, tokens: f.tokens })),
      included: files.map((f) => ({ path: f.path, tokens: f.tokens, why: "the whole repository fits" })),
      leftOut: [],
      chargedTokens: total,
      whole: true,
    };
  }

  const position = new Map(files.map((f, i) => [f.path, i]));
  const byPath = new Map(files.map((f) => [f.path, f]));
  let used = 0;
  const wholeWhy = new Map<string, string>();
  const fits = (tokens: number, limit: number): boolean => used + charged(tokens) <= limit;

  // 1. The stable core: the same for every question, so its evaluated state can be reused.
  const coreLimit = input.question.trim() === "" ? budget : Math.floor(budget * CORE_SHARE);
  const depended = (path: string): number => input.dependents.get(path) ?? 0;
  const docs = files.filter((f) => categoryOf(f.path) === "docs" && TOP_DOC.test(f.path.slice(f.path.lastIndexOf("/") + 1)) && f.path.split("/").length <= 2);
  const hubs = files.filter((f) => depended(f.path) > 0).sort((a, b) => depended(b.path) - depended(a.path) || position.get(a.path)! - position.get(b.path)!);
  for (const [file, why] of [...docs.map((f) => [f, "project docs"] as const), ...hubs.map((f) => [f, `imported by ${depended(f.path)} file${depended(f.path) === 1 ? "" : "s"}`] as const)]) {
    if (wholeWhy.has(file.path) || !fits(file.tokens, coreLimit)) continue;
    used += charged(file.tokens);
    wholeWhy.set(file.path, why);
  }

  // 2. The question's chunks, best first, from files not already whole.
  const chunkPicks: { section: PackSection; tokens: number; why: string }[] = [];
  if (input.question.trim() !== "") {
    const ranked = input.chunks().rank(input.question).filter((c) => !wholeWhy.has(c.path));
    for (let start = 0; start < ranked.length && budget - used > SECTION_MARGIN; start += CHUNK_BATCH) {
      input.signal?.throwIfAborted();
      const batch = ranked.slice(start, start + CHUNK_BATCH);
      const sections: PackSection[] = batch.map((c) => ({ path: c.path, content: c.text, lines: { start: c.start, end: c.end } }));
      const counts = await input.countSections(sections);
      batch.forEach((chunk, i) => {
        if (!fits(counts[i], budget)) return;
        used += charged(counts[i]);
        chunkPicks.push({ section: sections[i], tokens: counts[i], why: chunk.why });
      });
    }
  }

  // 3. Whatever room is left: more whole files, most depended-on first, then in stability order.
  const partly = new Set(chunkPicks.map((p) => p.section.path));
  const rest = files.filter((f) => !wholeWhy.has(f.path) && !partly.has(f.path)).sort((a, b) => depended(b.path) - depended(a.path) || position.get(a.path)! - position.get(b.path)!);
  const filled = new Set<string>();
  for (const file of rest) {
    if (!fits(file.tokens, budget)) continue;
    used += charged(file.tokens);
    filled.add(file.path);
    wholeWhy.set(file.path, "room left in the budget");
  }

  // Pack order: the core first (stable across questions), then the rest by the files' stability order.
  const core = files.filter((f) => wholeWhy.has(f.path) && !filled.has(f.path));
  type Placed = { section: PackSection; tokens: number; why: string };
  const later: Placed[] = [
    ...files.filter((f) => filled.has(f.path)).map((f): Placed => ({ section: { path: f.path, content: f.content }, tokens: f.tokens, why: wholeWhy.get(f.path)! })),
    ...chunkPicks,
  ].sort((a, b) => position.get(a.section.path)! - position.get(b.section.path)! || (a.section.lines?.start ?? 0) - (b.section.lines?.start ?? 0));
  const ordered = [...core.map((f) => ({ section: { path: f.path, content: f.content } as PackSection, tokens: f.tokens, why: wholeWhy.get(f.path)! })), ...later];

  return {
    sections: ordered.map((o) => ({ ...o.section, tokens: o.tokens })),
    included: ordered.map((o) => ({ path: o.section.path, tokens: o.tokens, ...(o.section.lines !== undefined ? { lines: o.section.lines } : {}), why: o.why })),
    leftOut: files.filter((f) => !wholeWhy.has(f.path)).map((f) => ({ path: f.path, tokens: byPath.get(f.path)!.tokens, partly: partly.has(f.path) })),
    chargedTokens: used,
    whole: false,
  };
}
