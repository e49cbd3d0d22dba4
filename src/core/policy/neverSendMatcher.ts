// Decides whether a file's content must stay on this machine, with gitignore semantics
// (the `ignore` package), so users can reuse what they know from .gitignore.
//
// The decision is made on the path as the file system sees it, not as it was spelled: a
// request can name one file in many ways, and every spelling must get the same answer.
// `matches` looks at several views of a path and says "keep it local" when any view matches:
// - the lexical path, "." and ".." resolved against the workspace folder, so "src/../.env",
//   "../shop/.env" and "/home/ana/shop/x/../.env" are all ".env" in the folder;
// - Unicode NFC (patterns are normalised to NFC too), so an NFD "café/" from macOS matches;
// - the workspace folder's prefix compared without case where the folder's file system
//   ignores case (probed per folder; darwin and win32 are assumed to);
// - Windows aliases of one name: trailing dots and spaces ("id_rsa. "), alternate data
//   stream suffixes ("a.pem::$DATA", "a.pem:x"), and, with Windows rules, 8.3 short names
//   ("SECRET~1.PEM"), which the real path expands where the file exists; one it cannot
//   expand is kept local;
// - the real path (symbolic links followed, via the longest existing prefix), judged
//   against the folder's real path. A link in the workspace whose target lies outside it
//   cannot be judged by the workspace's rules, so it is kept local;
// - where the path has "..", also the real path of the path as spelled: the OS follows a link
//   before it applies the ".." after it ("sub/../x" with sub -> deploy/a opens deploy/x), so
//   the OS resolves the un-normalised spelling. Where it cannot (a dangling link, a missing
//   folder) and a ".." follows a component that is, or may be, a link, the file is kept local;
// - Windows device prefixes ("\\?\C:\...", "\\.\C:\...", "\\?\UNC\server\share\...") are
//   dropped; other device paths ("\\.\PIPE\x", "\\?\Volume{...}\x") are kept local;
// - a URI: a file: URI is judged as the path it names (percent-decoded, "..", kept as spelled);
//   any other scheme ("untitled:", "vscode-remote://") is kept local. A "scheme" with a dot
//   and no "//" ("key.pem:zone") is a file name with a Windows stream suffix, not a URI.
// Matching ignores case everywhere: erring towards "keep it local" is the safe side.
//
// Paths outside the workspace (absolute elsewhere, or "../x" without a root) are tested only
// against the unanchored patterns ("*.pem", ".env", ".ssh/", "**/secrets/"), applied to every
// directory level of the path. Anchored patterns ("/config/prod.yml", "deploy/keys/") describe
// places in the workspace and cannot honestly apply elsewhere; unanchored ones describe kinds
// of file wherever they live, which is what a user means by "never send *.pem".
//
// A matcher that cannot decide (a pattern the library rejects, a path it cannot test, a
// file-system error other than "not found") answers "keep it local", never "send".
import * as nodeFs from "node:fs";
import * as nodePath from "node:path";
import ignore, { type Ignore } from "ignore";

export interface NeverSendMatcher {
  /** True when the file's content must not leave the machine. */
  matches(filePath: string): boolean;
  /** The patterns, as given, for messages. */
  readonly patterns: readonly string[];
}

/** What the matcher asks of the file system; tests hand in their own. */
export interface PathFacts {
  /** The real path of an existing absolute path (links followed, short names expanded); undefined when it does not exist. Other errors throw. */
  realpath(absolute: string): string | undefined;
  /** Whether the file system holding the existing folder `dir` compares names without case. */
  caseInsensitive(dir: string): boolean;
  /**
   * Whether `absolute` (links in its folders followed, "..", applied by the OS) is itself a
   * symbolic link; false when it does not exist. Other errors throw. Left out: unknown, which
   * counts as "may be a link".
   */
  isSymbolicLink?(absolute: string): boolean;
}

export interface NeverSendMatcherOptions {
  /** Absolute path of the workspace folder, to relativise absolute and `..` paths. */
  readonly root?: string;
  /** The file system to consult; default: this machine's (only used when `root` is given). `null`: lexical matching only. */
  readonly fs?: PathFacts | null;
  /** Treat unresolved 8.3 short names ("SECRET~1.PEM") as unknown, so kept local; default: on win32, and for drive-letter paths. */
  readonly windows?: boolean;
}

interface View {
  readonly inside: boolean;
  readonly path: string;
}

/** Returned by a view when the answer is "keep it local" whatever the patterns say. */
const KEEP_LOCAL = Symbol("keep local");

