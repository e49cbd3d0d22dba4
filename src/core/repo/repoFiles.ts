// Walks a folder and returns the text files a repo pack may draw on, and why the others
// were skipped. .gitignore files are honoured at every level (a nested one applies to its
// own folder, as git does), then the caller's exclude globs (VS Code's files.exclude and
// hearth.repo.exclude), then Hearth's own rules (fileRules.ts), the size limit, and the
// caller's own predicate (neverSend when the route leaves the machine). Entries are read
// in code-point order so two walks of the same tree give the same list.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { BINARY_SNIFF_BYTES, SKIPPED_DIRECTORIES, looksBinary, looksMinified, skipByName, type RuleSkip } from "./fileRules";

export interface RepoFile {
  /** Relative to the root, with `/` separators. */
  readonly path: string;
  readonly content: string;
  readonly bytes: number;
}

export type SkipReason = RuleSkip | "gitignore" | "excluded" | "vendored" | "tooLarge" | "dropped" | "unreadable";

export interface SkippedEntry {
  /** A file, or a folder (ending in `/`) skipped as a whole. */
  readonly path: string;
  readonly reason: SkipReason;
  readonly bytes?: number;
}

export interface EnumerateOptions {
  readonly root: string;
  /** Files larger than this are skipped (hearth.repo.maxFileKB). */
  readonly maxFileBytes: number;
  /** Glob patterns relative to the root (files.exclude, hearth.repo.exclude). */
  readonly exclude?: readonly string[];
  /** True for a file the caller leaves out itself (e.g. neverSend on a route off this machine). */
  readonly drop?: (path: string) => boolean;
  /** Stops the walk early; enumeration throws an AbortError. */
  readonly signal?: AbortSignal;
  /** A safety bound on files visited (a home folder opened by mistake). */
  readonly maxFiles?: number;
}

export interface Enumeration {
  readonly files: readonly RepoFile[];
  readonly skipped: readonly SkippedEntry[];
  /** True when maxFiles stopped the walk. */
  readonly truncated: boolean;
}

const DEFAULT_MAX_FILES = 20_000;

interface IgnoreLayer {
  /** Folder of the .gitignore, relative to the root ("" for the root). */
  readonly base: string;
  readonly rules: Ignore;
}

export async function enumerateRepo(options: EnumerateOptions): Promise<Enumeration> {
  const files: RepoFile[] = [];
  const skipped: SkippedEntry[] = [];
  const excluded = (options.exclude ?? []).filter((g) => g.trim() !== "");
  const isExcluded = excluded.length > 0 ? picomatch(excluded, { dot: true }) : () => false;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  let visited = 0;
  let truncated = false;

  const walk = async (relDir: string, layers: readonly IgnoreLayer[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const absDir = join(options.root, relDir);
    const own = await readGitignore(absDir);
    const active = own === undefined ? layers : [...layers, { base: relDir, rules: own }];
    let entries;
    try {
      entries = await readdir(absDir, { withFileTypes: true });
    } catch {
      skipped.push({ path: `${relDir}/`, reason: "unreadable" });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (truncated) return;
      const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRECTORIES.has(entry.name)) {
          skipped.push({ path: `${rel}/`, reason: entry.name.startsWith(".") && entry.name !== ".cache" ? "excluded" : "vendored" });
          continue;
        }
        if (ignoredBy(active, rel, true)) {
          skipped.push({ path: `${rel}/`, reason: "gitignore" });
          continue;
        }
        if (isExcluded(rel) || isExcluded(`${rel}/`)) {
          skipped.push({ path: `${rel}/`, reason: "excluded" });
          continue;
        }
        await walk(rel, active);
        continue;
      }
      if (!entry.isFile()) continue; // symlinks and sockets: a link may point anywhere, even outside the folder
      if (++visited > maxFiles) {
        truncated = true;
        return;
      }
      const reason = await skipReason(rel, entry.name, active);
      if (reason !== undefined) {
        skipped.push(reason);
        continue;
      }
      const file = await readText(join(options.root, rel), rel, options.maxFileBytes);
      if ("reason" in file) skipped.push(file);
      else files.push(file);
    }
  };

  const skipReason = async (rel: string, name: string, active: readonly IgnoreLayer[]): Promise<SkippedEntry | undefined> => {
    if (ignoredBy(active, rel, false)) return { path: rel, reason: "gitignore" };
    if (isExcluded(rel)) return { path: rel, reason: "excluded" };
    const byName = skipByName(name);
    if (byName !== undefined) return { path: rel, reason: byName };
    if (options.drop?.(rel) === true) return { path: rel, reason: "dropped" };
    return undefined;
  };

  await walk("", []);
  return { files, skipped, truncated };
}

async function readGitignore(absDir: string): Promise<Ignore | undefined> {
  try {
    const text = await readFile(join(absDir, ".gitignore"), "utf8");
    return ignore().add(text);
  } catch {
    return undefined;
  }
}

/** Git's rule: each .gitignore speaks about paths relative to its own folder; a deeper one can re-include. */
function ignoredBy(layers: readonly IgnoreLayer[], rel: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const layer of layers) {
    const local = layer.base === "" ? rel : rel.slice(layer.base.length + 1);
    const result = layer.rules.test(isDirectory ? `${local}/` : local);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

async function readText(absPath: string, rel: string, maxBytes: number): Promise<RepoFile | SkippedEntry> {
  try {
    const info = await stat(absPath);
    if (info.size > maxBytes) return { path: rel, reason: "tooLarge", bytes: info.size };
    const raw = await readFile(absPath);
    if (looksBinary(raw.subarray(0, BINARY_SNIFF_BYTES))) return { path: rel, reason: "binary", bytes: info.size };
    const content = raw.toString("utf8");
    if (looksMinified(content)) return { path: rel, reason: "generated", bytes: info.size };
    return { path: rel, content, bytes: info.size };
  } catch {
    return { path: rel, reason: "unreadable" };
  }
}
