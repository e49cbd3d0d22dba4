// A repo pack in two steps: `scanRepo` reads the folder once (files, skip reasons, pack
// order, who imports whom) and is kept until a file changes; `buildPack` lays a snapshot
// out for a model, a budget and a question. Same snapshot + same inputs → the same bytes.
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { dependentCounts } from "./dependencyGraph";
import { stabilityOrder } from "./fileOrder";
import { readGitHistory, type GitHistory } from "./gitHistory";
import { renderHeader, renderSection, type PackLayout, type PackSection } from "./packLayout";
import { SECTION_MARGIN, selectForBudget, type IncludedEntry, type LeftOutEntry } from "./packBudget";
import { enumerateRepo, type EnumerateOptions, type RepoFile, type SkippedEntry } from "./repoFiles";
import { ChunkIndex } from "./retrieval";
import type { TokenCounter } from "./tokenCounter";

export interface RepoSnapshot {
  readonly root: string;
  readonly name: string;
  /** In pack order: least likely to change first. */
  readonly files: readonly RepoFile[];
  readonly skipped: readonly SkippedEntry[];
  readonly truncated: boolean;
  readonly dependents: ReadonlyMap<string, number>;
  /** Whether git history decided the order (else docs, config, code, tests by path). */
  readonly orderedByGit: boolean;
}

export interface ScanOptions extends EnumerateOptions {
  /** Shown in the pack header; default the folder's name. */
  readonly name?: string;
  /** Injected for tests; default `git log` over the root. Return undefined for "no git". */
  readonly history?: (root: string, signal?: AbortSignal) => Promise<GitHistory | undefined>;
}

export async function scanRepo(options: ScanOptions): Promise<RepoSnapshot> {
  const [listing, history] = await Promise.all([enumerateRepo(options), (options.history ?? ((root, signal) => readGitHistory(root, { signal })))(options.root, options.signal)]);
  const byPath = new Map(listing.files.map((f) => [f.path, f]));
  const order = stabilityOrder([...byPath.keys()], history);
  const files = order.map((path) => byPath.get(path)!);
  return {
    root: options.root,
    name: options.name ?? basename(options.root),
    files,
    skipped: listing.skipped,
    truncated: listing.truncated,
    dependents: await dependentCounts(files, options.signal),
    orderedByGit: history !== undefined,
  };
}

export interface PackReport {
  readonly name: string;
  readonly layout: PackLayout;
  /** Tokens the pack may take (undefined: no limit was given). */
  readonly budgetTokens: number | undefined;
  /** Tokens the pack takes, header and seam margins included. */
  readonly packTokens: number;
  /** Tokens the whole repository would take (estimated from the files counted unless repoTokensExact). */
  readonly repoTokens: number;
  /** Every file was tokenized: false when the pack needed only some of them counted. */
  readonly repoTokensExact: boolean;
  /** Files tokenized whole for this pack (most come from the counter's cache on a rebuild). */
  readonly filesCounted: number;
  /** Everything fit. */
  readonly whole: boolean;
  /** False when some counts were estimated (the tokenizer could not be reached). */
  readonly exactCounts: boolean;
  readonly orderedByGit: boolean;
  readonly included: readonly IncludedEntry[];
  readonly leftOut: readonly LeftOutEntry[];
  readonly skipped: readonly SkippedEntry[];
  /** The walk stopped at its file limit. */
  readonly truncated: boolean;
}

export interface RepoPack {
  readonly text: string;
  /** SHA-256 of `text`: two packs with the same hash are the same prompt prefix. */
  readonly hash: string;
  readonly report: PackReport;
  /** What of each file went in (whole, or the lines of a chunk), in pack order. */
  readonly sections: readonly PackSection[];
}

export interface PackOptions {
  readonly layout: PackLayout;
  /** Maximum tokens of the pack text; undefined = the whole repository. */
  readonly budget?: number;
  readonly question?: string;
  readonly counter: TokenCounter;
  readonly signal?: AbortSignal;
}

/** Characters a section adds around a file's path and content (`<|file_sep|>`, newlines): only a lower bound needs it. */
const SECTION_OVERHEAD_CHARS = 2;

