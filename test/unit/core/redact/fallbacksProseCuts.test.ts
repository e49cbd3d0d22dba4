// Issue 17 item 2 and the "errs towards redacting" part of item 1: literal fallbacks of
// secret-named lookups in every language Hearth reads, credentials in sentences (English and
// Japanese), and values cut by the context window.
import * as assert from "node:assert/strict";
import { redact } from "../../../../src/core/redact/redact";

const V = "q8Vz2LmP4xRt7Wk9Nc3B";

async function leaks(text: string, value = V, options: { fileName?: string; cuts?: number[] } = {}): Promise<string | undefined> {
  const out = (await redact(text, options)).text;
  return out.includes(value.slice(0, 12)) || out.includes(value.slice(-12)) ? out : undefined;
}

describe("redact: literal fallbacks of secret-named lookups", () => {
  const cases: [string, string][] = [
    [`const s = process.env.JWT_SECRET || "${V}";`, "a.ts"],
    [`const s = process.env.API_KEY ?? '${V}';`, "a.ts"],
    [`const s = process.env["SESSION_SECRET"] || \`${V}\`;`, "a.js"],
    [`const s = import.meta.env.VITE_TOKEN ?? "${V}";`, "a.ts"],
    [`SECRET_KEY = os.getenv("SECRET_KEY", "${V}")`, "a.py"],
    [`TOKEN = os.environ.get("TOKEN", "${V}")`, "a.py"],
    [`TOKEN = os.environ.get("TOKEN") or "${V}"`, "a.py"],
    [`PASSWORD = config("DB_PASSWORD", default="${V}")`, "a.py"],
    [`SECRET = ENV.fetch("SECRET_KEY_BASE") { "${V}" }`, "a.rb"],
    [`SECRET = ENV.fetch("TOKEN", "${V}")`, "a.rb"],
    [`TOKEN = ENV["GITHUB_TOKEN"] || "${V}"`, "a.rb"],
    [`String k = System.getenv().getOrDefault("API_KEY", "${V}");`, "A.java"],
    [`String p = Optional.ofNullable(System.getenv("DB_PASSWORD")).orElse("${V}");`, "A.java"],
    [`@Value("\${app.jwt-secret:${V}}")`, "A.java"],
    [`var t = cmp.Or(os.Getenv("TOKEN"), "${V}")`, "a.go"],
    [`let t = env::var("TOKEN").unwrap_or("${V}".to_string());`, "a.rs"],
    [`let p = std::env::var("DB_PASSWORD").unwrap_or_else(|_| "${V}".into());`, "a.rs"],
    [`var k = Environment.GetEnvironmentVariable("SIGNING_KEY") ?? "${V}";`, "a.cs"],
    [`$s = getenv('APP_SECRET') ?: '${V}';`, "a.php"],
    [`val t = System.getenv("API_TOKEN") ?: "${V}"`, "a.kt"],
    [`return getenv("AUTH_TOKEN") ? getenv("AUTH_TOKEN") : "${V}";`, "a.c"],
    [`local p = os.getenv("REDIS_PASSWORD") or "${V}"`, "a.lua"],
    [`POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-${V}}`, "compose.yaml"],
    [`TOKEN="\${DEPLOY_TOKEN:-${V}}"`, "run.sh"],
    [`: "\${DB_PASS:=${V}}"`, "run.sh"],
  ];
  for (const [text, fileName] of cases) {
    it(`${fileName}: ${text.slice(0, 60)}`, async () => {
      assert.equal(await leaks(text, V, { fileName }), undefined);
      assert.equal(await leaks(text, V), undefined, "also without a file name (the gateway's whole body)");
    });
  }

  const keep = [
    `const port = process.env.PORT || "3000";`,
    `const key = process.env.OPENAI_API_KEY || "YOUR_API_KEY";`,
    `const s = process.env.COOKIE_SECRET || "dev";`,
    `const t = process.env.GITHUB_TOKEN ?? "";`,
    `const p = process.env.ADMIN_PASSWORD || "changeme";`,
    `const t = process.env.API_TOKEN || "<token>";`,
    `const t = process.env.API_TOKEN || "xxx";`,
    `const u = process.env.AUTH_URL ?? "http://localhost:8080/oauth/token";`,
    `SECRET = os.getenv("SECRET_KEY", "insecure-dev-secret")`,
    `ttl = os.getenv("TOKEN_TTL", "3600")`,
    `DEBUG: \${DEBUG:-false}`,
    `PASSWORD: \${DB_PASSWORD:-changeme}`,
    `API_KEY: \${API_KEY:?API_KEY is required}`,
    `label = t("login.password") || "Password"`,
  ];
  for (const text of keep) {
    it(`keeps ${text}`, async () => {
      const result = await redact(text);
      assert.equal(result.text, text);
    });
  }
});

