// In config files a value that looks generated is redacted whatever its name; values that
// look generated but are public or describe something (ids, digests, pinned commits, public
// certificates, versions) stay, and so do the same values in code.
import * as assert from "node:assert/strict";
import { redact } from "../../../../src/core/redact/redact";

// Random, fake, and with no word inside: a word is what tells a name from a token.
const RANDOM = { a: "U8JZpDE0iGXlD6gNCFbaEPFj", b: "wVJ7faC9qEwjky40UVsW", c: "mflzdE1F8ResqEDusTpkr0cStY4q", hex: "4f9e2a7c1b8d3e6f0a5c9b2d7e1f4a8c" };

describe("random values in config files", () => {
  const cases: [string, string, string][] = [
    [".env", `MAPBOX=${RANDOM.a}`, "MAPBOX=«redacted:random-value»"],
    ["upstream.env", `export UPSTREAM_2="${RANDOM.b}" # rotated`, 'export UPSTREAM_2="«redacted:random-value»" # rotated'],
    ["values.yaml", `relay:\n  binding: ${RANDOM.c}\n  - seed: '${RANDOM.a}'`, "relay:\n  binding: «redacted:random-value»\n  - seed: '«redacted:random-value»'"],
    ["app.ini", `[smtp]\nhost = mail.shop.test\nseed = ${RANDOM.b}`, "[smtp]\nhost = mail.shop.test\nseed = «redacted:random-value»"],
    ["legacy.properties", `legacy.code=${RANDOM.c}`, "legacy.code=«redacted:random-value»"],
    ["settings.toml", `[upstream]\nbinding = "${RANDOM.hex}"`, '[upstream]\nbinding = "«redacted:random-value»"'],
  ];
  for (const [fileName, text, expected] of cases) {
    it(`${fileName}: ${text.split("\n").pop()}`, async () => {
      assert.equal((await redact(text, { fileName })).text, expected);
    });
  }

  it("a private key stored as base64 under any name; a certificate stays", async () => {
    const key = Buffer.from("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7b3dEf6hIj9kLm2nOp5qRs8t\n-----END RSA PRIVATE KEY-----\n").toString("base64");
    const cert = Buffer.from("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUFakeCertificateBody0w\n-----END CERTIFICATE-----\n").toString("base64");
    const result = await redact(`client-material: ${key}\ncertificate-authority-data: ${cert}\nbundle: ${cert}\n`, { fileName: "kubeconfig.yaml" });
    assert.deepEqual(
      result.findings.map((f) => f.kind),
      ["private-key"],
    );
    assert.ok(result.text.includes(cert) && !result.text.includes(key));
  });

  it("the same value in code is an expression or a string like any other, and stays", async () => {
    const config = await redact(`MAPBOX: ${RANDOM.a}\n`, { fileName: "a.yaml" });
    assert.equal(config.text, "MAPBOX: «redacted:random-value»\n");
    for (const text of [`MAPBOX: ${RANDOM.a}`, `const mapbox = "${RANDOM.a}";`]) assert.deepEqual((await redact(text, { fileName: "a.ts" })).findings, [], text);
  });

  describe("leaves alone, next to a random value that goes", () => {
    const keep: [string, string][] = [
      ["BUILD_ID=3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c", ".env"],
      ["RELEASE=2024.06.1-rc.2", ".env"],
      ["IMAGE=ghcr.io/shop/api:1.4.2", ".env"],
      ["DB_HOST=db-primary-2.internal.shop.test", ".env"],
      ["GIT_COMMIT=9f4c2d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e", ".env"],
      ["CACHE_DIR=/var/cache/shop-2024/objects", ".env"],
      ["STRIPE_PRICE=price_1NqXyz2eZvKYlo2C0aBcDeFg", ".env"],
      ["PUBLISHABLE=pk_live_51Hx9pQ2eZvKYlo2C0aBcDeFgHiJkLmNoPqRsTuVwXyZ", ".env"],
      ["GA_TAG=G-4F7KX92LMQ", ".env"],
      ["HANDLER=ApplicationInsights2Handler", ".env"],
      ["CHARSET=utf8mb4_unicode_520_ci", ".env"],
      ["SENTRY_RELEASE=shop-api@4.12.0+build.20240611", ".env"],
      ["- uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11", "ci.yml"],
      ["image: ghcr.io/shop/api@sha256:4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b", "deploy.yaml"],
      ["integrity = sha512-Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNA==", "lock.toml"],
      ["runs-on: ubuntu-24.04", "ci.yml"],
      ["operationId: getUsersByIdV2", "openapi.yaml"],
      ["checksum = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "Cargo.toml"],
      ["secure: rE2Vvo7vnjabYNULNyLFxOyt98BoJexDqsiOnfiD6kLYYsiQGfr/sbZkPMOFm9qfQG7pjqx+zZWZjGSswhTt", ".travis.yml"],
    ];
    for (const [text, fileName] of keep) {
      it(`${fileName}: ${text.slice(0, 60)}`, async () => {
        const result = await redact(`${text}\nrelay: ${RANDOM.b}\n`, { fileName });
        assert.equal(result.text, `${text}\nrelay: «redacted:random-value»\n`);
      });
    }
  });
});
