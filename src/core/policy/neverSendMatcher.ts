// Decides whether a file's content must stay on this machine, with gitignore semantics
// (the `ignore` package), so users can reuse what they know from .gitignore.
//
// Paths:
// - Relative paths are relative to the workspace folder ("src/a.ts", "./src/a.ts").
// - Absolute paths inside `root` are made relative to it.
// - Paths outside the workspace (absolute elsewhere, or "../x") are tested only against the
//   unanchored patterns ("*.pem", ".env", ".ssh/", "**/secrets/"), applied to every
//   directory level of the path. Anchored patterns ("/config/prod.yml", "deploy/keys/") describe
//   places in the workspace and cannot honestly apply elsewhere; unanchored ones describe kinds
//   of file wherever they live, which is what a user means by "never send *.pem".
// - Windows separators are normalised; matching ignores case, because on the file systems
//   where case does not matter, `.ENV` is the same file as `.env`, and erring towards
//   "keep it local" is the safe side.
import ignore, { type Ignore } from "ignore";

export interface NeverSendMatcher {
  /** True when the file's content must not leave the machine. */
  matches(filePath: string): boolean;
  /** The patterns, as given, for messages. */
  readonly patterns: readonly string[];
}

export interface NeverSendMatcherOptions {
  /** Absolute path of the workspace folder, to relativise absolute paths. */
  readonly root?: string;
}

export function createNeverSendMatcher(patterns: readonly string[], options: NeverSendMatcherOptions = {}): NeverSendMatcher {
  const usable = patterns.filter((p) => p.trim() !== "" && !p.startsWith("#"));
  const inside = safeIgnore(usable);
  const outside = safeIgnore(usable.filter(isUnanchored));
  const root = options.root === undefined ? undefined : trimSlashes(normalise(options.root));
  return {
    patterns: [...patterns],
    matches(filePath: string): boolean {
      const located = locate(normalise(filePath), root);
      if (located.path === "") return false;
      return test(located.inside ? inside : outside, located.path);
    },
  };
}

/** A matcher that says yes when any of `matchers` does: lists stay separate so that a `!` in one cannot undo another. */
export function anyNeverSendMatcher(matchers: readonly NeverSendMatcher[]): NeverSendMatcher {
  return {
    patterns: matchers.flatMap((m) => m.patterns),
    matches: (filePath) => matchers.some((m) => m.matches(filePath)),
  };
}

function safeIgnore(patterns: readonly string[]): Ignore {
  const matcher = ignore({ ignorecase: true });
  for (const pattern of patterns) {
    try {
      matcher.add(pattern);
    } catch {
      // An unusable pattern is reported by the policy parser; here it simply adds nothing.
    }
  }
  return matcher;
}

function test(matcher: Ignore, relativePath: string): boolean {
  try {
    return matcher.ignores(relativePath);
  } catch {
    return false;
  }
}

/** A pattern with no "/" except a trailing one (or only a leading "**\/") matches at any depth. */
function isUnanchored(pattern: string): boolean {
  const body = (pattern.startsWith("!") ? pattern.slice(1) : pattern).replace(/^(\*\*\/)+/, "").replace(/\/+$/, "");
  return !body.includes("/");
}

function normalise(path: string): string {
  return path.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, "");
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:\//.test(path);
}

function locate(path: string, root: string | undefined): { inside: boolean; path: string } {
  if (isAbsolute(path)) {
    if (root !== undefined && root !== "") {
      const rootWithSlash = `${root}/`;
      const sameCase = path.startsWith(rootWithSlash);
      const caseless = !sameCase && path.toLowerCase().startsWith(rootWithSlash.toLowerCase()) && /^[A-Za-z]:\//.test(root);
      if (sameCase || caseless) return { inside: true, path: cleanRelative(path.slice(rootWithSlash.length)) };
    }
    return { inside: false, path: cleanRelative(path.replace(/^([A-Za-z]:)?\/+/, "")) };
  }
  const relative = cleanRelative(path);
  if (relative === ".." || relative.startsWith("../")) {
    return { inside: false, path: relative.replace(/^(\.\.\/)+/, "").replace(/^\.\.$/, "") };
  }
  return { inside: true, path: relative };
}

/** Resolves "." and ".." segments so that `ignore` gets the `path.relative()` form it requires. */
function cleanRelative(path: string): string {
  const out: string[] = [];
  let leadingUps = 0;
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length > 0) out.pop();
      else leadingUps++;
      continue;
    }
    out.push(segment);
  }
  return [...Array<string>(leadingUps).fill(".."), ...out].join("/");
}