describe("redact: credentials in sentences", () => {
  const cases: [string, string][] = [
    ["The AWS secret is wJalrXUtnFEMIK7MDENGbPxRfiCYzq8Vz2Lm, can you check?", "wJalrXUtnFEMIK7MDENGbPxRfiCYzq8Vz2Lm"],
    ["also the db password: hunter2-but-long so you can test it", "hunter2-but-long"],
    [`my token is ${V}.`, V],
    [`Use key ${V} to log in.`, V],
    ["Set the admin password to Pa55-w0rd-2024 after login", "Pa55-w0rd-2024"],
    ["The Redis password is 'swordfish' (yes I know)", "swordfish"],
    ["our password is swordfishtrombone on the test box", "swordfishtrombone"],
    [`本番のパスワードは ${V} です。`, V],
    [`APIキー: ${V}`, V],
    [`シークレットは「${V}」です。`, V],
    [`認証トークンは${V}。`, V],
    [`トークン ${V} を使っています。`, V],
  ];
  for (const [text, value] of cases) {
    it(text, async () => {
      const out = (await redact(text)).text;
      assert.ok(!out.includes(value), out);
    });
  }

  const keep = [
    "the token is valid for 1h",
    "The password is stored in Vault.",
    "The API key is invalid",
    "my password is too short",
    "The password is case-sensitive.",
    "The token is refreshed automatically.",
    "the secret is simple: never commit it",
    "password: see the wiki",
    "パスワードは8文字以上にしてください。",
    "APIキーはGitHubの設定から取得できます。",
    "トークンの有効期限は3600秒です。",
    "パスワードは YOUR_PASSWORD に置き換えてください。",
    "const password = hashedPassword;",
    "{ password: hashedPassword, token: this.token }",
  ];
  for (const text of keep) {
    it(`keeps ${text}`, async () => {
      assert.equal((await redact(text)).text, text);
    });
  }
});

describe("redact: values cut by the context window", () => {
  it("redacts a random value whose head was cut off at the start of the text", async () => {
    assert.equal(await leaks(`Vz2LmP4xRt7Wk9Nc3Bq8Lm";\nexport const x = 1;`, "Vz2LmP4xRt7Wk9Nc3Bq8Lm"), undefined);
    assert.equal(await leaks(`4f9c2e7a1b8d3f6e0a5c9b2d\nmore`, "4f9c2e7a1b8d3f6e0a5c9b2d"), undefined);
  });

  it("redacts a value whose tail was cut off at the end of the text", async () => {
    assert.equal(await leaks(`export const signingKey = "${V}`), undefined);
    assert.equal((await redact(`const password = "Tr0ub4d`)).text, `const password = "«redacted:password»`);
  });

  it("treats the offsets in `cuts` like the start and end of the text", async () => {
    const prefix = `const signingKey = "${V.slice(0, 14)}`;
    const text = `${prefix}\n/* other part */\n`;
    assert.equal(await leaks(text, V.slice(0, 14), { cuts: [prefix.length] }), undefined);
  });

  it("keeps ordinary first and last tokens", async () => {
    for (const text of ["NODE_ENV=production\nPORT=3000", "pk_live_51Hx9pQ2eZvKYlo2C0aBcDeFgHiJkLmNoPqRsTuVwXyZ", `const name = "Ada`, "function_name_here\n}"]) {
      assert.equal((await redact(text)).text, text);
    }
  });

  it("redacts a private key body without its BEGIN line, or without either marker", async () => {
    const lines = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7b3dEf6hIj9kL", "m2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2rSt5uVw8xYz1aBc4dEf7gH", "i0jKl3mNo6pQr9sT"];
    const tail = `${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
    assert.equal((await redact(tail)).text, "«redacted:private-key»\n-----END PRIVATE KEY-----\n");
    const pasted = `Here is the key:\n\n${lines.join("\n")}\n\nwhat is wrong?`;
    assert.equal((await redact(pasted)).text, "Here is the key:\n\n«redacted:private-key»\n\nwhat is wrong?");
    const cutMidLine = `kL\n${lines.slice(1).join("\n")}`;
    assert.ok(!(await redact(`${lines[0].slice(40)}\n${lines[1]}\n${lines[1]}\n`)).text.includes(lines[1].slice(0, 12)), cutMidLine);
  });

  it("keeps a certificate body, which is public", async () => {
    const cert = `-----BEGIN CERTIFICATE-----\n${"MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n".repeat(3)}AbC=\n-----END CERTIFICATE-----\n`;
    assert.equal((await redact(cert)).text, cert);
    const headless = cert.slice(cert.indexOf("\n") + 1);
    assert.equal((await redact(headless)).text, headless);
  });
});
