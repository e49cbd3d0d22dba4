// Repo questions end to end on this machine: RepoQa, the real gateway and local provider,
// and Hearth's own model server (dist/server.mjs) with the tiny qwen35 model. The tiny
// model's tokenizer is byte-level, so a 20 KB repo does not fit its 4096-token context and
// the budget is exercised with real counts. Needs `npm run build`.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog } from "../../../../src/core/audit";
import { Gateway, InMemoryConsentMemory } from "../../../../src/core/gateway";
import { LocalProvider } from "../../../../src/core/providers";
import { RepoQa, type RepoProgress } from "../../../../src/core/repo";
import { ensureTestModel } from "../../../fixtures/models";
import { startServer, type RunningServer } from "../../../support/serverProcess";
import { userPolicy } from "../gateway/gatewayHarness";
import { fillerSource, tempTree, type TempTree } from "./repoFixtures";

const ANSWER_TOKENS = 16;
/** Chat template tokens around a new user message and the assistant's opening, byte-level here. */
const TEMPLATE_SLACK = 48;

describe("repo questions against the real Hearth server (tiny qwen35)", function () {
  this.timeout(240_000);
  let server: RunningServer;
  let tree: TempTree;
  let auditDir: string;
  let gateway: Gateway;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1"]);
    auditDir = await mkdtemp(join(tmpdir(), "hearth-repo-audit-"));
    const files: Record<string, string> = { "README.md": "# Ledger\nBooks and balances.\n" };
    for (let i = 0; i < 12; i++) files[`src/part${i}.ts`] = fillerSource(i, 24);
    files["src/balance.ts"] = "export function closingBalance(opening: number, moves: number[]): number {\n  return moves.reduce((a, b) => a + b, opening);\n}\n";
    tree = tempTree(files);
    gateway = new Gateway({
      policy: () => userPolicy(),
      providers: { local: new LocalProvider({ endpoint: async () => ({ baseUrl: `${server.baseUrl}/v1`, token: server.token }) }) },
      localStatus: { contextTokens: () => server.ready.contextSize },
      consent: { ask: async () => assert.fail("nothing to ask on the local route") },
      consentMemory: new InMemoryConsentMemory(),
      audit: new AuditLog({ dir: auditDir }),
    });
  });
  after(async () => {
    await server?.stop();
    tree?.remove();
    if (auditDir !== undefined) await rm(auditDir, { recursive: true, force: true });
  });

  function service(): RepoQa {
    return new RepoQa({ port: gateway.port("repoQuestion"), root: tree.root, name: "ledger", settings: () => ({ maxFileBytes: 1 << 20, exclude: [], answerTokens: ANSWER_TOKENS }), history: async () => undefined });
  }

  it("packs with the model's own tokenizer in Qwen's repo layout, within the context, and streams a local answer", async () => {
    const qa = service();
    const progress: RepoProgress[] = [];
    const deltas: string[] = [];
    const answer = await qa.ask("What does closingBalance return?", { onDelta: (d) => deltas.push(d), onProgress: (p) => progress.push(p) });
    const context = server.ready.contextSize;
    assert.equal(answer.route, "local");
    assert.equal(answer.auditId, undefined, "nothing left the machine");
    assert.equal(answer.report.layout, "qwenRepo", "the tiny model has <|file_sep|> as one token");
    assert.equal(answer.report.exactCounts, true);
    assert.equal(answer.report.whole, false, `a ${answer.report.repoTokens}-token repo does not fit ${context}`);
    assert.ok(answer.report.included.some((i) => i.path === "src/balance.ts"), "the file the question names is in");
    assert.ok(answer.usage !== undefined);
    assert.ok(answer.usage.promptTokens + ANSWER_TOKENS <= context, `prompt ${answer.usage.promptTokens} + answer ${ANSWER_TOKENS} within ${context}`);
    assert.ok(answer.usage.promptTokens >= answer.report.packTokens - 4 * answer.report.included.length, "the pack's charge is close to what the server counted");
    assert.equal(deltas.join(""), answer.text);
    assert.deepEqual([...new Set(progress.map((p) => p.phase))].slice(0, 2), ["packing", "reading"]);
    // The server's hearth.progress chunks.
    const reading = progress.filter((p) => p.phase === "reading");
    const last = reading[reading.length - 1];
    assert.ok(last.phase === "reading" && last.done > 0 && last.done === last.total, `the server reported evaluating the whole prompt: ${JSON.stringify(reading)}`);
    assert.ok(reading.some((p) => p.phase === "reading" && p.rate !== undefined && p.secondsLeft !== undefined), "rate and time left were computed");
    assert.ok(!progress.some((p) => p.phase === "loading"), "no saved state to load (no --state-dir)");
  });

  it("after a restart, reports checking and loading the saved state before the question is read", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "hearth-repo-state-"));
    const args = ["--threads", "1", "--state-dir", stateDir];
    const first = server;
    try {
      server = await startServer(await ensureTestModel({ arch: "qwen35" }), args);
      // The same question: this repo does not fit the tiny context, so the pack depends on it.
      const question = "What does closingBalance return?";
      await service().ask(question);
      await server.stop();
      server = await startServer(await ensureTestModel({ arch: "qwen35" }), args);
      const progress: RepoProgress[] = [];
      const answer = await service().ask(question, { onProgress: (p) => progress.push(p) });
      assert.ok(answer.usage?.cachedTokens !== undefined && answer.usage.cachedTokens > 0);
      const phases = progress.map((p) => (p.phase === "loading" ? `loading:${p.step}` : p.phase)).filter((phase, i, all) => phase !== all[i - 1]);
      assert.deepEqual(phases.slice(0, 5), ["packing", "reading", "loading:checking", "loading:loading", "reading"], JSON.stringify(progress));
      const loads = progress.filter((p) => p.phase === "loading");
      const total = loads[0]!.phase === "loading" ? loads[0]!.totalBytes : 0;
      assert.ok(total > 0 && loads.every((p) => p.phase === "loading" && p.totalBytes === total && p.bytes <= total));
      const lastLoad = progress.map((p) => p.phase).lastIndexOf("loading");
      const afterLoad = progress.slice(lastLoad + 1).filter((p) => p.phase === "reading");
      assert.ok(afterLoad.length > 0 && afterLoad.every((p) => p.phase === "reading" && p.cached > 0), "the pack came from the state, counted as cached");
    } finally {
      await server.stop();
      server = first;
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it("answers a follow-up with the same pack, evaluating only the question (usage.cached_tokens)", async () => {
    const qa = service();
    const first = await qa.ask("Where are balances computed?");
    const question = "And what is its opening argument?";
    const second = await qa.ask(question);
    assert.equal(second.reusedPack, true);
    assert.equal(second.packHash, first.packHash);
    const [questionTokens] = (await gateway.countTokens([question], { feature: "repoQuestion" })).counts;
    const usage = second.usage;
    assert.ok(usage !== undefined && usage.cachedTokens !== undefined, "the server reports cached tokens");
    const evaluated = usage.promptTokens - usage.cachedTokens;
    assert.ok(
      evaluated <= questionTokens + TEMPLATE_SLACK,
      `the follow-up evaluated ${evaluated} of ${usage.promptTokens} prompt tokens; the question is ${questionTokens} (+ ${TEMPLATE_SLACK} template). Needs the server's message-boundary checkpoints.`,
    );
  });
});
