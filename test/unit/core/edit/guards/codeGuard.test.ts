// The code guard beyond the golden cases: what it reports in its messages, what it treats as
// layout, and where it must refuse to vouch.
import * as assert from "node:assert/strict";
import { checkCodeUnchanged, codeGuardLanguages } from "../../../../../src/core/edit/guards";

describe("code guard", () => {
  it("supports the VS Code ids of TypeScript, JavaScript, Python, Go, Rust, Java, C and C++", () => {
    for (const id of ["typescript", "typescriptreact", "javascript", "javascriptreact", "python", "go", "rust", "java", "c", "cpp"]) {
      assert.ok(codeGuardLanguages().includes(id), id);
    }
  });

  it("says not-checked, never ok, for a language without a grammar, even when the texts are equal", () => {
    const report = checkCodeUnchanged("csharp", "class A {}", "class A {}");
    assert.equal(report.status, "not-checked");
    assert.match(report.summary, /NOT checked/);
    assert.match(report.summary, /csharp/);
  });

  it("says not-checked for a text too large to parse on the editor's thread", () => {
    const huge = "let a = 1; // c\n".repeat(70_000);
    const report = checkCodeUnchanged("typescript", huge, huge);
    assert.equal(report.status, "not-checked");
    assert.match(report.summary, /too large/);
  });

  it("treats line endings, indentation and comment layout as layout", () => {
    const original = "function f(a) {\n  // add one\n  return a + 1;\n}\n";
    const proposal = "function f(a) {\r\n    /* 一を足す */\r\n    return a+1;\r\n}\r\n";
    assert.equal(checkCodeUnchanged("javascript", original, proposal).status, "ok");
  });

  it("names the expected and actual tokens and both lines", () => {
    const report = checkCodeUnchanged("go", "package m\n\n// c\nconst N = 10\n", "package m\n\n// コメント\n// 二行目\nconst N = 12\n");
    assert.equal(report.status, "violations");
    assert.deepEqual(report.issues, [{ message: "Code changed: expected `10`, found `12`.", originalLine: 4, proposalLine: 5 }]);
  });

  it("lets string text change but not the number or place of strings", () => {
    const original = 'print("hello", "world")\n';
    assert.equal(checkCodeUnchanged("python", original, 'print("こんにちは", "世界")\n').status, "ok");
    const merged = checkCodeUnchanged("python", original, 'print("こんにちは 世界")\n');
    assert.equal(merged.status, "violations");
    assert.match(merged.issues[0].message, /a string/);
  });

  it("keeps template-literal interpolations as code", () => {
    const original = "const s = `total: ${a + b}`;\n";
    assert.equal(checkCodeUnchanged("typescript", original, "const s = `合計: ${a + b}`;\n").status, "ok");
    assert.equal(checkCodeUnchanged("typescript", original, "const s = `合計: ${a - b}`;\n").status, "violations");
  });

  it("keeps f-string replacement fields as code", () => {
    assert.equal(checkCodeUnchanged("python", 'x = f"n={n + 1}"\n', 'x = f"個数={n + 1}"\n').status, "ok");
    assert.equal(checkCodeUnchanged("python", 'x = f"n={n + 1}"\n', 'x = f"個数={n + 2}"\n').status, "violations");
  });

  it("catches a C++ // comment that gains a trailing backslash and so swallows the next line", () => {
    const report = checkCodeUnchanged("cpp", "// note\nint x = 1;\n", "// メモ \\\nint x = 1;\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /hides the next line/);
  });

  it("reports a proposal that no longer parses, with the line of the first error", () => {
    const report = checkCodeUnchanged("rust", "fn f() {\n    // c\n    let a = 1;\n}\n", "fn f() {\n    // c\n    let a = 1;\n");
    assert.equal(report.status, "violations");
    assert.match(report.issues[0].message, /no longer parses/);
    assert.equal(report.issues[0].proposalLine, 4);
    assert.match(report.summary, /the proposal no longer parses/);
  });

  it("checks a selection that does not parse on its own, and still notices new syntax errors", () => {
    // The body of a method, as the edit command sends it when the cursor is in one.
    const fragment = "    # add the tax\n    total = price * rate\n    return total\n";
    assert.equal(checkCodeUnchanged("python", fragment, "    # 税を足す\n    total = price * rate\n    return total\n").status, "ok");
    const broken = checkCodeUnchanged("python", fragment, '    """税を足す\n    total = price * rate\n    return total\n');
    assert.equal(broken.status, "violations");
  });

  it("compares best effort, and says so, when the original itself does not parse", () => {
    const report = checkCodeUnchanged("java", "class A { int x = ; // c\n}\n", "class A { int x = ; // コメント\n}\n");
    assert.equal(report.status, "ok");
    assert.match(report.summary, /best effort/);
  });

  it("handles empty texts and a wholly removed file", () => {
    assert.equal(checkCodeUnchanged("typescript", "", "").status, "ok");
    const report = checkCodeUnchanged("typescript", "let a = 1;\n", "");
    assert.equal(report.status, "violations");
    assert.equal(report.issues[0].originalLine, 1);
  });

  it("caps the issues it lists but counts them all in the summary", () => {
    const original = Array.from({ length: 120 }, (_, i) => `let v${i} = ${i};\n// c\n`).join("");
    const proposal = original.replace(/= (\d+);/g, (_, n: string) => `= ${Number(n) + 1000};`);
    const report = checkCodeUnchanged("typescript", original, proposal);
    assert.equal(report.issues.length, 50);
    assert.match(report.summary, /120 places/);
  });

  it("lets JSX text move around its {expressions}, as another language's word order needs", () => {
    const original = "const a = <p>Hello {name}, welcome</p>;\n";
    assert.equal(checkCodeUnchanged("typescriptreact", original, "const a = <p>{name} さん、ようこそ</p>;\n").status, "ok");
    assert.equal(checkCodeUnchanged("typescriptreact", original, "const a = <p>{user} さん、ようこそ</p>;\n").status, "violations");
  });

  it("catches a translated string that lost or renamed a format placeholder", () => {
    const printf = checkCodeUnchanged("c", 'printf("%d items, %s\\n", n, who);\n', 'printf("%s、%d 個\\n", n, who);\n');
    assert.equal(printf.status, "ok", "reordered placeholders are the translator's call");
    const lost = checkCodeUnchanged("c", 'printf("%d items\\n", n);\n', 'printf("いくつかの商品\\n", n);\n');
    assert.equal(lost.status, "violations");
    assert.deepEqual(lost.issues.map((i) => [i.originalLine, i.proposalLine]), [[1, 1]]);
    assert.match(lost.issues[0].message, /lost %d/);
    const renamed = checkCodeUnchanged("python", 'msg = "Hello {name}".format(name=n)\n', 'msg = "こんにちは {名前}".format(name=n)\n');
    assert.match(renamed.issues[0].message, /lost \{name\} and gained \{名前\}/);
    assert.equal(checkCodeUnchanged("rust", 'let s = format!("{} items", n);\n', 'let s = format!("{} 個", n);\n').status, "ok");
    assert.equal(checkCodeUnchanged("java", 'String s = "50% off";\n', 'String s = "50%オフ";\n').status, "ok");
  });

  it("says how many strings were translated, so a reviewer can check none was a key", () => {
    const report = checkCodeUnchanged("go", 'package m\n\nvar a = "hello"\nvar b = "world"\n', 'package m\n\nvar a = "こんにちは"\nvar b = "world"\n');
    assert.equal(report.status, "ok");
    assert.match(report.summary, /1 string literal was translated/);
  });

  it("reports two edits far apart in a long file separately, each at its own line", () => {
    const original = Array.from({ length: 1000 }, (_, i) => `// line ${i}\nconst v${i} = ${i};\n`).join("");
    const proposal = original.replace("const v10 = 10;", "const v10 = 11;").replace("const v990 = 990;", "const v990 = 0;").replace(/\/\/ line/g, "// 行");
    const report = checkCodeUnchanged("javascript", original, proposal);
    assert.deepEqual(
      report.issues.map((i) => [i.originalLine, i.proposalLine]),
      [
        [22, 22],
        [1982, 1982],
      ],
    );
  });

  it("treats module paths, Go struct tags and C include files as code, not translatable text", () => {
    const ts = checkCodeUnchanged("typescript", 'import { a } from "./format";\nconst b = require("./util");\nconst m = "message";\n', 'import { a } from "./フォーマット";\nconst b = require("./ユーティリティ");\nconst m = "メッセージ";\n');
    assert.deepEqual(
      ts.issues.map((i) => i.originalLine),
      [1, 2],
    );
    assert.match(ts.issues[0].message, /expected `"\.\/format"`, found `"\.\/フォーマット"`/);
    const go = checkCodeUnchanged("go", 'package m\n\nimport "fmt"\n\ntype T struct {\n\tName string `json:"name"`\n}\n', 'package m\n\nimport "fmt"\n\ntype T struct {\n\tName string `json:"名前"`\n}\n');
    assert.deepEqual(
      go.issues.map((i) => i.originalLine),
      [6],
    );
    assert.equal(checkCodeUnchanged("cpp", '#include "item.h"\n', '#include "品目.h"\n').status, "violations");
  });

  it("keeps tool directives inside comments while the words around them are translated", () => {
    const go = "//go:build linux\n\n// Package m does things.\npackage m\n";
    assert.equal(checkCodeUnchanged("go", go, "//go:build linux\n\n// Package m は処理をする。\npackage m\n").status, "ok");
    const dropped = checkCodeUnchanged("go", go, "// go のビルド: linux\n\n// Package m は処理をする。\npackage m\n");
    assert.equal(dropped.status, "violations");
    assert.match(dropped.issues[0].message, /the comment directive "\/\/go:build linux"/);

    const py = "import os  # noqa: F401\nx = f()  # type: ignore[attr-defined]  # see issue\n";
    assert.equal(checkCodeUnchanged("python", py, "import os  # noqa: F401\nx = f()  # type: ignore[attr-defined]  # 課題を参照\n").status, "ok");
    assert.equal(checkCodeUnchanged("python", py, "import os  # 未使用\nx = f()  # type: ignore[attr-defined]  # 課題を参照\n").status, "violations");

    const ts = "// @ts-expect-error: the library's types are wrong\nfoo(1);\n// eslint-disable-next-line no-console -- debugging\nconsole.log(2);\n";
    const translated = "// @ts-expect-error: ライブラリの型が間違っている\nfoo(1);\n// eslint-disable-next-line no-console -- デバッグ用\nconsole.log(2);\n";
    assert.equal(checkCodeUnchanged("typescript", ts, translated).status, "ok");
    assert.equal(checkCodeUnchanged("typescript", ts, translated.replace("no-console", "no-コンソール")).status, "violations");
    assert.equal(checkCodeUnchanged("cpp", "int x; // NOLINT(runtime/int)\n", "int x; // 整数 NOLINT(runtime/int)\n").status, "ok");
  });
});

