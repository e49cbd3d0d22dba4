import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditLog, type EgressRecord } from "../../../../src/core/audit";

const RECORD: Omit<EgressRecord, "id" | "time"> = {
  feature: "chat",
  route: "cloud",
  provider: "openai",
  model: "gpt-4o-mini",
  files: [{ path: "src/app.ts", origin: "openEditor", bytes: 120 }],
  dropped: [".env"],
  bytes: 2048,
  redactions: 2,
  sha256: "ab".repeat(32),
  consent: "policy",
  reason: "Goes to openai:gpt-4o-mini",
};

describe("audit log (append-only JSONL)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-audit-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes one egress line per record and reads entries back with their outcomes, oldest first", async () => {
    let clock = Date.parse("2025-06-01T10:00:00Z");
    const log = new AuditLog({ dir: join(dir, "nested", "storage"), now: () => new Date((clock += 1000)) });
    const first = await log.recordEgress(RECORD);
    const second = await log.recordEgress({ ...RECORD, provider: "anthropic", model: "claude-haiku-4-5" });
    await log.recordOutcome(first.id, { status: "ok", attempts: 1, durationMs: 300, usage: { promptTokens: 500, completionTokens: 40 } });

    const { entries, skippedLines } = await log.read();
    assert.equal(skippedLines, 0);
    assert.deepEqual(entries.map((e) => e.id), [first.id, second.id]);
    assert.equal(entries[0].time, "2025-06-01T10:00:01.000Z");
    assert.deepEqual(entries[0].outcome, { time: "2025-06-01T10:00:03.000Z", status: "ok", attempts: 1, durationMs: 300, usage: { promptTokens: 500, completionTokens: 40 } });
    assert.equal(entries[1].outcome, undefined, "a call still running (or cut off by a crash) is on record without an outcome");
    assert.equal(entries[1].provider, "anthropic");

    const lines = (await readFile(log.path, "utf8")).trim().split("\n");
    assert.equal(lines.length, 3);
    assert.ok(lines.every((l) => JSON.parse(l) !== null));
  });

  it("never stores the prompt, only its hash and size", async () => {
    const log = new AuditLog({ dir });
    await log.recordEgress(RECORD);
    const text = await readFile(log.path, "utf8");
    assert.ok(!/"payload"|"messages"|"content"/.test(text));
  });

  it("is readable only by the user", async function () {
    if (process.platform === "win32") this.skip();
    const log = new AuditLog({ dir });
    await log.recordEgress(RECORD);
    assert.equal((await stat(log.path)).mode & 0o777, 0o600);
  });

  it("keeps every line intact when several windows append at once", async () => {
    const windows = [new AuditLog({ dir }), new AuditLog({ dir }), new AuditLog({ dir })];
    await Promise.all(windows.flatMap((log, w) => Array.from({ length: 40 }, (_, i) => log.recordEgress({ ...RECORD, reason: `window ${w} call ${i} ${"x".repeat(500)}` }))));
    const { entries, skippedLines } = await windows[0].read();
    assert.equal(skippedLines, 0);
    assert.equal(entries.length, 120);
    assert.equal(new Set(entries.map((e) => e.id)).size, 120);
  });

  it("skips a torn or foreign line and counts it, instead of failing", async () => {
    const log = new AuditLog({ dir });
    await log.recordEgress(RECORD);
    await appendFile(log.path, '{"type":"egress","id":"torn-by-a-cra\n');
    await appendFile(log.path, "not json at all\n");
    await log.recordEgress(RECORD);
    const { entries, skippedLines } = await log.read();
    assert.equal(entries.length, 2);
    assert.equal(skippedLines, 2);
  });

  it("reads an empty list when nothing has left the machine yet", async () => {
    assert.deepEqual(await new AuditLog({ dir: join(dir, "missing") }).read(), { entries: [], skippedLines: 0 });
  });

  it("rejects when it cannot write (the gateway then sends nothing) and recovers once it can", async () => {
    const blocker = join(dir, "file");
    await appendFile(blocker, "x");
    const log = new AuditLog({ dir: join(blocker, "sub") });
    await assert.rejects(log.recordEgress(RECORD));
    await rm(blocker);
    await log.recordEgress(RECORD);
    assert.equal((await log.read()).entries.length, 1);
  });
});
