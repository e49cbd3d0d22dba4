// The path as the OS opens it: ".." after a symbolic link (the OS follows the link first),
// Windows device prefixes and URIs. The link cases use real links in a temp folder.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createNeverSendMatcher, type PathFacts } from "../../../../src/core/policy/neverSendMatcher";

const PATTERNS = [".env", "*.pem", "/config/prod.yml", "/deploy/", "secrets/", "!secrets/README.md"];

describe("neverSend on the path as the OS opens it", () => {
  describe('".." after a symbolic link (real links in a temp folder)', function () {
    let base: string;
    let root: string;

    before(function () {
      base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-dotdot-")));
      root = path.join(base, "ws");
      fs.mkdirSync(path.join(root, "deploy", "x"), { recursive: true });
      fs.mkdirSync(path.join(root, "deploy", "config"), { recursive: true });
      fs.mkdirSync(path.join(root, "config"), { recursive: true });
      fs.mkdirSync(path.join(root, "src"), { recursive: true });
      fs.mkdirSync(path.join(base, "elsewhere", "lib"), { recursive: true });
      fs.writeFileSync(path.join(root, "deploy", "config", "prod.yml"), "password: x");
      fs.writeFileSync(path.join(root, "config", "app.yml"), "a: 1");
      fs.writeFileSync(path.join(root, "src", "main.ts"), "x");
      fs.writeFileSync(path.join(base, "elsewhere", "main.ts"), "x");
      try {
        fs.symlinkSync(path.join(root, "deploy", "x"), path.join(root, "sub"), "dir");
      } catch {
        this.skip(); // no permission to make links (Windows without developer mode)
      }
      if (process.platform === "win32") this.skip(); // Windows applies ".." before it follows links
      fs.symlinkSync(path.join(base, "elsewhere", "lib"), path.join(root, "vendor"), "dir");
      fs.symlinkSync(path.join(root, "missing", "x"), path.join(root, "dangling"), "dir");
      fs.symlinkSync(path.join(root, "src"), path.join(root, "plain"), "dir");
    });

    after(() => {
      if (base) fs.rmSync(base, { recursive: true, force: true });
    });

    it("sub -> deploy/x: sub/../config/prod.yml is deploy/config/prod.yml, which the OS opens", () => {
      assert.equal(fs.readFileSync(`${root}/sub/../config/prod.yml`, "utf8"), "password: x", "what the OS opens");
      const m = createNeverSendMatcher(["/deploy/"], { root });
      assert.ok(m.matches("sub/../config/prod.yml"), "the review's case: lexically config/prod.yml, which /deploy/ does not name");
      assert.ok(m.matches(`${root}/sub/../config/prod.yml`), "absolute");
      assert.ok(m.matches(`${root}/sub/./../config/prod.yml`));
      assert.ok(m.matches("sub/../config/not-yet-there.yml"), "in deploy/, a name that does not exist yet");
    });

    it("a .. after a link that leads out of the workspace is kept local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("vendor/../main.ts"), "the OS opens elsewhere/main.ts, outside the workspace");
    });

    it("a .. after a dangling link, whose real path is unknown, is kept local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(m.matches("dangling/../src/main.ts"));
    });

    it("a .. after a link whose target is judged sendable stays sendable, and so do plain paths", () => {
      const m = createNeverSendMatcher(PATTERNS, { root });
      assert.ok(!m.matches("plain/../src/main.ts"), "plain -> src: the OS opens ws/src/main.ts");
      assert.ok(!m.matches("src/../config/app.yml"));
      assert.ok(!m.matches("new-folder/../src/main.ts"), "a missing folder is no link");
      assert.ok(!m.matches("src/main.ts"));
    });

    it("with facts that cannot say what is a link, a .. after a missing component is kept local", () => {
      const facts: PathFacts = { realpath: (p) => (["/", "/w"].includes(p) ? p : undefined), caseInsensitive: () => false };
      const m = createNeverSendMatcher(PATTERNS, { root: "/w", fs: facts });
      assert.ok(m.matches("maybe-link/../src/main.ts"));
      assert.ok(!m.matches("src/main.ts"), "no .., nothing to resolve");
    });
  });

  describe("Windows device prefixes", () => {
    const m = createNeverSendMatcher(PATTERNS, { root: "C:/ws", fs: null });

    it("\\\\?\\ and \\\\.\\ name the same file as the plain drive path", () => {
      for (const p of ["\\\\?\\C:\\ws\\config\\prod.yml", "\\\\.\\C:\\ws\\config\\prod.yml", "\\\\?\\c:\\WS\\deploy\\k", "//?/C:/ws/config/prod.yml", "\\??\\C:\\ws\\config\\prod.yml", "\\\\?\\C:\\ws\\x.pem"]) {
        assert.ok(m.matches(p), p);
      }
      assert.ok(!m.matches("\\\\?\\C:\\ws\\src\\main.ts"), "an ordinary file stays sendable");
    });

    it("\\\\?\\UNC\\ is the share it names", () => {
      const share = createNeverSendMatcher(PATTERNS, { root: "\\\\server\\share\\ws", fs: null });
      assert.ok(share.matches("\\\\?\\UNC\\server\\share\\ws\\config\\prod.yml"));
      assert.ok(share.matches("\\\\.\\UNC\\server\\share\\ws\\config\\prod.yml"));
      assert.ok(!share.matches("\\\\?\\UNC\\server\\share\\ws\\src\\main.ts"));
    });

    it("a device path that is not a drive or a share is kept local", () => {
      for (const p of ["\\\\.\\PIPE\\x", "\\\\?\\Volume{26a21bda-a627-11d7-9931-806e6f6e6963}\\ws\\config\\prod.yml", "\\\\?\\GLOBALROOT\\Device\\HarddiskVolume1\\ws\\a.ts"]) {
        assert.ok(m.matches(p), p);
      }
    });
  });

  describe("URIs", () => {
    it("a file: URI is judged as its path", () => {
      const win = createNeverSendMatcher(PATTERNS, { root: "C:/ws", fs: null });
      for (const p of ["file:///C:/ws/config/prod.yml", "file:///c%3A/ws/config/prod.yml", "FILE:///C:/ws/deploy/a", "file://localhost/C:/ws/config/prod.yml", "file:///C|/ws/config/prod.yml", "file:///C:/ws/config/prod%2Eyml"]) {
        assert.ok(win.matches(p), p);
      }
      assert.ok(!win.matches("file:///C:/ws/src/main.ts"));
      const posix = createNeverSendMatcher(PATTERNS, { root: "/home/ana/ws", fs: null });
      assert.ok(posix.matches("file:///home/ana/ws/config/prod.yml"));
      assert.ok(posix.matches("file:///home/ana/ws/src/../config/prod.yml"));
      assert.ok(posix.matches("file:///home/ana/ws/caf%C3%A9/.env"));
      assert.ok(posix.matches("file:///etc/ssl/site.pem"), "outside, unanchored patterns apply");
      assert.ok(!posix.matches("file:///home/ana/ws/src/main.ts"));
      const share = createNeverSendMatcher(PATTERNS, { root: "//server/share/ws", fs: null });
      assert.ok(share.matches("file://server/share/ws/config/prod.yml"));
    });

    it("a file: URI it cannot read as a path is kept local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root: "/home/ana/ws", fs: null });
      for (const p of ["file:///home/ana/ws/src/main.ts?x=1", "file:///home/ana/ws/src/main.ts#L1", "file:///home/ana/ws/%E0%A4%A", "file:relative/a.ts"]) {
        assert.ok(m.matches(p), p);
      }
    });

    it("any other scheme is kept local", () => {
      const m = createNeverSendMatcher(PATTERNS, { root: "/home/ana/ws", fs: null });
      for (const p of ["untitled:Untitled-1", "vscode-remote://ssh-remote+box/home/ana/ws/src/a.ts", "http://example.com/a.ts", "git:/home/ana/ws/src/a.ts?{}", "vscode-vfs://github/x/y/a.ts", "com.example.app://a"]) {
        assert.ok(m.matches(p), p);
      }
    });

    it("a drive letter and a file name with a stream suffix are not schemes", () => {
      const m = createNeverSendMatcher(PATTERNS, { root: "C:/ws", fs: null });
      assert.ok(!m.matches("C:\\ws\\src\\main.ts"));
      assert.ok(!m.matches("c:src\\main.ts"));
      assert.ok(!m.matches("README.md:zone"), "a stream of an ordinary file");
      assert.ok(m.matches("key.pem:zone"));
    });
  });
});
