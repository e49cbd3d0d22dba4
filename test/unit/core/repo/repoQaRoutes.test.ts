// A repo question that the policy sends off this machine (the local model is down and
// repoQuestion may go to the cloud): the pack is laid out with plain headers (no Qwen
// tokens there), neverSend files are left out of the pack itself so the budget is right,
// secrets in the files that go are redacted by the gateway, the counts are marked as
// estimates, and the egress has an audit entry. The cloud is a loopback fake of OpenAI.
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

describe("repo questions off this machine", function () {
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
      gateway,
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
});
