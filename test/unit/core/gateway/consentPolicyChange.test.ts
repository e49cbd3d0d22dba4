// A consent dialog can stay open for minutes, and other requests queue behind it. When the
// policy changes meanwhile (the user edits .hearth/policy.json, the workspace loses trust),
// the answer is to the question that was asked: each request is decided again once the
// dialog is answered, and leaves only if the route, provider, model and bytes are still
// what the user saw. Real gateway, real OpenAI and Anthropic SDK clients, loopback fakes.
import assert from "node:assert/strict";
import { GatewayRefusal, type ConsentAnswer, type Gateway, type GatewayRequest, type GatewayResult, type PayloadSummary } from "../../../../src/core/gateway";
import type { FeatureRuleOverride } from "../../../../src/core/policy";
import { redact } from "../../../../src/core/redact";
import { GPT, HAIKU, models, sha256, startHarness, userPolicy, type Harness } from "./gatewayHarness";

const askCloud = (...keys: string[]): FeatureRuleOverride => ({ route: "cloud", cloudAccess: "ask", cloudModels: models(...keys) });
const APP_FILE = { path: "src/app.ts", content: "export const greeting = 'hello from the app file';\n", origin: "openEditor" as const };

/** A dialog that does something while it is open (the policy changes under it), then answers. */
interface Dialog {
  readonly answer: ConsentAnswer;
  readonly whileOpen?: () => unknown;
}