export function createNeverSendMatcher(patterns: readonly string[], options: NeverSendMatcherOptions = {}): NeverSendMatcher {
  const usable = patterns.filter((p) => p.trim() !== "" && !p.startsWith("#")).map((p) => p.normalize("NFC"));
  const inside = compile(usable);
  const outside = compile(usable.filter(isUnanchored));
  const rawRoot = options.root === undefined || options.root === "" ? undefined : plainPath(options.root);
  const root = rawRoot === undefined ? undefined : trimSlashes(normalise(rawRoot)).normalize("NFC");
  const facts = options.fs === null || root === undefined ? undefined : (options.fs ?? NODE_PATH_FACTS);
  let rootFacts: { real: string | undefined; caseless: boolean } | undefined;
  const rootInfo = (): { real: string | undefined; caseless: boolean } => {
    if (rootFacts !== undefined) return rootFacts;
    let real: string | undefined;
    let caseless = defaultCaseless(root);
    if (facts !== undefined && root !== undefined && nodePath.isAbsolute(root)) {
      const found = facts.realpath(root);
      real = found === undefined ? undefined : trimSlashes(normalise(found)).normalize("NFC");
      if (found !== undefined) caseless = facts.caseInsensitive(found);
    }
    rootFacts = { real, caseless };
    return rootFacts;
  };
  return {
    patterns: [...patterns],
    matches(filePath: string): boolean {
      try {
        if (inside === undefined || outside === undefined) return true;
        if (typeof filePath !== "string") return true;
        if (filePath === "") return false;
        const plain = plainPath(filePath);
        if (plain === undefined) return true;
        const asSpelled = normalise(plain);
        const spelled = asSpelled.normalize("NFC");
        if (trimSlashes(spelled) === "" || spelled === ".") return false;
        const windows = options.windows ?? (process.platform === "win32" || /^[A-Za-z]:\//.test(spelled) || (root !== undefined && /^[A-Za-z]:\//.test(root)));
        const osRoot = rawRoot === undefined ? undefined : trimSlashes(normalise(rawRoot));
        const views = viewsOf(spelled, asSpelled, root, osRoot, facts, rootInfo, windows);
        if (views === KEEP_LOCAL) return true;
        for (const view of views) {
          for (const path of aliases(view.path)) {
            if (path === "") continue;
            if (test(view.inside ? inside : outside, path)) return true;
          }
        }
        return false;
      } catch {
        return true;
      }
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

/** The node view of this machine's file system. */
export const NODE_PATH_FACTS: PathFacts = {
  realpath(absolute: string): string | undefined {
    try {
      return nodeFs.realpathSync.native(absolute);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  caseInsensitive: probeCaseInsensitive,
  isSymbolicLink(absolute: string): boolean {
    try {
      return nodeFs.lstatSync(absolute).isSymbolicLink();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  },
};

const caseProbes = new Map<string, boolean>();

/** Looks the folder up with its last name's case swapped: the same file means the file system ignores case. */
function probeCaseInsensitive(dir: string): boolean {
  const known = caseProbes.get(dir);
  if (known !== undefined) return known;
  let answer = process.platform === "darwin" || process.platform === "win32";
  const base = nodePath.basename(dir);
  const swapped = [...base].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
  if (swapped !== base) {
    try {
      const a = nodeFs.statSync(dir);
      const b = nodeFs.statSync(nodePath.join(nodePath.dirname(dir), swapped), { throwIfNoEntry: false });
      answer = b !== undefined && a.ino === b.ino && a.dev === b.dev;
    } catch {
      // Keep the platform's usual answer.
    }
  }
  caseProbes.set(dir, answer);
  return answer;
}

function defaultCaseless(root: string | undefined): boolean {
  return process.platform === "darwin" || process.platform === "win32" || (root !== undefined && /^[A-Za-z]:\//.test(root));
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** Compiles a pattern list; undefined when the library rejects one (then nothing is sent). */
function compile(patterns: readonly string[]): Ignore | undefined {
  const matcher = ignore({ ignorecase: true });
  try {
    for (const pattern of patterns) matcher.add(pattern);
  } catch {
    return undefined;
  }
  return matcher;
}

function test(matcher: Ignore, relativePath: string): boolean {
  // A path `ignore` cannot test (it throws) is not known to be safe: keep it local.
  return matcher.ignores(relativePath);
}

/** A pattern with no "/" except a trailing one (or only a leading "**\/") matches at any depth. */
function isUnanchored(pattern: string): boolean {
  const body = (pattern.startsWith("!") ? pattern.slice(1) : pattern).replace(/^(\*\*\/)+/, "").replace(/\/+$/, "");
  return !body.includes("/");
}

/**
 * The file path a request names: a file: URI converted to its path, Windows device prefixes
 * ("\\?\", "\\.\", "\??\", and their UNC forms) dropped. Undefined when it names something
 * that cannot be judged as a path: a URI of another scheme, a device path that is not a drive
 * or a share, a file: URI with a query, a fragment or a bad escape.
 */
function plainPath(filePath: string): string | undefined {
  let path = filePath;
  if (hasScheme(path)) {
    const converted = /^file:/i.test(path) ? fileUriToPath(path) : undefined;
    if (converted === undefined || hasScheme(converted)) return undefined;
    path = converted;
  }
  const device = /^(?:[\\/]{2}[?.]|[\\/]\?\?)[\\/]/.exec(path);
  if (device === null) return path;
  const rest = path.slice(device[0].length);
  const unc = /^UNC[\\/]/i.exec(rest);
  if (unc !== null) return `//${rest.slice(unc[0].length)}`;
  if (/^[A-Za-z]:(?:[\\/]|$)/.test(rest)) return rest;
  return undefined;
}

/** "scheme:" at the start, other than a drive letter ("C:") and other than a file name with a stream suffix ("key.pem:zone"). */
function hasScheme(path: string): boolean {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(path)?.[0];
  if (scheme === undefined || scheme.length <= 2) return false;
  return !scheme.includes(".") || path.startsWith("//", scheme.length);
}

/** The path of a file: URI, "..", kept as spelled (the OS resolves them); undefined where it has a query, a fragment or a bad escape. */
function fileUriToPath(uri: string): string | undefined {
  const parts = /^file:(?:\/\/([^/\\?#]*))?([^?#]*)$/i.exec(uri);
  if (parts === null) return undefined;
  const host = decodeURIComponent(parts[1] ?? "");
  let path = decodeURIComponent(parts[2] ?? "");
  if (path === "" || !/^[\\/]/.test(path)) return undefined;
  const drive = /^[\\/]([A-Za-z])[:|](?=[\\/]|$)/.exec(path);
  if (drive !== null) path = `${drive[1] ?? ""}:${path.slice(drive[0].length)}`;
  if (host === "" || host.toLowerCase() === "localhost") return path;
  if (drive === null && /^[A-Za-z][:|]$/.test(host)) return `${host.slice(0, 1)}:${path}`;
  return drive === null ? `//${host}${path}` : undefined;
}

function normalise(path: string): string {
  return path.replace(/\\/g, "/").replace(/\/{2,}/g, "/");
}

function trimSlashes(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" && path.startsWith("/") ? "/" : trimmed;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:\//.test(path);
}

/** Every way the file system may see `spelled`: the lexical path and, where it exists, the real one. */
function viewsOf(
  spelled: string,
  asSpelled: string,
  root: string | undefined,
  osRoot: string | undefined,
  facts: PathFacts | undefined,
  rootInfo: () => { real: string | undefined; caseless: boolean },
  windows: boolean,
): View[] | typeof KEEP_LOCAL {
  if (root === undefined) return [locateWithoutRoot(spelled)];
  const absolute = resolveDots(isAbsolute(spelled) ? spelled : `${root}/${spelled}`);
  const info = rootInfo();
  const lexical = locate(absolute, root, info.caseless);
  const views: View[] = [lexical];
  let resolvedShortNames = false;
  if (facts !== undefined && nodePath.isAbsolute(absolute)) {
    const real = realOfLongestExisting(absolute, facts);
    if (real !== undefined) {
      resolvedShortNames = real.complete;
      const realRoot = info.real ?? root;
      const target = locate(real.path, realRoot, info.caseless);
      if (lexical.inside && !target.inside) {
        // A link (or a linked folder) in the workspace that leads out of it.
        return KEEP_LOCAL;
      }
      if (target.path !== lexical.path || target.inside !== lexical.inside) views.push(target);
    }
    // The OS follows a link before it applies a ".." after it: judge the real path of the
    // spelling itself, un-normalised, as the OS resolves it.
    const unresolved = osRoot === undefined || isAbsolute(asSpelled) ? asSpelled : `${osRoot}/${asSpelled}`;
    if (unresolved.split("/").includes("..") && nodePath.isAbsolute(unresolved)) {
      const real = realOfSpelling(unresolved, facts);
      if (real === KEEP_LOCAL) return KEEP_LOCAL;
      if (real !== undefined) {
        resolvedShortNames ||= real.complete;
        const target = locate(real.path, info.real ?? root, info.caseless);
        if (lexical.inside && !target.inside) return KEEP_LOCAL;
        if (views.every((v) => v.path !== target.path || v.inside !== target.inside)) views.push(target);
      }
    }
  }
  if (windows && !resolvedShortNames && absolute.split("/").some((segment) => /~\d/.test(segment))) {
    // An 8.3 short name the file system did not expand: its long name is unknown.
    return KEEP_LOCAL;
  }
  return views;
}

/** The real path of `absolute`, or of its longest existing ancestor with the rest appended. */
function realOfLongestExisting(absolute: string, facts: PathFacts): { path: string; complete: boolean } | undefined {
  const segments = absolute.split("/");
  for (let keep = segments.length; keep > 0; keep--) {
    const head = segments.slice(0, keep).join("/") || "/";
    const real = facts.realpath(head);
    if (real === undefined) continue;
    const tail = segments.slice(keep).join("/");
    const joined = normalise(tail === "" ? real : `${trimSlashes(normalise(real))}/${tail}`).normalize("NFC");
    return { path: joined, complete: keep === segments.length };
  }
  return undefined;
}

/**
 * The real path of an absolute spelling with ".." in it, resolved by the OS: of the whole
 * spelling, or of its longest existing prefix with the rest appended. KEEP_LOCAL when the rest
 * has a ".." after a component that is, or may be, a link (a dangling one, say): then the OS's
 * answer is unknown.
 */
function realOfSpelling(unresolved: string, facts: PathFacts): { path: string; complete: boolean } | typeof KEEP_LOCAL | undefined {
  const segments = unresolved.split("/");
  for (let keep = segments.length; keep > 0; keep--) {
    const head = segments.slice(0, keep).join("/") || "/";
    const real = facts.realpath(head);
    if (real === undefined) continue;
    const tail = segments.slice(keep);
    const lastUp = tail.lastIndexOf("..");
    if (lastUp >= 0) {
      // Components in the rest do not exist, except perhaps the first, as a dangling link;
      // where the rest starts with "..", the head itself (a file, or a link to one) precedes it.
      for (let j = tail[0] === ".." ? -1 : 0; j < lastUp; j++) {
        if (j >= 0 && (tail[j] === ".." || tail[j] === "." || tail[j] === "")) continue;
        const prefix = [head === "/" ? "" : head, ...tail.slice(0, j + 1)].join("/") || "/";
        if (facts.isSymbolicLink?.(prefix) !== false) return KEEP_LOCAL;
      }
    }
    const rest = cleanRelative(tail.join("/"));
    const joined = rest === "" ? normalise(real) : resolveDots(`${trimSlashes(normalise(real))}/${rest}`);
    return { path: joined.normalize("NFC"), complete: keep === segments.length };
  }
  return undefined;
}

function locate(absolute: string, root: string, caseless: boolean): View {
  if (absolute === root || (caseless && absolute.toLowerCase() === root.toLowerCase())) return { inside: true, path: "" };
  const rootWithSlash = root === "/" ? "/" : `${root}/`;
  const sameCase = absolute.startsWith(rootWithSlash);
  const caselessMatch = !sameCase && caseless && absolute.toLowerCase().startsWith(rootWithSlash.toLowerCase());
  if (sameCase || caselessMatch) return { inside: true, path: cleanRelative(absolute.slice(rootWithSlash.length)) };
  return { inside: false, path: cleanRelative(absolute.replace(/^([A-Za-z]:)?\/+/, "")) };
}

function locateWithoutRoot(path: string): View {
  if (isAbsolute(path)) return { inside: false, path: cleanRelative(path.replace(/^([A-Za-z]:)?\/+/, "")) };
  const relative = cleanRelative(path);
  if (relative === ".." || relative.startsWith("../")) {
    return { inside: false, path: relative.replace(/^(\.\.\/)+/, "").replace(/^\.\.$/, "") };
  }
  return { inside: true, path: relative };
}

/** Resolves "." and ".." in an absolute path (".." above the top stays at the top, as the OS does). */
function resolveDots(absolute: string): string {
  const drive = /^[A-Za-z]:/.exec(absolute)?.[0] ?? "";
  const out: string[] = [];
  for (const segment of absolute.slice(drive.length).split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return `${drive}/${out.join("/")}`;
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

/**
 * The spellings Windows treats as the same name: trailing dots and spaces dropped, and an
 * alternate data stream suffix (":name", "::$DATA", ":name:$DATA") dropped. Applied to every
 * segment on every platform (a share or an NTFS volume can be mounted anywhere, and a name
 * that differs only by a trailing dot is still the same kind of file); the raw path is kept.
 */
function aliases(path: string): string[] {
  const stripped = path
    .split("/")
    .map((segment) => {
      const withoutStream = segment.replace(/:.*$/, "");
      const base = withoutStream === "" ? segment : withoutStream;
      const trimmed = base.replace(/[. ]+$/, "");
      return trimmed === "" ? base : trimmed;
    })
    .join("/");
  return stripped === path ? [path] : [path, stripped];
}
