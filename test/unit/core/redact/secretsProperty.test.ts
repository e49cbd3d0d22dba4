// Issue 17 item 7, at the redactor's level: secrets of many kinds, written in the many ways
// people write them (code, config, URLs, fallbacks, sentences in English and Japanese, PEM
// blocks with or without their markers, values cut by the context window), embedded in random
// surrounding text. Whatever the embedding, the redacted text holds no 12-character run of
// the secret. (Secrets split across prompt parts are the gateway's property test.)
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { redact } from "../../../../src/core/redact/redact";

// No x/X (placeholders like sk-xxxx), no 0/1/O/l/o: values never read as placeholders or words.
const UPPER = "ABCDEFGHJKLMNPQRSTUVWYZ".split("");
const LOWER = "abcdefghijkmnpqrstuvwyz".split("");
const DIGIT = "23456789".split("");

/**
 * A random value in which every 12-character window is mixed (a digit every fourth place) and
 * varied (letters never repeat), so any piece of it that survives a cut still looks random.
 */
const randomValue = (min = 20, max = 40): fc.Arbitrary<string> =>
  fc
    .tuple(fc.shuffledSubarray([...UPPER, ...LOWER], { minLength: max, maxLength: max }), fc.array(fc.constantFrom(...DIGIT), { minLength: max, maxLength: max }), fc.integer({ min, max }))
    .map(([letters, digits, length]) => Array.from({ length }, (_, i) => (i % 4 === 2 ? digits[i] : letters[i])).join(""));

const fromAlphabet = (alphabet: string, length: number): fc.Arbitrary<string> => fc.array(fc.constantFrom(...alphabet.split("")), { minLength: length, maxLength: length }).map((a) => a.join(""));
const B32 = "ABCDEFGHIJKLMNPQRSTUVWYZ234567";
const ALNUM = [...UPPER, ...LOWER, ...DIGIT].join("");
const B64URL = `${ALNUM}_-`;

