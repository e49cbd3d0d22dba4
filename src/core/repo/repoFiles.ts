// Walks a folder and returns the text files a repo pack may draw on, and why the others
// were skipped. .gitignore files are honoured at every level (a nested one applies to its
// own folder, as git does), then the caller's exclude globs (VS Code's files.exclude and
// hearth.repo.exclude), then Hearth's own rules (fileRules.ts), the size limit, and the
// caller's own predicate (neverSend when the route leaves the machine). Entries are read
// in code-point order so two walks of the same tree give the same list.
//
// The folder may be anything a request names, so the walk is defensive: it starts from the
// root's real path and never follows a symbolic link; it reads only regular files (a FIFO
// would block open() forever, a device never ends), opened without following links and
// without blocking, with the size cap enforced while reading (stat says 0 bytes for
// /proc files); it never enters /proc, /sys, /dev or another kernel file system; and it
// stops at a file count, a folder count and a total of bytes read.
import type { Dirent } from "node:fs";
import { lstat, readdir, realpath, statfs } from "node:fs/promises";
import { join, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import { readRegular } from "../fs/readRegular";
import { BINARY_SNIFF_BYTES, SKIPPED_DIRECTORIES, looksBinary, looksMinified, skipByName, type RuleSkip } from "./fileRules";

export interface RepoFile {
  /** Relative to the root, with `/` separators. */
  readonly path: string;
  readonly content: string;
  readonly bytes: number;
}

/**
 * `symlink`: links are never followed (they may point anywhere). `special`: a FIFO, socket
 * or device, or a kernel file system (/proc, /sys, /dev). `outside`: a folder whose real
 * path left the root. `overBudget`: the walk had already read its total of bytes.
 */
export type SkipReason = RuleSkip | "gitignore" | "excluded" | "vendored" | "tooLarge" | "dropped" | "unreadable" | "symlink" | "special" | "outside" | "overBudget";

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
  /** A bound on folders entered. */
  readonly maxDirectories?: number;
  /** A bound on the bytes of all files kept; later files are skipped as `overBudget`. */
  readonly maxTotalBytes?: number;
}

export interface Enumeration {
  readonly files: readonly RepoFile[];
  readonly skipped: readonly SkippedEntry[];
  /** True when maxFiles or maxDirectories stopped the walk. */
  readonly truncated: boolean;
  /** The root's real path, which every file was read below. */
  readonly realRoot: string;
}

const DEFAULT_MAX_FILES = 20_000;
const DEFAULT_MAX_DIRECTORIES = 20_000;
export const DEFAULT_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
/** A .gitignore larger than this is not a .gitignore anyone wrote. */
/**
 * Every path is tested against every active .gitignore rule, synchronously (about a microsecond
 * a rule): a cloned repository with a 1 MB .gitignore (~120,000 rules) cost ~137 ms per path.
 * A .gitignore past 64 KB, or one that brings the rules along a path past 1,000, leaves its
 * folder out of the pack as "tooLarge" (never packed as if nothing were ignored).
 */
const MAX_GITIGNORE_BYTES = 64 * 1024;
const MAX_ACTIVE_IGNORE_RULES = 1000;

/** A folder a pack must not read at all: a kernel file system, or not a folder. */
export class RepoFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RepoFolderError";
  }
}

/** Paths of kernel file systems whose files are endless, blocking or have side effects. */
const SPECIAL_PATHS = ["/proc", "/sys", "/dev"];

export function isSpecialPath(realPath: string): boolean {
  if (process.platform === "win32") return false;
  return SPECIAL_PATHS.some((p) => realPath === p || realPath.startsWith(`${p}/`));
}

/** Linux statfs magic numbers of pseudo file systems (see statfs(2)); autofs mounts on access. */
const SPECIAL_FS_TYPES: ReadonlySet<number> = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1373, // devfs / devtmpfs
  0x1cd1, // devpts
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x73636673, // securityfs
  0xcafe4a11, // bpf
  0x6165676c, // pstore
  0x62656570, // configfs
  0x65735543, // fusectl
  0x19800202, // mqueue
  0x42494e4d, // binfmt_misc
  0xde5e81e4, // efivarfs
  0xf97cff8c, // selinuxfs
  0x6e736673, // nsfs
  0x0187, // autofs
  0x67596969, // rpc_pipefs
]);

async function onSpecialFileSystem(realPath: string): Promise<boolean> {
  if (isSpecialPath(realPath)) return true;
  if (process.platform !== "linux") return false;
  try {
    return SPECIAL_FS_TYPES.has(Number((await statfs(realPath)).type));
  } catch {
    return false;
  }
}

/** The root's real path; a RepoFolderError when it is not a folder or lies on a kernel file system. */
export async function resolveRepoRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(root);
  } catch {
    throw new RepoFolderError(`${root} does not exist or cannot be read.`);
  }
  const info = await lstat(real).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new RepoFolderError(`${root} is not a folder.`);
  if (await onSpecialFileSystem(real)) throw new RepoFolderError(`${root} is on a kernel file system (${real}); a repository pack never reads /proc, /sys or /dev.`);
  return real;
}

type EntryKind = "file" | "directory" | "symlink" | "special";

