import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { MemoryLogger } from "../../../../src/core/logger";
import { processAlive } from "../../../../src/core/server/serverLock";
import { ServerSupervisor, type ServerState, type SupervisorOptions } from "../../../../src/core/server/supervisor";
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

/**
 * A server that stops answering but does not exit (test/support/wedgingServer.mjs, real
 * processes): the supervisor must see it gone before it starts another, so that at no
 * moment two servers run for one key. Short intervals come from the options; nothing here
 * depends on how long anything takes.
 */
describe("server supervisor with a server that stops answering", function () {
  this.timeout(60_000);
  const WEDGING_SERVER = join(__dirname, "..", "..", "..", "support", "wedgingServer.mjs");
  let stateDir: string;
  let modelPath: string;
  let eventsPath: string;
  const supervisors: ServerSupervisor[] = [];

  interface StartEvent {
    pid: number;
    othersAlive: number[];
  }
  const starts = async (): Promise<StartEvent[]> =>
    (await readFile(eventsPath, "utf8").catch(() => ""))
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as StartEvent);

  const make = async (config: { ignoreSigterm?: boolean } = {}, clientId = `window-${supervisors.length}`): Promise<{ supervisor: ServerSupervisor; states: ServerState[]; log: MemoryLogger }> => {
    await writeFile(modelPath, JSON.stringify({ events: eventsPath, ...config }));
    const log = new MemoryLogger();
    const supervisor = new ServerSupervisor({
      serverScript: WEDGING_SERVER,
      nodePath: process.execPath,
      modelPath,
      contextSize: 1024,
      gpu: "cpu",
      stateDir,
      clientId,
      idleExitSeconds: 300,
      log,
      leaseIntervalMs: 100,
      healthTimeoutMs: 250,
      wedgedAfterProbes: 3,
      probeIntervalMs: 20,
      killGraceMs: 500,
      backoff: { initialMs: 20, maxMs: 100, maxAttempts: 3 },
    });
    supervisors.push(supervisor);
    const states: ServerState[] = [];
    supervisor.onDidChangeState((state) => states.push(state));
    return { supervisor, states, log };
  };

  /** Resolves on the first state that satisfies `test` (the mocha timeout bounds the wait). */
  const reach = (supervisor: ServerSupervisor, test: (state: ServerState) => boolean): Promise<ServerState> =>
    new Promise((resolve) => {
      if (test(supervisor.state)) return resolve(supervisor.state);
      const subscription = supervisor.onDidChangeState((state) => {
        if (!test(state)) return;
        subscription.dispose();
        resolve(state);
      });
    });
  const pidOf = (state: ServerState): number => (state.kind === "ready" ? state.info.pid : -1);
  const readyOnAnotherPid = (pid: number) => (state: ServerState) => state.kind === "ready" && state.info.pid !== pid;

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "hearth-supervisor-wedge-"));
    modelPath = join(stateDir, "wedging-model.json");
    eventsPath = join(stateDir, "starts.jsonl");
  });

  afterEach(async () => {
    for (const supervisor of supervisors.splice(0)) await supervisor.dispose();
    for (const { pid } of await starts()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await rm(stateDir, { recursive: true, force: true });
  });

  /** Wedges a server and waits until it says so (a signal is handled when its process gets to it). */
  const wedge = async (pid: number): Promise<void> => {
    process.kill(pid, "SIGUSR2");
    while (!(await stat(`${eventsPath}.wedged-${pid}`).then(() => true, () => false))) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  /** Every server started saw no other server of its key alive at its start. */
  const assertNeverTwo = async (expectedStarts: number): Promise<void> => {
    const events = await starts();
    assert.equal(events.length, expectedStarts, JSON.stringify(events));
    for (const event of events) assert.deepEqual(event.othersAlive, [], `server ${event.pid} started while ${event.othersAlive.join(", ")} still ran`);
  };

  it("stops a server that stopped answering before it starts another, and goes restarting → ready", async () => {
    const { supervisor, states } = await make();
    await supervisor.endpoint();
    const first = pidOf(supervisor.state);
    assert.ok(processAlive(first));
    await wedge(first);
    const after = await reach(supervisor, readyOnAnotherPid(first));
    assert.equal(processAlive(first), false, "the wedged server is gone");
    assert.ok(processAlive(pidOf(after)));
    await assertNeverTwo(2);
    const kinds = states.map((state) => state.kind);
    const restarting = kinds.indexOf("restarting");
    assert.ok(restarting > 0, `states: ${kinds.join(" → ")}`);
    assert.equal(kinds.indexOf("ready", restarting), kinds.length - 1, `states: ${kinds.join(" → ")}`);
  });

  it("kills a wedged server that ignores SIGTERM with SIGKILL, then starts one", async () => {
    const { supervisor, log } = await make({ ignoreSigterm: true });
    await supervisor.endpoint();
    const first = pidOf(supervisor.state);
    await wedge(first);
    await reach(supervisor, readyOnAnotherPid(first));
    assert.equal(processAlive(first), false);
    assert.match(log.lines.join("\n"), new RegExp(`pid ${first}\\) ignored SIGTERM; stopped it with SIGKILL`));
    await assertNeverTwo(2);
  });

  it("a request sent to a server that wedged is answered by the next one", async () => {
    const { supervisor } = await make();
    await supervisor.endpoint();
    const first = pidOf(supervisor.state);
    await wedge(first);
    // The first attempt waits on the wedged server until the supervisor declares it lost
    // (the signal), then the request is sent again to the new server.
    const answer = await supervisor.withServer(async (endpoint, signal) => {
      const response = await fetch(`${endpoint.baseUrl.replace(/\/v1$/, "")}/health`, { headers: { authorization: `Bearer ${endpoint.token}` }, signal });
      return (await response.json()) as { pid: number };
    });
    assert.notEqual(answer.pid, first);
    assert.equal(processAlive(first), false);
    await assertNeverTwo(2);
  });

  it("a wedged server another window started is stopped by pid, and both windows end on one new server", async () => {
    const { supervisor: starter } = await make({}, "window-a");
    const { supervisor: sharer, states: sharerStates } = await make({}, "window-b");
    await starter.endpoint();
    await sharer.endpoint();
    const first = pidOf(starter.state);
    assert.equal(pidOf(sharer.state), first);
    assert.equal(sharer.state.kind === "ready" && sharer.state.info.shared, true);
    await wedge(first);
    const [a, b] = await Promise.all([reach(starter, readyOnAnotherPid(first)), reach(sharer, readyOnAnotherPid(first))]);
    assert.equal(pidOf(a), pidOf(b), "one server for the key");
    assert.equal(processAlive(first), false);
    await assertNeverTwo(2);
    assert.ok(sharerStates.some((state) => state.kind === "restarting"));
  });
});
