import assert from "node:assert/strict";
import fc from "fast-check";
import { trailingLineBreaks, trimEndWhile, trimTrailingBlankLines } from "../../../src/shared/trimEnd";
import { ToolCallStream, parseModelOutput, type Tool } from "../../../src/server/toolCalls";

/** Short strings over the characters these functions care about. */
const spacey = fc.array(fc.constantFrom(" ", "\t", "\r", "\n", "\r\n", "a", "/", ".", ")", "<tool_call>", "<tool", "_call>", "\u3000", "\u00a0"), { maxLength: 24 }).map((parts) => parts.join(""));

describe("trimming ends in linear time (src/shared/trimEnd)", () => {
  it("removes what the regular expressions it replaces removed", () => {
    fc.assert(
      fc.property(spacey, (text) => {
        assert.equal(trimTrailingBlankLines(text), text.replace(/(?:\r?\n[ \t]*)+$/, ""));
        assert.equal(trailingLineBreaks(text), /(?:\r?\n)*$/.exec(text)?.[0] ?? "");
        assert.equal(trimEndWhile(text, (char) => char === "/"), text.replace(/\/+$/, ""));
        assert.equal(trimEndWhile(text, (char) => ".,;:!?)]".includes(char)), text.replace(/[.,;:!?)\]]+$/, ""));
        assert.equal(text.trimEnd(), text.replace(/\s+$/, ""));
      }),
      { numRuns: 3000 },
    );
  });

  it("handles a run of a million blanks before a word in one pass", () => {
    // The regular expressions took time growing with the square of such a run; this would not
    // finish within the test's timeout with them (400,000 spaces took 131 s in the review).
    const run = " \n".repeat(500_000);
    assert.equal(trimTrailingBlankLines(`${run}x${run}`), `${run}x `, "the space before the first break stays");
    assert.equal(trimEndWhile(`${"/".repeat(1_000_000)}x`, (char) => char === "/").length, 1_000_001);
  });
});

/** The stream as it was before it kept its held white space apart (rescanning it on every piece): the reference. */
class ReferenceToolCallStream {
  private held = "";
  private inCall = false;
  private sent = "";

  push(piece: string): string {
    if (this.inCall) {
      this.held += piece;
      return "";
    }
    const text = this.held + piece;
    const at = text.indexOf("<tool_call>");
    if (at >= 0) {
      this.inCall = true;
      const cut = beforeSpace(text, at);
      this.held = text.slice(cut);
      return this.release(text.slice(0, cut));
    }
    let keep = 0;
    for (let n = Math.min("<tool_call>".length - 1, text.length); n > 0; n--) {
      if ("<tool_call>".startsWith(text.slice(-n))) {
        keep = n;
        break;
      }
    }
    const cut = beforeSpace(text, text.length - keep);
    this.held = text.slice(cut);
    return this.release(text.slice(0, cut));
  }

  private release(text: string): string {
    this.sent += text;
    return text;
  }

  finish(tools: readonly Tool[]): { parsed: ReturnType<typeof parseModelOutput>; unsent: string } {
    return { parsed: parseModelOutput(this.sent + this.held, tools), unsent: this.held };
  }
}

function beforeSpace(text: string, end: number): number {
  let cut = end;
  while (cut > 0 && /\s/.test(text[cut - 1]!)) cut--;
  return cut;
}

describe("ToolCallStream holds white space without scanning it again", () => {
  const tools: Tool[] = [{ type: "function", function: { name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } } } }];

  it("sends and holds exactly what the simple rescanning stream did, for any text cut anywhere", () => {
    fc.assert(
      fc.property(fc.array(spacey, { maxLength: 8 }), (pieces) => {
        const stream = new ToolCallStream();
        const reference = new ReferenceToolCallStream();
        for (const piece of pieces) assert.equal(stream.push(piece), reference.push(piece), JSON.stringify(pieces));
        const done = stream.finish(tools);
        const expected = reference.finish(tools);
        assert.equal(done.unsent, expected.unsent);
        assert.equal(done.parsed.kind, expected.parsed.kind);
        assert.equal(done.parsed.content, expected.parsed.content);
      }),
      { numRuns: 3000 },
    );
  });

  it("streams a long blank run piece by piece and still trims it before a call", () => {
    const stream = new ToolCallStream();
    let sent = stream.push("ok");
    // 65,536 pieces of 16 spaces: the rescanning stream took seconds on 8,192.
    for (let i = 0; i < 65_536; i++) sent += stream.push(" ".repeat(16));
    sent += stream.push(".");
    for (let i = 0; i < 65_536; i++) sent += stream.push(" ".repeat(16));
    sent += stream.push("<tool_call>\n<function=read_file>\n<parameter=path>\na\n</parameter>\n</function>\n</tool_call>");
    assert.equal(sent, `ok${" ".repeat(16 * 65_536)}.`);
    const { parsed } = stream.finish(tools);
    assert.equal(parsed.kind, "calls");
  });
});
