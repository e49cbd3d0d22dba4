// Which neverSend files the neverSend index reads. gitignore lets a name match a folder and
// with it everything below: the built-in `.env` makes a Python virtualenv named `.env/` (its
// thousands of library sources) neverSend. Keeping those files local is right; reading them
// into the index is not: every line of `requests/api.py` (`from __future__ import
// annotations`, a license header) would become a value taken out of every request that leaves.
// So the index reads a neverSend file only where its own path is matched (`.env`, `*.pem`,
// `vault/*`, `secrets/**`), or a folder above it is named as a folder by a pattern that ends in
// `/` (`.ssh/`, a user's `secrets/`); not where the only match is a folder matched by a name
// that might be a file's.
import { withoutTrailingSpace } from "./neverSendGlobs";
import { createNeverSendMatcher, type NeverSendMatcher, type NeverSendMatcherOptions } from "./neverSendMatcher";

/**
 * The files of `neverSend` (a folder's effective matcher) that the index reads. `options`: the
 * ones `neverSend` was made with (its root), so that both see a path alike.
 */
export function neverSendIndexMatcher(neverSend: NeverSendMatcher, options: NeverSendMatcherOptions = {}): NeverSendMatcher {
  const own = createNeverSendMatcher(filesAndNamedFolders(neverSend.patterns), options);
  return {
    patterns: neverSend.patterns,
    // `neverSend` decides what is neverSend (its lists and their `!`s); `own` only says why.
    matches: (filePath) => neverSend.matches(filePath) && own.matches(filePath),
  };
}

/**
 * The patterns, with a folder matched by a pattern without a trailing `/` given back (`!P/`
 * after P), then the patterns with one applied last, so a folder they name stays matched
 * whatever the order. The lists' `!` patterns are left out: this is asked only about files the
 * real lists call neverSend, so it may match more, never less, of what they match.
 */
export function filesAndNamedFolders(patterns: readonly string[]): string[] {
  const names: string[] = [];
  const folders: string[] = [];
  for (const raw of patterns) {
    // gitignore drops unescaped trailing spaces.
    const pattern = withoutTrailingSpace(raw);
    if (pattern === "" || pattern.startsWith("#") || pattern.startsWith("!")) continue;
    if (pattern.endsWith("/")) folders.push(pattern);
    else names.push(pattern);
  }
  return [...names, ...names.map((name) => `!${name}/`), ...folders];
}
