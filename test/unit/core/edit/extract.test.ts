import assert from "node:assert/strict";
import { extractReplacement, fenceFor, fencedBody, hasOpeningFence } from "../../../../src/core/edit/extract";

describe("edit answer extraction", () => {
  it("takes the body of the one fenced block and drops the words around it", () => {
    const answer = "Here you go:\n```ts\nconst a = 1;\nconst b = 2;\n```\nHope that helps.";
    assert.equal(extractReplacement(answer, { original: "let a = 1;\nlet b = 2;" }), "const a = 1;\nconst b = 2;");
  });

  it("keeps the original's trailing newline state both ways", () => {
    assert.equal(extractReplacement("```\nx = 1\n```", { original: "y = 1\n" }), "x = 1\n");
    assert.equal(extractReplacement("```\nx = 1\n\n\n```", { original: "y = 1" }), "x = 1");
    assert.equal(extractReplacement("```\nx = 1\n```", { original: "y = 1\n\n" }), "x = 1\n\n");
  });

  it("re-indents an answer the model dedented to where the original sits", () => {
    const original = "    if (x) {\n      go();\n    }\n";
    const answer = "```js\nif (x) {\n  run();\n}\n```";
    assert.equal(extractReplacement(answer, { original }), "    if (x) {\n      run();\n    }\n");
  });

  it("gives up the first line's indentation when the selection starts after it", () => {
    // The selection starts at `if`; the four spaces before it stay in the document.
    const original = "if (x) {\n      go();\n    }";
    const answer = "```js\nif (x) {\n  run();\n}\n```";
    assert.equal(extractReplacement(answer, { original, firstLinePrefix: "    " }), "if (x) {\n      run();\n    }");
  });

  it("leaves an answer already at the original's indentation as it is", () => {
    const original = "  a();\n  b();\n";
    assert.equal(extractReplacement("```\n  a2();\n  b2();\n```", { original }), "  a2();\n  b2();\n");
  });

  it("keeps CRLF line endings when the original has them", () => {
    assert.equal(extractReplacement("```\none\ntwo\n```", { original: "1\r\n2\r\n" }), "one\r\ntwo\r\n");
  });

  it("keeps a Markdown document's own code blocks inside a longer outer fence", () => {
    const inner = "# Titel\n\n```python\nprint('hi')\n```\n\nText.";
    const answer = `\`\`\`\`markdown\n${inner}\n\`\`\`\`\n`;
    assert.equal(fencedBody(answer), inner);
    assert.equal(extractReplacement(answer, { original: "# Title\n\n```python\nprint('hi')\n```\n\nText.\n" }), `${inner}\n`);
  });

  it("keeps inner code blocks even when the model used a three-backtick outer fence", () => {
    const answer = "```markdown\nIntro\n\n```sh\nls\n```\n\nEnd\n```";
    assert.equal(fencedBody(answer), "Intro\n\n```sh\nls\n```\n\nEnd");
  });

  it("uses the whole answer when there is no fence, without blank edges", () => {
    assert.equal(extractReplacement("\n\nreturn 1;\n\n", { original: "return 0;" }), "return 1;");
  });

  it("reads a partial streamed answer up to where it has got", () => {
    assert.equal(extractReplacement("```ts\nconst a", { original: "let a = 1;\n" }), "const a\n");
    assert.equal(extractReplacement("```", { original: "x\n" }), "\n");
  });

  it("ignores a thinking block, and shows nothing while one is still open", () => {
    assert.equal(extractReplacement("<think>hmm ``` no</think>\n```\nok()\n```", { original: "no()" }), "ok()");
    assert.equal(fencedBody("<think>still thinking"), "");
  });

  it("picks a fence longer than any backtick run in the text", () => {
    assert.equal(fenceFor("plain"), "```");
    assert.equal(fenceFor("a ```js block``` and ````four````"), "`````");
  });

  it("tells when a streamed answer has opened its block (a fence line with a line after it)", () => {
    assert.equal(hasOpeningFence("Sure, here it is:"), false);
    assert.equal(hasOpeningFence("Sure:\n```ts"), false, "the fence's info string may still be growing");
    assert.equal(hasOpeningFence("Sure:\n```ts\n"), true);
    assert.equal(hasOpeningFence("<think>```\nx</think>"), false);
  });
});
