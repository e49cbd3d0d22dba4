// Secrets cut across the parts of a prompt (issue 17, items 1, 3 and 7): a secret of each
// kind is split at every offset between two parts (the completion prefix and suffix, the
// same with the real chat completion prompt's <CURSOR> between them, two messages, a
// context file and the message after it), sent through the real gateway and the real
// providers' prepare() with the real SDKs to loopback fakes, and the body the fake received
// must hold no RUN-character run of the value. The dry run shows exactly that body, and the
// audit entry counts the placeholders in it. File names are content: a credential in a path
// or a file named after the value it holds leaves neither in the body nor in the audit
// entry, the dry run or the log.
import assert from "node:assert/strict";
import fc from "fast-check";
import { renderChatPrompt, type FimLayout } from "../../../../src/core/complete/completionPrompt";
import type { CursorWindow } from "../../../../src/core/complete/cursorWindow";
import { GatewayRefusal, type Gateway, type GatewayRequest, type PayloadSummary } from "../../../../src/core/gateway";
import { MemoryLogger } from "../../../../src/core/logger";
import type { FeatureRuleOverride } from "../../../../src/core/policy";
import { redact } from "../../../../src/core/redact";
import type { FakeCloudServer } from "../../../support/fakeCloud";
import { GPT, HAIKU, models, startHarness, userPolicy, type Harness } from "./gatewayHarness";
import { B62, KIND_NAMES, RUN, SECRET_KINDS, chars, decodedText, leakedRuns, plantedSecretArb, type PlantedSecret } from "./secretKinds";

/** Random secrets per property; each is split at every offset of its line, so one run is dozens of requests. */
const RUNS = Number(process.env.HEARTH_SPLIT_RUNS ?? 3);
const BEFORE = "// settings of the shop service\nimport { connect } from './db';\n";
const AFTER = "\nconnect(settings);\n";

const cloud = (...keys: string[]): FeatureRuleOverride => ({ route: "cloud", cloudAccess: "allow", cloudModels: models(...keys) });

/** A part-split request and the fake it must reach. */
interface SplitCase {
  readonly request: GatewayRequest;
  readonly target: "selfHosted" | "openai" | "anthropic";
}

type Mode = (secret: PlantedSecret, a: string, b: string, k: number) => SplitCase;

function cursorWindow(prefix: string, suffix: string): CursorWindow {
  const cut = prefix.lastIndexOf("\n") + 1;
  const end = suffix.indexOf("\n");
  return {
    linesAbove: prefix.slice(0, cut),
    linePrefix: prefix.slice(cut),
    lineSuffix: end === -1 ? suffix : suffix.slice(0, end),
    linesBelow: end === -1 ? "" : suffix.slice(end),
    startLine: 0,
    endLine: (prefix + suffix).split("\n").length - 1,
    line: prefix.split("\n").length - 1,
    blockOffset: -1,
  };
}

/** Inline completion on a cloud route: the engine's own chat prompt, with the cursor inside the secret. */
function chatCompletion(layout: FimLayout, target: "openai" | "anthropic"): Mode {
  return (secret, a, b) => {
    const prefix = BEFORE + a;
    const suffix = b + AFTER;
    const { messages } = renderChatPrompt({ repoName: "shop", path: secret.path, languageId: "plaintext", window: cursorWindow(prefix, suffix), chunks: [] }, layout);
    return {
      target,
      request: {
        feature: "completion",
        messages,
        files: [{ path: secret.path, content: prefix + suffix, origin: "file", embedded: true }],
        preferred: { route: "cloud" },
        interactive: false,
        maxTokens: 32,
      },
    };
  };
}

