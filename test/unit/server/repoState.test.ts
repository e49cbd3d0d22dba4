import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFile, mkdtemp, open, readdir, rm, stat, truncate, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";
import { getJson, streamChat, tokenCount, type StreamResult } from "./sseClient";

interface StateList {
  dir: string;
  bytes: number;
  limitBytes: number;
  entries: Array<{ key: string; tokens: number; bytes: number; lastUsed: number }>;
}

/** A repository pack in Qwen's repo-level layout, as the repo client builds it. */
function pack(name: string, files: number, changedLast = false): string {
  let text = `<|repo_name|>${name}\n`;
  for (let i = 0; i < files; i++) {
    const body = Array.from({ length: 12 }, (_, line) => `export function f${i}_${line}(x: number): number { return x * ${line + i}; }`).join("\n");
    text += `<|file_sep|>src/file${i}.ts\n${changedLast && i === files - 1 ? body.replace(/return/g, "return -") : body}\n`;
  }
  return text;
}

function ask(server: RunningServer, packText: string, question: string): Promise<StreamResult> {
  return streamChat(server, {
    messages: [
      { role: "system", content: `Answer questions about this repository.\n\n${packText}` },
      { role: "user", content: question },
    ],
    hearth: { role: "repo", progress: true, persist: true },
  });
}

