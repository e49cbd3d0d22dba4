// A cloned repository must never run its own code because someone asked a question about
// it. This builds a real repository whose configuration names a program for every hook git
// offers (fsmonitor, one pulled in through includeIf, hooks, filters, diff drivers and
// textconv, pagers, aliases, gpg for a signed commit, an inherited GIT_CONFIG_PARAMETERS, a
// `git` planted in the folder with "." on PATH); each program leaves a marker file when it
// runs. A control run with plain git proves the markers do appear; the repo pack's git
// history and the whole packing path then run and leave none.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPack, scanRepo, TokenCounter } from "../../../../src/core/repo";
import { readGitHistory } from "../../../../src/core/repo/gitHistory";
import { repoSystemMessage } from "../../../../src/server/repoPrompt";
import { charTokens } from "./repoFixtures";

const VECTORS = [
  "fsmonitor",
  "include-fsmonitor",
  "env-fsmonitor",
  "env-pager",
  "hook",
  "clean",
  "smudge",
  "process",
  "textconv",
  "diff-command",
  "diff-external",
  "pager",
  "pager-log",
  "alias",
  "gpg",
  "gpg-ssh",
  "gpg-x509",
  "planted-git",
] as const;

describe("hostile repository: git runs nothing the repository names", function () {
  let base: string;
  let repo: string;
  let markers: string;
  let script: (vector: string) => string;

  const fired = (): string[] => readdirSync(markers).sort();
  const clearMarkers = (): void => {
    for (const name of readdirSync(markers)) rmSync(join(markers, name));
  };
  /** Runs `body` with hostile variables in this process's environment, restored after. */
  const withHostileEnv = async <T>(body: () => Promise<T>): Promise<T> => {
    const saved = { ...process.env };
    process.env.GIT_CONFIG_PARAMETERS = `'core.fsmonitor'='${script("env-fsmonitor")}'`;
    process.env.GIT_CONFIG_COUNT = "1";
    process.env.GIT_CONFIG_KEY_0 = "core.pager";
    process.env.GIT_CONFIG_VALUE_0 = script("env-pager");
    process.env.GIT_PAGER = script("env-pager");
    process.env.GIT_EXTERNAL_DIFF = script("diff-external");
    process.env.PATH = `.${process.platform === "win32" ? ";" : ":"}${saved.PATH ?? ""}`;
    try {
      return await body();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  };

  before(function () {
    if (process.platform === "win32") this.skip(); // the marker programs are shell scripts
    base = mkdtempSync(join(tmpdir(), "hearth-hostile-"));
    repo = join(base, "repo");
    markers = join(base, "markers");
    const bin = join(base, "bin");
    mkdirSync(repo);
    mkdirSync(markers);
    mkdirSync(bin);
    script = (vector) => join(bin, `${vector}.sh`);
    for (const vector of VECTORS) {
      writeFileSync(script(vector), `#!/bin/sh\ntouch '${join(markers, vector)}'\ncat >/dev/null 2>&1\nexit 0\n`);
      chmodSync(script(vector), 0o755);
    }
    const git = (...args: string[]): string => execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" });
    git("init", "-q");
    writeFileSync(join(repo, "README.md"), "# Hostile\n");
    writeFileSync(join(repo, "a.ts"), "export const a = 1;\n");
    writeFileSync(join(repo, ".gitattributes"), "* filter=evil diff=evil\n");
    git("add", "-A");
    git("commit", "-q", "-m", "start");
    // A signed commit that changes a file (so `log -- .` shows it), for log.showSignature to verify with gpg.program.
    writeFileSync(join(repo, "README.md"), "# Hostile\nSigned.\n");
    git("add", "README.md");
    const tree = git("write-tree").trim();
    const parent = git("rev-parse", "HEAD").trim();
    const signed = `tree ${tree}\nparent ${parent}\nauthor T <t@example.invalid> 1700000000 +0000\ncommitter T <t@example.invalid> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n`;
    const id = execFileSync("git", ["hash-object", "-t", "commit", "-w", "--stdin"], { cwd: repo, input: signed, encoding: "utf8" }).trim();
    git("update-ref", "HEAD", id);
    // Hooks in both places git looks.
    const hooks = join(repo, "hooks");
    mkdirSync(hooks);
    for (const dir of [hooks, join(repo, ".git", "hooks")]) {
      for (const hook of ["pre-commit", "post-checkout", "post-index-change", "reference-transaction", "fsmonitor-watchman", "pre-auto-gc"]) {
        writeFileSync(join(dir, hook), `#!/bin/sh\nexec '${script("hook")}'\n`);
        chmodSync(join(dir, hook), 0o755);
      }
    }
    const included = join(base, "included.gitconfig");
    writeFileSync(included, `[core]\n\tfsmonitor = ${script("include-fsmonitor")}\n`);
    const config = [
      "[core]",
      `\tfsmonitor = ${script("fsmonitor")}`,
      "\thooksPath = hooks",
      `\tpager = ${script("pager")}`,
      "\tuntrackedCache = true",
      `[includeIf "gitdir:${repo}/"]`,
      `\tpath = ${included}`,
      '[filter "evil"]',
      `\tclean = ${script("clean")}`,
      `\tsmudge = ${script("smudge")}`,
      `\tprocess = ${script("process")}`,
      '[diff "evil"]',
      `\ttextconv = ${script("textconv")}`,
      `\tcommand = ${script("diff-command")}`,
      "[diff]",
      `\texternal = ${script("diff-external")}`,
      "[pager]",
      `\tlog = ${script("pager-log")}`,
      "[alias]",
      `\tls-files = !${script("alias")}`,
      `\thistory = !${script("alias")}`,
      "[log]",
      "\tshowSignature = true",
      "[gpg]",
      `\tprogram = ${script("gpg")}`,
      '[gpg "ssh"]',
      `\tprogram = ${script("gpg-ssh")}`,
      '[gpg "x509"]',
      `\tprogram = ${script("gpg-x509")}`,
    ].join("\n");
    writeFileSync(join(repo, ".git", "config"), `[core]\n\trepositoryformatversion = 0\n\tbare = false\n${config}\n`);
    // A file changed since the commit, so a status would have content to filter.
    writeFileSync(join(repo, "a.ts"), "export const a = 2;\n");
    // A `git` in the folder itself, for a caller that searched "." on PATH.
    writeFileSync(join(repo, "git"), `#!/bin/sh\nexec '${script("planted-git")}'\n`);
    chmodSync(join(repo, "git"), 0o755);
  });

  after(() => {
    if (base !== undefined && process.env.KEEP_HOSTILE === undefined) rmSync(base, { recursive: true, force: true });
  });

  beforeEach(clearMarkers);

  it("control: plain git in this repository does run its programs (so the test can fail)", () => {
    const plain = (...args: string[]): void => {
      execFileSync("git", args, { cwd: repo, stdio: "ignore" });
    };
    plain("ls-files", "-z", "--full-name");
    plain("log", "-n5", "--name-only", "--", ".");
    const seen = fired();
    assert.ok(seen.includes("include-fsmonitor"), `fsmonitor from an includeIf file ran: ${seen.join(", ")}`);
    assert.ok(seen.includes("gpg"), `gpg.program ran for the signed commit: ${seen.join(", ")}`);
  });

  it("reads the history of the hostile repository and runs none of its programs", async () => {
    const history = await withHostileEnv(() => readGitHistory(repo));
    assert.ok(history !== undefined, "git ran and read the history");
    assert.ok(history.tracked.has("a.ts") && history.tracked.has("README.md"), [...history.tracked].join(", "));
    assert.equal(history.files.get("a.ts")?.commits, 1);
    assert.deepEqual(fired(), []);
  });

  it("packs the hostile repository (extension and server paths) and runs none of its programs", async () => {
    await withHostileEnv(async () => {
      const snapshot = await scanRepo({ root: repo, maxFileBytes: 65536 });
      assert.equal(snapshot.orderedByGit, true);
      const pack = await buildPack(snapshot, { layout: "qwenRepo", counter: new TokenCounter(charTokens), question: "what is a?" });
      assert.ok(pack.text.includes("export const a = 2;"));
      const tokenize = (text: string): unknown[] => Array.from({ length: Math.ceil(text.length / 4) });
      const served = await repoSystemMessage({ dir: repo, roots: [base], question: "what is a?", conversationTokens: 10, messages: 1, contextTokens: 8192, answerTokens: 256, tokenize });
      assert.equal(served.report.orderedByGit, true);
    });
    assert.deepEqual(fired(), []);
  });
});
