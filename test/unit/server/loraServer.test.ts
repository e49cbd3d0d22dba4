import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { MemoryLogger } from "../../../src/core/logger";
import { serverKey } from "../../../src/core/server/serverLock";
import { ServerSupervisor } from "../../../src/core/server/supervisor";
import { ensureTestModel } from "../../fixtures/models";
import { writeMalformedLora, writeMismatchedLora, writeTestLora, writeTruncatedLora } from "../../fixtures/lora";
import { SERVER_SCRIPT, startServer, type RunningServer } from "../../support/serverProcess";

type Role = "completion" | "chat" | "repo";

interface LoraStatus {
  role: Role;
  path: string;
  scale: number;
  loaded: boolean;
  error?: string;
}

// A raw prompt, the same for every role, so that only the adapter differs between answers.
const PROMPT = "<|im_start|>user\nWrite a haiku about the sea.<|im_end|>\n<|im_start|>assistant\n";
const MAX_TOKENS = 24;

async function greedy(server: RunningServer, role: Role): Promise<string> {
  const response = await fetch(`${server.baseUrl}/v1/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "any", prompt: PROMPT, max_tokens: MAX_TOKENS, temperature: 0, hearth: { role } }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as { choices: Array<{ text: string }>; usage: { completion_tokens: number } };
  // The tiny model is steered to write to its limit: a shorter answer would compare less.
  assert.equal(body.usage.completion_tokens, MAX_TOKENS);
  return body.choices[0]!.text;
}

async function health(server: RunningServer): Promise<{ lora: LoraStatus[] }> {
  const response = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } });
  return (await response.json()) as { lora: LoraStatus[] };
}

describe("LoRA adapters on the real engine (--lora)", function () {
  this.timeout(180_000);
  const servers: RunningServer[] = [];
  let dir: string;
  let model: string;
  let good: string;
  let baseline: Record<Role, string>;

  before(async () => {
    model = await ensureTestModel({ arch: "qwen35" });
    dir = await mkdtemp(path.join(tmpdir(), "hearth-lora-server-"));
    good = path.join(dir, "good.gguf");
    await writeTestLora(good, { model: { arch: "qwen35" } });
    const plain = await startServer(model);
    servers.push(plain);
    baseline = { completion: await greedy(plain, "completion"), chat: await greedy(plain, "chat"), repo: await greedy(plain, "repo") };
    await plain.stop();
  });

  after(async () => {
    for (const server of servers) await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("changes the greedy answer of the roles it is on, the same way every time, and scale 0 changes nothing", async () => {
    const server = await startServer(model, ["--lora", `chat=${good}`, "--lora", `completion=${good}:0`]);
    servers.push(server);
    assert.deepEqual(server.ready.warnings, []);
    const adapted = await greedy(server, "chat");
    assert.notEqual(adapted, baseline.chat);
    assert.equal(await greedy(server, "chat"), adapted, "a second run gives the same answer");
    assert.equal(await greedy(server, "completion"), baseline.completion, "scale 0 is no adapter");
    assert.equal(await greedy(server, "repo"), baseline.repo, "a role without adapters is untouched");
    const statuses = (await health(server)).lora;
    assert.deepEqual(statuses.map(({ role, scale, loaded }) => ({ role, scale, loaded })), [
      { role: "chat", scale: 1, loaded: true },
      { role: "completion", scale: 0, loaded: true },
    ]);
    await server.stop();
  });

  it("leaves out malformed, mismatched and truncated adapters with a clear message, and still answers", async () => {
    const malformed = path.join(dir, "malformed.gguf");
    await writeMalformedLora(malformed, { arch: "qwen35" });
    const mismatched = path.join(dir, "mismatched.gguf");
    await writeMismatchedLora(mismatched, { arch: "qwen35" });
    const truncated = path.join(dir, "truncated.gguf");
    await writeTruncatedLora(truncated, { arch: "qwen35" });
    // The malformed adapter is on the chat role, whose context is made before the server is ready.
    const server = await startServer(model, ["--lora", `chat=${malformed}`, "--lora", `completion=${mismatched}`, "--lora", `repo=${truncated}`, "--lora", `repo=${path.join(dir, "absent.gguf")}`]);
    servers.push(server);
    const warnings = server.ready.warnings ?? [];
    assert.equal(warnings.length, 4);
    assert.match(warnings[0]!, /^chat role: LoRA adapter .*malformed\.gguf was not loaded: its adapter\.lora\.alpha is not a 32-bit float/);
    assert.match(warnings[1]!, /^completion role: LoRA adapter .*mismatched\.gguf was not loaded: the shapes of output\.weight's lora_a .* do not fit/);
    assert.match(warnings[2]!, /^repo role: LoRA adapter .*truncated\.gguf was not loaded: tensor .* ends past the end of the file/);
    assert.match(warnings[3]!, /^repo role: LoRA adapter .*absent\.gguf was not loaded: the file does not exist/);
    assert.match(server.stderr(), /malformed\.gguf was not loaded/);
    for (const role of ["completion", "chat", "repo"] as const) assert.equal(await greedy(server, role), baseline[role], `${role} runs without the adapter`);
    const statuses = (await health(server)).lora;
    assert.deepEqual(statuses.map(({ role, loaded }) => ({ role, loaded })), [
      { role: "chat", loaded: false },
      { role: "completion", loaded: false },
      { role: "repo", loaded: false },
      { role: "repo", loaded: false },
    ]);
    assert.match(statuses[0]!.error ?? "", /alpha is not a 32-bit float.*hearth\.model\.lora/);
    await server.stop();
  });

  it("reaches the server through the supervisor, and a window with other adapters gets a server of its own", async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), "hearth-lora-supervisor-"));
    const base = { serverScript: SERVER_SCRIPT, nodePath: process.execPath, modelPath: model, contextSize: 1024, gpu: "cpu" as const, stateDir, idleExitSeconds: 300, log: new MemoryLogger() };
    const windows = [
      new ServerSupervisor({ ...base, clientId: "plain" }),
      new ServerSupervisor({ ...base, clientId: "adapted", extraArgs: ["--lora", `chat=${good}:1`] }),
    ];
    try {
      // Without adapters a window keeps the key it had before hearth.model.lora existed.
      assert.equal(serverKey({ ...base, extraArgs: [] }), serverKey(base));
      const [plain, adapted] = await Promise.all(windows.map((window) => window.endpoint()));
      assert.notEqual(plain!.baseUrl, adapted!.baseUrl);
      const statuses = await Promise.all([plain!, adapted!].map(async (endpoint) => {
        const response = await fetch(endpoint.baseUrl.replace(/\/v1$/, "/health"), { headers: { authorization: `Bearer ${endpoint.token}` } });
        return ((await response.json()) as { lora: LoraStatus[] }).lora;
      }));
      assert.deepEqual(statuses[0], []);
      assert.deepEqual(statuses[1]!.map(({ role, loaded }) => ({ role, loaded })), [{ role: "chat", loaded: true }]);
    } finally {
      for (const window of windows) {
        await window.stopServer().catch(() => undefined);
        await window.dispose();
      }
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
