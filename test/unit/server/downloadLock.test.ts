import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, watch } from "node:fs";
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../support/fakeModelHub";
import { SERVER_SCRIPT, assertServerBuilt } from "../../support/serverProcess";
import { partialRecordsChunk } from "../../support/downloadWaits";

const MiB = 1024 * 1024;
const MODEL_FILE = "hf_hearth_Tiny.F32.gguf";
const LOCK_FILE = `${MODEL_FILE}.download-lock`;

interface DownloadEventLine {
  event: string;
  path?: string;
  reason?: string;
  message?: string;
}

interface RunningDownload {
  child: ChildProcess;
  events: DownloadEventLine[];
  /** Resolves with the first event that `probe` accepts (checked on every line). */
  next(probe: (event: DownloadEventLine) => boolean): Promise<DownloadEventLine>;
  exited: Promise<number | null>;
}

function startDownload(dir: string, hub: FakeModelHub): RunningDownload {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "download", "--model", "hf:hearth/Tiny-GGUF:F32", "--dir", dir, "--endpoint", hub.endpoint], { stdio: ["ignore", "pipe", "pipe"] });
  const events: DownloadEventLine[] = [];
  const watchers: Array<{ probe: (event: DownloadEventLine) => boolean; resolve: (event: DownloadEventLine) => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as DownloadEventLine;
    events.push(event);
    for (const watcher of [...watchers]) {
      if (!watcher.probe(event)) continue;
      watchers.splice(watchers.indexOf(watcher), 1);
      watcher.resolve(event);
    }
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    events,
    exited,
    next: (probe) => {
      const seen = events.find(probe);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        watchers.push({ probe, resolve });
        void exited.then((code) => reject(new Error(`the download exited (${code}) first: ${JSON.stringify(events)}`)));
      });
    },
  };
}

/**
 * Where each of the downloader's body requests (ranged GETs) began. ipull asks for a chunk up
 * to the file's end and drops the connection once it has the chunk, so the ranges overlap
 * on paper; a byte fetched twice shows as a start asked for twice.
 */
function bodyRequestStarts(hub: FakeModelHub): number[] {
  return hub.requests.flatMap((request) => {
    const match = /^GET \S+ bytes=(\d+)-/.exec(request);
    return match ? [Number(match[1])] : [];
  });
}

/** Resolves once `check` holds, looked at on every change in `dir` (never on a timer). */
function until(dir: string, check: () => Promise<boolean>): Promise<void> {
  return new Promise((resolve) => {
    let held = false;
    let looking = Promise.resolve();
    const look = (): void => {
      looking = looking.then(async () => {
        if (held || !(await check())) return;
        held = true;
        watcher.close();
        resolve();
      });
    };
    const watcher = watch(dir, look);
    look();
  });
}

