// A neverSend file left out of a request that leaves must not leave by another way: its short
// values pasted into the message (`PW=Xy7kPq2mZ9vB` is 15 characters, under the 16 that make
// a line the file's own) become placeholders, while the values every configuration has
// (`true`, `8080`, `localhost`, `us-east-1`) stay as the user wrote them. Real gateway,
// real OpenAI SDK client, loopback fakes; and the rule itself on two lists of lines.
import assert from "node:assert/strict";
import type { Gateway, GatewayRequest } from "../../../../src/core/gateway";
import { distinctiveValues } from "../../../../src/core/policy/neverSendText";
import { GPT, models, startHarness, userPolicy, type Harness } from "./gatewayHarness";

/** The review's .env: only PW's line is shorter than a distinctive line. */
const ENV_TEXT = "INTERNAL_DB_HOST=db7.prod.corp.internal\nLICENSE_SEAT_ID=ACME-4471-ZQ-9\nPW=Xy7kPq2mZ9vB\n";

/** Lines of a neverSend file whose value is the file's own, and the value a message may quote. */
const DISTINCTIVE: readonly (readonly [line: string, value: string])[] = [
  ["PW=Xy7kPq2mZ9vB", "Xy7kPq2mZ9vB"],
  ["DB_PASSWORD=admin123", "admin123"],
  ["SMTP_PASS=hunter2x", "hunter2x"],
  ["PIN=482913", "482913"],
  ["DATABASE_URL=postgres://shop:Xk2p9LmQ7vBn@db/shop", "Xk2p9LmQ7vBn"],
  ["SESSION_SECRET=s3cr3t!", "s3cr3t!"],
  ["Xy7kPq2mZ9vQ", "Xy7kPq2mZ9vQ"],
  ["tenant: 3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c", "3f2b8c1e-7d4a-4e9b-a6c5-0d1e2f3a4b5c"],
  ['  "apiKey": "a1B2c3D4e5",', "a1B2c3D4e5"],
  ["export ADMIN_PASSWORD='P@ssw0rd!'", "P@ssw0rd!"],
];

/** Lines whose value is common: a message that mentions it is no copy of the file. */
const COMMON = [
  "NODE_ENV=development",
  "NODE_ENV=production",
  "PORT=8080",
  "DEBUG=true",
  "HOST=localhost",
  "REGION=us-east-1",
  "DB_CHARSET=utf8mb4",
  "OPENAI_MODEL=gpt-4o-mini",
  "VERSION=v1.2.3",
  "RELEASE_DATE=2024-01-01",
  "STARTED_AT=2024-01-01T00:00:00Z",
  "LOG_LEVEL=info",
  "REDIS_URL=redis://localhost:6379",
  "REDIS_HOST=localhost:6379",
  "BIND=0.0.0.0",
  "LOOPBACK=127.0.0.1",
  "TZ=Europe/Berlin",
  "LANG=en_US.UTF-8",
  "ARCH=x86_64",
  "HASH=sha256",
  "PYTHON=python3.11",
  "INSTANCE=db.t3.medium",
  "TIMEOUT=300000",
  "SESSION_TTL=1h30m0s",
  "THEME_COLOR=#1a2b3c",
  "DB_NAME=myapp_db",
  "DB_USER=postgres",
  "DB_PASSWORD=postgres",
  "APP_NAME=MyApplicationService",
  "HANDLER=getUserByIdAndName",
  "ENCODING=base64url",
  "CACHE_DIR=./data/cache",
  "LOG_FILE=/var/log/app.log",
  "IMAGE=node:20-alpine",
  "WORKERS=4",
  "MAX_BODY=10mb",
  "CORS_ORIGIN=http://localhost:3000",
  "PASSWORD=changeme",
  "API_KEY=your-api-key",
  "TOKEN=${GITHUB_TOKEN}",
  "SECRET_KEY=Password",
  "const token = vscode.CancellationToken;",
  "apiKey: config.openai.apiKey,",
  "password = var.db_password",
  "secret: randomBytes(24).toString('base64url'),",
  "token: OPENAI_KEY,",
];

const commonValue = (line: string): string => {
  const value = line.replace(/^[^=:]*[=:]\s*/, "").replace(/[,;]$/, "");
  return value.replace(/^(["'])(.*)\1$/, "$2");
};

describe("gateway: short values of a neverSend file are not sent while the file is named as left out", function () {
  this.timeout(30_000);
  let h: Harness;
  let gateway: Gateway;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    h.state.policy = userPolicy({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } });
    gateway = h.gateway();
  });

  const ask = (text: string, content = ENV_TEXT): GatewayRequest => ({
    feature: "chat",
    messages: [{ role: "user", content: text }],
    files: [{ path: ".env", content, origin: "file" }],
    preferred: { route: "cloud" },
  });
  const sentMessage = (): string => (h.openai.requests[0].json as { messages: { content: string }[] }).messages[0].content;

  it("the review's case: a 14-character value quoted in the message becomes a placeholder, and .env is named as left out", async () => {
    const result = await gateway.request(ask("why is PW=Xy7kPq2mZ9vB wrong?"));
    assert.deepEqual(result.dropped, [".env"]);
    assert.equal(h.openai.requests.length, 1);
    assert.ok(!h.openai.requests[0].body.includes("Xy7kPq2mZ9vB"), h.openai.requests[0].body);
    assert.equal(sentMessage(), "why is PW=«redacted:never-send» wrong?");
    assert.equal(result.redactions, 1);
  });

  it("redaction turned off by the user: the neverSend file's value is still taken out", async () => {
    h.state.policy = userPolicy({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } }, redactSecrets: false });
    await gateway.request(ask("the password Xy7kPq2mZ9vB is rejected"));
    assert.equal(sentMessage(), "the password «redacted:never-send» is rejected");
  });

  it(`each distinctive value quoted alone is taken out; the values of ${COMMON.length} common configuration lines, and a distinctive value's characters inside a longer word, stay as written`, async () => {
    const file = [...DISTINCTIVE.map(([line]) => line), ...COMMON].join("\n");
    const quoted = DISTINCTIVE.map(([, value]) => `(${value})`).join(" ");
    const common = `Settings: ${COMMON.map(commonValue).join(" ; ")} and Xy7kPq2mZ9vBextra`;
    const result = await gateway.request(ask(`${quoted}\n${common}`, file));
    const [sentQuoted, sentCommon] = sentMessage().split("\n");
    assert.equal(sentQuoted, DISTINCTIVE.map(() => "(«redacted:never-send»)").join(" "));
    assert.equal(sentCommon, common);
    assert.equal(result.redactions, DISTINCTIVE.length);
  });

  it("the rule on its own: every distinctive line gives its value, no common line gives any", () => {
    for (const [line, value] of DISTINCTIVE) assert.ok(distinctiveValues(line).includes(value), `${line} → ${JSON.stringify(distinctiveValues(line))}`);
    const flagged = COMMON.filter((line) => distinctiveValues(line).length > 0);
    assert.deepEqual(flagged, []);
  });
});
