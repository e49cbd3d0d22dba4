// Secrets disguised so that no pattern reads them as written (a privacy review's findings):
// invisible characters inside, look-alike letters, fullwidth forms, escapes, encodings, and
// pieces joined at run time. Each must be redacted in the original text, over the whole
// disguised run, and nothing decoded may appear in what is sent.
import * as assert from "node:assert/strict";
import { redact, redactWithOwnRules } from "../../../../src/core/redact/redact";

// Fake, shape-valid tokens built from parts.
const GITHUB = `ghp_${"aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5".slice(0, 36)}`;
const GITLAB = "glpat-Fk3Lm9Qx2Vb7Nc4Rt8Wz";
const STRIPE = "sk_live_Fk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6";
const AWS = "AKIAFAKE234567ABCDEF";
const NPM = `npm_${"Fk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6Jd5Gs0PaQ2xL".slice(0, 36)}`;

const fullwidth = (s: string): string => [...s].map((c) => (c >= "!" && c <= "~" ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join("");
const base64 = (s: string): string => Buffer.from(s).toString("base64");

/** Text with `disguised` in it: the disguised run must be the redacted span, exactly, and the rest must stay. */
async function assertRedactsRun(before: string, disguised: string, after: string, fileName = "a.ts"): Promise<void> {
  const text = before + disguised + after;
  const result = await redact(text, { fileName });
  assert.equal(result.count, 1, `one finding expected in ${JSON.stringify(text)}: ${JSON.stringify(result.text)}`);
  const [finding] = result.findings;
  assert.equal(text.slice(finding.start, finding.end), disguised, JSON.stringify(result.text));
  assert.ok(result.text.startsWith(before) && result.text.endsWith(after), JSON.stringify(result.text));
}

describe("disguised secrets", () => {
  describe("invisible characters, look-alike letters and compatibility forms", () => {
    const cases: [string, string][] = [
      ["zero-width space inside, in a string", `${GITHUB.slice(0, 10)}\u200b${GITHUB.slice(10)}`],
      ["zero-width space inside, in a comment, no name", `${GITLAB.slice(0, 9)}\u200b${GITLAB.slice(9)}`],
      ["soft hyphen inside", `${STRIPE.slice(0, 12)}\u00ad${STRIPE.slice(12)}`],
      ["word joiner and zero-width joiner between every few characters", [...NPM].map((c, i) => (i === NPM.length - 1 ? c : i % 5 === 4 ? `${c}\u2060` : i % 7 === 6 ? `${c}\u200d` : c)).join("")],
      ["an ASCII-smuggling tag character inside", `${GITHUB.slice(0, 20)}\u{e0041}${GITHUB.slice(20)}`],
      ["Cyrillic р and а in the prefix", `ghр_${GITHUB.slice(4).replace("a", "а")}`],
      ["Greek capitals in an AWS key", `ΑΚΙΑ${AWS.slice(4)}`],
      ["fullwidth letters, digits and underscore", fullwidth(STRIPE)],
      ["mathematical bold prefix", `𝐠𝐡𝐩${GITHUB.slice(3)}`],
    ];
    for (const [name, disguised] of cases) {
      it(name, async () => {
        await assertRedactsRun(`// deploy with ${name.length % 2 === 0 ? "" : "this: "}`, disguised, " please");
        await assertRedactsRun('const build = "', disguised, '";');
      });
    }
  });

  describe("escapes", () => {
    const cases: [string, string][] = [
      ["JSON \\u escapes, no secret name", `\\u0067\\u0068p_${GITHUB.slice(4)}`],
      ["JS \\u{…} escapes", `\\u{67}hp_${GITHUB.slice(4)}`],
      ["\\x escapes (Python bytes, C)", [...STRIPE.slice(0, 8)].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join("") + STRIPE.slice(8)],
      ["HTML character references", `&#103;&#x6c;${GITLAB.slice(2)}`],
      ["URL-encoded underscore", GITHUB.replace("_", "%5F")],
      ["an escaped fullwidth letter", `\\uff47hp_${GITHUB.slice(4)}`],
    ];
    for (const [name, disguised] of cases) {
      it(name, async () => {
        await assertRedactsRun('{"x": "', disguised, '"}', "a.json");
      });
    }
  });

  describe("encodings", () => {
    it("base64 of a token under a neutral name, in code and in a comment", async () => {
      await assertRedactsRun('const cfg = "', base64(GITHUB), '";');
      await assertRedactsRun("// ", base64(GITHUB), "");
    });

    it("base64url, and base64 with a path in front of it", async () => {
      const url = Buffer.from(`token=${GITLAB}`).toString("base64url");
      await assertRedactsRun("x = '", url, "'", "a.py");
      await assertRedactsRun("fetch('/api/v1/", base64(`${STRIPE} `), "')");
    });

    it("hex of a token", async () => {
      await assertRedactsRun('x = "', Buffer.from(NPM).toString("hex"), '"', "a.py");
    });

    it("a secret assignment inside base64, and base64 inside base64 (a Docker auth in a Kubernetes secret)", async () => {
      await assertRedactsRun("blob: ", base64(`password=Tr0ub4dor&3xyz\n`), "", "notes.md");
      const inner = base64(JSON.stringify({ auths: { "r.test": { auth: base64(`ci:${GITHUB}`) } } }));
      await assertRedactsRun("cfg = '", base64(inner), "'", "a.py");
    });

    it("character codes (String.fromCharCode, byte arrays)", async () => {
      await assertRedactsRun("String.fromCharCode(", [...GITHUB].map((c) => c.charCodeAt(0)).join(", "), ")");
      await assertRedactsRun("new byte[] {", [...NPM].map((c) => `0x${c.charCodeAt(0).toString(16)}`).join(", "), "}", "A.java");
    });
  });

  describe("pieces joined at run time", () => {
    it("a token split by a \\ line continuation inside a string, and in a shell word", async () => {
      await assertRedactsRun('X="', `${GITHUB.slice(0, 15)}\\\n${GITHUB.slice(15)}`, '"', "a.sh");
      await assertRedactsRun('curl -H "X-Hook: ', `${GITLAB.slice(0, 12)}\\\r\n${GITLAB.slice(12)}`, '" https://x.test', "run.sh");
    });

    it("an array of literals joined with nothing between (JS and Python)", async () => {
      const js = `k = ["${GITHUB.slice(0, 12)}", "${GITHUB.slice(12, 24)}",\n  "${GITHUB.slice(24)}"].join("")`;
      assert.equal(await redactedText(js), 'k = ["«redacted:github-token»", "«redacted:github-token»",\n  "«redacted:github-token»"].join("")');
      const py = `k = "".join(("${STRIPE.slice(0, 10)}", '${STRIPE.slice(10)}'))`;
      assert.equal(await redactedText(py, "a.py"), `k = "".join(("«redacted:stripe-secret-key»", '«redacted:stripe-secret-key»'))`);
    });

    it("template literal pieces", async () => {
      const text = "k = `${'" + GITHUB.slice(0, 12) + "'}" + GITHUB.slice(12) + "`";
      assert.equal(await redactedText(text), "k = `${'«redacted:github-token»'}«redacted:github-token»`");
    });
  });

  it("never sends a decoded copy: only the disguised run changes, into a placeholder", async () => {
    const text = [`a = "${base64(GITHUB)}"`, `b = "\\u0067hp_${GITHUB.slice(4)}"`, `c = "${fullwidth(STRIPE)}"`, `d = "${GITLAB.slice(0, 6)}\u200b${GITLAB.slice(6)}"`].join("\n");
    const result = await redact(text, { fileName: "a.py" });
    assert.equal(result.count, 4, result.text);
    for (const secret of [GITHUB, STRIPE, GITLAB]) {
      for (let i = 0; i + 8 <= secret.length; i++) assert.ok(!result.text.includes(secret.slice(i, i + 8)), `${secret.slice(i, i + 8)} in ${result.text}`);
    }
    assert.match(result.text, /^a = "«redacted:github-token»"\nb = "«redacted:github-token»"\nc = "«redacted:stripe-secret-key»"\nd = "«redacted:gitlab-token»"$/);
  });

  it("a disguised name before a plain value counts too (fullwidth, escaped)", async () => {
    assert.equal(await redactedText(`${fullwidth("PASSWORD")}=Xk2p9LmQ7vBn`, ".env"), `${fullwidth("PASSWORD")}=«redacted:password»`);
    assert.equal(await redactedText('{"\\u0070assword": "Xk2p9LmQ7vBn"}', "a.json"), '{"\\u0070assword": "«redacted:password»"}');
    assert.equal(await redactedText("DB_PASSWORD=\\\nXk2p9LmQ7vBn", ".env"), "DB_PASSWORD=\\\n«redacted:password»");
  });

  it("is idempotent on disguised input", async () => {
    const text = `x = "${GITHUB.slice(0, 7)}\u200b${GITHUB.slice(7)}"\ny = "${base64(NPM)}"\nz = ["${GITLAB.slice(0, 5)}", "${GITLAB.slice(5)}"].join("")`;
    const once = await redact(text, { fileName: "a.ts" });
    const twice = await redact(once.text, { fileName: "a.ts" });
    assert.equal(once.count, 4, once.text);
    assert.equal(twice.count, 0, twice.text);
  });

  describe("leaves alone what only looks disguised, next to a disguised token that goes", () => {
    const keep: [string, string, string | undefined][] = [
      ["Russian prose with Latin words", "Пароль хранится в Vault, API-ключ обновляется каждые 24 часа; сервер db01 и токен Bearer — в конфиге.", "README.md"],
      ["Greek prose", "Ο κωδικός API είναι στο Vault, όχι στον κώδικα.", "README.md"],
      ["Japanese with fullwidth punctuation and digits", "設定（注意）：パスワードは８文字以上にしてください。ＡＰＩ＿ＢＡＳＥ＿ＵＲＬ を設定します。", "README.md"],
      ["escaped accents and Cyrillic in a translation file", '{"fr": "caf\\u00e9 cr\\u00e8me", "ru": "\\u043f\\u0430\\u0440\\u043e\\u043b\\u044c \\u0438 \\u0442\\u043e\\u043a\\u0435\\u043d"}', "fr.json"],
      ["HTML-safe JSON", '{"html": "\\u003cb\\u003eBold\\u003c/b\\u003e \\u0026 more"}', "a.json"],
      ["URL-encoded query", "https://shop.test/find?q=caf%C3%A9%20cr%C3%A8me&sort=price%5Fasc&page=2", undefined],
      ["HTML character references in prose", "<p>Caf&#233; &#8212; &#x201C;quoted&#x201D; &amp; more</p>", "a.html"],
      ["shell line continuations", "docker build \\\n  --build-arg VERSION=1.4.2 \\\n  -t shop/api:1.4.2 .", "build.sh"],
      ["LaTeX line breaks", "a & b \\\\\nc & d \\\\\n", "paper.tex"],
      ["base64 of plain text", 'const greeting = "SGVsbG8sIHdvcmxkISBIb3cgYXJlIHlvdSB0b2RheT8=";', "a.ts"],
      ["base64 image data", "![x](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQ==)", "README.md"],
      ["hex digests", "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 and 9f4c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", undefined],
      ["character codes of plain text", "const hello = [72, 101, 108, 108, 111, 44, 32, 119, 111, 114, 108, 100, 33, 32, 72, 111, 119, 32, 97, 114, 101];", "a.ts"],
      ["a list of words joined", 'x = "".join(["Hello", ", ", "world"])', "a.py"],
      ["a template literal of plain words", "const note = `Total: ${'42'} items in ${\"cart\"}`;", "a.ts"],
      ["long identifiers in the base64 alphabet", "createPaymentIntentWithIdempotencyKeyHandler(getUserAccountSettingsForOrganization)", "a.ts"],
    ];
    // The token on the next line puts the look-alike inside a rewritten view, where it is read again.
    const disguised = `${GITHUB.slice(0, 10)}\u200b${GITHUB.slice(10)}`;
    for (const [name, text, fileName] of keep) {
      it(name, async () => {
        const result = await redact(`${text}\n# ${disguised}\n`, { fileName });
        assert.equal(result.text, `${text}\n# «redacted:github-token»\n`);
      });
    }
  });

  it("stays linear on input full of things to rewrite or decode: 8× the input takes far less than 64× the time", function () {
    // As in redact.test.ts: a size ratio in the same run, no wall-clock bound.
    this.timeout(120_000);
    // Each input also holds one disguised token, which must be found at every size.
    const token = `\n${GITHUB.slice(0, 10)}\u200b${GITHUB.slice(10)}\n`;
    const units: [string, (n: number) => string][] = [
      ["fullwidth characters", (n) => "値：ＡＢＣ１２３（注）\n".repeat(n)],
      ["invisible characters", (n) => "a\u200bb\u00adc ".repeat(n)],
      ["escapes on one line", (n) => "\\u0041\\x42%43&#68;".repeat(n)],
      ["line continuations", (n) => "a \\\n".repeat(n)],
      ["look-alikes in mixed words", (n) => "abcр ".repeat(n)],
      ["one long base64 run", (n) => Buffer.from("x=1 ".repeat(n)).toString("base64")],
      ["many short base64 runs", (n) => `${Buffer.from("hello there world!").toString("base64")} `.repeat(n)],
      ["one long hex run", (n) => "41".repeat(4 * n)],
      ["long number lists", (n) => `${"65, ".repeat(4 * n)}650`],
      ["joined lists", (n) => `[${'"a", '.repeat(n)}"b"]`],
      ["unclosed templates", (n) => "`${'a'} ".repeat(n)],
    ];
    const base = 1_000;
    const time = (input: string): number => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        for (const fileName of ["a.ts", "a.yaml", "run.sh", undefined]) {
          const result = redactWithOwnRules(input, { fileName });
          assert.ok(result.findings.some((f) => input.slice(f.start, f.end).includes(GITHUB.slice(10))), "the disguised token was not found");
        }
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    for (const [name, unit] of units) {
      const make = (n: number): string => unit(n) + token;
      time(make(base));
      const small = time(make(base));
      const large = time(make(8 * base));
      const ratio = large / Math.max(small, 2);
      assert.ok(ratio < 30, `${name}: ${small.toFixed(1)} ms at 1×, ${large.toFixed(1)} ms at 8× (ratio ${ratio.toFixed(1)}; quadratic would be ~64)`);
    }
  });
});

async function redactedText(text: string, fileName = "a.ts"): Promise<string> {
  return (await redact(text, { fileName })).text;
}
