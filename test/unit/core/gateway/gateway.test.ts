import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { AuditLog } from "../../../../src/core/audit";
import { GatewayRefusal, type Gateway, type GatewayRequest, type PlannedPrompt } from "../../../../src/core/gateway";
import { applyUserOverrides, resolveEffectivePolicy, type FeatureRuleOverride } from "../../../../src/core/policy";
import { ModelFailure } from "../../../../src/core/gateway";
import { faults } from "../../../support/fakeCloud";
import { GPT, HAIKU, models, sha256, startHarness, userPolicy, type Harness } from "./gatewayHarness";

// Fake, shape-valid secrets (see test/unit/core/redact for the redactor's own cases).
const GITHUB_TOKEN = "ghp_Fake0Token1For2Hearth3Tests4Only5x";
const AWS_KEY = "AKIAFAKE234567ABCDEF";
const ENV_FILE = { path: ".env", content: "DATABASE_URL=postgres://shop:Xk2p9LmQ7vBn@db/shop\nNEVERSEND_MARKER_ENV=1\n", origin: "file" as const };
const APP_FILE = { path: "src/app.ts", content: `export const client = connect({ token: "${GITHUB_TOKEN}" });\n`, origin: "openEditor" as const };

const cloudChat = (access: "allow" | "ask", ...cloudModels: string[]): FeatureRuleOverride => ({ route: "cloud", cloudAccess: access, cloudModels: models(...(cloudModels.length > 0 ? cloudModels : [GPT])) });

