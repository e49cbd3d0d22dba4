import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { MemoryLogger } from "../../../../src/core/logger";
import { processAlive } from "../../../../src/core/server/serverLock";
import { ServerSupervisor, type SupervisorOptions } from "../../../../src/core/server/supervisor";
import { ensureTestModel } from "../../../fixtures/models";
import { SERVER_SCRIPT, assertServerBuilt } from "../../../support/serverProcess";

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("server supervisor", function () {
  this.timeout(120_000);
  let stateDir: string;
  let modelPath: string;
  const supervisors: ServerSupervisor[] = [];

  const make = (overrides: Partial<SupervisorOptions> = {}): ServerSupervisor => {
    const supervisor = new ServerSupervisor({
      serverScript: SERVER_SCRIPT,
      nodePath: process.execPath,
      modelPath,
      contextSize: 1024,
      gpu: "cpu",
      stateDir,
      clientId: `window-${supervisors.length}`,
      idleExitSeconds: 300,
      log: new MemoryLogger(),
      leaseIntervalMs: 500,
      backoff: { initialMs: 100, maxMs: 1000, maxAttempts: 3 },
      ...overrides,
    });
    supervisors.push(supervisor);
    return supervisor;
  };

  before(async () => {
    assertServerBuilt();
    modelPath = await ensureTestModel({ arch: "qwen35" });
  });

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "hearth-supervisor-"));
  });

  afterEach(async () => {
    for (const supervisor of supervisors.splice(0)) {
      await supervisor.stopServer().catch(() => undefined);
      await supervisor.dispose();
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  const chat = (endpoint: { baseUrl: string; token: string }) =>
    new OpenAI({ baseURL: endpoint.baseUrl, apiKey: endpoint.token, maxRetries: 0 }).chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 2 });

  it("starts the server and reaches ready with the model's details", async () => {
    const supervisor = make();
    await supervisor.endpoint();
    const state = supervisor.state;
    assert.equal(state.kind, "ready");
    if (state.kind === "ready") {
      assert.equal(state.info.contextSize, 1024);
      assert.equal(state.info.shared, false);
      assert.ok(processAlive(state.info.pid));
    }
  });

  it("restarts after the server is killed with SIGKILL; the next request succeeds", async () => {
    const supervisor = make();
    await supervisor.endpoint();
    const state = supervisor.state;
    assert.equal(state.kind, "ready");
    const firstPid = state.kind === "ready" ? state.info.pid : -1;
    process.kill(firstPid, "SIGKILL");
    const answer = await supervisor.withServer(chat);
    assert.ok(answer.choices.length === 1);
    const after = supervisor.state;
    assert.equal(after.kind, "ready");
    if (after.kind === "ready") assert.notEqual(after.info.pid, firstPid);
  });

  it("shares one server between two windows through the lock file", async () => {
    const first = make();
    const second = make();
    const [a, b] = await Promise.all([first.endpoint(), second.endpoint()]);
    assert.equal(a.baseUrl, b.baseUrl);
    const pids = [first.state, second.state].map((s) => (s.kind === "ready" ? s.info.pid : -1));
    assert.equal(pids[0], pids[1]);
    const shared = [first.state, second.state].filter((s) => s.kind === "ready" && s.info.shared).length;
    assert.equal(shared, 1, "exactly one window spawned it");
    await chat(b);
  });

  it("lets the shared server exit after the last window has gone for a while", async () => {
    const first = make({ idleExitSeconds: 2 });
    const second = make({ idleExitSeconds: 2 });
    await first.endpoint();
    await second.endpoint();
    const pid = first.state.kind === "ready" ? first.state.info.pid : -1;
    await first.dispose();
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(processAlive(pid), "still used by the second window");
    await second.dispose();
    await waitUntil(() => !processAlive(pid), 10_000);
  });

  it("stops retrying after a permanent error and says what to fix", async () => {
    const supervisor = make({ modelPath: join(stateDir, "missing.gguf") });
    await assert.rejects(supervisor.endpoint(), /Model file not found: .*missing\.gguf/);
    const state = supervisor.state;
    assert.equal(state.kind, "error");
    if (state.kind === "error") assert.equal(state.permanent, true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(supervisor.state.kind, "error", "no restart was scheduled");
    await assert.rejects(supervisor.endpoint(), /Model file not found/);
  });

  it("restart replaces the server process", async () => {
    const supervisor = make();
    await supervisor.endpoint();
    const before = supervisor.state.kind === "ready" ? supervisor.state.info.pid : -1;
    await supervisor.restart();
    const after = supervisor.state.kind === "ready" ? supervisor.state.info.pid : -1;
    assert.notEqual(before, after);
    assert.equal(processAlive(before), false);
  });
});
