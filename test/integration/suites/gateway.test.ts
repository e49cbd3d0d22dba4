// The gateway as the extension builds it, in a real VS Code: with the user's default policy
// a chat request is answered by the tiny local model through the real server and leaves no
// audit entry, even with an OpenAI key stored; with a policy that allows chat in the cloud,
// a request that prefers the cloud reaches a loopback OpenAI with its secrets redacted and
// exactly one audit line, and a neverSend file never reaches it. In Restricted Mode the same
// cloud-allowing policy keeps everything local.
//
// The gateway is built with createGateway (what registerGateway does, minus the commands)
// on the extension's own PolicyService and ModelService, with its storage in a temp folder.
// The cloud policy is resolved by the core's resolveEffectivePolicy with the real workspace
// trust, instead of rewriting the user's settings (a Global update in this web workbench
// replaces the whole user settings file).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as vscode from "vscode";
import { GatewayRefusal, type GatewayRequest, type GatewayResult } from "../../../src/core/gateway/index";
import { applyUserOverrides, resolveEffectivePolicy, type EffectivePolicy } from "../../../src/core/policy/index";
import { SECRET_KEYS } from "../../../src/core/providers/index";
import type { HearthApi } from "../../../src/extension";
import { createGateway, policyUri, previewDocument, type GatewayServices } from "../../../src/vscode/gateway/index";
import { FakeOpenAi } from "../../support/fakeCloud/index";
import { currentMode, describeIn, note, waitFor } from "../harness/host";
import { MemoryMemento } from "../harness/memento";

const FAKE_KEY = "sk-hearth-integration-fake";
const GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const NEVER_SEND_CONTENT = "DO-NOT-SEND-7f3a: the customer list lives here";
/** A `.env` whose values no secret rule knows by their shape: only the neverSend index takes them out. */
const ENV_TEXT = "INTERNAL_DB_HOST=db7.prod.corp.internal\nLICENSE_SEAT_ID=ACME-4471-ZQ-9\n";
const ENV_VALUES = ["db7.prod.corp.internal", "ACME-4471-ZQ-9"];

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

async function readyServer(api: HearthApi): Promise<void> {
  try {
    await waitFor("the local model server to become ready", () => api.modelService.state.kind === "ready", { timeoutMs: 90_000 });
  } catch (error) {
    throw new Error(`${(error as Error).message}; state is ${JSON.stringify(api.modelService.state)}`, { cause: error });
  }
}

