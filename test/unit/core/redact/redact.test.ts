import * as assert from "node:assert/strict";
import fc from "fast-check";
import { redact, redactWithOwnRules } from "../../../../src/core/redact/redact";
import { classifySecretName } from "../../../../src/core/redact/secretNames";
import { isPlaceholderValue } from "../../../../src/core/redact/placeholders";

// Fake, shape-valid values built from parts, so the test reads as what it checks.
const FAKE = {
  github: `ghp_${"Fake0Token1For2Hearth3Tests4Only5xyz".slice(0, 36)}`,
  aws: "AKIAFAKE234567ABCDEF",
  openai: `sk-proj-${"Fk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6Jd5Gs0Pa".repeat(2)}`,
  stripe: "sk_live_Fk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6",
  random: "q8Vz2LmP4xRt7Wk9",
};

async function redacted(text: string, fileName?: string): Promise<string> {
  return (await redact(text, { fileName })).text;
}

describe("redact", () => {
  describe("keeps the name and the surrounding text, replaces only the secret", () => {
    const cases: [string, string | undefined, string][] = [
      [`const apiKey = "${FAKE.random}";`, "a.ts", 'const apiKey = "«redacted:api-key»";'],
      [`API_KEY=${FAKE.random}`, ".env", "API_KEY=«redacted:api-key»"],
      [`db_password: ${FAKE.random}  # rotated in May`, "values.yaml", "db_password: «redacted:password»  # rotated in May"],
      [`app.secret-key=${FAKE.random}`, "application.properties", "app.secret-key=«redacted:secret»"],
      [`{"clientSecret": "${FAKE.random}"}`, "a.json", '{"clientSecret": "«redacted:secret»"}'],
      [`DB_PASS=Tr0ub4dor&3`, ".env", "DB_PASS=«redacted:password»"],
      [`password = "correct horse battery"`, "a.py", 'password = "«redacted:password»"'],
      [`conn(password="${FAKE.random}", timeout=3)`, "a.py", 'conn(password="«redacted:password»", timeout=3)'],
      [`Password: "${FAKE.random}",`, "main.go", 'Password: "«redacted:password»",'],
      [`<password>${FAKE.random}</password>`, "pom.xml", "<password>«redacted:password»</password>"],
      [`ENV API_TOKEN ${FAKE.random}`, "Dockerfile", "ENV API_TOKEN «redacted:token»"],
      [`deploy --api-token ${FAKE.random} --yes`, "run.sh", "deploy --api-token «redacted:token» --yes"],
      [`headers: { Authorization: "Bearer ${FAKE.random}${FAKE.random}" }`, "a.ts", 'headers: { Authorization: "Bearer «redacted:bearer-token»" }'],
      [`const token = "${FAKE.github}";`, "a.ts", 'const token = "«redacted:github-token»";'],
      [`postgres://shop:${FAKE.random}@db:5432/shop`, undefined, "postgres://shop:«redacted:url-password»@db:5432/shop"],
      [`redis://:${FAKE.random}@cache:6379/0`, undefined, "redis://:«redacted:url-password»@cache:6379/0"],
      [`https://ana:${FAKE.random}@git.shop.test/repo.git`, undefined, "https://ana:«redacted:url-password»@git.shop.test/repo.git"],
      [`https://api.test/v1?api_key=${FAKE.random}&page=2`, "a.ts", "https://api.test/v1?api_key=«redacted:api-key»&page=2"],
      [`"Server=sql;Database=shop;User Id=app;Password=${FAKE.random};"`, "a.cs", '"Server=sql;Database=shop;User Id=app;Password=«redacted:password»;"'],
      [`// 本番のパスワード: ${FAKE.random}`, "a.ts", "// 本番のパスワード: «redacted:password»"],
      [`# clé: ${FAKE.aws} (ne pas partager)`, "a.py", "# clé: «redacted:aws-access-key» (ne pas partager)"],
      [`-- the admin password is ${FAKE.random}, rotate monthly`, "seed.sql", "-- the admin password is «redacted:password», rotate monthly"],
      [`CREATE USER app WITH PASSWORD '${FAKE.random}';`, "init.sql", "CREATE USER app WITH PASSWORD '«redacted:password»';"],
      [`machine api.shop.test\n  login ana\n  password ${FAKE.random}`, ".netrc", "machine api.shop.test\n  login ana\n  password «redacted:password»"],
      [`<add key="PaymentApiKey" value="${FAKE.random}" />`, "Web.config", '<add key="PaymentApiKey" value="«redacted:api-key»" />'],
      [`requests.get(url, auth=("deploy", "${FAKE.random}"))`, "a.py", 'requests.get(url, auth=("deploy", "«redacted:password»"))'],
      [`props.put("mail.password", "${FAKE.random}");`, "A.java", 'props.put("mail.password", "«redacted:password»");'],
      [`curl -H "Authorization: Basic ZGVwbG95OlhrMnA5TG1RN3ZC" https://x`, "a.sh", 'curl -H "Authorization: Basic «redacted:basic-auth»" https://x'],
      [`docker run -e POSTGRES_PASSWORD=${FAKE.random} -d postgres:16`, "run.sh", "docker run -e POSTGRES_PASSWORD=«redacted:password» -d postgres:16"],
    ];
    for (const [input, fileName, expected] of cases) {
      it(`${fileName ?? "(no file)"}: ${input.slice(0, 50)}`, async () => {
        assert.equal(await redacted(input, fileName), expected);
      });
    }
  });

  it("redacts a secret assignment that follows prose and a colon on the same line", async () => {
    // Found by the gateway's property test: "config:" used to swallow "password" as its value.
    for (const line of ['Here is my config: password = "w02OasYHUM511UDHNSOP"', "Here is my config: api_key: w02OasYHUM511UDHNSOP"]) {
      const result = await redact(line);
      assert.equal(result.count, 1, line);
      assert.ok(!result.text.includes("w02OasYHUM511UDHNSOP"), result.text);
    }
  });

  it("redacts both pieces of a key split across string concatenation", async () => {
    const ts = `const k = "AKIA" +\n  "${FAKE.aws.slice(4)}";`;
    assert.equal(await redacted(ts, "a.ts"), 'const k = "«redacted:aws-access-key»" +\n  "«redacted:aws-access-key»";');
    const py = `key = ("ghp_" "${FAKE.github.slice(4)}")`;
    assert.equal(await redacted(py, "a.py"), 'key = ("«redacted:github-token»" "«redacted:github-token»")');
    const php = `$k = 'sk_live_' . '${FAKE.stripe.slice(8)}';`;
    assert.equal(await redacted(php, "a.php"), "$k = '«redacted:stripe-secret-key»' . '«redacted:stripe-secret-key»';");
  });

  it("redacts every piece of a concatenated value assigned to a secret name", async () => {
    assert.equal(await redacted(`const password = "Tr0ub" + "4dor&3";`, "a.ts"), 'const password = "«redacted:password»" + "«redacted:password»";');
  });

  it("redacts private key bodies and keeps the BEGIN/END lines", async () => {
    const body = "MIIEowIBAAKCAQEA7b3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9o\nPq2rSt5uVw8xYz1aBc4dEf7gHi0jKl3mNo6pQr9sT==";
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    assert.equal(await redacted(pem), "-----BEGIN RSA PRIVATE KEY-----\n«redacted:private-key»\n-----END RSA PRIVATE KEY-----");
    const escaped = `{"private_key": "-----BEGIN PRIVATE KEY-----\\n${body.replace("\n", "\\n")}\\n-----END PRIVATE KEY-----\\n"}`;
    assert.equal(await redacted(escaped, "sa.json"), '{"private_key": "-----BEGIN PRIVATE KEY-----\\n«redacted:private-key»\\n-----END PRIVATE KEY-----\\n"}');
  });

  it("redacts the private lines of a PuTTY key and keeps its public part", async () => {
    const head = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ana@laptop\nPublic-Lines: 1\nAAAAC3NzaC1lZDI1NTE5AAAAIFk3Lm9Qx2Vb7Nc4Rt8W\nPrivate-Lines: 2\n";
    const text = `${head}AAAAIHk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6Jd5Gs0PaFk3Lm9Qx2Vb\nz1Yh6Jd5Gs0Pa\nPrivate-MAC: 4f3c2b1a\n`;
    assert.equal(await redacted(text, "id.ppk"), `${head}«redacted:private-key»\nPrivate-MAC: 4f3c2b1a\n`);
  });

  it("redacts a private key cut off before its END line (a truncated prompt)", async () => {
    const text = "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACBo9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq2r\n";
    const out = await redacted(text);
    assert.equal(out, "key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n«redacted:private-key»\n");
  });

  describe("leaves look-alikes alone", () => {
    const keep: [string, string | undefined][] = [
      ["OPENAI_API_KEY=YOUR_API_KEY", ".env"],
      ["api_key: sk-xxxx", "config.yaml"],
      [`OPENAI_API_KEY=sk-${"x".repeat(40)}`, ".env"],
      ["token: <token>", "config.yaml"],
      ["ADMIN_PASSWORD=changeme", ".env"],
      ["password: ${DB_PASSWORD}", "config.yaml"],
      ["DB_PASSWORD=$DB_PASSWORD", ".env"],
      ["const apiKey = process.env.OPENAI_API_KEY;", "a.ts"],
      ["secret_key = os.environ['SECRET_KEY']", "a.py"],
      ["api_key = os.getenv('API_KEY')", "a.py"],
      ['password: "{{ vault_db_password }}"', "playbook.yml"],
      ["password: !vault |", "playbook.yml"],
      ["password: ENC[AES256_GCM,data:Tr0ub4dor,iv:abc,tag:def,type:str]", "secrets.yaml"],
      ['const requestId = "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c";', "a.ts"],
      ["commit 9f4c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", undefined],
      ['"integrity": "sha512-Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNA=="', "package-lock.json"],
      ["![logo](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAGXRFWHRTb2Z0d2FyZQ==)", "README.md"],
      ['"version": "4.12.0-beta.3"', "package.json"],
      ["apiKey: string;", "a.ts"],
      ["password: z.string().min(12),", "schema.ts"],
      ["const tokenizer = new Tokenizer();", "a.ts"],
      ["max_tokens = 1024", "a.py"],
      ["PASSWORD_MIN_LENGTH=12", ".env"],
      ["token_url: https://auth.shop.test/oauth/token", "config.yaml"],
      ['<input type="password" name="password" placeholder="Password">', "form.html"],
      ['const TOKEN_STORAGE_KEY = "auth_token";', "a.ts"],
      ['const message = "Please enter your password.";', "a.ts"],
      ["PASSWORD_FILE=/run/secrets/db_password", ".env"],
      ["passwordless: true", "config.yaml"],
      ["redactSecrets: true", "config.yaml"],
      ["AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", ".env"],
      ["image: node:20@sha256:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b", "compose.yaml"],
      ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFk3Lm9Qx2Vb7Nc4Rt8Wz1Yh6Jd5Gs0Pa ana@laptop", undefined],
      ["pk_live_51Hx9pQ2eZvKYlo2C0aBcDeFgHiJkLmNoPqRsTuVwXyZ", undefined],
      ["postgres://shop@db:5432/shop", undefined],
      ["postgres://user:password@localhost/db", undefined],
      ["password = var.db_password", "main.tf"],
      ["secretName: db-credentials", "deployment.yaml"],
      ["key: password", "deployment.yaml"],
      ["const key = item.id;", "a.ts"],
      ["The token expires after 3600 seconds; refresh it with the refresh token.", "README.md"],
      ["the token is valid for 1h", undefined],
      ["# password reset flow documented below", "README.md"],
      ['export API_KEY="${API_KEY:?API_KEY is required}"', "deploy.sh"],
      ['{ "auth.password.label": "Password", "auth.token.expired": "Your session expired" }', "en.json"],
      ['<add key="Environment" value="Production" />', "Web.config"],
      ["password: ${{ secrets.DOCKER_PASSWORD }}", "ci.yml"],
      ['const hash = "$2b$12$KIXQJQ0z3l8GZQmVvW9ZkOe5x1yY6s3t4u5v6w7x8y9z0a1b2c3d";', "a.ts"],
    ];
    for (const [input, fileName] of keep) {
      it(`${fileName ?? "(no file)"}: ${input.slice(0, 60)}`, async () => {
        const result = await redact(input, { fileName });
        assert.deepEqual(result.findings, [], `redacted: ${result.text}`);
        assert.equal(result.text, input);
      });
    }
  });

  it("reports findings as sorted, non-overlapping spans of the input with their kinds", async () => {
    const text = `a=1\nGITHUB_TOKEN=${FAKE.github}\nAWS=${FAKE.aws}\n`;
    const result = await redact(text, { fileName: ".env" });
    assert.equal(result.count, 2);
    assert.deepEqual(
      result.findings.map((f) => [f.kind, text.slice(f.start, f.end)]),
      [
        ["github-token", FAKE.github],
        ["aws-access-key", FAKE.aws],
      ],
    );
  });

  it("is idempotent: redacted text has nothing left to redact", async () => {
    const text = `password: ${FAKE.random}\ntoken = "${FAKE.github}"\nurl: https://a:${FAKE.random}@h/x\n`;
    const once = await redact(text, { fileName: "c.yaml" });
    const twice = await redact(once.text, { fileName: "c.yaml" });
    assert.equal(twice.count, 0);
    assert.equal(twice.text, once.text);
  });

  it("never throws and never grows findings outside the text, whatever the input", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.constantFrom(undefined, "a.ts", ".env", "x.yaml", "Dockerfile"), async (text, fileName) => {
        const result = await redact(text, { fileName });
        for (const f of result.findings) assert.ok(0 <= f.start && f.start < f.end && f.end <= text.length);
      }),
      { numRuns: 300 },
    );
  });

  it("stays linear on large and adversarial input: 8× the input takes far less than 64× the time", function () {
    // No wall-clock bound (CI machines are loaded): each input is timed at two sizes in the
    // same run, best of three, and the ratio is compared. Linear work gives about 8×; a
    // quadratic path gives about 64×. The slack absorbs noise and GC pauses.
    this.timeout(120_000);
    const units: [string, (n: number) => string][] = [
      ["concatenation", (n) => `"a" + `.repeat(n)],
      ["repeated name=", (n) => "password=".repeat(n)],
      ["quotes", (n) => '"'.repeat(5 * n)],
      ["unclosed PEM blocks", (n) => `-----BEGIN PRIVATE KEY-----\n${"A".repeat(64)}\n`.repeat(Math.ceil(n / 20))],
      ["one long token", (n) => `${"x".repeat(3 * n)}@`],
      ["URL prefixes", (n) => "https://a:".repeat(n)],
      ["long names", (n) => `${"a".repeat(60)}: `.repeat(Math.ceil(n / 8))],
      ["YAML values", (n) => "password: Xy12 ".repeat(n)],
      ["shell values", (n) => "password=x1y2 ".repeat(n)],
      ["comment labels", (n) => "// token: Ab12cd ".repeat(n)],
      ["BEGIN markers", (n) => "-----BEGIN PRIVATE KEY-----".repeat(Math.ceil(n / 2))],
      ["connection pairs", (n) => "k=v;".repeat(n)],
      ["PuTTY headers", (n) => "PuTTY-User-Key-File-2: x ".repeat(Math.ceil(n / 2))],
      ["headless base64 lines", (n) => `${"A".repeat(64)}\n`.repeat(Math.ceil(n / 4))],
      ["fallback operators", (n) => `x || "y" `.repeat(n)],
      ["closing parentheses", (n) => `${")".repeat(3 * n)} || "abc"`],
      ["lookups with fallbacks", (n) => `getenv("TOKEN") ?: "abcdef1234" `.repeat(Math.ceil(n / 2))],
      ["prose", (n) => "the password is Tr0ub4dor&3 and パスワードは Xk7mQ2vL9pRt です ".repeat(Math.ceil(n / 4))],
      ["open quote at the end", (n) => `${"a = 'b' ".repeat(n)}key = "${"Q".repeat(3000)}`],
    ];
    const base = 1_000;
    const time = (input: string): number => {
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        for (const fileName of ["a.ts", "a.yaml", "run.sh", undefined]) redactWithOwnRules(input, { fileName });
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    for (const [name, make] of units) {
      time(make(base)); // warm up the regex compiler and JIT
      const small = time(make(base));
      const large = time(make(8 * base));
      // 2 ms floor: below it, timer resolution and scheduling dominate the ratio.
      const ratio = large / Math.max(small, 2);
      assert.ok(ratio < 30, `${name}: ${small.toFixed(1)} ms at 1×, ${large.toFixed(1)} ms at 8× (ratio ${ratio.toFixed(1)}; quadratic would be ~64)`);
    }
  });
});

