// The body-wide redaction on its own, with the real redactor: spans found in a joined view
// land on every segment they touch, known secrets are found cut, and a placeholder read
// again as a secret changes nothing.
import assert from "node:assert/strict";
import { redactKnown, redactSegments, wholeEscapes, type KnownSecret, type Redactor } from "../../../../src/core/gateway/bodyRedaction";
import { redactPath } from "../../../../src/core/gateway/pathRedaction";
import { redact } from "../../../../src/core/redact";
import { SECRET_KINDS } from "./secretKinds";

const redactor: Redactor = (text, fileName) => redact(text, { fileName });
const token = SECRET_KINDS["github-token"]("body").value;

describe("body redaction (real redactor)", () => {
  it("a token cut between two segments is redacted on both sides, one placeholder each", async () => {
    const result = await redactSegments(
      [
        { text: `const token = "${token.slice(0, 17)}`, content: true },
        { text: `${token.slice(17)}";`, content: true },
      ],
      { redactor },
    );
    assert.deepEqual(result.texts, ['const token = "«redacted:github-token»', '«redacted:github-token»";']);
    assert.equal(result.count, 2);
  });

  it("a name in one message and its value in the next are read together", async () => {
    const value = SECRET_KINDS.password("body").value;
    const result = await redactSegments(
      [
        { text: "db_password =", content: true },
        { text: ` "${value}"`, content: true },
      ],
      { redactor },
    );
    assert.ok(!result.texts.join("").includes(value), result.texts.join(" | "));
  });

  it("the caller's text is joined without Hearth's wrapping between (a file's last line continued by the message)", async () => {
    const result = await redactSegments(
      [
        { text: '<file path="a.ts">\n', content: false },
        { text: `const token = "${token.slice(0, 20)}`, content: true, fileName: "a.ts" },
        { text: "\n</file>\n\n", content: false },
        { text: `${token.slice(20)}"; why?`, content: true },
      ],
      { redactor },
    );
    assert.ok(!result.texts[1].includes(token.slice(4, 20)), result.texts[1]);
    assert.ok(!result.texts[3].includes(token.slice(20)), result.texts[3]);
    assert.equal(result.texts[0], '<file path="a.ts">\n');
  });

  it("a known secret is found cut by a marker no view can join again", async () => {
    const at = 22;
    const result = await redactSegments([{ text: `x = "${token.slice(0, at)}<CURSOR>${token.slice(at)}"`, content: true }], { redactor, known: [{ value: token, kind: "github-token" }] });
    assert.ok(!result.texts[0].includes(token.slice(0, 12)) && !result.texts[0].includes(token.slice(at)), result.texts[0]);
  });

  it("a placeholder read again as a secret is left as it is and not counted", async () => {
    const echo: Redactor = async (text) => {
      const at = text.indexOf("«redacted:x»");
      return { text, count: at === -1 ? 0 : 1, findings: at === -1 ? [] : [{ kind: "x", start: at, end: at + "«redacted:x»".length }] };
    };
    const result = await redactSegments([{ text: "a «redacted:x» b", content: true }], { redactor: echo });
    assert.deepEqual(result, { texts: ["a «redacted:x» b"], count: 0, secrets: [] });
  });

  it("in JSON text a short neverSend value after an escape stands alone; after an escaped backslash and a letter it does not", async () => {
    const pin = "Xy7kPq2mZ9";
    const known: KnownSecret[] = [{ value: pin, kind: "never-send", wholeOnly: true, standalone: true }];
    const none: Redactor = async (text) => ({ text, count: 0, findings: [] });
    const texts = [`"a\\n${pin}"`, `"\\t${pin}\\r"`, `"\\u2014${pin}"`, `"\\\\n${pin}"`, `"\\u00e${pin}"`, `"${pin}x"`];
    const result = await redactSegments(
      texts.map((text) => ({ text, content: true })),
      { redactor: none, known },
    );
    assert.deepEqual(result.texts, ['"a\\n«redacted:never-send»"', '"\\t«redacted:never-send»\\r"', '"\\u2014«redacted:never-send»"', ...texts.slice(3)]);
    for (const text of result.texts.slice(0, 3)) assert.equal(typeof JSON.parse(text), "string", "still a JSON string");
  });

  it("a known value with a quote, a backslash or a line break is found as JSON writes it, whole, and never from inside an escape", async () => {
    const file = 'PW="Qa7kR\\p2"\nTOKEN=Zm4xLq9';
    const known: KnownSecret[] = [{ value: file, kind: "never-send", wholeOnly: true }];
    const none: Redactor = async (text) => ({ text, count: 0, findings: [] });
    const args = JSON.stringify({ content: `before ${file} after` });
    const result = await redactSegments([{ text: args, content: true }], { redactor: none, known });
    assert.deepEqual(JSON.parse(result.texts[0]), { content: "before «redacted:never-send» after" });
    assert.equal(result.count, 1);
    // `n` + the rest, escaped, is in the JSON text of a line break + the rest: the match would start inside `\\n`.
    const inside: KnownSecret[] = [{ value: 'nXy7kPq2"mZ9', kind: "never-send", wholeOnly: true }];
    const text = JSON.stringify('\nXy7kPq2"mZ9');
    assert.deepEqual((await redactSegments([{ text, content: true }], { redactor: none, known: inside })).texts, [text]);
  });

  it("credentials in file names: token shapes and name=value pieces", async () => {
    const aws = SECRET_KINDS["aws-access-key-id"]("path").value;
    assert.equal((await redactPath(`keys/${aws}.txt`, redactor)).path, "keys/«redacted:aws-access-key».txt");
    const named = await redactPath("config/api_token=Zq8vN3kLp0XwRt5Yb7Mc.json", redactor);
    assert.match(named.path, /^config\/api_token=«redacted:[^»]+»/);
    assert.ok(named.secrets.some((s) => s.value.includes("Zq8vN3kLp0XwRt5Yb7Mc")), JSON.stringify(named.secrets));
    assert.deepEqual(await redactPath("src/app.ts", redactor), { path: "src/app.ts", secrets: [] });
  });
});

describe("body redaction keeps JSON escapes whole", () => {
  it("widens a span that starts after an escape's backslash or ends inside one, so JSON text stays JSON", () => {
    // A secret's known text that begins with the letter of the `\n` escape before it.
    const json = JSON.stringify({ content: "line\nSECRETVALUE12345 and more" });
    const out = redactKnown(json, [{ value: "nSECRETVALUE12345", kind: "test", wholeOnly: true }]).text;
    assert.doesNotThrow(() => JSON.parse(out), out);
    assert.equal(out, '{"content":"line«redacted:test» and more"}');
    // The edges alone: after `\` → from the backslash; inside `\u00e9` → to its end; elsewhere unchanged.
    assert.deepEqual(wholeEscapes("a\\nb", 2, 4), [1, 4]);
    assert.deepEqual(wholeEscapes("x\\u00e9y", 0, 4), [0, 7]);
    assert.deepEqual(wholeEscapes("a\\\\nb", 3, 5), [3, 5], "an escaped backslash ends before the n");
    assert.deepEqual(wholeEscapes("plain text", 2, 5), [2, 5]);
  });
});