/** Indexing a large repo takes seconds: one index per snapshot, shared by every question until a file changes. */
const chunkIndexes = new WeakMap<RepoSnapshot, ChunkIndex>();
const chunkIndexBuilds = new WeakMap<RepoSnapshot, Promise<ChunkIndex>>();

function chunkIndexOf(snapshot: RepoSnapshot): ChunkIndex {
  let index = chunkIndexes.get(snapshot);
  if (index === undefined) {
    index = new ChunkIndex(snapshot.files);
    chunkIndexes.set(snapshot, index);
  }
  return index;
}

/** The snapshot's index, built in slices that yield (a cancelled build is not kept). */
function buildChunkIndex(snapshot: RepoSnapshot, signal?: AbortSignal): ChunkIndex | Promise<ChunkIndex> {
  const built = chunkIndexes.get(snapshot);
  if (built !== undefined) return built;
  let building = chunkIndexBuilds.get(snapshot);
  if (building === undefined) {
    building = ChunkIndex.build(snapshot.files, signal).then(
      (index) => {
        chunkIndexes.set(snapshot, index);
        return index;
      },
      (error: unknown) => {
        chunkIndexBuilds.delete(snapshot);
        throw error;
      },
    );
    chunkIndexBuilds.set(snapshot, building);
  }
  return building;
}

export async function buildPack(snapshot: RepoSnapshot, options: PackOptions): Promise<RepoPack> {
  const { layout, counter, signal } = options;
  counter.startBuild();
  const header = renderHeader(snapshot.name, layout);
  const countSections = (sections: readonly PackSection[]): Promise<number[]> =>
    counter.countAll(
      sections.map((s) => renderSection(s, layout)),
      signal,
    );
  const headerTokens = await counter.countOne(header, signal);
  // Rendered on demand: a file that is never counted or packed is never rendered either.
  const rendered = new Map<number, string>();
  const section = (i: number): string => {
    let text = rendered.get(i);
    if (text === undefined) {
      text = renderSection(snapshot.files[i], layout);
      rendered.set(i, text);
    }
    return text;
  };
  const files = snapshot.files.map((f) => ({ path: f.path, content: f.content, chars: f.content.length + f.path.length + SECTION_OVERHEAD_CHARS }));
  const budget = options.budget === undefined ? Number.POSITIVE_INFINITY : Math.max(0, options.budget - headerTokens - SECTION_MARGIN);

  const selection = await selectForBudget({
    files,
    budget,
    question: options.question ?? "",
    dependents: snapshot.dependents,
    chunks: () => buildChunkIndex(snapshot, signal),
    countSections,
    countFiles: (indices) =>
      counter.countAll(
        indices.map((i) => section(i)),
        signal,
      ),
    signal,
  });
  const repoTokens = headerTokens + SECTION_MARGIN + selection.filesTokens;
  const text = header + selection.sections.map((s) => renderSection(s, layout)).join("");
  return {
    text,
    hash: createHash("sha256").update(text, "utf8").digest("hex"),
    sections: selection.sections.map(({ path, content, lines }) => ({ path, content, ...(lines !== undefined ? { lines } : {}) })),
    report: {
      name: snapshot.name,
      layout,
      budgetTokens: options.budget,
      packTokens: headerTokens + SECTION_MARGIN + selection.chargedTokens,
      repoTokens,
      repoTokensExact: selection.filesTokensExact,
      filesCounted: selection.filesCounted,
      whole: selection.whole,
      exactCounts: counter.exact,
      orderedByGit: snapshot.orderedByGit,
      included: selection.included,
      leftOut: selection.leftOut,
      skipped: snapshot.skipped,
      truncated: snapshot.truncated,
    },
  };
}

/**
 * Whether a pack built for an earlier question already holds what a new question needs
 * most: the whole repository, or the new question's best few chunks (whole files or
 * overlapping lines). When it does, a follow-up keeps the pack and its evaluated state.
 */
export function packCovers(snapshot: RepoSnapshot, pack: RepoPack, question: string, top = 3): boolean {
  if (pack.report.whole) return true;
  const best = chunkIndexOf(snapshot).rank(question, top);
  return best.every((chunk) =>
    pack.sections.some((s) => s.path === chunk.path && (s.lines === undefined || (s.lines.start <= chunk.end && chunk.start <= s.lines.end))),
  );
}
