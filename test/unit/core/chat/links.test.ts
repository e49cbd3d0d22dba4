import assert from "node:assert/strict";
import { classifyLink, hostNamedBy, isDeceptiveLink, isInside, isLoopbackHost } from "../../../../src/core/chat";

describe("chat link classification", () => {
  it("opens http(s) URLs externally, and says which host and whether it is this machine", () => {
    assert.deepEqual(classifyLink("https://example.com/a?b=1"), { kind: "external", url: "https://example.com/a?b=1", host: "example.com", loopback: false });
    assert.equal(classifyLink("HTTP://example.com").kind, "external");
    for (const href of ["http://localhost:3000/x", "http://127.0.0.1:8080/", "http://[::1]:9/", "http://0.0.0.0:1/"]) {
      const target = classifyLink(href);
      assert.ok(target.kind === "external" && target.loopback, href);
    }
    // Node resolves these through the system's DNS, which may answer with any address.
    for (const host of ["app.localhost", "evil.LOCALHOST", "localhost.example.com", "127.0.0.1.nip.io"]) assert.equal(isLoopbackHost(host), false, host);
  });

  it("opens workspace paths, with an optional line and column", () => {
    assert.deepEqual(classifyLink("src/greet.ts"), { kind: "workspace", relativePath: "src/greet.ts" });
    assert.deepEqual(classifyLink("src/greet.ts:12"), { kind: "workspace", relativePath: "src/greet.ts", line: 12 });
    assert.deepEqual(classifyLink("./src/greet.ts:3:5"), { kind: "workspace", relativePath: "src/greet.ts", line: 3, column: 5 });
    assert.deepEqual(classifyLink("src/x.ts:10:5"), { kind: "workspace", relativePath: "src/x.ts", line: 10, column: 5 });
  });

  it("takes `app.js:2` for a file with a line, not for a URL scheme", () => {
    assert.deepEqual(classifyLink("app.js:2"), { kind: "workspace", relativePath: "app.js", line: 2 });
    assert.deepEqual(classifyLink("my-lib.v2:7:1"), { kind: "workspace", relativePath: "my-lib.v2", line: 7, column: 1 });
  });

  it("never opens other schemes, absolute paths, or paths that leave the workspace", () => {
    for (const href of [
      "command:workbench.action.terminal.new",
      "COMMAND:hearth.setOpenAiKey",
      "command:12",
      "javascript:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "vscode://file/etc/passwd",
      "vbscript:msgbox",
      "/etc/passwd",
      "/etc/passwd:1",
      "C:\\Windows\\system32",
      "C:2",
      "../../etc/passwd",
      "../x.ts:3",
      "src/../../outside.txt",
      "%2e%2e/%2e%2e/etc/passwd",
      "//evil.example.com/x",
      "https://user:pass@example.com/",
      "https://exa\u200Bmple.com",
      "src/a\u202Ets.exe",
      "java\nscript:alert(1)",
      "",
    ]) {
      assert.equal(classifyLink(href).kind, "blocked", href);
    }
  });

  it("loopback hosts are told apart from others", () => {
    assert.ok(isLoopbackHost("localhost"));
    assert.ok(isLoopbackHost("127.3.2.1"));
    assert.ok(isLoopbackHost("[::1]"));
    assert.ok(!isLoopbackHost("localhost.example.com"));
    assert.ok(!isLoopbackHost("128.0.0.1"));
  });

  it("reads a host from link text that looks like a URL or web host, not from file names", () => {
    assert.equal(hostNamedBy("https://www.Example.com/docs"), "example.com");
    assert.equal(hostNamedBy("paypal.com"), "paypal.com");
    assert.equal(hostNamedBy("www.bank.test/login"), "bank.test");
    assert.equal(hostNamedBy("pay\u200Bpal.com"), "paypal.com");
    for (const text of ["app.js", "README.md", "docs", "the docs", "src/greet.ts:2", "hello.py"]) assert.equal(hostNamedBy(text), undefined, text);
  });

  it("flags a link whose text names another host than its target", () => {
    const evil = classifyLink("https://evil.example/login");
    assert.ok(isDeceptiveLink("paypal.com", evil));
    assert.ok(isDeceptiveLink("https://paypal.com/login", evil));
    assert.ok(isDeceptiveLink("https://example.com", classifyLink("src/greet.ts")));
    // An IDN look-alike (Cyrillic а) is another host.
    assert.ok(isDeceptiveLink("https://exаmple.com", classifyLink("https://example.com/")));
    assert.ok(!isDeceptiveLink("https://www.example.com/a", classifyLink("https://example.com/b")));
    assert.ok(!isDeceptiveLink("the docs", evil));
    assert.ok(!isDeceptiveLink("app.js", classifyLink("app.js:2")));
  });

  it("isInside says whether a path lies under the root", () => {
    assert.ok(isInside("/w", "/w/a/b.ts"));
    assert.ok(!isInside("/w", "/w"));
    assert.ok(!isInside("/w", "/wx/a.ts"));
    assert.ok(!isInside("/w", "/etc/passwd"));
  });
});