describe("gateway (loopback fakes for every route)", function () {
  this.timeout(30_000);
  let h: Harness;
  let gateway: Gateway;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    gateway = h.gateway();
  });

  const chat = (extra: Partial<GatewayRequest> = {}): GatewayRequest => ({
    feature: "chat",
    messages: [
      { role: "system", content: "You are Hearth." },
      { role: "user", content: `Why does this fail? My key is ${AWS_KEY}.` },
    ],
    files: [APP_FILE, ENV_FILE],
    ...extra,
  });
  const auditEntries = async () => (await h.audit.read()).entries;

  it("by default everything stays local: the local server answers with every file, unredacted, and nothing is audited", async () => {
    const deltas: string[] = [];
    const result = await gateway.request(chat({ onDelta: (d) => deltas.push(d) }));
    assert.equal(result.route, "local");
    assert.equal(result.provider, "local");
    assert.equal(result.auditId, undefined);
    assert.equal(result.text, h.local.answer);
    assert.equal(deltas.join(""), result.text);
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual(await auditEntries(), []);
    const body = h.local.requests[0].body;
    assert.ok(body.includes("NEVERSEND_MARKER_ENV"), "neverSend files may go to this machine's model");
    assert.ok(body.includes(GITHUB_TOKEN), "nothing is redacted for the local model");
    assert.deepEqual((h.local.requests[0].json as { hearth: unknown }).hearth, { role: "chat" });
  });

  it("cloud allowed: neverSend files are left out and named, secrets redacted, and one audit entry hashes the exact bytes", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") }, neverSend: [] });
    const result = await gateway.request(chat({ preferred: { route: "cloud" } }));

    assert.equal(result.route, "cloud");
    assert.equal(result.provider, "openai");
    assert.equal(result.model, "gpt-4o-mini");
    assert.deepEqual(result.dropped, [".env"]);
    assert.ok(result.redactions >= 2, `redactions: ${result.redactions}`);
    assert.equal(h.openai.requests.length, 1);
    const sent = h.openai.requests[0].body;
    for (const secret of [GITHUB_TOKEN, AWS_KEY, "NEVERSEND_MARKER_ENV", "Xk2p9LmQ7vBn"]) assert.ok(!sent.includes(secret), `${secret} left the machine`);
    assert.ok(sent.includes("«redacted:"));
    assert.ok(sent.includes('<file path=\\"src/app.ts\\">'), "context files are laid into the prompt");

    const entries = await auditEntries();
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.equal(entry.id, result.auditId);
    assert.equal(entry.sha256, sha256(sent));
    assert.equal(entry.bytes, Buffer.byteLength(sent));
    assert.equal(entry.feature, "chat");
    assert.equal(entry.route, "cloud");
    assert.equal(entry.provider, "openai");
    assert.equal(entry.model, "gpt-4o-mini");
    assert.equal(entry.consent, "policy");
    assert.equal(entry.workspace, "test-workspace");
    assert.deepEqual(entry.dropped, [".env"]);
    assert.deepEqual(entry.files.map((f) => f.path), ["src/app.ts"]);
    assert.equal(entry.redactions, result.redactions);
    assert.equal(entry.outcome?.status, "ok");
    assert.ok((entry.outcome?.usage?.promptTokens ?? 0) > 0);
  });

  it("redactSecrets off (the user's own choice): neverSend still holds, secrets go as written", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") }, redactSecrets: false });
    const result = await gateway.request(chat({ preferred: { route: "cloud" } }));
    assert.equal(result.redactions, 0);
    const sent = h.openai.requests[0].body;
    assert.ok(sent.includes(GITHUB_TOKEN));
    assert.ok(!sent.includes("NEVERSEND_MARKER_ENV"));
    const plan = await gateway.plan("chat", { preferred: { route: "cloud" } });
    assert.ok(plan.ok && plan.route === "cloud" && !plan.redacts, "the plan does not promise a redaction the policy turned off");
  });

  it("a neverSend file that is part of the prompt keeps the request local, whatever the policy allows", async () => {
    h.state.policy = userPolicy({ features: { edit: cloudChat("allow") } });
    const result = await gateway.request({
      feature: "edit",
      messages: [{ role: "user", content: `Sort these lines:\n${ENV_FILE.content}` }],
      files: [{ ...ENV_FILE, embedded: true }],
      preferred: { route: "cloud" },
    });
    assert.equal(result.route, "local");
    assert.match(result.reason, /neverSend/);
    assert.equal(h.egressRequests(), 0);
  });

  it("a neverSend file pasted into the message counts as part of the prompt even when not marked embedded", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    const result = await gateway.request({
      feature: "chat",
      messages: [{ role: "user", content: `What does this do? DATABASE_URL=postgres://shop:Xk2p9LmQ7vBn@db/shop` }],
      files: [ENV_FILE],
      preferred: { route: "cloud" },
    });
    assert.equal(result.route, "local");
    assert.equal(h.egressRequests(), 0);
  });

  it("a neverSend file in the prompt with the local model down is refused, and nothing leaves", async () => {
    h.state.policy = userPolicy({ features: { edit: cloudChat("allow") } });
    h.state.localDown = true;
    await assert.rejects(
      gateway.request({ feature: "edit", messages: [{ role: "user", content: "Fix" }], files: [{ ...ENV_FILE, embedded: true }], preferred: { route: "cloud" } }),
      (e: unknown) => e instanceof GatewayRefusal && e.code === "neverSend" && /\.env/.test(e.message),
    );
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual(await auditEntries(), []);
  });

  it("dry run: preview shows exactly the bytes request then sends, and sends nothing itself", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    const request = chat({ preferred: { route: "cloud" } });
    const preview = await gateway.preview(request);
    assert.equal(h.egressRequests(), 0);
    assert.ok(preview.ok);
    assert.equal(preview.route, "cloud");
    assert.deepEqual(preview.dropped, [".env"]);
    assert.equal(preview.needsAsk, false);
    await gateway.request(request);
    assert.equal(h.openai.requests[0].body, preview.payload);
    assert.equal(sha256(h.openai.requests[0].body), preview.sha256);
  });

  it("dry run of a refused request says why", async () => {
    h.state.localKnownDown = true;
    const preview = await gateway.preview(chat());
    assert.equal(preview.ok, false);
    assert.ok(!preview.ok && preview.code === "noRoute" && /not running/.test(preview.reason));
  });

  describe("ask", () => {
    beforeEach(() => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("ask") } });
    });

    it("the prompt sees the exact payload summary before the cloud receives anything; 'once' asks again next time", async () => {
      h.consent.answers = ["once", "once"];
      const first = await gateway.request(chat({ preferred: { route: "cloud" } }));
      assert.equal(h.consent.seen.length, 1);
      const [{ summary, cloudRequestsAtAsk }] = h.consent.seen;
      assert.equal(cloudRequestsAtAsk, 0, "asked before anything left");
      assert.equal(summary.sha256, sha256(h.openai.requests[0].body));
      assert.equal(summary.payload, h.openai.requests[0].body);
      assert.equal(summary.bytes, Buffer.byteLength(h.openai.requests[0].body));
      assert.deepEqual(summary.files.map((f) => f.path), ["src/app.ts"]);
      assert.deepEqual(summary.dropped, [".env"]);
      assert.equal(summary.redactions, first.redactions);
      assert.equal(summary.provider, "openai");
      assert.equal(summary.model, "gpt-4o-mini");
      assert.equal((await auditEntries())[0].consent, "once");

      await gateway.request(chat({ preferred: { route: "cloud" } }));
      assert.equal(h.consent.seen.length, 2);
    });

    it("'local' keeps it local: the local server answers, the cloud sees nothing, nothing is audited", async () => {
      h.consent.answers = ["local"];
      const result = await gateway.request(chat({ preferred: { route: "cloud" } }));
      assert.equal(result.route, "local");
      assert.equal(h.egressRequests(), 0);
      assert.equal(h.local.requests.length, 1);
      assert.deepEqual(await auditEntries(), []);
    });

    it("'local' while the local model is down is a refusal, not a send", async () => {
      h.consent.answers = ["local"];
      h.state.localDown = true;
      await assert.rejects(gateway.request(chat()), (e: unknown) => e instanceof GatewayRefusal && e.code === "keptLocal");
      assert.equal(h.egressRequests(), 0);
    });

    it("'local' when the local server turns out to be down (preferred cloud) is a refusal too", async () => {
      h.consent.answers = ["local"];
      h.state.localDown = true;
      await assert.rejects(gateway.request(chat({ preferred: { route: "cloud" } })), (e: unknown) => e instanceof GatewayRefusal && e.code === "keptLocal" && /not answering/.test(e.message));
      assert.equal(h.egressRequests(), 0);
      assert.deepEqual(await auditEntries(), []);
    });

    it("'always' is remembered for this feature and model: no second prompt, audited as remembered", async () => {
      h.consent.answers = ["always"];
      await gateway.request(chat({ preferred: { route: "cloud" } }));
      await gateway.request(chat({ preferred: { route: "cloud" } }));
      assert.equal(h.consent.seen.length, 1);
      assert.equal(h.openai.requests.length, 2);
      assert.deepEqual((await auditEntries()).map((e) => e.consent), ["always", "remembered"]);
      const preview = await gateway.preview(chat({ preferred: { route: "cloud" } }));
      assert.ok(preview.ok && !preview.needsAsk);
    });

    it("'always' for one model does not cover another", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("ask", GPT, HAIKU) } });
      h.consent.answers = ["always", "once"];
      await gateway.request(chat({ preferred: { route: "cloud", model: "gpt-4o-mini" } }));
      await gateway.request(chat({ preferred: { route: "cloud", model: "claude-haiku-4-5" } }));
      assert.equal(h.consent.seen.length, 2);
      assert.equal(h.anthropic.requests.length, 1);
    });

    it("parallel requests get one prompt at a time, and an 'always' answers the ones waiting", async () => {
      h.consent.answers = ["always"];
      await Promise.all([gateway.request(chat({ preferred: { route: "cloud" } })), gateway.request(chat({ preferred: { route: "cloud" } }))]);
      assert.equal(h.consent.seen.length, 1);
      assert.equal(h.openai.requests.length, 2);
    });
  });

  describe("fallback", () => {
    it("local down and the policy allows cloud → the cloud answers and the result says why", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.state.localDown = true;
      const result = await gateway.request(chat());
      assert.equal(result.route, "cloud");
      assert.match(result.fellBackBecause ?? "", /local model server is not answering/);
      assert.match(result.reason, /local model is not running/);
      assert.equal((await auditEntries()).length, 1);
    });

    it("local down and the policy keeps chat local → a clear refusal naming what to do", async () => {
      h.state.localDown = true;
      await assert.rejects(gateway.request(chat()), (e: unknown) => e instanceof GatewayRefusal && e.code === "noRoute" && /Restart Model Server/.test(e.message) && /features\.chat/.test(e.message));
      assert.equal(h.egressRequests(), 0);
    });

    it("the local server says the prompt is too long → decided again, to the cloud the policy allows", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.local.failNext(faults.contextTooLong());
      const result = await gateway.request(chat());
      assert.equal(result.route, "cloud");
      assert.match(result.reason, /larger than the local model's context/);
      assert.equal(h.local.requests.length, 1);
    });

    it("a prompt clearly over the local context goes straight to the route the policy allows", async () => {
      h.state.policy = userPolicy({ features: { chat: { route: "selfHosted" } } });
      h.state.selfHostedConfigured = true;
      h.state.localContextTokens = 10;
      const result = await gateway.request(chat());
      assert.equal(result.route, "selfHosted");
      assert.equal(result.provider, "selfHosted");
      assert.equal(h.local.requests.length, 0);
      assert.equal(h.selfHosted.requests.length, 1);
      assert.equal((h.selfHosted.requests[0].json as { hearth?: unknown }).hearth, undefined);
      assert.ok(!h.selfHosted.requests[0].body.includes(GITHUB_TOKEN), "self-hosted is off this machine: redacted too");
      const [entry] = await auditEntries();
      assert.equal(entry.route, "selfHosted");
      assert.equal(entry.model, "team-coder");
    });

    it("a local failure after text has streamed is not retried elsewhere: the text is kept", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.local.failNext(faults.drop(2));
      const deltas: string[] = [];
      await assert.rejects(gateway.request(chat({ onDelta: (d) => deltas.push(d) })), (e: unknown) => e instanceof ModelFailure && e.kind === "stream_broken" && e.partialText === deltas.join(""));
      assert.equal(h.egressRequests(), 0);
    });
  });

  describe("raw prompts (inline completion)", () => {
    const completion = (extra: Partial<GatewayRequest> = {}): GatewayRequest => ({
      feature: "completion",
      prompt: { text: `const token = "${GITHUB_TOKEN}";\nfunction add(`, checkpoints: [10], reuse: true },
      files: [{ path: "src/add.ts", content: "function add(", origin: "file" }],
      maxTokens: 16,
      ...extra,
    });

    it("go local with Hearth's extension field intact", async () => {
      const result = await gateway.request(completion());
      assert.equal(result.route, "local");
      assert.deepEqual((h.local.requests[0].json as { hearth: unknown }).hearth, { role: "completion", checkpoints: [10], reuse: true });
      assert.equal(h.local.requests[0].path, "/v1/completions");
    });

    it("are refused rather than sent to a cloud chat model", async () => {
      h.state.policy = userPolicy({ features: { completion: cloudChat("allow") } });
      h.state.localDown = true;
      await assert.rejects(gateway.request(completion()), (e: unknown) => e instanceof GatewayRefusal && e.code === "rawPromptToCloud");
      assert.equal(h.egressRequests(), 0);
    });

    it("may go to a self-hosted completion server, redacted and without the extension field", async () => {
      h.state.policy = userPolicy({ features: { completion: { route: "selfHosted" } } });
      h.state.selfHostedConfigured = true;
      h.state.localDown = true;
      const result = await gateway.request(completion());
      assert.equal(result.route, "selfHosted");
      const body = h.selfHosted.requests[0].json as { prompt: string; hearth?: unknown };
      assert.equal(body.hearth, undefined);
      assert.ok(!body.prompt.includes(GITHUB_TOKEN));
    });
  });

  it("an untrusted workspace is local-only even when the user allows the cloud", async () => {
    const userDefaults = applyUserOverrides({ features: { chat: cloudChat("allow") }, neverSend: [] });
    h.state.policy = resolveEffectivePolicy({ userDefaults, trusted: false, consents: new Set() });
    const result = await gateway.request(chat({ preferred: { route: "cloud" } }));
    assert.equal(result.route, "local");
    assert.equal(h.egressRequests(), 0);
  });

  it("Anthropic: the preferred allowed model is used, with the system prompt apart", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow", GPT, HAIKU) } });
    const result = await gateway.request(chat({ preferred: { route: "cloud", model: "claude-haiku-4-5" } }));
    assert.equal(result.provider, "anthropic");
    const body = h.anthropic.requests[0].json as { system: string; messages: { role: string }[] };
    assert.equal(body.system, "You are Hearth.");
    assert.ok(body.messages.every((m) => m.role !== "system"));
    assert.equal((await auditEntries())[0].sha256, sha256(h.anthropic.requests[0].body));
  });

  it("a cloud with no API key is not chosen; the next allowed one is", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow", GPT, HAIKU) } });
    const keys = h.state.keys;
    h.state.keys = { "hearth.anthropic.apiKey": keys["hearth.anthropic.apiKey"] };
    try {
      const result = await gateway.request(chat({ preferred: { route: "cloud" } }));
      assert.equal(result.provider, "anthropic");
    } finally {
      h.state.keys = keys;
    }
  });

  it("a cloud call that fails is still on record, with its outcome", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    h.openai.failNext(faults.unauthorized());
    await assert.rejects(gateway.request(chat({ preferred: { route: "cloud" } })), (e: unknown) => e instanceof ModelFailure && e.kind === "auth" && /Hearth: Set OpenAI API key/.test(e.message));
    const entries = await auditEntries();
    assert.equal(entries.length, 1, "the payload did leave");
    assert.equal(entries[0].outcome?.status, "auth");
  });

  it("a retried egress (429, then an answer) is one audit entry whose outcome counts both attempts of the same bytes", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    h.openai.failNext(faults.rateLimited(0));
    const result = await gateway.request(chat({ preferred: { route: "cloud" } }));
    const entries = await auditEntries();
    assert.equal(entries.length, 1);
    assert.equal(entries[0].id, result.auditId);
    assert.equal(entries[0].outcome?.attempts, 2);
    assert.deepEqual(h.openai.requests.map((r) => sha256(r.body)), [entries[0].sha256, entries[0].sha256]);
  });

  it("no audit log, no egress: an unwritable log refuses before anything is sent", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    const blocker = join(h.dir, "not-a-dir");
    await writeFile(blocker, "x");
    const blocked = h.gateway({ audit: new AuditLog({ dir: join(blocker, "audit") }) });
    await assert.rejects(blocked.request(chat({ preferred: { route: "cloud" } })), (e: unknown) => e instanceof GatewayRefusal && e.code === "auditUnavailable" && /nothing was sent/.test(e.message));
    assert.equal(h.egressRequests(), 0);
  });

  it("cancelled before sending: nothing leaves and nothing is audited", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(gateway.request(chat({ preferred: { route: "cloud" }, signal: controller.signal })), (e: unknown) => e instanceof ModelFailure && e.kind === "cancelled");
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual(await auditEntries(), []);
  });

  it("stream(): the answer as an async iterable, with the result alongside", async () => {
    const { deltas, result } = gateway.stream(chat());
    const pieces: string[] = [];
    for await (const piece of deltas) pieces.push(piece);
    assert.equal(pieces.join(""), (await result).text);
    assert.ok(pieces.length > 1);
  });

  it("usage: local and cloud tokens are counted per provider, with the cloud cost avoided", async () => {
    h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
    await gateway.request(chat());
    await gateway.request(chat({ preferred: { route: "cloud" } }));
    await h.usage.flush();
    const tally = await h.usage.tally();
    assert.equal(tally.local.calls, 1);
    assert.equal(tally.cloud.calls, 1);
    assert.ok(tally.local.promptTokens > 0 && tally.cloud.promptTokens > 0);
    assert.ok(tally.costAvoidedUsd > 0);
    assert.ok(tally.cloudCostUsd > 0);
    assert.deepEqual(tally.buckets.map((b) => `${b.route}:${b.provider}`).sort(), ["cloud:openai", "local:local"]);
  });

  describe("plan once, then send the prompt built for the plan", () => {
    const question = { messages: [{ role: "user" as const, content: "What does greet do?" }] };

    it("plans the route with what the prompt will need, and sends to exactly that route", async () => {
      h.state.localContextTokens = 4096;
      const port = gateway.port("chat");
      const plan = await port.plan();
      assert.ok(plan.ok);
      assert.deepEqual([plan.route, plan.provider, plan.contextTokens, plan.acceptsText, plan.needsAsk, plan.redacts], ["local", "local", 4096, true, false, false]);
      const result = await port.send(plan, question);
      assert.equal(result.route, "local");
      assert.equal(h.local.requests.length, 1);
    });

    it("refuses with planChanged, sending nothing, when the route changed between plan and send", async () => {
      const port = gateway.port("chat");
      const plan = await port.plan();
      assert.ok(plan.ok && plan.route === "local");
      // The local model went down after the prompt was built for it; the policy allows the cloud.
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.state.localKnownDown = true;
      await assert.rejects(port.send(plan, question), (e: unknown) => e instanceof GatewayRefusal && e.code === "planChanged" && /gpt-4o-mini/.test(e.message));
      assert.equal(h.local.requests.length + h.egressRequests(), 0, "nothing was sent anywhere");
      assert.deepEqual(await auditEntries(), []);
    });

    it("run() plans and builds again once when the route changed, and the prompt sent is the one built for the new route", async () => {
      const port = gateway.port("chat");
      const builtFor: string[] = [];
      const result = await port.run({}, (plan) => {
        builtFor.push(`${plan.route}:${plan.model}`);
        if (builtFor.length === 1) {
          // While the first prompt is built, the local model goes down.
          h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
          h.state.localKnownDown = true;
        }
        return { messages: [{ role: "user", content: `built for ${plan.route}` }] };
      });
      assert.equal(builtFor.length, 2);
      assert.equal(builtFor[1], "cloud:gpt-4o-mini");
      assert.equal(result.route, "cloud");
      assert.equal(h.openai.requests.length, 1);
      assert.ok(h.openai.requests[0].body.includes("built for cloud"), "the prompt built for the cloud plan was sent");
      assert.equal(h.local.requests.length, 0);
    });

    it("judges the plan's embeddedPaths again at send time, even when the prompt does not list them as files", async () => {
      // Planned while the policy let edits go to the cloud; the file's text is in the prompt.
      h.state.policy = userPolicy({ features: { edit: cloudChat("allow") } });
      h.state.localKnownDown = true;
      const port = gateway.port("edit");
      const plan = await port.plan({ embeddedPaths: ["secrets/keys.ts"] });
      assert.ok(plan.ok && plan.route === "cloud");
      // Before the prompt is sent, the policy marks the file neverSend.
      h.state.policy = userPolicy({ features: { edit: cloudChat("allow") }, neverSend: ["secrets/**"] });
      await assert.rejects(port.send(plan, { messages: [{ role: "user", content: `Rewrite: const key = "${GITHUB_TOKEN}";` }] }), (e: unknown) => e instanceof GatewayRefusal);
      assert.equal(h.egressRequests(), 0, "the neverSend file's text did not leave");
      assert.deepEqual(await auditEntries(), []);
    });

    it("sends a plan only through the port of the feature it was made for", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.state.localKnownDown = true;
      const plan = await gateway.port("chat").plan();
      assert.ok(plan.ok && plan.route === "cloud");
      // Completion stays local by policy; a chat plan must not carry a completion prompt to the cloud.
      await assert.rejects(gateway.port("completion").send(plan, question), (e: unknown) => e instanceof GatewayRefusal);
      assert.equal(h.egressRequests(), 0);
    });

    it("a prompt object's stray fields do not override what the plan was made for (no dialog for a plan made non-interactive)", async () => {
      h.state.policy = userPolicy({ features: { completion: { route: "cloud", cloudAccess: "ask", cloudModels: models(GPT) } } });
      h.state.localKnownDown = true;
      const port = gateway.port("completion");
      const plan = await port.plan({ interactive: false });
      assert.ok(plan.ok && plan.route === "cloud");
      // A prompt built by spreading some other object along with its fields.
      const prompt = { ...question, interactive: true, folders: ["file:///elsewhere"] } as PlannedPrompt;
      await assert.rejects(port.send(plan, prompt), (e: unknown) => e instanceof GatewayRefusal && e.code === "consentNeeded");
      assert.equal(h.consent.seen.length, 0, "no consent dialog for a plan made non-interactive");
      assert.equal(h.egressRequests(), 0);
    });

    it("a feature that knows its prompt's size before building it plans with it: too large for the local model, it plans (and goes) where the policy allows", async () => {
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      h.state.localContextTokens = 1000;
      const builtFor: string[] = [];
      const result = await gateway.port("chat").run({ promptTokens: 10_000 }, (plan) => {
        builtFor.push(plan.route);
        return { messages: [{ role: "user", content: "x".repeat(40_000) }], promptTokens: 10_000 };
      });
      assert.deepEqual(builtFor, ["cloud"], "planned for the cloud at once, built once");
      assert.equal(result.route, "cloud");
      assert.equal(h.local.requests.length, 0);
    });

    it("checks the fit with the feature's own token count when it gives one (one rule: core/model/contextFit)", async () => {
      h.state.localContextTokens = 1000;
      const port = gateway.port("chat");
      const plan = await port.plan();
      assert.ok(plan.ok && plan.route === "local");
      // 400 characters could never fill 1000 tokens, but the feature counted 2000: the gateway believes the count.
      await assert.rejects(port.send(plan, { ...question, promptTokens: 2000 }), (e: unknown) => e instanceof GatewayRefusal);
      assert.equal(h.local.requests.length, 0);
      await port.send(plan, { ...question, promptTokens: 900 });
      assert.equal(h.local.requests.length, 1, "900 tokens and the template's margin fit 1000");
      // A count that is no count (a feature's bug) is not a reason to send the prompt elsewhere: the characters decide.
      h.state.policy = userPolicy({ features: { chat: cloudChat("allow") } });
      for (const promptTokens of [Number.NaN, Number.POSITIVE_INFINITY, -5]) await port.send(plan, { ...question, promptTokens });
      assert.equal(h.local.requests.length, 4);
      assert.equal(h.egressRequests(), 0);
    });
  });

  describe("inline completion through the gateway", () => {
    const FILE_TEXT = `const token = "${GITHUB_TOKEN}";\nexport function add(a: number, b: number) {\n  return `;
    // As the completion engine does: plan (non-interactive, naming the file in the prompt), build for the plan, send.
    const complete = (kind: "text" | "chat", path = "src/math.ts", checkpoints?: number[]) =>
      gateway.port("completion").run({ interactive: false, embeddedPaths: [path] }, () => ({
        ...(kind === "text" ? { prompt: { text: FILE_TEXT, suffix: "\n}\n", ...(checkpoints !== undefined ? { checkpoints } : {}) } } : { messages: [{ role: "user" as const, content: FILE_TEXT }], thinking: false }),
        maxTokens: 16,
        temperature: 0,
        stop: kind === "text" ? ["\n"] : [],
        files: [{ path, content: FILE_TEXT, origin: "file" as const, embedded: true }],
      }));

    it("by default completion is local: the raw prompt and checkpoints reach this machine's server only", async () => {
      const response = await complete("text", "src/math.ts", [10]);
      assert.equal(response.text, h.local.answer);
      assert.equal(h.egressRequests(), 0);
      assert.deepEqual((h.local.requests[0].json as { hearth: unknown }).hearth, { role: "completion", checkpoints: [10] });
    });

    it("policy 'ask' gives no suggestion and no dialog: refused with consentNeeded, nothing leaves", async () => {
      h.state.policy = userPolicy({ features: { completion: { route: "cloud", cloudAccess: "ask", cloudModels: models(GPT) } } });
      h.state.localDown = true;
      h.state.localKnownDown = true;
      await assert.rejects(complete("chat"), (e: unknown) => e instanceof GatewayRefusal && e.code === "consentNeeded" && /cloudAccess/.test(e.message));
      assert.equal(h.consent.seen.length, 0, "no consent prompt for a keystroke");
      assert.equal(h.egressRequests(), 0);
      assert.deepEqual(await auditEntries(), []);
    });

    it("policy 'allow' to the cloud: a chat-shaped completion leaves redacted and on record; a raw prompt is refused", async () => {
      h.state.policy = userPolicy({ features: { completion: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } } });
      h.state.localKnownDown = true;
      const response = await complete("chat");
      assert.equal(response.text, h.openai.answer);
      assert.equal(h.openai.requests.length, 1);
      assert.ok(!h.openai.requests[0].body.includes(GITHUB_TOKEN), "the secret in the file was redacted");
      const [entry] = await auditEntries();
      assert.equal(entry.feature, "completion");
      assert.deepEqual(entry.files.map((f) => f.path), ["src/math.ts"]);
      const plan = await gateway.port("completion").plan({ interactive: false });
      assert.ok(plan.ok && !plan.acceptsText, "the plan says the cloud takes no raw prompt, so the engine builds a conversation");
      await assert.rejects(
        gateway.port("completion").send(plan, { prompt: { text: FILE_TEXT }, files: [{ path: "src/math.ts", content: FILE_TEXT, origin: "file", embedded: true }] }),
        (e: unknown) => e instanceof GatewayRefusal && e.code === "rawPromptToCloud",
      );
      assert.equal(h.openai.requests.length, 1);
    });

    it("a neverSend file being completed stays on this machine even where the policy allows the cloud", async () => {
      h.state.policy = userPolicy({ features: { completion: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } }, neverSend: ["secrets/**"] });
      const routed = await gateway.plan("completion", { preferred: { route: "cloud" } });
      assert.ok(routed.ok && routed.route === "cloud", "the policy would send other files to the cloud");
      const planned = await gateway.plan("completion", { embeddedPaths: ["secrets/keys.ts"] });
      assert.ok(planned.ok && planned.route === "local", "the plan for the neverSend file is this machine");
      await complete("chat", "secrets/keys.ts");
      assert.equal(h.egressRequests(), 0);
      assert.equal(h.local.requests.length, 1);
    });
  });
});
