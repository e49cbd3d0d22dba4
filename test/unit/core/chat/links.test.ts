import assert from "node:assert/strict";
import { classifyLink, isInside } from "../../../../src/core/chat";

describe("chat link classification", () => {
  it("opens http(s) URLs externally", () => {
    assert.deepEqual(classifyLink("https://example.com/a?b=1"), { kind: "external", url: "https://example.com/a?b=1" });
    assert.equal(classifyLink("HTTP://example.com").kind, "external");
  });

  it("opens workspace paths, with an optional line", () => {
    assert.deepEqual(classifyLink("src/greet.ts"), { kind: "workspace", relativePath: "src/greet.ts" });
    assert.deepEqual(classifyLink("src/greet.ts:12"), { kind: "workspace", relativePath: "src/greet.ts", line: 12 });
    assert.deepEqual(classifyLink("./src/greet.ts:3:5"), { kind: "workspace", relativePath: "src/greet.ts", line: 3 });
  });

  it("never opens other schemes, absolute paths, or paths that leave the workspace", () => {
    for (const href of [
      "command:workbench.action.terminal.new",
      "COMMAND:hearth.setOpenAiKey",
      "javascript:alert(1)",
      " javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "vscode://file/etc/passwd",
      "vbscript:msgbox",
      "/etc/passwd",
      "C:\\Windows\\system32",
      "../../etc/passwd",
      "src/../../outside.txt",
      "%2e%2e/%2e%2e/etc/passwd",
      "//evil.example.com/x",
      "https://user:pass@example.com/",
      "https://exa\u200Bmple.com",
      "java\nscript:alert(1)",
      "",
    ]) {
      assert.equal(classifyLink(href).kind, "blocked", href);
    }
  });

  it("isInside says whether a path lies under the root", () => {
    assert.ok(isInside("/w", "/w/a/b.ts"));
    assert.ok(!isInside("/w", "/w"));
    assert.ok(!isInside("/w", "/wx/a.ts"));
    assert.ok(!isInside("/w", "/etc/passwd"));
  });
});