/** Vendor tokens, recognisable by shape wherever they sit. */
const shapedToken = fc.oneof(
  fromAlphabet(B32, 16).map((s) => `AKIA${s}`),
  randomValue(36, 36).map((s) => `ghp_${s}`),
  fc.tuple(fromAlphabet(DIGIT.join(""), 12), fromAlphabet(DIGIT.join(""), 12), randomValue(24, 24)).map(([a, b, c]) => `xoxb-${a}-${b}-${c}`),
  fc.tuple(fromAlphabet(B64URL, 24), fromAlphabet(B64URL, 40), fromAlphabet(B64URL, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
  randomValue(24, 32).map((s) => `sk_live_${s}`),
  randomValue(36, 36).map((s) => `npm_${s}`),
);

const SECRET_NAMES = ["JWT_SECRET", "API_KEY", "DB_PASSWORD", "GITHUB_TOKEN", "STRIPE_SECRET_KEY", "SESSION_SECRET", "AUTH_TOKEN", "CLIENT_SECRET"];
const camel = (name: string): string => name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Embed = (value: string, name: string) => string;

/** A value under a name that says secret, in code and config. */
const NAMED: readonly Embed[] = [
  (v, n) => `const ${camel(n)} = "${v}";`,
  (v, n) => `${n}=${v}`,
  (v, n) => `${n.toLowerCase()}: ${v}`,
  (v, n) => `"${camel(n)}": "${v}",`,
  (v, n) => `export ${n}="${v}"`,
  (v, n) => `${camel(n)} := "${v}"`,
  (v, n) => `<${camel(n)}>${v}</${camel(n)}>`,
  (v) => `postgres://shop:${v}@db.internal:5432/shop`,
  (v) => `https://deploy:${v}@git.shop.test/repo.git`,
];

/** The literal fallback of a secret-named lookup, in each language Hearth reads. */
const FALLBACKS: readonly Embed[] = [
  (v, n) => `const s = process.env.${n} || "${v}";`,
  (v, n) => `const s = process.env.${n} ?? '${v}';`,
  (v, n) => `const s = process.env["${n}"] || \`${v}\`;`,
  (v, n) => `s = os.getenv("${n}", "${v}")`,
  (v, n) => `s = os.environ.get("${n}", "${v}")`,
  (v, n) => `s = os.environ.get("${n}") or "${v}"`,
  (v, n) => `s = ENV.fetch("${n}") { "${v}" }`,
  (v, n) => `s = ENV.fetch("${n}", "${v}")`,
  (v, n) => `String s = System.getenv().getOrDefault("${n}", "${v}");`,
  (v, n) => `String s = Optional.ofNullable(System.getenv("${n}")).orElse("${v}");`,
  (v, n) => `s := cmp.Or(os.Getenv("${n}"), "${v}")`,
  (v, n) => `let s = env::var("${n}").unwrap_or("${v}".to_string());`,
  (v, n) => `let s = std::env::var("${n}").unwrap_or_else(|_| "${v}".into());`,
  (v, n) => `var s = Environment.GetEnvironmentVariable("${n}") ?? "${v}";`,
  (v, n) => `$s = getenv('${n}') ?: '${v}';`,
  (v, n) => `val s = System.getenv("${n}") ?: "${v}"`,
  (v, n) => `local s = os.getenv("${n}") or "${v}"`,
  (v, n) => `      ${n}: \${${n}:-${v}}`,
  (v, n) => `S="\${${n}:-${v}}"`,
];

/** Credentials in sentences. */
const PROSE: readonly Embed[] = [
  (v) => `The AWS secret is ${v} and the access key is in the env file.`,
  (v) => `my token is ${v}, can you see why it fails?`,
  (v) => `also the db password: ${v} so you can test it`,
  (v) => `Use key ${v} to log in to the admin panel.`,
  (v) => `Set the admin password to ${v} after the first login.`,
  (v) => `The Redis password is '${v}' (yes I know).`,
  (v) => `本番のDBにつながりません。パスワードは ${v} です。`,
  (v) => `APIキー: ${v}`,
  (v) => `シークレットは「${v}」です。`,
  (v) => `認証トークンは${v}。`,
  (v) => `トークン ${v} を使っています。`,
];

/** Shaped tokens need no name: in a comment, a log line, an unnamed string. */
const ANYWHERE: readonly Embed[] = [(v) => `// temporary: ${v}`, (v) => `data = "${v}"`, (v) => `INFO using ${v} for the upload`, (v) => `# 一時的な値 ${v}`, (v) => v];

const SURROUNDINGS = [
  "import { readFile } from \"node:fs/promises\";",
  "def handler(event, context):",
  "    return {\"statusCode\": 200}",
  "fn main() {",
  "}",
  "The build fails on CI but works locally.",
  "テストは手元では通ります。",
  "services:",
  "  web:",
  "    image: node:20",
  "PORT=8080",
  "const requestId = \"3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c\";",
  "// TODO: retry with backoff",
  "SELECT id, name FROM users WHERE id = $1;",
  "",
];
const surrounding = fc.array(fc.constantFrom(...SURROUNDINGS), { maxLength: 6 }).map((lines) => lines.join("\n"));

async function assertNoRun(text: string, secret: string, options: { fileName?: string; cuts?: number[] } = {}): Promise<void> {
  const out = (await redact(text, options)).text;
  for (const piece of secret.split(/\r?\n/)) {
    for (let i = 0; i + 12 <= piece.length; i++) {
      const run = piece.slice(i, i + 12);
      assert.ok(!out.includes(run), `"${run}" of the secret survived in:\n${out}`);
    }
  }
}

const FILE_NAMES = [undefined, "a.ts", "config.yaml", ".env", "main.go", "notes.md"];

describe("redact property: no 12-character run of a secret survives", () => {
  it("a named secret value in code or config, inside random text", async () => {
    await fc.assert(
      fc.asyncProperty(randomValue(), fc.constantFrom(...SECRET_NAMES), fc.constantFrom(...NAMED), surrounding, surrounding, fc.constantFrom(...FILE_NAMES), async (v, n, embed, before, after, fileName) => {
        await assertNoRun(`${before}\n${embed(v, n)}\n${after}`, v, { fileName });
      }),
      { numRuns: 150 },
    );
  });

  it("a vendor token or JWT anywhere, without a name", async () => {
    await fc.assert(
      fc.asyncProperty(shapedToken, fc.constantFrom(...ANYWHERE), surrounding, surrounding, fc.constantFrom(...FILE_NAMES), async (v, embed, before, after, fileName) => {
        await assertNoRun(`${before}\n${embed(v, "")}\n${after}`, v, { fileName });
      }),
      { numRuns: 150 },
    );
  });

  it("the literal fallback of a secret-named lookup, in every language", async () => {
    await fc.assert(
      fc.asyncProperty(randomValue(), fc.constantFrom(...SECRET_NAMES), fc.constantFrom(...FALLBACKS), surrounding, surrounding, async (v, n, embed, before, after) => {
        await assertNoRun(`${before}\n${embed(v, n)}\n${after}`, v);
      }),
      { numRuns: 200 },
    );
  });

  it("a credential in an English or Japanese sentence", async () => {
    await fc.assert(
      fc.asyncProperty(randomValue(16, 32), fc.constantFrom(...PROSE), surrounding, surrounding, async (v, embed, before, after) => {
        await assertNoRun(`${before}\n${embed(v, "")}\n${after}`, v);
      }),
      { numRuns: 150 },
    );
  });

  it("a private key body with both markers, without BEGIN, without END, or with neither", async () => {
    const body = fc.tuple(fc.array(fromAlphabet(`${ALNUM}+/`, 64), { minLength: 2, maxLength: 8 }), fromAlphabet(`${ALNUM}+/`, 20)).map(([lines, last]) => [...lines, `${last}==`].join("\n"));
    const layouts: ((b: string) => string)[] = [
      (b) => `-----BEGIN PRIVATE KEY-----\n${b}\n-----END PRIVATE KEY-----`,
      (b) => `${b}\n-----END RSA PRIVATE KEY-----`,
      (b) => `-----BEGIN OPENSSH PRIVATE KEY-----\n${b}`,
      (b) => `Here is the deploy key:\n\n${b}\n\nwhat is wrong with it?`,
      (b) => `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${b.replace(/\n/g, "\\n")}\\n-----END PRIVATE KEY-----\\n"}`,
    ];
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(...layouts), surrounding, surrounding, async (b, layout, before, after) => {
        await assertNoRun(`${before}\n${layout(b)}\n${after}`, b);
      }),
      { numRuns: 100 },
    );
  });

  it("a value cut by the context window at the start or the end of the text", async () => {
    await fc.assert(
      fc.asyncProperty(randomValue(24, 40), fc.constantFrom(...SECRET_NAMES), fc.constantFrom(...NAMED.slice(0, 1), ...FALLBACKS.slice(0, 6)), surrounding, fc.nat(), fc.boolean(), async (v, n, embed, after, cutAt, atStart) => {
        const line = embed(v, n);
        // Keep at least 12 characters of the value on the side that survives the cut.
        const kept = 12 + (cutAt % (v.length - 12));
        if (atStart) {
          const full = `${line}\n${after}`;
          const end = full.indexOf(v) + v.length;
          await assertNoRun(full.slice(end - kept), v.slice(-kept));
        } else {
          const full = `${after}\n${line}`;
          await assertNoRun(full.slice(0, full.indexOf(v) + kept), v.slice(0, kept));
        }
      }),
      { numRuns: 150 },
    );
  });
});