const MODES: Readonly<Record<string, Mode>> = {
  "completion prefix | suffix (self-hosted FIM)": (secret, a, b) => ({
    target: "selfHosted",
    request: {
      feature: "completion",
      prompt: { text: BEFORE + a, suffix: b + AFTER },
      files: [{ path: secret.path, content: BEFORE + a + b + AFTER, origin: "file", embedded: true }],
      preferred: { route: "selfHosted" },
      interactive: false,
      maxTokens: 32,
    },
  }),
  "cloud completion prefix <CURSOR> suffix (OpenAI)": chatCompletion("psm", "openai"),
  "cloud completion suffix, then prefix (Anthropic)": chatCompletion("spm", "anthropic"),
  "two messages": (_secret, a, b, k) => ({
    target: k % 2 === 0 ? "openai" : "anthropic",
    request: {
      feature: "chat",
      messages: [
        { role: "system", content: "You are Hearth." },
        { role: "user", content: `Here is my config:\n${BEFORE}${a}` },
        // Two user turns in a row are joined by Anthropic's provider; an assistant turn is not.
        { role: k % 3 === 0 ? "assistant" : "user", content: `${b}${AFTER}Why does it fail?` },
      ],
      preferred: { route: "cloud" },
    },
  }),
  "context file | message": (secret, a, b, k) => ({
    target: k % 2 === 0 ? "anthropic" : "openai",
    request: {
      feature: "chat",
      messages: [{ role: "user", content: `${b}${AFTER}What is wrong here?` }],
      files: [{ path: secret.path, content: BEFORE + a, origin: "selection" }],
      preferred: { route: "cloud" },
    },
  }),
};