/** The user's policy with chat allowed in the cloud (GPT-4o-mini, no prompt), resolved with the real trust. */
function cloudChatPolicy(): EffectivePolicy {
  const userDefaults = applyUserOverrides({
    features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: [{ provider: "openai", model: "gpt-4o-mini" }] } },
    neverSend: ["secrets/"],
  });
  return resolveEffectivePolicy({ userDefaults, trusted: vscode.workspace.isTrusted, consents: new Set<string>(), root: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
}

async function auditLines(services: GatewayServices): Promise<string[]> {
  const text = await readFile(services.audit.path, "utf8").catch(() => "");
  return text.split("\n").filter((line) => line.trim() !== "");
}

/**
 * Disposes the gateway and waits for the usage ledger's last write (dispose only starts it),
 * so removing the storage folder next does not race it (ENOTEMPTY).
 */
async function closeGateway(services: GatewayServices | undefined): Promise<void> {
  services?.dispose();
  await services?.usage.flush();
}

describe("gateway in the extension", function () {
  this.timeout(180_000);
  let fake: FakeOpenAi;
  let storageDir: string;
  let services: GatewayServices | undefined;

  const build = async (policy?: () => EffectivePolicy): Promise<GatewayServices> => {
    const api = await hearth();
    services = createGateway(
      { secrets: { get: (key) => (key === SECRET_KEYS.openai ? FAKE_KEY : undefined) }, workspaceState: new MemoryMemento(), storageDir },
      { log: { trace: () => undefined, debug: () => undefined, info: (m) => note(`log: ${m}`), warn: (m) => note(`warn: ${m}`), error: (m) => note(`error: ${String(m)}`) }, policy: api.policy, modelService: api.modelService },
      { openAiBaseUrl: fake.baseUrl, ...(policy !== undefined ? { policy } : {}) },
    );
    await readyServer(api);
    return services;
  };

  beforeEach(async () => {
    fake = await new FakeOpenAi().start();
    fake.apiKey = FAKE_KEY;
    storageDir = await mkdtemp(join(tmpdir(), "hearth-gateway-it-"));
  });

  afterEach(async () => {
    await closeGateway(services);
    services = undefined;
    await fake.stop();
    await rm(storageDir, { recursive: true, force: true });
  });

  it("answers chat with the local model under the default policy and writes no audit entry, though an OpenAI key is stored", async () => {
    const api = await hearth();
    const gateway = (await build()).gateway;
    const effective = api.policy.getEffectivePolicy(policyUri());
    assert.equal(effective.features.chat.route, "local", "the user's default policy keeps chat local");
    const pieces: string[] = [];
    const result = await gateway.request({
      feature: "chat",
      messages: [{ role: "user", content: "Say hello." }],
      files: [{ path: "src/config.ts", content: `const token = "${GITHUB_TOKEN}";`, origin: "file" }],
      preferred: { route: "cloud" },
      maxTokens: 8,
      temperature: 0,
      onDelta: (piece) => pieces.push(piece),
    });
    assert.equal(result.route, "local");
    assert.equal(result.provider, "local");
    assert.equal(result.auditId, undefined);
    assert.equal(result.text, pieces.join(""));
    assert.equal(fake.requests.length, 0, "nothing reached the cloud");
    assert.deepEqual(await auditLines(services!), []);
    note(`local answer from ${result.model}: ${JSON.stringify(result.text)} (${result.reason})`);
  });

  it("sends a cloud-preferred chat to OpenAI only where the policy allows it, redacted, with one audit line", async () => {
    const { gateway } = await build(cloudChatPolicy);
    const request: GatewayRequest = {
      feature: "chat",
      messages: [{ role: "user", content: "What does this configure?" }],
      files: [{ path: "src/config.ts", content: `const token = "${GITHUB_TOKEN}";\nOPENAI_API_KEY=sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz123456789\n`, origin: "file" }],
      preferred: { route: "cloud" },
      maxTokens: 8,
      temperature: 0,
    };
    const preview = await gateway.preview(request);
    const result: GatewayResult = await gateway.request(request);
    const lines = await auditLines(services!);

    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: the same user policy is local-only.
      assert.equal(result.route, "local");
      assert.equal(fake.requests.length, 0, "nothing reached the cloud in Restricted Mode");
      assert.deepEqual(lines, []);
      note(`${currentMode()}: stayed local (${result.reason})`);
      return;
    }
    assert.equal(result.route, "cloud");
    assert.equal(result.provider, "openai");
    assert.equal(fake.requests.length, 1);
    const body = fake.requests[0].body;
    assert.ok(!body.includes(GITHUB_TOKEN), "the GitHub token was redacted");
    assert.ok(!body.includes("sk-proj-Ab3dEf6hIj9kLmN0pQrStUvWxYz123456789"), "the OpenAI key was redacted");
    assert.ok(body.includes("«redacted:"), "a redaction marker was sent instead");
    assert.equal(fake.requests[0].headers.authorization, `Bearer ${FAKE_KEY}`);
    assert.ok(result.redactions >= 2);
    // Exactly one egress entry (written before the first byte left) and its outcome line.
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { type: string }).type),
      ["egress", "outcome"],
    );
    assert.equal((await services!.audit.read()).entries.length, 1);
    const [egress] = (await services!.audit.read()).entries;
    assert.equal(egress.id, result.auditId);
    assert.equal(egress.provider, "openai");
    assert.equal(egress.outcome?.status, "ok");
    assert.equal(egress.bytes, Buffer.byteLength(body, "utf8"));
    assert.ok(preview.ok);
    assert.equal(preview.ok && preview.sha256, egress.sha256, "the dry run's hash is the hash of the bytes sent");
    assert.ok(previewDocument(preview).includes('"route": "cloud"'));
    note(`cloud: ${egress.bytes} bytes, ${egress.redactions} redactions, sha256 ${egress.sha256.slice(0, 12)}…`);
  });

  it("never sends a neverSend file to the cloud", async () => {
    const { gateway } = await build(cloudChatPolicy);
    let result: GatewayResult | undefined;
    try {
      result = await gateway.request({
        feature: "chat",
        messages: [{ role: "user", content: "Summarise these." }],
        files: [
          { path: "src/greet.ts", content: "export const greet = (name: string) => `Hello, ${name}`;\n", origin: "openEditor" },
          { path: "secrets/customers.txt", content: NEVER_SEND_CONTENT, origin: "openEditor" },
        ],
        preferred: { route: "cloud" },
        maxTokens: 8,
        temperature: 0,
      });
    } catch (error) {
      assert.ok(error instanceof GatewayRefusal, String(error));
    }
    for (const recorded of fake.requests) assert.ok(!recorded.body.includes(NEVER_SEND_CONTENT), "the neverSend content reached the cloud");
    if (vscode.workspace.isTrusted) {
      assert.equal(result?.route, "cloud");
      assert.deepEqual(result?.dropped, ["secrets/customers.txt"]);
      assert.equal(fake.requests.length, 1);
      assert.ok(fake.requests[0].body.includes("Hello, ${name}"), "the other file was sent");
      const [entry] = (await services!.audit.read()).entries;
      assert.deepEqual(entry.dropped, ["secrets/customers.txt"]);
      assert.ok(!entry.files.some((f) => f.path.startsWith("secrets/")));
    } else {
      assert.equal(fake.requests.length, 0);
    }
  });

  it("takes a neverSend file's text out of a message that quotes it without naming the file (the neverSend index)", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const env = join(folder.uri.fsPath, ".env");
    await writeFile(env, ENV_TEXT);
    try {
      const { gateway } = await build(cloudChatPolicy);
      const result = await gateway.request({
        feature: "chat",
        messages: [{ role: "user", content: `Why does the licence check fail?
${ENV_TEXT}` }],
        preferred: { route: "cloud" },
        maxTokens: 8,
        temperature: 0,
      });
      for (const recorded of fake.requests) for (const value of ENV_VALUES) assert.ok(!recorded.body.includes(value), `${value} reached the cloud`);
      if (vscode.workspace.isTrusted) {
        assert.equal(result.route, "cloud");
        assert.equal(fake.requests.length, 1);
        assert.ok(fake.requests[0].body.includes("«redacted:never-send»"));
        const stats = services!.neverSendFiles.stats();
        note(`neverSend index: ${stats.files} file(s), ${stats.values} values`);
      } else {
        assert.equal(fake.requests.length, 0);
      }
    } finally {
      await rm(env, { force: true });
    }
  });
});