function kindOf(entry: Dirent | { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (entry.isSymbolicLink()) return "symlink";
  if (entry.isDirectory()) return "directory";
  if (entry.isFile()) return "file";
  return "special";
}

interface IgnoreLayer {
  /** Folder of the .gitignore, relative to the root ("" for the root). */
  readonly base: string;
  readonly rules: Ignore;
  /** Rule lines (not blank, not comments) in it. */
  readonly count: number;
}

export async function enumerateRepo(options: EnumerateOptions): Promise<Enumeration> {
  const realRoot = await resolveRepoRoot(options.root);
  const files: RepoFile[] = [];
  const skipped: SkippedEntry[] = [];
  const excluded = (options.exclude ?? []).filter((g) => g.trim() !== "");
  const isExcluded = excluded.length > 0 ? picomatch(excluded, { dot: true }) : () => false;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxDirectories = options.maxDirectories ?? DEFAULT_MAX_DIRECTORIES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  let visited = 0;
  let directories = 0;
  let totalBytes = 0;
  let truncated = false;
  const rootDevice = (await lstat(realRoot)).dev;

  const walk = async (relDir: string, layers: readonly IgnoreLayer[]): Promise<void> => {
    options.signal?.throwIfAborted();
    const absDir = relDir === "" ? realRoot : join(realRoot, ...relDir.split("/"));
    const own = await readGitignore(absDir);
    if (own === "tooLarge" || (own !== undefined && layers.reduce((n, layer) => n + layer.count, own.count) > MAX_ACTIVE_IGNORE_RULES)) {
      skipped.push({ path: `${relDir}/`, reason: "tooLarge" });
      return;
    }
    const active = own === undefined ? layers : [...layers, { base: relDir, ...own }];
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
      const kind = kindOf(entry);
      if (kind === "symlink" || kind === "special") {
        // A link may point anywhere, even outside the folder or at /dev/zero; a FIFO blocks open().
        skipped.push({ path: rel, reason: kind });
        continue;
      }
      if (kind === "directory") {
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
        if (++directories > maxDirectories) {
          truncated = true;
          return;
        }
        const reason = await directoryProblem(join(absDir, entry.name), rootDevice, realRoot);
        if (reason !== undefined) {
          skipped.push({ path: `${rel}/`, reason });
          continue;
        }
        await walk(rel, active);
        continue;
      }
      if (++visited > maxFiles) {
        truncated = true;
        return;
      }
      const reason = skipReason(rel, entry.name, active);
      if (reason !== undefined) {
        skipped.push(reason);
        continue;
      }
      if (totalBytes >= maxTotalBytes) {
        skipped.push({ path: rel, reason: "overBudget" });
        continue;
      }
      const file = await readText(join(absDir, entry.name), rel, options.maxFileBytes);
      if ("reason" in file) {
        skipped.push(file);
      } else if (totalBytes + file.bytes > maxTotalBytes) {
        skipped.push({ path: rel, reason: "overBudget", bytes: file.bytes });
      } else {
        totalBytes += file.bytes;
        files.push(file);
      }
    }
  };

  const skipReason = (rel: string, name: string, active: readonly IgnoreLayer[]): SkippedEntry | undefined => {
    if (ignoredBy(active, rel, false)) return { path: rel, reason: "gitignore" };
    if (isExcluded(rel)) return { path: rel, reason: "excluded" };
    const byName = skipByName(name);
    if (byName !== undefined) return { path: rel, reason: byName };
    if (options.drop?.(rel) === true) return { path: rel, reason: "dropped" };
    return undefined;
  };

  await walk("", []);
  return { files, skipped, truncated, realRoot };
}

/**
 * Why a folder below the root is not entered: it stopped being a plain folder since it was
 * listed, its real path is not where the walk expects (left the root), or it is a kernel
 * file system mounted here (checked where the device changes, i.e. at mount points).
 */
async function directoryProblem(absPath: string, rootDevice: number, realRoot: string): Promise<SkipReason | undefined> {
  const info = await lstat(absPath).catch(() => undefined);
  if (info === undefined) return "unreadable";
  if (info.isSymbolicLink()) return "symlink";
  if (!info.isDirectory()) return "special";
  const real = await realpath(absPath).catch(() => undefined);
  if (real === undefined) return "unreadable";
  if (real !== absPath || !(real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))) return "outside";
  if (isSpecialPath(real)) return "special";
  if (info.dev !== rootDevice && (await onSpecialFileSystem(real))) return "special";
  return undefined;
}

/** The folder's .gitignore and its rule count; undefined when there is none; "tooLarge" past the caps. */
async function readGitignore(absDir: string): Promise<{ rules: Ignore; count: number } | "tooLarge" | undefined> {
  const read = await readRegular(join(absDir, ".gitignore"), MAX_GITIGNORE_BYTES);
  if (!("data" in read)) return undefined;
  if (read.over) return "tooLarge";
  const text = read.data.toString("utf8");
  const count = text.split(/\r?\n/).filter((line) => line.trim() !== "" && !line.startsWith("#")).length;
  if (count > MAX_ACTIVE_IGNORE_RULES) return "tooLarge";
  return { rules: ignore().add(text), count };
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
  const read = await readRegular(absPath, maxBytes, (head) => looksBinary(head.subarray(0, BINARY_SNIFF_BYTES)));
  if ("reason" in read) return { path: rel, reason: read.reason };
  if (read.over) return { path: rel, reason: "tooLarge", bytes: read.size };
  if (looksBinary(read.data.subarray(0, BINARY_SNIFF_BYTES))) return { path: rel, reason: "binary", bytes: read.size };
  const content = read.data.toString("utf8");
  if (looksMinified(content)) return { path: rel, reason: "generated", bytes: read.size };
  return { path: rel, content, bytes: read.size };
}
