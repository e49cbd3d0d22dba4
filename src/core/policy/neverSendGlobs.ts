// Glob patterns (VS Code's findFiles and file watcher syntax, relative to a workspace folder)
// that find at least every file of a list of gitignore-style neverSend patterns that the
// neverSend index reads (neverSendIndexRule). They are a net, not the rule: whatever they find
// is judged again by the real matcher, so a glob here may take in more, never less.
//   - no slash, or only a trailing one: a name at any depth (`.env` → `**/.env`);
//   - a slash at the start or inside: a path from the folder's root (`/config/prod.yml`, `deploy/keys/`);
//   - a pattern that names a folder (`.ssh/`, `secrets/`): everything under it too
//     (`<glob>/**`). Under a folder matched by a name that may be a file's (`.env`, `vault/*`)
//     the index reads only what another pattern matches by its own path, which that pattern's
//     glob finds: a virtualenv named `.env/` is not listed file by file;
//   - `!` patterns give files back; the search ignores them (the matcher applies them);
//   - letters match either case, as the matcher does (`.ENV` is `.env`); a character past
//     ASCII may be spelled otherwise on disk (NFD, case), so it is `*`;
//   - what a glob cannot say as gitignore means it becomes a wildcard: a bracket class or an
//     escaped character `*`; `{`, `}` and `,` (literal in gitignore, special in a glob) `?`.
//     More files found, none missed.
import { trimEndWhile } from "../../shared/trimEnd";

/** The globs for a pattern list, each once; none for a list of only comments and `!` patterns. */
export function neverSendGlobs(patterns: readonly string[]): string[] {
  const globs = new Set<string>();
  for (const raw of patterns) {
    for (const glob of globsOf(raw)) globs.add(glob);
  }
  return [...globs];
}

/**
 * The globs of the files matched by their own name in a folder's top two levels (`.env`,
 * `apps/.env`, `/config/prod.yml`): a search bounded by a count lists them in whatever order
 * it walks, so a first search for these alone keeps a thousand `*.pem` test fixtures deeper
 * down from crowding out the root's `.env`.
 */
export function shallowNeverSendGlobs(patterns: readonly string[]): string[] {
  const globs = new Set<string>();
  for (const raw of patterns) {
    const [base] = globsOf(raw);
    if (base === undefined) continue;
    const rest = base.startsWith("**/") ? base.slice(3) : undefined;
    for (const glob of rest === undefined ? [base] : [rest, `*/${rest}`]) {
      if (!glob.includes("**")) globs.add(glob);
    }
  }
  return [...globs];
}

/**
 * A gitignore pattern without its trailing white space, one escaped (`\ `) kept: what
 * /(?<!\\)\s+$/ removes, in linear time (that expression tries a long run of spaces inside a
 * hostile policy's pattern from every position in it).
 */
export function withoutTrailingSpace(pattern: string): string {
  let end = pattern.length;
  while (end > 0 && /\s/.test(pattern[end - 1]!)) end--;
  if (end === pattern.length) return pattern;
  if (end > 0 && pattern[end - 1] === "\\") end++;
  return pattern.slice(0, end);
}

/** One glob that is any of `globs`, for a single findFiles call; undefined for none. */
export function combinedGlob(globs: readonly string[]): string | undefined {
  if (globs.length === 0) return undefined;
  return globs.length === 1 ? globs[0] : `{${globs.join(",")}}`;
}

function globsOf(raw: string): string[] {
  // gitignore drops trailing spaces unless escaped; an escaped one becomes a wildcard below.
  let pattern = withoutTrailingSpace(raw);
  if (pattern === "" || pattern.startsWith("#") || pattern.startsWith("!")) return [];
  const folder = pattern.endsWith("/");
  pattern = trimEndWhile(pattern, (char) => char === "/");
  const anchored = pattern.includes("/");
  pattern = pattern.replace(/^\/+/, "");
  if (pattern === "") return [];
  const body = globBody(pattern);
  const base = anchored ? body : `**/${body}`;
  // A named folder's own path stays too, so the watcher reports its deletion (findFiles lists files only).
  return folder ? [base, `${base}/**`] : [base];
}

/** The pattern in glob syntax: `*`, `**`, `?` and `/` as they are, the rest literal or a wildcard. */
function globBody(pattern: string): string {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      // An escaped character, or a class (which may hold a character past ASCII): any run finds it.
      out += ANY_RUN;
      i++;
    } else if (c === "[") {
      out += ANY_RUN;
      i = bracketEnd(pattern, i);
    } else if (c === "{" || c === "}" || c === ",") {
      out += "?";
    } else if (c > "\x7f") {
      // Another spelling may be on disk (NFD on macOS: two characters; another case): any run.
      out += ANY_RUN;
    } else if (/[A-Za-z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    } else {
      out += c;
    }
  }
  // One star for a wildcard and the stars next to it (`é*` as `**` would be any path), and for
  // `**` inside a name (`**.pem` is `*.pem` to gitignore; ripgrep refuses it as a glob).
  return out
    .replace(/[*\0]*\0[*\0]*/g, "*")
    .split("/")
    .map((segment) => (segment === "**" ? segment : segment.replace(/\*{2,}/g, "*")))
    .join("/");
}

/** Stands for a wildcard put in for a character while the glob is built (see globBody's end). */
const ANY_RUN = "\0";

/** Where a bracket class that starts at `start` ends (its `]`); a `[` without one is a literal, which `?` also finds. */
function bracketEnd(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === "!" || pattern[i] === "^") i++;
  if (pattern[i] === "]") i++;
  for (; i < pattern.length; i++) {
    if (pattern[i] === "\\") i++;
    else if (pattern[i] === "]") return i;
  }
  return start;
}