describeIn(["trusted"], "gateway with an embedded neverSend file", function () {
  this.timeout(120_000);
  it("keeps a prompt that embeds a neverSend file off the cloud", async () => {
    const fake = await new FakeOpenAi().start();
    const storageDir = await mkdtemp(join(tmpdir(), "hearth-gateway-it-"));
    const api = await hearth();
    const services = createGateway(
      { secrets: { get: () => FAKE_KEY }, workspaceState: new MemoryMemento(), storageDir },
      { log: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }, policy: api.policy, modelService: api.modelService },
      { openAiBaseUrl: fake.baseUrl, policy: cloudChatPolicy },
    );
    try {
      await readyServer(api);
      const outcome = await services.gateway
        .request({
          feature: "chat",
          messages: [{ role: "user", content: `Fix this:\n${NEVER_SEND_CONTENT}` }],
          files: [{ path: "secrets/customers.txt", content: NEVER_SEND_CONTENT, origin: "selection", embedded: true }],
          preferred: { route: "cloud" },
          maxTokens: 8,
        })
        .then(
          (r) => r.route,
          (e: unknown) => (e instanceof GatewayRefusal ? `refused:${e.code}` : `error:${String(e)}`),
        );
      assert.ok(outcome === "local" || outcome.startsWith("refused:"), outcome);
      assert.equal(fake.requests.length, 0);
      assert.deepEqual((await services.audit.read()).entries, []);
      note(`embedded neverSend: ${outcome}`);
    } finally {
      await closeGateway(services);
      await fake.stop();
      await rm(storageDir, { recursive: true, force: true });
    }
  });
});

// VS Code refuses to show modal dialogs while extension tests run (its DialogService answers
// "cancelled" at once), so no test here can click "Send once" in the real dialog; the
// answers' effects are covered by the gateway's unit tests. What can be checked for real:
// the dismissed prompt — the same answer as Escape — keeps the request on this machine.
describeIn(["trusted"], "gateway consent prompt in the workbench", function () {
  this.timeout(180_000);

  it("a dismissed consent prompt keeps the request local: the local model answers, the cloud sees nothing, nothing is audited", async () => {
    const fake = await new FakeOpenAi().start();
    fake.apiKey = FAKE_KEY;
    const storageDir = await mkdtemp(join(tmpdir(), "hearth-consent-it-"));
    const api = await hearth();
    const askPolicy = (): EffectivePolicy => {
      const userDefaults = applyUserOverrides({ features: { chat: { route: "cloud", cloudAccess: "ask", cloudModels: [{ provider: "openai", model: "gpt-4o-mini" }] } }, neverSend: [] });
      return resolveEffectivePolicy({ userDefaults, trusted: vscode.workspace.isTrusted, consents: new Set<string>(), root: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath });
    };
    // The real modal consent prompt; only the cloud is a loopback stand-in.
    const services = createGateway(
      { secrets: { get: (key) => (key === SECRET_KEYS.openai ? FAKE_KEY : undefined) }, workspaceState: new MemoryMemento(), storageDir },
      { log: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: (m) => note(`warn: ${m}`), error: (m) => note(`error: ${String(m)}`) }, policy: api.policy, modelService: api.modelService },
      { openAiBaseUrl: fake.baseUrl, policy: askPolicy },
    );
    try {
      await readyServer(api);
      const preview = await services.gateway.preview({ feature: "chat", messages: [{ role: "user", content: "What does this configure?" }], preferred: { route: "cloud" } });
      assert.ok(preview.ok && preview.needsAsk && preview.provider === "openai", "the policy would ask before sending to OpenAI");
      const result = await services.gateway.request({ feature: "chat", messages: [{ role: "user", content: "What does this configure?" }], files: [{ path: "src/config.ts", content: `const token = "${GITHUB_TOKEN}";\n`, origin: "file" }], preferred: { route: "cloud" }, maxTokens: 8, temperature: 0 });
      assert.equal(result.route, "local");
      assert.equal(fake.requests.length, 0);
      assert.deepEqual((await services.audit.read()).entries, []);
    } finally {
      await closeGateway(services);
      await fake.stop();
      await rm(storageDir, { recursive: true, force: true });
    }
  });
});
