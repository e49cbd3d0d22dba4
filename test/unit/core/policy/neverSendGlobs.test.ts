// The search globs drawn from neverSend patterns must find every file the neverSend index reads
// (they are a net; the matcher decides), and not list a virtualenv named `.env/` file by file;
// the shallow ones, the files matched by name in the top two levels. Checked with picomatch, a glob engine with
// the same syntax (classes, `**`), on paths that match and paths that do not. (picomatch does
// not read `**/` at the start of a brace alternative as VS Code and ripgrep do, so the combined
// glob is checked for its shape; ripgrep 15 as VS Code 1.10x calls it, `rg --files -g /{…}`, found
// the same files with it.)
import assert from "node:assert/strict";
import fc from "fast-check";
import picomatch from "picomatch";
import { BUILTIN_USER_DEFAULTS, combinedGlob, createNeverSendMatcher, neverSendGlobs, neverSendIndexMatcher, shallowNeverSendGlobs } from "../../../../src/core/policy";
import { withoutTrailingSpace } from "../../../../src/core/policy/neverSendGlobs";

const PATTERNS = [...BUILTIN_USER_DEFAULTS.neverSend, "secrets/", "/config/prod.yml", "deploy/keys/", "**.p8", "café/", "a\\#b", "x[0-9]y", "{odd},name", "# a comment", "!not-this"];

const PATHS = [
  ".env",
  "apps/web/.env",
  "apps/web/.env.local",
  ".ENV",
  "apps/web/.env.example",
  "certs/server.pem",
  "Certs/Server.PEM",
  "home/.ssh/id_ed25519",
  ".ssh/config",
  "infra/prod.tfvars.json",
  "infra/.aws/credentials",
  "x/.kube/config",
  "x/.docker/config.json",
  "secrets/db.txt",
  "deep/secrets/db.txt",
  "config/prod.yml",
  "app/config/prod.yml",
  "deploy/keys/gcp.json",
  "AuthKey_ABC.p8",
  "café/notes.txt",
  "a#b",
  "x5y",
  "{odd},name",
  "src/index.ts",
  "README.md",
];

/** Files of a virtualenv named `.env/`: neverSend (the folder matches `.env`), not read, not listed. */
const VIRTUALENV = [".env/lib/python3.12/site-packages/requests/api.py", "svc/.env/bin/activate", "vault/sub/notes.txt"];

describe("neverSend search globs", () => {
  it("find every file the index reads, and no file of a virtualenv named .env/", () => {
    const patterns = [...PATTERNS, "vault/*"];
    const neverSend = createNeverSendMatcher(patterns, { fs: null });
    const matcher = neverSendIndexMatcher(neverSend, { fs: null });
    const globs = neverSendGlobs(patterns);
    const any = picomatch(globs, { dot: true });
    for (const path of VIRTUALENV) {
      assert.ok(neverSend.matches(path) && !matcher.matches(path), path);
      assert.ok(!any(path), `a glob lists ${path}`);
    }
    assert.ok(any(".env/keys/server.pem"), "a key inside it is still found");
    const matched = PATHS.filter((p) => matcher.matches(p));
    assert.ok(matched.length >= 18, `only ${matched.length} paths matched: the test lost its point`);
    for (const path of matched) {
      assert.ok(any(path), `no glob finds ${path}`);
    }
    // A net, but not everything.
    assert.ok(!any("src/index.ts") && !any("README.md"));
  });

  it("shallow: the files matched by name in the top two levels, not deeper, not a named folder's", () => {
    const shallow = picomatch(shallowNeverSendGlobs(PATTERNS), { dot: true });
    for (const path of [".env", "apps/.env", ".ENV", "server.pem", "certs/server.pem", "config/prod.yml", "x/.aws/credentials"]) assert.ok(shallow(path), path);
    for (const path of ["apps/web/.env", "a/b/c/key.pem", ".ssh/config", "secrets/db.txt", "src/index.ts", "deploy/keys/gcp.json"]) assert.ok(!shallow(path), path);
    for (const glob of shallowNeverSendGlobs(PATTERNS)) assert.ok(!glob.includes("**"), glob);
  });

  it("skips comments and ! patterns, and writes no `**` inside a name (ripgrep refuses it)", () => {
    assert.deepEqual(neverSendGlobs(["# x", "!y", "", "   "]), []);
    assert.equal(combinedGlob([]), undefined);
    assert.equal(combinedGlob(["**/a"]), "**/a");
    assert.equal(combinedGlob(["**/a", "b/**"]), "{**/a,b/**}");
    for (const glob of neverSendGlobs(PATTERNS)) {
      for (const segment of glob.split("/")) assert.ok(segment === "**" || !segment.includes("**"), glob);
      assert.ok(!/[{},\\]/.test(glob), `${glob} has a character a glob reads otherwise`);
    }
  });
});

describe("gitignore patterns' trailing white space (withoutTrailingSpace)", () => {
  it("removes what /(?<!\\\\)\\s+$/ removed, for any pattern, and a long run in one pass", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(" ", "\t", "\\", "a", "/", "*"), { maxLength: 16 }).map((parts) => parts.join("")), (pattern) => {
        assert.equal(withoutTrailingSpace(pattern), pattern.replace(/(?<!\\)\s+$/, ""), JSON.stringify(pattern));
      }),
      { numRuns: 3000 },
    );
    assert.equal(withoutTrailingSpace(`a${" ".repeat(1_000_000)}b  `), `a${" ".repeat(1_000_000)}b`);
  });
});
