// Runs read-only git commands in a folder Hearth did not write, without running anything
// that folder controls. A repository's own configuration can name programs git runs:
// core.fsmonitor (run on every index read, `ls-files` included), hooks, clean/smudge/
// process filters, diff drivers and textconv, pagers, gpg.program (log.showSignature),
// a remote's transport (lazy fetches in a partial clone) — and `include`/`includeIf` can
// pull any of these from another file. So every call here:
// - overrides the single-valued keys on the command line (command scope is read last, so
//   it wins over anything a local or included file sets, whatever the include);
// - uses only commands that never convert content (rev-parse, ls-files without index
//   refresh, log --name-only), so filters and diff drivers with unknown names never run;
// - runs in a fixed environment built from scratch: no system or global config, no
//   GIT_DIR/GIT_WORK_TREE/GIT_CONFIG_* or other GIT_* from outside, no prompts, no
//   optional locks, no lazy fetch, and the git binary resolved once from absolute PATH
//   entries (never the folder's own `git`).
import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { devNull, platform } from "node:os";
import { delimiter, isAbsolute, join } from "node:path";

/**
 * Command-line config (command scope, highest precedence). An empty core.fsmonitor is
 * "off" both for git ≥ 2.36 (a boolean) and older git (a hook path; empty disables it).
 */
export const SAFE_GIT_CONFIG: readonly string[] = [
  "core.fsmonitor=",
  "core.useBuiltinFSMonitor=false",
  `core.hooksPath=${devNull}`,
  "core.pager=cat",
  "core.untrackedCache=false",
  "core.quotepath=off",
  "log.showSignature=false",
  "protocol.allow=never",
  "credential.helper=",
  "safe.bareRepository=explicit",
];

/** How long one git call may take before it is killed (a lock or a huge repository). */
const GIT_TIMEOUT_MS = 30_000;
const GIT_MAX_OUTPUT = 64 * 1024 * 1024;

let gitPath: string | null | undefined;

/** The git executable from absolute PATH entries only; null when there is none. */
export function findGit(): string | null {
  if (gitPath !== undefined) return gitPath;
  const names = platform() === "win32" ? ["git.exe", "git.cmd"] : ["git"];
  gitPath = null;
  for (const dir of safePath()) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        gitPath = candidate;
        return gitPath;
      } catch {
        // not here
      }
    }
  }
  return gitPath;
}

/** PATH without relative entries ("", ".", "bin"): those resolve inside whatever folder git runs in. */
function safePath(): string[] {
  return (process.env.PATH ?? process.env.Path ?? "").split(delimiter).filter((dir) => dir !== "" && isAbsolute(dir));
}

/** The whole environment git gets: nothing from outside but a safe PATH (and Windows' own essentials). */
export function safeGitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: safePath().join(delimiter),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_SYSTEM: devNull,
    GIT_CONFIG_GLOBAL: devNull,
    GIT_ATTR_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_OPTIONAL_LOCKS: "0",
    GIT_NO_LAZY_FETCH: "1",
    GIT_NO_REPLACE_OBJECTS: "1",
    GIT_PROTOCOL_FROM_USER: "0",
    GIT_PAGER: "cat",
    PAGER: "cat",
    LC_ALL: "C",
  };
  if (platform() === "win32") {
    for (const key of ["SystemRoot", "windir", "TEMP", "TMP", "USERPROFILE", "ComSpec"]) {
      if (process.env[key] !== undefined) env[key] = process.env[key];
    }
  } else {
    // ~/.gitconfig and $XDG_CONFIG_HOME/git/{config,attributes} then resolve below a
    // non-folder: git treats ENOTDIR as "no such file".
    env.HOME = devNull;
    env.XDG_CONFIG_HOME = devNull;
  }
  return env;
}

/**
 * Runs `git <args>` in `cwd` hardened as above; stdout, or undefined when git is missing,
 * fails, times out or is aborted. Only read-only commands that convert no content belong here.
 */
export function runSafeGit(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
  const git = findGit();
  if (git === null) return Promise.resolve(undefined);
  const config = SAFE_GIT_CONFIG.flatMap((entry) => ["-c", entry]);
  return new Promise((resolve) => {
    const child = execFile(
      git,
      ["--no-pager", "--no-replace-objects", ...config, ...args],
      { cwd, env: safeGitEnv(), maxBuffer: GIT_MAX_OUTPUT, timeout: GIT_TIMEOUT_MS, killSignal: "SIGKILL", signal, windowsHide: true, shell: false },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
    // Nothing to read: whatever git might start sees end-of-file at once instead of waiting.
    child.stdin?.end();
  });
}
