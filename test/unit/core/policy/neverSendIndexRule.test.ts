// Which neverSend files the index reads, on the real matcher with the built-in list (and a
// workspace's own list beside it, as the effective policy composes them), lexically and on a
// real folder: not the files of a virtualenv named `.env/` (the bare `.env` matches the folder),
// but a `.env` file, a key anywhere, and the files of folders named with a trailing `/`.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anyNeverSendMatcher, BUILTIN_USER_DEFAULTS, createNeverSendMatcher, neverSendIndexMatcher } from "../../../../src/core/policy";

const ROOT = "/ws";
const WORKSPACE = ["secrets/", "vault/*", "config/creds", "!config/creds/README.md"];

function matchers(root: string, fs: null | undefined): { neverSend: ReturnType<typeof anyNeverSendMatcher>; indexed: ReturnType<typeof neverSendIndexMatcher> } {
  const options = fs === null ? { root, fs } : { root };
  const neverSend = anyNeverSendMatcher([createNeverSendMatcher(BUILTIN_USER_DEFAULTS.neverSend, options), createNeverSendMatcher(WORKSPACE, options)]);
  return { neverSend, indexed: neverSendIndexMatcher(neverSend, options) };
}

/** Path → [neverSend, read by the index]. */
const CASES: ReadonlyArray<readonly [string, boolean, boolean]> = [
  [".env/lib/python3.12/site-packages/requests/api.py", true, false],
  [".env/bin/activate", true, false],
  ["services/api/.env/lib/x.py", true, false],
  [".env", true, true],
  ["apps/web/.env", true, true],
  [".env.production", true, true],
  [".env.example", false, false],
  // Matched by its own name, inside the virtualenv: still read.
  [".env/keys/server.pem", true, true],
  ["secrets/db.txt", true, true],
  ["deep/secrets/a/b.txt", true, true],
  ["deploy/.ssh/id", true, true],
  [".ssh/config", true, true],
  ["vault/token", true, true],
  // `vault/*` matches the folder `vault/sub`, as a name: what is below it is not read.
  ["vault/sub/notes.py", true, false],
  ["config/creds/aws.txt", true, false],
  ["x/.aws/credentials", true, true],
  ["src/app.ts", false, false],
];

describe("neverSend index: which files it reads", () => {
  it("reads a file matched by its own path or under a folder named with a trailing /, not one under a folder a bare name matched", () => {
    const { neverSend, indexed } = matchers(ROOT, null);
    for (const [path, secret, read] of CASES) {
      assert.equal(neverSend.matches(`${ROOT}/${path}`), secret, `${path} neverSend`);
      assert.equal(indexed.matches(`${ROOT}/${path}`), read, `${path} read by the index`);
    }
  });

  it("answers alike on a real folder (the matcher's real-path views)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hearth-nsrule-"));
    try {
      // A path cannot be a file and a folder at once: `.env` stays a folder here (the virtualenv).
      const cases = CASES.filter(([path]) => !CASES.some(([other]) => other.startsWith(`${path}/`)));
      assert.ok(cases.length >= CASES.length - 1);
      for (const [path] of cases) {
        await mkdir(join(dir, path, ".."), { recursive: true });
        await writeFile(join(dir, path), "x\n");
      }
      const { neverSend, indexed } = matchers(dir, undefined);
      for (const [path, secret, read] of cases) {
        assert.equal(neverSend.matches(join(dir, path)), secret, `${path} neverSend`);
        assert.equal(indexed.matches(join(dir, path)), read, `${path} read by the index`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("keeps a folder named with a trailing / read whatever the order of a bare pattern of the same name", () => {
    for (const patterns of [["secrets", "secrets/"], ["secrets/", "secrets"]]) {
      const neverSend = createNeverSendMatcher(patterns, { root: ROOT, fs: null });
      assert.ok(neverSendIndexMatcher(neverSend, { root: ROOT, fs: null }).matches(`${ROOT}/secrets/db.txt`), JSON.stringify(patterns));
    }
    const bare = createNeverSendMatcher(["secrets"], { root: ROOT, fs: null });
    assert.ok(bare.matches(`${ROOT}/secrets/db.txt`));
    assert.ok(!neverSendIndexMatcher(bare, { root: ROOT, fs: null }).matches(`${ROOT}/secrets/db.txt`));
  });
});
