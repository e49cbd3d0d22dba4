// A repo question that the policy sends off this machine (the local model is down and
// repoQuestion may go to the cloud): the pack is laid out with plain headers (no Qwen
// tokens there), neverSend files are left out of the pack itself so the budget is right,
// secrets in the files that go are redacted by the gateway, the counts are marked as
// estimates, and the egress has an audit entry. The cloud is a loopback fake of OpenAI.
// And on this machine: a pack of indented code (many characters a token) still passes the
// gateway's rough size check, so it is not refused.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog } from "../../../../src/core/audit";
import { Gateway, InMemoryConsentMemory } from "../../../../src/core/gateway";
import { LocalProvider, OpenAiProvider, SECRET_KEYS } from "../../../../src/core/providers";
import { RepoQa } from "../../../../src/core/repo";
import { FakeOpenAi, closedPortUrl } from "../../../support/fakeCloud";
import { GPT, models, userPolicy } from "../gateway/gatewayHarness";
import { tempTree, type TempTree } from "./repoFixtures";

const SECRET_FILE_TEXT = "CUSTOMER-LIST-9f2c: never leaves";
const PASSWORD = "Zq8!vR2#mK4pL9xT";

describe("repo questions and the gateway's route checks", function () {
  this.timeout(60_000);
  let cloud: FakeOpenAi;
  let tree: TempTree;
  let auditDir: string;

  before(async () => {
    cloud = await new FakeOpenAi().start();
    cloud.answer = "The entry point is src/main.ts:1.";
    auditDir = await mkdtemp(join(tmpdir(), "hearth-repo-cloud-"));
    tree = tempTree({
      "README.md": "# App\n",
      "src/main.ts": `export const start = () => connect({ password: "${PASSWORD}" });\n`,
      "customers/list.csv": `${SECRET_FILE_TEXT}\n`,
    });
  });
  after(async () => {
    await cloud?.stop();
    tree?.remove();
    if (auditDir !== undefined) await rm(auditDir, { recursive: true, force: true });
  });

  it("sends a plain-header pack without neverSend files, redacted, on record", async () => {
    const policy = userPolicy({ features: { repoQuestion: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } }, neverSend: ["customers/"] });
    const audit = new AuditLog({ dir: auditDir });
    const gateway = new Gateway({
      policy: () => policy,
      providers: {
        local: new LocalProvider({ endpoint: async () => ({ baseUrl: await closedPortUrl(), token: "t" }) }),
        openai: new OpenAiProvider({ secrets: { get: (key) => (key === SECRET_KEYS.openai ? "sk-test" : undefined) }, baseUrl: cloud.baseUrl }),
      },
      localStatus: { isAvailable: () => false },
      consent: { ask: async () => assert.fail("the policy allows without asking") },
      consentMemory: new InMemoryConsentMemory(),
      audit,
    });
    const qa = new RepoQa({
      port: gateway.port("repoQuestion"),
      root: tree.root,
      name: "app",
      settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 256 }),
      dropFor: () => (path) => policy.neverSend.matches(path),
      history: async () => undefined,
    });

    const answer = await qa.ask("Where does the app start?");
    assert.equal(answer.route, "cloud");
    assert.ok(answer.auditId !== undefined, "an egress has an audit entry");
    assert.equal(answer.report.layout, "plain");
    assert.equal(answer.report.exactCounts, false, "no local tokenizer: estimated, and said so");
    assert.ok(answer.report.skipped.some((s) => s.path === "customers/list.csv" && s.reason === "dropped"));
    assert.deepEqual(
      answer.citations.map((c) => [c.path, c.line]),
      [["src/main.ts", 1]],
    );

    assert.equal(cloud.requests.length, 1);
    const body = cloud.requests[0].body;
    assert.ok(body.includes("=== src/main.ts ==="), "plain headers");
    assert.ok(!body.includes("<|file_sep|>"));
    assert.ok(!body.includes(SECRET_FILE_TEXT), "the neverSend file never left");
    assert.ok(!body.includes(PASSWORD), "the password was redacted");
    assert.ok(!body.includes('"hearth"'), "Hearth's own fields stay on this machine");
    const entries = (await audit.read()).entries;
    assert.equal(entries.length, 1);
    assert.deepEqual(
      entries[0].files.map((f) => f.path),
      ["README.md", "src/main.ts"],
      "the audit entry names the repo files that left",
    );
  });

  it("never lets a neverSend file leave when a local question falls back to the cloud after the local model fails", async () => {
    const policy = userPolicy({ features: { repoQuestion: { route: "cloud", cloudAccess: "allow", cloudModels: models(GPT) } }, neverSend: ["customers/"] });
    const requestsBefore = cloud.requests.length;
    const gateway = new Gateway({
      policy: () => policy,
      providers: {
        // Planned as local (nothing says it is down), then the call fails: the gateway decides again.
        local: new LocalProvider({ endpoint: async () => ({ baseUrl: await closedPortUrl(), token: "t" }), limits: { maxRetries: 0 } }),
        openai: new OpenAiProvider({ secrets: { get: (key) => (key === SECRET_KEYS.openai ? "sk-test" : undefined) }, baseUrl: cloud.baseUrl }),
      },
      consent: { ask: async () => assert.fail("the policy allows without asking") },
      consentMemory: new InMemoryConsentMemory(),
      audit: new AuditLog({ dir: auditDir }),
    });
    const qa = new RepoQa({
      port: gateway.port("repoQuestion"),
      root: tree.root,
      settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 64 }),
      dropFor: () => (path) => policy.neverSend.matches(path),
      history: async () => undefined,
    });
    await assert.rejects(qa.ask("Who are the customers?"), (error: Error) => error.name === "GatewayRefusal" || error.name === "ModelFailure");
    assert.equal(cloud.requests.length, requestsBefore, "nothing reached the cloud");
  });

  it("keeps a local pack of indented code within the gateway's own size pre-check, so it is not refused", async () => {
    const local = await new FakeOpenAi().start();
    const indented = tempTree(
      Object.fromEntries(
        Array.from({ length: 30 }, (_, i) => [`src/deep${i}.py`, Array.from({ length: 40 }, (_, j) => `${" ".repeat(32)}value_${j} = step(value_${j})`).join("\n") + "\n"]),
      ),
    );
    try {
      const context = 3000;
      const gateway = new Gateway({
        policy: () => userPolicy(),
        providers: { local: new LocalProvider({ endpoint: async () => ({ baseUrl: local.baseUrl, token: "t" }) }) },
        localStatus: { contextTokens: () => context },
        consent: { ask: async () => assert.fail("nothing to ask on the local route") },
        consentMemory: new InMemoryConsentMemory(),
        audit: new AuditLog({ dir: auditDir }),
      });
      // Like Qwen's tokenizer, a run of spaces is one token: indented code holds far more than 4 characters a token.
      const countTokens = async (texts: readonly string[]) => ({ counts: texts.map((t) => t.split(/( {2,})/).reduce((n, part) => n + (/^ {2,}$/.test(part) ? 1 : Math.ceil(part.length / 4)), 0)), exact: true });
      const qa = new RepoQa({
        port: { ...gateway.port("repoQuestion"), countTokens },
        root: indented.root,
        settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 64 }),
        hasRepoTokens: async () => true,
        history: async () => undefined,
      });
      const answer = await qa.ask("What does step do?");
      assert.equal(answer.route, "local");
      const sent = JSON.parse(local.requests[0].body) as { messages: { content: string }[] };
      const chars = sent.messages.reduce((n, m) => n + m.content.length, 0);
      // At 4 characters a token this prompt would look too long; the gateway checks the fit with the pack's own count instead.
      assert.ok(Math.ceil(chars / 4) > context, `the pack fills the context by tokens (${chars} characters, ${answer.report.packTokens} pack tokens)`);
    } finally {
      indented.remove();
      await local.stop();
    }
  });

  it("refuses, naming the settings, when the context leaves no room for the repository", async () => {
    const local = await new FakeOpenAi().start();
    try {
      const gateway = new Gateway({
        policy: () => userPolicy(),
        providers: { local: new LocalProvider({ endpoint: async () => ({ baseUrl: local.baseUrl, token: "t" }) }) },
        localStatus: { contextTokens: () => 2048 },
        consent: { ask: async () => assert.fail("nothing to ask on the local route") },
        consentMemory: new InMemoryConsentMemory(),
        audit: new AuditLog({ dir: auditDir }),
      });
      const qa = new RepoQa({ port: gateway.port("repoQuestion"), root: tree.root, settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 1500 }), history: async () => undefined });
      await assert.rejects(qa.ask("Anything?"), (error: Error) => error.name === "RepoQaError" && /hearth\.repo\.answerTokens/.test(error.message) && /hearth\.server\.contextSize/.test(error.message));
      assert.equal(local.requests.filter((r) => r.path.endsWith("/chat/completions")).length, 0, "no question was sent");
    } finally {
      await local.stop();
    }
  });

  it("stops when cancelled: while packing nothing is sent, while answering the stream is cut", async () => {
    const local = await new FakeOpenAi().start();
    local.answer = Array.from({ length: 200 }, (_, i) => `word${i}`).join(" ");
    local.pieceDelayMs = 20;
    try {
      const gateway = new Gateway({
        policy: () => userPolicy(),
        providers: { local: new LocalProvider({ endpoint: async () => ({ baseUrl: local.baseUrl, token: "t" }) }) },
        localStatus: { contextTokens: () => 8192 },
        consent: { ask: async () => assert.fail("nothing to ask on the local route") },
        consentMemory: new InMemoryConsentMemory(),
        audit: new AuditLog({ dir: auditDir }),
      });
      const qa = new RepoQa({ port: gateway.port("repoQuestion"), root: tree.root, settings: () => ({ maxFileBytes: 65536, exclude: [], answerTokens: 256 }), history: async () => undefined });
      const chats = (): number => local.requests.filter((r) => r.path.endsWith("/chat/completions")).length;

      await assert.rejects(qa.ask("Anything?", { signal: AbortSignal.abort() }));
      assert.equal(chats(), 0, "cancelled before sending: nothing sent");

      const controller = new AbortController();
      const deltas: string[] = [];
      await assert.rejects(
        qa.ask("Anything?", {
          signal: controller.signal,
          onDelta: (d) => {
            deltas.push(d);
            controller.abort();
          },
        }),
        (error: Error) => (error as { kind?: string }).kind === "cancelled",
      );
      assert.equal(chats(), 1);
      assert.ok(deltas.length >= 1 && deltas.length < 20, `the stream stopped early (${deltas.length} pieces)`);
      assert.equal(qa.conversation.length, 0, "a cancelled question is not kept as a turn");
    } finally {
      await local.stop();
    }
  });
});
