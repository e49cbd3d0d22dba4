// How often and how recently each file changed, from `git log`: the repo pack puts files
// least likely to change first, so an edit invalidates as little of the evaluated prefix as
// possible. No git, not a repository, or git failing: undefined, and the caller orders by
// path. Uncommitted edits do not move a file (the log is about commits), which keeps the
// order stable while the user types. Git runs hardened (safeGit.ts): a cloned repository
// never runs its own code because someone asked a question about it.
import { runSafeGit } from "./safeGit";

export interface FileHistory {
  /** Commits touching the file among the last N (0 = unchanged in that window). */
  readonly commits: number;
  /** Index of the newest commit touching it, 0 = HEAD; undefined when unchanged in the window. */
  readonly newest?: number;
}

export interface GitHistory {
  /** Tracked files (relative to the root), so untracked work in progress can go last. */
  readonly tracked: ReadonlySet<string>;
  readonly files: ReadonlyMap<string, FileHistory>;
}

export const DEFAULT_HISTORY_COMMITS = 300;
const COMMIT_MARK = "\u0001commit";

export async function readGitHistory(root: string, options: { commits?: number; signal?: AbortSignal } = {}): Promise<GitHistory | undefined> {
  const commits = options.commits ?? DEFAULT_HISTORY_COMMITS;
  // Paths relative to `root` even when it is a subfolder of the repository.
  const prefix = await git(root, ["rev-parse", "--show-prefix"], options.signal);
  if (prefix === undefined) return undefined;
  const listed = await git(root, ["ls-files", "-z", "--full-name"], options.signal);
  if (listed === undefined) return undefined;
  const base = prefix.trim();
  const strip = (path: string): string | undefined => (path.startsWith(base) ? path.slice(base.length) : undefined);
  const tracked = new Set(listed.split("\0").filter((p) => p !== "").map(strip).filter((p): p is string => p !== undefined));

  const files = new Map<string, FileHistory>();
  // An empty repository has no HEAD: every file is simply tracked and unchanged.
  // --name-only compares trees, never file content: no diff driver, textconv or filter applies.
  const log = (await git(root, ["log", `-n${commits}`, "--format=%x01commit", "--name-only", "--no-renames", "--no-ext-diff", "--no-textconv", "--no-show-signature", "--no-notes", "--", "."], options.signal)) ?? "";
  let index = -1;
  for (const line of log.split("\n")) {
    if (line === COMMIT_MARK) {
      index++;
      continue;
    }
    if (line === "" || index < 0) continue;
    const path = strip(line);
    if (path === undefined) continue;
    const seen = files.get(path);
    files.set(path, { commits: (seen?.commits ?? 0) + 1, newest: seen?.newest ?? index });
  }
  return { tracked, files };
}

function git(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
  return runSafeGit(cwd, args, signal);
}