/** A pid no process has now: that of a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

describe("model download lock (two windows downloading one model share one download)", function () {
  this.timeout(60_000);
  const model = patternedBytes(12 * MiB);
  let hub: FakeModelHub;
  let dir: string;
  let openGate: () => void;

  before(async () => {
    assertServerBuilt();
    hub = await startFakeModelHub([{ repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: model }]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-download-lock-"));
    hub.requests.length = 0;
    hub.gate = undefined;
    hub.stallAfter = Infinity;
    hub.stallBelow = 0;
  });

  afterEach(async () => {
    openGate?.();
    await rm(dir, { recursive: true, force: true });
  });

  after(async () => {
    await hub.close();
  });

  function closeGate(): void {
    hub.gate = new Promise((resolve) => (openGate = resolve));
  }

  it("runs two downloads of one model at once as one: the second waits, then reports the first's file", async () => {
    // The body waits for the gate, so whichever process takes the lock first cannot finish before the other has looked.
    closeGate();
    const runs = [startDownload(dir, hub), startDownload(dir, hub)];
    const waiting = await Promise.race(runs.map((run) => run.next((event) => event.event === "waiting")));
    assert.equal(waiting.reason, "another_download");
    assert.equal(waiting.path, join(dir, MODEL_FILE));
    assert.match(waiting.message ?? "", /Another Hearth window is downloading this model/);
    openGate();
    const codes = await Promise.all(runs.map((run) => run.exited));
    assert.deepEqual(codes, [0, 0], JSON.stringify(runs.map((run) => run.events.filter((event) => event.event !== "progress"))));
    const done = runs.map((run) => run.events.find((event) => event.event === "done")?.path);
    assert.deepEqual(done, [join(dir, MODEL_FILE), join(dir, MODEL_FILE)]);
    assert.equal(runs.filter((run) => run.events.some((event) => event.event === "waiting")).length, 1, "exactly one of them waited");
    assert.deepEqual(await readFile(join(dir, MODEL_FILE)), model);
    const starts = bodyRequestStarts(hub);
    assert.ok(starts.includes(0) && new Set(starts).size === starts.length, `the body was fetched once: ${hub.requests.join(" | ")}`);
    assert.deepEqual(await readdir(dir), [MODEL_FILE], "no lock or partial file is left");
  });

  it("takes over a lock whose holder is gone (its pid dead, or written before this boot) and downloads", async () => {
    for (const record of [{ pid: await deadPid(), startedAt: Date.now() }, { pid: process.pid, startedAt: 0 }]) {
      await writeFile(join(dir, LOCK_FILE), JSON.stringify(record));
      const run = startDownload(dir, hub);
      assert.equal(await run.exited, 0, JSON.stringify(run.events));
      assert.ok(!run.events.some((event) => event.event === "waiting"), "a stale lock is not waited for");
      assert.deepEqual(await readFile(join(dir, MODEL_FILE)), model);
      assert.deepEqual(await readdir(dir), [MODEL_FILE]);
      await rm(join(dir, MODEL_FILE));
    }
  });

  it("takes over a lock file that holds no record (a holder that died between creating and writing it)", async () => {
    await writeFile(join(dir, LOCK_FILE), "not a lock record");
    const run = startDownload(dir, hub);
    assert.equal(await run.exited, 0, JSON.stringify(run.events));
    assert.ok(!run.events.some((event) => event.event === "waiting"), "no other window is said to download");
    assert.deepEqual(await readFile(join(dir, MODEL_FILE)), model);
    assert.deepEqual(await readdir(dir), [MODEL_FILE]);
  });

  it("resumes the partial file of a holder that died", async () => {
    // Chunks from 5 MiB on arrive whole; the first stalls after 1 MiB, so the holder is killed
    // with its second chunk recorded in the partial file and its first not.
    hub.stallAfter = MiB;
    hub.stallBelow = 1;
    const holder = startDownload(dir, hub);
    await holder.next((event) => event.event === "size");
    await until(dir, () => partialRecordsChunk(dir, MODEL_FILE, model.length, 1));
    // Killed outright: its lock stays, with its pid, now dead.
    holder.child.kill("SIGKILL");
    await holder.exited;
    assert.ok(existsSync(join(dir, LOCK_FILE)));
    hub.stallAfter = Infinity;
    hub.requests.length = 0;
    const run = startDownload(dir, hub);
    assert.equal(await run.exited, 0, JSON.stringify(run.events));
    assert.deepEqual(await readFile(join(dir, MODEL_FILE)), model);
    const starts = bodyRequestStarts(hub);
    assert.ok(starts.includes(0) && !starts.includes(5 * MiB), `the recorded chunk is not fetched again: ${hub.requests.join(" | ")}`);
    assert.deepEqual(await readdir(dir), [MODEL_FILE]);
  });

  for (const [what, make] of [
    ["a symbolic link", (path: string) => writeFile(join(dir, "target"), "keep me").then(() => symlink(join(dir, "target"), path))],
    ["a folder", (path: string) => mkdir(path)],
    ...(process.platform === "win32" ? [] : [["a named pipe", async (path: string) => void execFileSync("mkfifo", [path])] as const]),
  ] as const) {
    it(`refuses ${what} at the lock's path, saying what to remove, and downloads nothing`, async () => {
      const lockPath = join(dir, LOCK_FILE);
      await make(lockPath);
      const run = startDownload(dir, hub);
      assert.notEqual(await run.exited, 0);
      const error = run.events.find((event) => event.event === "error");
      const message = error?.message ?? "";
      assert.ok(message.includes(lockPath), JSON.stringify(run.events));
      assert.match(message, new RegExp(`is ${what}, not a Hearth download lock\\. Remove it`));
      assert.deepEqual(bodyRequestStarts(hub), []);
      assert.ok(!existsSync(join(dir, MODEL_FILE)));
      assert.ok((await lstat(lockPath)) !== undefined, "what was there stays");
      if (what === "a symbolic link") assert.equal(await readFile(join(dir, "target"), "utf8"), "keep me");
    });
  }

  it("a cancel while waiting ends the waiting process and leaves the other's download and lock alone", async () => {
    closeGate();
    const holder = startDownload(dir, hub);
    await holder.next((event) => event.event === "size");
    const waiter = startDownload(dir, hub);
    await waiter.next((event) => event.event === "waiting");
    waiter.child.kill("SIGTERM");
    assert.notEqual(await waiter.exited, 0);
    assert.ok(!waiter.events.some((event) => event.event === "done"));
    const record = JSON.parse(await readFile(join(dir, LOCK_FILE), "utf8")) as { pid: number };
    assert.equal(record.pid, holder.child.pid, "the holder's lock is untouched");
    openGate();
    assert.equal(await holder.exited, 0, JSON.stringify(holder.events));
    assert.deepEqual(await readFile(join(dir, MODEL_FILE)), model);
    assert.deepEqual(await readdir(dir), [MODEL_FILE]);
  });

  it("a cancel while holding the lock removes it", async () => {
    closeGate();
    const holder = startDownload(dir, hub);
    await holder.next((event) => event.event === "size");
    assert.ok(existsSync(join(dir, LOCK_FILE)));
    holder.child.kill("SIGTERM");
    assert.notEqual(await holder.exited, 0);
    assert.ok(!existsSync(join(dir, LOCK_FILE)), `the lock is gone: ${(await readdir(dir)).join(", ")}`);
  });
});