describe("secret names", () => {
  it("recognises secret names in every case style", () => {
    for (const name of ["password", "db_password", "dbPassword", "DB-PASSWORD", "DBPASSWORD", "db.password", "SECRET_KEY_BASE", "x-api-key", "apiKey", "APIKey", "private_key", "clientSecret", "auth_token", "AWS_SECRET_ACCESS_KEY", "passwd", "PASSPHRASE", "_authToken", "パスワード"]) {
      assert.ok(classifySecretName(name), name);
    }
  });

  it("recognises short and non-English names for passwords and credentials", () => {
    for (const name of ["PW", "DB_PW", "SMTP_PW", "dbPw", "CREDS", "CRED", "aws_creds", "MOT_DE_PASSE", "motDePasse", "PASSWORT", "db_kennwort", "CONTRASEÑA", "contrasena", "SENHA", "senha_admin", "wachtwoord", "haslo", "hasło", "şifre", "sifre", "lösenord", "salasana", "heslo", "jelszó", "kata_sandi", "clave_secreta", "segredo", "パスワード", "비밀번호", "пароль", "парола", "κωδικός", "סיסמה", "كلمة المرور"]) {
      assert.equal(classifySecretName(name)?.strength, "strong", name);
    }
    for (const name of ["JWT_SIGNING", "clave_api"]) assert.equal(classifySecretName(name)?.strength, "weak", name);
  });

  it("redacts values under those names", async () => {
    for (const [line, expected] of [
      ["PW=Xy7kPq2mZ9vB", "PW=«redacted:password»"],
      ["DB_PW=hunter2x", "DB_PW=«redacted:password»"],
      ["CREDS=ana:Zq8m7Lm", "CREDS=«redacted:credential»"],
      ["MOT_DE_PASSE=m0t!Passe", "MOT_DE_PASSE=«redacted:password»"],
      ["CONTRASEÑA=cl4ve!", "CONTRASEÑA=«redacted:password»"],
    ]) {
      assert.equal(await redacted(line, ".env"), expected);
    }
  });

  it("ignores names that only mention secrets", () => {
    for (const name of ["tokenizer", "passwordless", "secretary", "password_min_length", "token_url", "secretName", "apiKeyHeader", "maxTokens", "password_file", "PUBLIC_KEY", "bypass", "keyboard", "monkey", "credit", "credit_card", "pwa", "x-pw-serviceworker", "pw_min_length", "creds_path", "cred_store", "parole", "gesloten", "parolaccia"]) {
      assert.equal(classifySecretName(name), undefined, name);
    }
  });
});

describe("placeholders", () => {
  it("recognises values that stand for a secret", () => {
    for (const v of ["YOUR_API_KEY", "your-api-key", "sk-xxxx", "<token>", "changeme", "${VAR}", "$VAR", "%VAR%", "process.env.X", "os.environ['X']", "{{ secret }}", "********", "«redacted:token»", "my_secret_token", "REPLACE_ME", "AKIAIOSFODNN7EXAMPLE"]) {
      assert.ok(isPlaceholderValue(v), v);
    }
  });

  it("does not mistake real-looking values for placeholders", () => {
    for (const v of ["q8Vz2LmP4xRt7Wk9", "hunter2", "Tr0ub4dor&3", "secretsauce", "mysecret123", "correct horse battery staple"]) {
      assert.equal(isPlaceholderValue(v), false, v);
    }
  });
});