describe("gateway: secrets cut across prompt parts never leave (property, real providers and SDKs, loopback fakes)", function () {
  this.timeout(600_000);
  let h: Harness;
  let gateway: Gateway;
  let log: MemoryLogger;
  const counts = { requests: 0, secrets: 0 };

  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.stop();
    console.log(`      split-secret properties: ${counts.secrets} secrets, ${counts.requests} requests through the gateway`);
  });
  beforeEach(async () => {
    await h.reset();
    log = new MemoryLogger();
    gateway = h.gateway({ log });
  });

  const fakes = (): Record<SplitCase["target"], FakeCloudServer> => ({ selfHosted: h.selfHosted, openai: h.openai, anthropic: h.anthropic });

  /** Sends one case; returns the body the fake received after checking the dry run and audit entry against it. */
  async function send(c: SplitCase, secret: PlantedSecret, label: string, neverSend: string[] = []): Promise<{ body: string; preview: PayloadSummary }> {
    await h.reset();
    // One short piece: the answer is not what these tests look at.
    for (const fake of Object.values(fakes())) {
      fake.answer = "ok";
      fake.pieceDelayMs = 0;
    }
    h.state.selfHostedConfigured = true;
    const model = c.target === "anthropic" ? HAIKU : GPT;
    h.state.policy = userPolicy({ features: { chat: cloud(model), completion: c.target === "selfHosted" ? { route: "selfHosted", cloudAccess: "allow" } : cloud(model) }, neverSend });
    const preview = await gateway.preview(c.request);
    assert.ok(preview.ok, `${label}: refused: ${preview.ok ? "" : preview.reason}`);
    const result = await gateway.request(c.request);
    counts.requests++;
    const fake = fakes()[c.target];
    assert.equal(fake.requests.length, 1, `${label}: went to ${result.provider}, not ${c.target}`);
    const body = fake.requests[0].body;
    assert.deepEqual(leakedRuns(secret, body), [], `${label}: ${secret.kind} left the machine in ${body}`);
    assert.equal(preview.payload, body, `${label}: the dry run shows what is sent`);
    const [entry] = (await h.audit.read()).entries;
    const placeholders = decodedText(body).split("«redacted:").length - 1;
    assert.equal(entry.redactions, placeholders, `${label}: the audit counts the redactions in the body sent`);
    assert.equal(result.redactions, placeholders);
    assert.equal(preview.redactions, placeholders);
    assert.ok(placeholders > 0, `${label}: nothing was redacted`);
    return { body, preview };
  }

  it("every kind is found by the redactor when its line is whole (the premise of the split properties)", async () => {
    for (const kind of KIND_NAMES) {
      for (let seed = 0; seed < 20; seed++) {
        const secret = SECRET_KINDS[kind](`${kind}:${seed}`);
        const { text } = await redact(BEFORE + secret.line + AFTER, { fileName: secret.path });
        assert.deepEqual(leakedRuns(secret, JSON.stringify({ text })), [], `${kind} (seed ${seed}) is not found whole: ${text}`);
      }
    }
  });

  for (const [name, mode] of Object.entries(MODES)) {
    it(`${name}: split at every offset of the line, no ${RUN}-character run of the secret is in the body received`, async () => {
      await fc.assert(
        fc.asyncProperty(plantedSecretArb, async (secret) => {
          counts.secrets++;
          for (let k = 1; k < secret.line.length; k++) {
            await send(mode(secret, secret.line.slice(0, k), secret.line.slice(k), k), secret, `${name} at ${k}`);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("every kind, every mode, at the offsets that cut the value in its middle and next to its ends", async () => {
    for (const kind of KIND_NAMES) {
      const secret = SECRET_KINDS[kind](`${kind}:fixed`);
      const start = secret.line.indexOf(secret.value);
      const end = start + secret.value.length;
      for (const k of [start, start + 1, start + RUN - 1, Math.floor((start + end) / 2), end - RUN + 1, end - 1, end]) {
        for (const [name, mode] of Object.entries(MODES)) await send(mode(secret, secret.line.slice(0, k), secret.line.slice(k), k), secret, `${kind} / ${name} at ${k}`);
      }
    }
  });

  it("a file named after the value it holds (secrets/github_token) does not send the value", async () => {
    for (const kind of KIND_NAMES) {
      const secret = SECRET_KINDS[kind](`${kind}:named`);
      for (const target of ["openai", "anthropic"] as const) {
        await send(
          { target, request: { feature: "chat", messages: [{ role: "user", content: "Use this value in the deploy script." }], files: [{ path: secret.fileName, content: `${secret.value}\n`, origin: "file" }], preferred: { route: "cloud" } } },
          secret,
          `${kind} in ${secret.fileName}`,
        );
      }
    }
  });

  it("a code file that contains a secret keeps its code: only the secret becomes a placeholder", async () => {
    const secret = SECRET_KINDS["github-token"]("code:file");
    const content = `const token = "${secret.value}";\nexport const retries = 3;\n`;
    const { body } = await send(
      { target: "openai", request: { feature: "chat", messages: [{ role: "user", content: "What does this configure?" }], files: [{ path: "src/config.ts", content, origin: "file" }], preferred: { route: "cloud" } } },
      secret,
      "code file with a token",
    );
    assert.ok(decodedText(body).includes("export const retries = 3;"), `the code around the secret was sent: ${body}`);
    assert.equal(decodedText(body).split("«redacted:").length - 1, 1);
  });

  describe("file names are content", () => {
    const pathSecrets = (seed: string): { secret: PlantedSecret; path: string }[] => {
      const token = SECRET_KINDS["github-token"](seed);
      const aws = SECRET_KINDS["aws-access-key-id"](seed);
      const random = chars(`${seed}:path`, 24, B62);
      return [
        { secret: aws, path: `keys/${aws.value}.txt` },
        { secret: token, path: `backup/${token.value}/notes.md` },
        { secret: { ...token, kind: "token-in-path", value: random }, path: `config/api_token=${random}/settings.json` },
      ];
    };

    it("a credential in a context file's path is redacted in the body, the audit entry, the dry run and the log", async () => {
      for (let seed = 0; seed < 5; seed++) {
        for (const { secret, path } of pathSecrets(`path:${seed}`)) {
          const neverSendPath = `private/${path}`;
          const request: GatewayRequest = {
            feature: "chat",
            messages: [{ role: "user", content: "What does this do?" }],
            files: [
              { path, content: "export const answer = 42;\n", origin: "file" },
              { path: neverSendPath, content: "left out\n", origin: "file" },
            ],
            preferred: { route: "cloud" },
          };
          const { preview } = await send({ target: "openai", request }, secret, path, ["private/**"]);
          const [entry] = (await h.audit.read()).entries;
          const shown = JSON.stringify({ files: entry.files, dropped: entry.dropped, preview: { files: preview.files, dropped: preview.dropped }, log: log.lines });
          assert.deepEqual(leakedRuns(secret, shown), [], `${path}: ${shown}`);
          assert.equal(entry.files.length, 1);
          assert.match(entry.files[0].path, /«redacted:/);
          assert.equal(entry.dropped.length, 1, "the neverSend file is named as left out, its credential redacted");
        }
      }
    });

    it("a credential in the path of the file being completed is taken out of the cloud completion prompt", async () => {
      for (const { secret, path } of pathSecrets("completing")) {
        const withPath = { ...SECRET_KINDS.password("completing"), path };
        const c = chatCompletion("psm", "openai")(withPath, "const x = 1;\n", "\n", 0);
        const { body } = await send(c, secret, path);
        assert.ok(decodedText(body).includes("Current file: "), "the prompt names the file");
      }
    });
  });

  it("a neverSend file's text copied into another context file is taken out of it", async () => {
    h.state.policy = userPolicy({ features: { chat: cloud(GPT) }, neverSend: [".env"] });
    const line = `SHOP_INTERNAL_ENDPOINT=https://orders.internal.example:8443/${chars("env", 12, B62)}`;
    const result = await gateway.request({
      feature: "chat",
      messages: [{ role: "user", content: "Why does the service not start?" }],
      files: [
        { path: ".env", content: `${line}\n`, origin: "file" },
        { path: "notes/copy.txt", content: `from the env file:\n${line}\n`, origin: "file" },
      ],
      preferred: { route: "cloud" },
    });
    assert.deepEqual(result.dropped, [".env"]);
    const body = h.openai.requests[0].body;
    assert.ok(!decodedText(body).includes(line), body);
    assert.ok(body.includes("«redacted:never-send»"));
  });

  it("a redactor that throws: nothing leaves, the request is refused with redactionFailed, the dry run says so", async () => {
    h.state.policy = userPolicy({ features: { chat: cloud(GPT), completion: { route: "selfHosted", cloudAccess: "allow" } } });
    h.state.selfHostedConfigured = true;
    let calls = 0;
    const failing = h.gateway({
      redactor: async () => {
        calls++;
        throw new Error("secretlint crashed");
      },
    });
    const secret = SECRET_KINDS["github-token"]("throws");
    const requests: GatewayRequest[] = [
      { feature: "chat", messages: [{ role: "user", content: secret.line }], preferred: { route: "cloud" } },
      { feature: "completion", prompt: { text: secret.line.slice(0, 20), suffix: secret.line.slice(20) }, files: [{ path: "a.ts", content: secret.line, origin: "file", embedded: true }], preferred: { route: "selfHosted" }, interactive: false },
    ];
    for (const request of requests) {
      await assert.rejects(failing.request(request), (e: unknown) => e instanceof GatewayRefusal && e.code === "redactionFailed" && /secretlint crashed/.test(e.message));
      const preview = await failing.preview(request);
      assert.equal(preview.ok, false);
      assert.equal(!preview.ok && preview.code, "redactionFailed");
    }
    assert.ok(calls > 0);
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual((await h.audit.read()).entries, []);
  });

  it("a redaction layer that failed while the others ran (secretlint down): refused, nothing leaves", async () => {
    h.state.policy = userPolicy({ features: { chat: cloud(GPT) } });
    const halfBlind = h.gateway({ redactor: async (text) => ({ text, count: 0, findings: [], warnings: ["secretlint failed, so only Hearth's own rules ran: out of memory"] }) });
    const request: GatewayRequest = { feature: "chat", messages: [{ role: "user", content: "hello there" }], preferred: { route: "cloud" } };
    await assert.rejects(halfBlind.request(request), (e: unknown) => e instanceof GatewayRefusal && e.code === "redactionFailed" && /secretlint failed/.test(e.message));
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual((await h.audit.read()).entries, []);
  });

  it("a redactor that keeps finding something in its own output: refused, never sent half-clean", async () => {
    h.state.policy = userPolicy({ features: { chat: cloud(GPT) } });
    // Finds its own placeholder again and again: the body never comes clean.
    const restless = h.gateway({
      redactor: async (text) => {
        const at = text.indexOf("«");
        const findings = at === -1 ? (text.length > 0 ? [{ kind: "x", start: 0, end: Math.min(text.length, 3) }] : []) : [{ kind: "x", start: at, end: at + 1 }];
        return { text, count: findings.length, findings };
      },
    });
    await assert.rejects(
      restless.request({ feature: "chat", messages: [{ role: "user", content: "hello there" }], preferred: { route: "cloud" } }),
      (e: unknown) => e instanceof GatewayRefusal && e.code === "redactionFailed",
    );
    assert.equal(h.egressRequests(), 0);
  });
});