describe("persisted repo states (tiny qwen35 model, real server, real files)", function () {
  this.timeout(180_000);
  let model: string;
  let dir: string;
  let server: RunningServer | undefined;

  const start = async (modelPath = model, extra: string[] = []): Promise<RunningServer> => {
    await server?.stop();
    server = await startServer(modelPath, ["--state-dir", dir, "--repo-context-size", "16384", ...extra]);
    return server;
  };

  /** Primes a state dir with one pack's states and returns the listing, largest entry first. */
  const prime = async (packText: string): Promise<StateList> => {
    const running = await start();
    await getJson(running, "/hearth/state", "DELETE");
    const result = await ask(running, packText, "What does f3_2 return?");
    assert.equal(result.status, 200, result.body);
    const list = await getJson<StateList>(running, "/hearth/state");
    list.entries.sort((a, b) => b.tokens - a.tokens);
    return list;
  };

  before(async () => {
    model = await ensureTestModel({ arch: "qwen35" });
    dir = await mkdtemp(join(tmpdir(), "hearth-state-"));
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("saves the pack's state and loads it after a restart instead of evaluating it", async () => {
    const packText = pack("demo", 12);
    const list = await prime(packText);
    // The repo context runs with flash attention on this CPU build (its states say so in their identity).
    const health = await getJson<{ repo: { flashAttention: boolean } }>(server!, "/health");
    assert.equal(health.repo.flashAttention, true);
    assert.equal(list.dir, dir);
    assert.equal(list.entries.length, 3, "end of the system message, ~50% and ~75% of the pack");
    const [end, threeQuarters, half] = list.entries;
    assert.ok(half!.tokens < threeQuarters!.tokens && threeQuarters!.tokens < end!.tokens);
    assert.equal(list.bytes, list.entries.reduce((sum, entry) => sum + entry.bytes, 0));
    assert.equal(list.limitBytes, 8 * 1024 ** 3);
    for (const entry of list.entries) assert.equal((await stat(join(dir, `${entry.key}.state`))).size, entry.bytes);

    // Same server: the follow-up comes from memory.
    const warm = await ask(server!, packText, "And f7_1?");
    assert.ok(warm.usage!.prompt_tokens_details.cached_tokens >= end!.tokens);
    assert.equal(warm.usage!.hearth?.disk_tokens, 0);

    // A new server process: the pack comes from disk.
    const restarted = await start();
    const cold = await ask(restarted, packText, "Which file defines f9_3?");
    assert.equal(cold.status, 200, cold.body);
    assert.equal(cold.usage!.hearth?.disk_tokens, end!.tokens);
    assert.ok(cold.usage!.prompt_tokens_details.cached_tokens >= end!.tokens);
    const questionTokens = await tokenCount(restarted, "Which file defines f9_3?");
    assert.ok(cold.usage!.prompt_tokens - cold.usage!.prompt_tokens_details.cached_tokens <= questionTokens + 30, `only the question and the template (22 tokens on this vocabulary) were evaluated: ${JSON.stringify(cold.usage)}, question ${questionTokens}, pack ${end!.tokens}`);
    // Progress while the state file is read: checked to its last byte, then loaded, then evaluation
    // starts with the pack counted as cached.
    const loading = cold.progress.filter((p) => p.loading !== undefined);
    const firstEvaluation = cold.progress.findIndex((p) => p.loading === undefined);
    assert.deepEqual(loading.at(-1)!.loading, { step: "loading", bytes: 0, totalBytes: end!.bytes }, JSON.stringify(loading));
    assert.ok(loading.some((p) => p.loading!.step === "checking" && p.loading!.bytes === end!.bytes), JSON.stringify(loading));
    assert.ok(cold.progress.slice(0, firstEvaluation).every((p) => p.loading !== undefined), "no loading report after evaluation began");
    assert.equal(cold.progress[firstEvaluation]!.cached, end!.tokens, "progress says the pack came from the cache");
    // The server's own timings: loading the state is restore time; it and prefill both happened.
    const timings = cold.usage!.hearth!.timings;
    for (const [name, ms] of Object.entries(timings)) assert.ok(Number.isFinite(ms) && ms >= 0, `${name}: ${ms}`);
    assert.ok(timings.restore_ms > 0 && timings.prefill_ms > 0, JSON.stringify(timings));

    // Only the last file changed: the unchanged front (~75%) is loaded from disk.
    const again = await start();
    const changed = await ask(again, pack("demo", 12, true), "What does f11_0 return now?");
    assert.equal(changed.usage!.hearth?.disk_tokens, threeQuarters!.tokens);
  });

  for (const damage of ["corrupt", "truncated"] as const) {
    it(`detects a ${damage} state file, deletes it and rebuilds it, never loading it`, async () => {
      const packText = pack(`damaged-${damage}`, 16);
      const list = await prime(packText);
      const end = list.entries[0]!;
      await server!.stop();
      const file = join(dir, `${end.key}.state`);
      if (damage === "corrupt") {
        const handle = await open(file, "r+");
        await handle.write(Buffer.from("garbage!"), 0, 8, Math.floor(end.bytes / 2));
        await handle.close();
      } else {
        await truncate(file, Math.floor(end.bytes / 3));
      }
      const running = await start();
      const result = await ask(running, packText, "What is in file3?");
      assert.equal(result.status, 200, result.body);
      assert.notEqual(result.usage!.hearth?.disk_tokens, end.tokens, "the damaged state was not loaded");
      assert.match(running.stderr(), damage === "corrupt" ? /checksum does not match \(corrupt\)/ : /truncated/);
      const after = await getJson<StateList>(running, "/hearth/state");
      const rebuilt = after.entries.find((entry) => entry.key === end.key);
      assert.ok(rebuilt, "the state was saved again");
      assert.equal((await stat(file)).size, rebuilt.bytes);
      // And the rebuilt one loads.
      const next = await start();
      const loaded = await ask(next, packText, "And file4?");
      assert.equal(loaded.usage!.hearth?.disk_tokens, end.tokens);
    });
  }

  it("deletes a FIFO put in the state folder as a header or as a payload, and answers (reading one held the repo role forever)", async function () {
    if (process.platform === "win32") this.skip();
    const packText = pack("fifo", 16);
    const list = await prime(packText);
    const end = list.entries[0]!;
    await server!.stop();
    const payload = join(dir, `${end.key}.state`);
    await rm(payload);
    execFileSync("mkfifo", [payload]);
    execFileSync("mkfifo", [join(dir, "aaaa.header")]);
    const running = await start();
    // A hang fails here, clearly, rather than at the test's timeout.
    const listing = await fetch(`${running.baseUrl}/hearth/state`, { headers: { authorization: `Bearer ${running.token}` }, signal: AbortSignal.timeout(30_000) });
    assert.equal(listing.status, 200);
    const result = await ask(running, packText, "What is in file3?");
    assert.equal(result.status, 200, result.body);
    assert.notEqual(result.usage!.hearth?.disk_tokens, end.tokens, "nothing was loaded from the FIFO");
    assert.match(running.stderr(), /its header is unreadable/);
    assert.match(running.stderr(), /its payload is missing/);
    const names = await readdir(dir);
    assert.ok(!names.includes("aaaa.header"), names.join(", "));
    assert.ok((await stat(payload)).isFile(), "the payload was saved again as a file");
  });

  it("deletes states of a model file that changed since, never loading them", async () => {
    const copy = join(dir, "..", `hearth-state-model-${process.pid}.gguf`);
    await copyFile(model, copy);
    try {
      const packText = pack("stale", 8);
      let running = await start(copy);
      await getJson(running, "/hearth/state", "DELETE");
      const first = await ask(running, packText, "q?");
      assert.equal(first.status, 200, first.body);
      const before = await getJson<StateList>(running, "/hearth/state");
      assert.equal(before.entries.length, 3);
      await running.stop();
      const later = new Date(Date.now() + 60_000);
      await utimes(copy, later, later);
      running = await start(copy);
      const result = await ask(running, packText, "q again?");
      assert.equal(result.usage!.hearth?.disk_tokens, 0);
      assert.match(running.stderr(), /has changed since \(stale\)/);
      const after = await getJson<StateList>(running, "/hearth/state");
      assert.equal(after.entries.length, 3, "rebuilt for the model as it is now");
      assert.ok(after.entries.every((entry) => !before.entries.some((old) => old.key === entry.key)), "the stale entries are gone");
    } finally {
      await server?.stop();
      await rm(copy, { force: true });
    }
  });

  it("keeps disk use under --state-max-gb, evicting the least recently used states", async () => {
    const list = await prime(pack("first", 8));
    const largest = list.entries[0]!.bytes;
    const limitGb = (largest * 2.5) / 1024 ** 3;
    const running = await start(model, ["--state-max-gb", String(limitGb)]);
    const result = await ask(running, pack("second", 8), "q?");
    assert.equal(result.status, 200, result.body);
    const after = await getJson<StateList>(running, "/hearth/state");
    assert.ok(after.bytes <= after.limitBytes, `${after.bytes} bytes under ${after.limitBytes}`);
    const files = (await readdir(dir)).filter((name) => name.endsWith(".state"));
    assert.equal(files.length, after.entries.length, "files on disk match the listing");
    const onDisk = (await Promise.all(files.map(async (name) => (await stat(join(dir, name))).size))).reduce((a, b) => a + b, 0);
    assert.ok(onDisk <= after.limitBytes);
    assert.ok(after.entries.some((entry) => entry.tokens === Math.max(...after.entries.map((e) => e.tokens))), "the newest pack's end state is kept");
    assert.ok(!after.entries.some((entry) => list.entries.some((old) => old.key === entry.key && old.tokens === list.entries[0]!.tokens)), "the old pack's end state went first");
    // DELETE clears everything.
    const cleared = await getJson<{ deleted: number }>(running, "/hearth/state", "DELETE");
    assert.equal(cleared.deleted, after.entries.length);
    assert.deepEqual((await readdir(dir)).filter((name) => name.endsWith(".state") || name.endsWith(".header")), []);
  });
});