describe("gateway: the policy changes while a consent dialog is open", function () {
  this.timeout(30_000);
  let h: Harness;
  let gateway: Gateway;
  let dialogs: Dialog[];
  let seen: PayloadSummary[];
  /** Redactor calls under way: a request still being decided has some now or after the next turn of the event loop. */
  let redacting = 0;

  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());
  beforeEach(async () => {
    await h.reset();
    h.state.policy = userPolicy({ features: { chat: askCloud(GPT) } });
    dialogs = [];
    seen = [];
    gateway = h.gateway({
      redactor: async (text, fileName) => {
        redacting++;
        try {
          return await redact(text, { fileName });
        } finally {
          redacting--;
        }
      },
      consent: {
        ask: async (summary) => {
          seen.push(summary);
          const dialog = dialogs.shift() ?? { answer: "local" };
          await dialog.whileOpen?.();
          return dialog.answer;
        },
      },
    });
  });

  const chat = (text: string, extra: Partial<GatewayRequest> = {}): GatewayRequest => ({ feature: "chat", messages: [{ role: "user", content: text }], preferred: { route: "cloud" }, ...extra });
  const auditEntries = async () => (await h.audit.read()).entries;
  /** Until every request started has been decided and waits where it waits (for the open dialog): no redaction under way, twice in a row. */
  const settled = async (): Promise<void> => {
    for (let idle = 0; idle < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      idle = redacting === 0 ? idle + 1 : 0;
    }
  };

  it("'Always' to the first request after the policy became local-only: neither it nor the request queued behind it leaves", async () => {
    // The review's case: the second request is made while the first one's dialog is open, decided under `ask`, and waits for that dialog.
    let second: Promise<GatewayResult> | undefined;
    const whileOpen = async (): Promise<void> => {
      second = gateway.request(chat("second question, asked while the dialog is open"));
      await settled();
      h.state.policy = userPolicy();
    };
    dialogs = [{ answer: "always", whileOpen }];
    const first = await gateway.request(chat("first question"));
    assert.ok(second !== undefined);
    const secondResult = await second;
    assert.equal(seen.length, 1, "one dialog");
    assert.equal(h.egressRequests(), 0, "nothing left this machine");
    assert.deepEqual([first.route, secondResult.route], ["local", "local"]);
    assert.equal(h.local.requests.length, 2);
    assert.deepEqual(await auditEntries(), []);
  });

  it("the answered request itself goes where the new policy says, and the user is asked about that route before it leaves", async () => {
    dialogs = [{ answer: "once", whileOpen: () => (h.state.policy = userPolicy({ features: { chat: askCloud(HAIKU) } })) }, { answer: "once" }];
    const result = await gateway.request(chat("which vendor gets this?"));
    assert.deepEqual(
      seen.map((s) => s.provider),
      ["openai", "anthropic"],
    );
    assert.equal(h.openai.requests.length, 0, "the route the user said yes to is no longer the policy's");
    assert.equal(h.anthropic.requests.length, 1);
    assert.equal(result.provider, "anthropic");
    assert.equal(seen[1].sha256, sha256(h.anthropic.requests[0].body), "what left is what the second dialog showed");
    const entries = await auditEntries();
    assert.deepEqual(
      entries.map((e) => [e.provider, e.consent]),
      [["anthropic", "once"]],
    );
  });

  it("same route, other bytes (a file became neverSend while asking): asked again with the new payload, and that is what leaves", async () => {
    dialogs = [{ answer: "once", whileOpen: () => (h.state.policy = userPolicy({ features: { chat: askCloud(GPT) }, neverSend: ["src/app.ts"] })) }, { answer: "once" }];
    await gateway.request(chat("what does the app file say?", { files: [APP_FILE] }));
    assert.equal(seen.length, 2);
    assert.deepEqual(
      seen[0].files.map((f) => f.path),
      ["src/app.ts"],
    );
    assert.deepEqual(seen[1].dropped, ["src/app.ts"]);
    assert.equal(h.openai.requests.length, 1);
    assert.equal(sha256(h.openai.requests[0].body), seen[1].sha256);
    assert.ok(!h.openai.requests[0].body.includes("hello from the app file"), "the file that became neverSend did not leave");
  });

  it("a prompt built for a plan: refused with planChanged when the answer came after the route changed; run() plans, builds and asks again", async () => {
    const port = gateway.port("chat");
    const plan = await port.plan({ preferred: { route: "cloud" } });
    assert.ok(plan.ok && plan.provider === "openai");
    dialogs = [{ answer: "once", whileOpen: () => (h.state.policy = userPolicy({ features: { chat: askCloud(HAIKU) } })) }];
    await assert.rejects(port.send(plan, { messages: [{ role: "user", content: "built for gpt-4o-mini" }] }), (e: unknown) => e instanceof GatewayRefusal && e.code === "planChanged");
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual(await auditEntries(), []);

    h.state.policy = userPolicy({ features: { chat: askCloud(GPT) } });
    dialogs = [{ answer: "once", whileOpen: () => (h.state.policy = userPolicy({ features: { chat: askCloud(HAIKU) } })) }, { answer: "once" }];
    const builtFor: string[] = [];
    const result = await port.run({ preferred: { route: "cloud" } }, (p) => {
      builtFor.push(p.model);
      return { messages: [{ role: "user", content: `built for ${p.model}` }] };
    });
    assert.deepEqual(builtFor, ["gpt-4o-mini", "claude-haiku-4-5"]);
    assert.equal(result.provider, "anthropic");
    assert.equal(h.openai.requests.length, 0);
    assert.ok(h.anthropic.requests[0].body.includes("built for claude-haiku-4-5"));
  });

  it("a policy that changes under every dialog: after three decisions the request is refused with planChanged, nothing sent", async () => {
    const flip = (key: string) => () => (h.state.policy = userPolicy({ features: { chat: askCloud(key) } }));
    dialogs = [
      { answer: "once", whileOpen: flip(HAIKU) },
      { answer: "once", whileOpen: flip(GPT) },
      { answer: "once", whileOpen: flip(HAIKU) },
    ];
    await assert.rejects(gateway.request(chat("round and round")), (e: unknown) => e instanceof GatewayRefusal && e.code === "planChanged" && /kept changing/.test(e.message));
    assert.equal(seen.length, 3);
    assert.equal(h.egressRequests(), 0);
    assert.deepEqual(await auditEntries(), []);
  });

  it("a policy that became stricter (neverSend now covers a file in the prompt) refuses or keeps it local; nothing leaves", async () => {
    h.state.localDown = true;
    const embedded = { ...APP_FILE, embedded: true };
    dialogs = [{ answer: "once", whileOpen: () => (h.state.policy = userPolicy({ features: { chat: askCloud(GPT) }, neverSend: ["src/app.ts"] })) }];
    await assert.rejects(gateway.request(chat(`explain:\n${APP_FILE.content}`, { files: [embedded] })), (e: unknown) => e instanceof GatewayRefusal);
    assert.equal(seen.length, 1);
    assert.equal(h.egressRequests(), 0);
  });
});
