// Every spelling of a neverSend file gets the same answer: "..", Unicode forms, case on a
// case-insensitive file system, Windows aliases, 8.3 short names and symbolic links. The
// link cases use real links in a temp folder; the case and short-name cases hand in the
// file-system facts a Windows or macOS machine would give.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { createNeverSendMatcher, type PathFacts } from "../../../../src/core/policy/neverSendMatcher";

const PATTERNS = [".env", "*.pem", "/config/prod.yml", "secrets/", "!secrets/README.md", "id_rsa*"];

describe("neverSend on the path as the file system sees it", () => {
  describe('".." segments', () => {
    const m = createNeverSendMatcher(PATTERNS, { root: "/home/ana/shop", fs: null });

    it("resolves relative paths that leave and re-enter the workspace folder", () => {
      assert.ok(m.matches("../shop/config/prod.yml"), "an anchored pattern applies once the path is back inside");
      assert.ok(m.matches("src/../../shop/.env"));
      assert.ok(m.matches("a/b/../../config/prod.yml"));
      assert.ok(!m.matches("../other/config/prod.yml"), "outside, anchored patterns do not apply");
    });

    it("resolves absolute paths that leave and re-enter", () => {
      assert.ok(m.matches("/home/ana/shop/src/../config/prod.yml"));
      assert.ok(m.matches("/home/ana/other/../shop/config/prod.yml"));
      assert.ok(m.matches("/../../home/ana/shop/config/prod.yml"));
      assert.ok(m.matches("/home/ana/shop/./secrets/./x"));
    });

    it("any number of detours through other folders gives the same answer as the plain path (property)", () => {
      const segment = fc.stringMatching(/^[a-z]{1,6}$/);
      fc.assert(
        fc.property(fc.array(segment, { maxLength: 4 }), fc.constantFrom("config/prod.yml", ".env", "secrets/k", "src/a.ts", "x/y.pem"), fc.boolean(), (detour, target, absolute) => {
          // Down into `detour`, back up, then to the target.
          const winding = [...detour, ...detour.map(() => ".."), target].join("/");
          const spelled = absolute ? `/home/ana/shop/${winding}` : winding;
          assert.equal(m.matches(spelled), m.matches(target), spelled);
        }),
      );
    });
  });

  describe("Unicode forms", () => {
    it("matches NFD paths against NFC patterns and the other way round", () => {
      const nfc = "café/geheim.txt".normalize("NFC");
      const nfd = "café/geheim.txt".normalize("NFD");
      assert.notEqual(nfc, nfd);
      assert.ok(createNeverSendMatcher([nfc], { fs: null }).matches(nfd));
      assert.ok(createNeverSendMatcher([nfd], { fs: null }).matches(nfc));
      assert.ok(createNeverSendMatcher(["/données/"], { root: "/home/zoë".normalize("NFD"), fs: null }).matches("/home/zoë/données/x".normalize("NFC")), "the folder's own name too");
    });

    it("any mix of forms gives the same answer (property)", () => {
      const letters = fc.constantFrom("a", "é", "ü", "ñ", "å", "ガ", "ö", "-", "x");
      const name = fc.array(letters, { minLength: 1, maxLength: 8 }).map((cs) => cs.join(""));
      fc.assert(
        fc.property(name, name, fc.boolean(), fc.boolean(), (dir, file, patternNfd, pathNfd) => {
          const pattern = `${dir}/${file}`.normalize(patternNfd ? "NFD" : "NFC");
          const spelled = `${dir}/${file}`.normalize(pathNfd ? "NFD" : "NFC");
          assert.ok(createNeverSendMatcher([pattern], { fs: null }).matches(spelled));
        }),
      );
    });
  });

  describe("case", () => {
    const caseless: PathFacts = { realpath: () => undefined, caseInsensitive: () => true };
    const caseful: PathFacts = { realpath: () => undefined, caseInsensitive: () => false };

    it("matches names in any case", () => {
      const m = createNeverSendMatcher(PATTERNS, { fs: null });
      assert.ok(m.matches(".ENV"));
      assert.ok(m.matches("Secrets/K"));
      assert.ok(m.matches("CONFIG/PROD.YML"));
    });

    it("on a case-insensitive file system, a differently cased folder prefix is still inside the workspace", () => {
      // `realpath` is consulted for the folder itself; report it as existing.
      const facts: PathFacts = { ...caseless, realpath: (p) => (p === "/Users/Ana/Shop" ? p : undefined) };
      const m = createNeverSendMatcher(PATTERNS, { root: "/Users/Ana/Shop", fs: facts });
      assert.ok(m.matches("/users/ana/shop/config/prod.yml"));
    });

    it("on a case-sensitive file system, a differently cased folder is another folder", () => {
      const facts: PathFacts = { ...caseful, realpath: (p) => (p === "/home/ana/shop" ? p : undefined) };
      const m = createNeverSendMatcher(PATTERNS, { root: "/home/ana/shop", fs: facts });
      assert.ok(!m.matches("/home/ana/SHOP/config/prod.yml"), "anchored patterns name places in this folder only");
      assert.ok(m.matches("/home/ana/SHOP/.env"), "unanchored ones still apply");
    });

    it("probes this machine's file system for the folder (a real temp folder)", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-case-"));
      try {
        fs.mkdirSync(path.join(dir, "config"));
        fs.writeFileSync(path.join(dir, "config", "prod.yml"), "x");
        const m = createNeverSendMatcher(PATTERNS, { root: dir });
        assert.ok(m.matches(path.join(dir, "CONFIG", "PROD.YML")), "names in the folder are matched without case either way");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("Windows aliases", () => {
    const m = createNeverSendMatcher(PATTERNS, { root: "C:/Users/ana/shop", fs: null });

    it("trailing dots and spaces name the same file", () => {
      for (const p of [".env.", ".env ", ".env. .", "key.pem.", "config./prod.yml ", "secrets ./k", "C:\\Users\\ana\\shop\\config\\prod.yml.."]) assert.ok(m.matches(p), p);
    });

    it("alternate data streams name the same file", () => {
      for (const p of [".env::$DATA", "key.pem::$DATA", "key.pem:zone:$DATA", "key.pem:hidden", "config/prod.yml::$DATA", "secrets:x/k", "C:\\Users\\ana\\shop\\.env::$DATA"]) assert.ok(m.matches(p), p);
    });

    it("the drive letter's case does not matter", () => {
      assert.ok(m.matches("c:\\users\\ANA\\shop\\config\\prod.yml"));
    });

    it("an 8.3 short name is expanded through the real path where it can be", () => {
      // What realpathSync.native answers on Windows: the long name of an existing file. (A posix
      // root stands in for C:\\ so that this runs on any machine.)
      const longNames: Record<string, string> = { "/w/shop/config/PROD~1.YML": "/w/shop/config/prod.yml", "/w/shop/SRC~1/MAIN~1.TS": "/w/shop/src/main.ts" };
      const facts: PathFacts = { realpath: (p) => longNames[p] ?? (["/", "/w", "/w/shop"].includes(p) ? p : undefined), caseInsensitive: () => true };
      const real = createNeverSendMatcher(PATTERNS, { root: "/w/shop", fs: facts, windows: true });
      assert.ok(real.matches("config/PROD~1.YML"));
      assert.ok(!real.matches("SRC~1/MAIN~1.TS"), "a resolved short name of an ordinary file stays sendable");
    });

    it("an 8.3 short name that cannot be expanded is kept local", () => {
      assert.ok(m.matches("C:/Users/ana/shop/SRC~1/MAIN~1.TS"), "the long name is unknown");
      assert.ok(m.matches("DOCUME~1/notes.txt"));
      const posix = createNeverSendMatcher(PATTERNS, { root: "/home/ana/shop", fs: null, windows: false });
      assert.ok(!posix.matches("backup~1/notes.txt"), "off Windows a tilde is just a character");
    });

    it("an alias never makes a kept file sendable and never makes an ordinary file secret (property)", () => {
      const suffix = fc.constantFrom("", ".", " ", ". ", "::$DATA", ":s", ":s:$DATA", "..  ");
      fc.assert(
        fc.property(fc.constantFrom(".env", "key.pem", "config/prod.yml", "secrets/k", "id_rsa", "src/a.ts", "README.md", "docs/guide.txt"), suffix, (name, tail) => {
          assert.equal(m.matches(`${name}${tail}`), m.matches(name), `${name}${tail}`);
        }),
      );
    });
  });

  describe("symbolic links (real links in a temp folder)", function () {
    let base: string;
    let root: string;
    let outside: string;

    before(function () {
      base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-links-")));
      root = path.join(base, "shop");
      outside = path.join(base, "elsewhere");
      fs.mkdirSync(path.join(root, "config"), { recursive: true });
      fs.mkdirSync(path.join(root, "secrets"), { recursive: true });
      fs.mkdirSync(outside, { recursive: true });
      fs.writeFileSync(path.join(root, "config", "prod.yml"), "password: x");
      fs.writeFileSync(path.join(root, ".env"), "A=1");
      fs.writeFileSync(path.join(root, "secrets", "k"), "k");
      fs.writeFileSync(path.join(outside, "credentials"), "aws");
      fs.writeFileSync(path.join(outside, "notes.txt"), "hello");
      try {
        fs.symlinkSync(path.join(root, "config", "prod.yml"), path.join(root, "innocent.txt"));
      } catch {
        this.skip(); // no permission to make links (Windows without developer mode)
      }
      fs.symlinkSync(path.join(root, "secrets"), path.join(root, "docs"), "dir");
      fs.symlinkSync(path.join(outside, "credentials"), path.join(root, "readme-link.md"));
      fs.symlinkSync(outside, path.join(root, "vendor"), "dir");
      fs.symlinkSync(path.join(root, ".env"), path.join(outside, "env-link"));
      fs.symlinkSync("loop-b", path.join(root, "loop-a"));
      fs.symlinkSync("loop-a", path.join(root, "loop-b"));
    });

    after(() => {
      if (base) fs.rmSync(base, { recursive: true, force: true });
    });

    it("a link to a neverSend file is a neverSend file", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("innocent.txt"));
      assert.ok(m.matches(path.join(root, "innocent.txt")));
    });

    it("a linked folder is judged by where it leads", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("docs/k"), "docs -> secrets/");
      assert.ok(m.matches("docs/new-file-not-yet-there"), "also for a name that does not exist yet");
    });

    it("a link inside the workspace that leads out of it is kept local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("readme-link.md"));
      assert.ok(m.matches("vendor/notes.txt"));
    });

    it("a link outside the workspace that leads into it is judged by the workspace's rules", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches(path.join(outside, "env-link")));
      assert.ok(!m.matches(path.join(outside, "notes.txt")));
    });

    it("a file-system error (a link loop) means keep it local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("loop-a"));
    });

    it("ordinary files are still sendable", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      fs.writeFileSync(path.join(root, "main.ts"), "x");
      assert.ok(!m.matches("main.ts"));
      assert.ok(!m.matches(path.join(root, "main.ts")));
      assert.ok(!m.matches("not-there.ts"));
    });

    it("a workspace folder reached through a link is the same folder", () => {
      const alias = path.join(base, "shop-alias");
      fs.symlinkSync(root, alias, "dir");
      const m = createNeverSendMatcher(PATTERNS, { root: alias });
      assert.ok(m.matches(path.join(root, "config", "prod.yml")), "the real path of a file in the folder");
      assert.ok(m.matches("config/prod.yml"));
      assert.ok(!m.matches("main.ts"));
    });
  });

  describe("a matcher that cannot decide keeps the file local", () => {
    it("a file-system error other than 'not found'", () => {
      const facts: PathFacts = {
        realpath: (p) => {
          if (p.endsWith("locked")) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
          return p === "/" || p === "/w" ? p : undefined;
        },
        caseInsensitive: () => false,
      };
      const m = createNeverSendMatcher(PATTERNS, { root: "/w", fs: facts });
      assert.ok(m.matches("locked"));
      assert.ok(!m.matches("open.ts"));
    });

    it("a path that is not a string", () => {
      const m = createNeverSendMatcher(PATTERNS, { fs: null });
      assert.ok(m.matches(undefined as unknown as string));
    });
  });
});
