import assert from "node:assert/strict";
import { watch } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskSpaceError } from "../../../../src/core/models/diskSpace";
import { DownloadCancelledError, DownloadQueue, type DownloadJob } from "../../../../src/core/models/downloadQueue";
import { modelDownloadJob } from "../../../../src/core/models/modelDownloadJob";
import { OfflineError } from "../../../../src/core/models/offline";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../../support/fakeModelHub";
import { SERVER_SCRIPT, assertServerBuilt } from "../../../support/serverProcess";
import { partialRecordsChunk, whenQueue as when } from "../../../support/downloadWaits";

const MiB = 1024 * 1024;

/** A job that records when it runs and finishes when the test says. */
function manualJob(id: string, log: string[], options: { folder?: string; bytes?: number } = {}): DownloadJob & { finish(): void; fail(error: Error): void } {
  let finish = (): void => undefined;
  let fail = (_error: Error): void => undefined;
  return {
    id,
    label: id,
    kind: "model",
    folder: options.folder ?? "/models",
    ...(options.bytes !== undefined ? { expectedBytes: options.bytes } : {}),
    run: (signal, report) =>
      new Promise<string>((resolve, reject) => {
        log.push(`start ${id}`);
        report({ receivedBytes: 1, totalBytes: options.bytes ?? 2 });
        finish = () => resolve(`/models/${id}.gguf`);
        fail = reject;
        signal.addEventListener("abort", () => reject(signal.reason));
      }),
    finish: () => finish(),
    fail: (error) => fail(error),
  };
}

const plentyOfDisk = async (): Promise<{ bavail: number; bsize: number }> => ({ bavail: 1e9, bsize: 4096 });

describe("download queue: several files, one cancel, disk checked first", () => {
  it("runs files one at a time in the order queued, a file queued meanwhile last, and a duplicate once", async () => {
    const log: string[] = [];
    const queue = new DownloadQueue({ statfs: plentyOfDisk });
    const [chat, completion, gpu] = [manualJob("chat", log), manualJob("completion", log), manualJob("gpu", log)];
    queue.add(chat);
    queue.add(completion);
    assert.equal(queue.add(manualJob("chat", log)), false, "the same file is not queued twice");
    const chatDone = queue.whenDone("chat");
    const run = queue.start();
    await when(queue, (items) => items[0]?.state === "downloading");
    assert.equal(queue.start(), run, "start() while running joins the run");
    queue.add(gpu);
    assert.deepEqual(log, ["start chat"], "one file at a time");
    chat.finish();
    assert.equal(await chatDone, "/models/chat.gguf");
    await when(queue, (items) => items[1]?.state === "downloading");
    completion.finish();
    await when(queue, (items) => items[2]?.state === "downloading");
    gpu.finish();
    const outcome = await run;
    assert.equal(outcome.outcome, "done");
    assert.deepEqual(log, ["start chat", "start completion", "start gpu"]);
    assert.deepEqual(outcome.items.map((item) => [item.id, item.state, item.result]), [
      ["chat", "done", "/models/chat.gguf"],
      ["completion", "done", "/models/completion.gguf"],
      ["gpu", "done", "/models/gpu.gguf"],
    ]);
  });

  it("cancel stops the running file and the ones after it; start() resumes from the cancelled one", async () => {
    const log: string[] = [];
    const queue = new DownloadQueue({ statfs: plentyOfDisk });
    const first = manualJob("first", log);
    const second = manualJob("second", log);
    queue.add(first);
    queue.add(second);
    const secondDone = queue.whenDone("second");
    const run = queue.start();
    await when(queue, (items) => items[0]?.state === "downloading");
    queue.cancel();
    const outcome = await run;
    assert.equal(outcome.outcome, "cancelled");
    assert.deepEqual(outcome.items.map((item) => item.state), ["cancelled", "queued"]);
    await assert.rejects(secondDone!, DownloadCancelledError, "a waiter for a file after the cancelled one hears of it");
    assert.deepEqual(log, ["start first"], "nothing after the cancelled file started");

    const again = queue.start();
    await when(queue, (items) => items[0]?.state === "downloading");
    first.finish();
    await when(queue, (items) => items[1]?.state === "downloading");
    second.finish();
    assert.equal((await again).outcome, "done");
    assert.deepEqual(log, ["start first", "start first", "start second"]);
  });

  it("a failed file stops the queue with its error, and the files after it wait", async () => {
    const log: string[] = [];
    const queue = new DownloadQueue({ statfs: plentyOfDisk });
    const first = manualJob("first", log);
    queue.add(first);
    queue.add(manualJob("second", log));
    const run = queue.start();
    await when(queue, (items) => items[0]?.state === "downloading");
    first.fail(new Error("HTTP 404"));
    const outcome = await run;
    assert.equal(outcome.outcome, "failed");
    assert.equal((outcome.error as Error).message, "HTTP 404");
    assert.deepEqual(outcome.items.map((item) => [item.state, item.error]), [["failed", "HTTP 404"], ["queued", undefined]]);
  });

  it("refuses to start when the folder lacks room for every file, naming the folder and the sizes", async () => {
    const log: string[] = [];
    const asked: string[] = [];
    // 3 GB free where two files of 2 GB each go.
    const statfs = async (path: string): Promise<{ bavail: bigint; bsize: bigint }> => {
      asked.push(path);
      return { bavail: 3_000_000n, bsize: 1000n };
    };
    const queue = new DownloadQueue({ statfs, marginBytes: 0 });
    queue.add(manualJob("chat", log, { folder: "/storage/models", bytes: 2e9 }));
    queue.add(manualJob("completion", log, { folder: "/storage/models", bytes: 2e9 }));
    const outcome = await queue.start();
    assert.equal(outcome.outcome, "failed");
    assert.ok(outcome.error instanceof DiskSpaceError);
    assert.equal(outcome.error.folder, "/storage/models");
    assert.equal(outcome.error.neededBytes, 4e9);
    assert.equal(outcome.error.freeBytes, 3e9);
    assert.match(outcome.error.message, /Not enough disk space in \/storage\/models: the downloads need 4\.0 GB and 3\.0 GB are free/);
    assert.deepEqual(log, [], "nothing was downloaded");
    assert.deepEqual(asked, ["/storage/models"]);
    assert.deepEqual(outcome.items.map((item) => item.state), ["failed", "failed"]);
  });

  it("looks up a folder not created yet through its parent", async () => {
    const queue = new DownloadQueue({
      statfs: async (path) => {
        if (path !== "/storage") throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
        return { bavail: 10, bsize: 1 };
      },
      marginBytes: 0,
    });
    queue.add(manualJob("chat", [], { folder: "/storage/hearth/models", bytes: 100 }));
    const outcome = await queue.start();
    assert.ok(outcome.error instanceof DiskSpaceError && outcome.error.freeBytes === 10, String(outcome.error));
  });
});

describe("download queue with the model server's download command (loopback hub)", function () {
  this.timeout(120_000);
  let dir: string;
  let hub: FakeModelHub | undefined;

  before(() => assertServerBuilt());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-queue-"));
  });

  afterEach(async () => {
    await hub?.close();
    hub = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("cancels a model download part way and resumes it with a Range request for what is missing", async () => {
    const chunk = 5 * MiB;
    const bytes = patternedBytes(2 * chunk);
    hub = await startFakeModelHub([{ repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes }]);
    // The second 5 MiB chunk comes at once; the first stalls after 1 MiB.
    hub.stallAfter = MiB;
    hub.stallBelow = 1;
    const queue = new DownloadQueue();
    const job = modelDownloadJob({ uri: "hf:hearth/Tiny-GGUF:F32", label: "Tiny F32", dir, serverScript: SERVER_SCRIPT, nodePath: process.execPath, env: { ...process.env, HF_ENDPOINT: hub.endpoint } });
    queue.add(job);
    const seen: number[] = [];
    queue.onDidChange((items) => seen.push(items[0]!.receivedBytes));
    // Cancel once the finished second chunk is counted and recorded in the partial file:
    // decided by the queue's and the folder's events, never by a delay.
    // One check at a time, and none once the first run is over: two checks in flight could
    // both pass, and the second one's cancel would land in the resumed run.
    let cancelled = false;
    let checking = false;
    let firstRunOver = false;
    const check = async (): Promise<void> => {
      if (cancelled || checking || firstRunOver || (queue.items[0]?.receivedBytes ?? 0) < chunk + MiB) return;
      checking = true;
      try {
        if (!(await partialRecordsChunk(dir, "hf_hearth_Tiny.F32.gguf", bytes.length, 1)) || cancelled || firstRunOver) return;
        cancelled = true;
        queue.cancel();
      } finally {
        checking = false;
      }
    };
    const watcher = watch(dir, () => void check());
    queue.onDidChange(() => void check());
    // The events can all come before the partial file records the chunk (a watch event may
    // also be coalesced away on a busy machine): look again now and then until it does.
    const poll = setInterval(() => void check(), 100);
    const first = await queue.start();
    firstRunOver = true;
    clearInterval(poll);
    watcher.close();
    assert.equal(first.outcome, "cancelled");
    assert.equal(first.items[0]!.state, "cancelled");
    assert.equal(first.items[0]!.totalBytes, bytes.length, "the size came from the command");
    assert.ok(seen.some((received) => received > 0 && received < bytes.length), "progress was reported part way");
    assert.deepEqual(await readdir(dir), ["hf_hearth_Tiny.F32.gguf.ipull"], "the partial file is kept");

    hub.stallAfter = Infinity;
    hub.requests.length = 0;
    const second = await queue.start();
    assert.equal(second.outcome, "done", String(second.error));
    assert.deepEqual(await readFile(second.items[0]!.result!), bytes);
    const ranges = hub.requests.flatMap((request) => /bytes=(\d+)-(\d*)/.exec(request)?.slice(1, 3) ?? []);
    assert.deepEqual(ranges, ["0", String(chunk - 1)], `only the unfinished chunk again: ${hub.requests.join(" | ")}`);
  });

  it("says the machine is offline when the download host refuses connections", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const queue = new DownloadQueue();
    queue.add(modelDownloadJob({ uri: "hf:hearth/Tiny-GGUF:F32", label: "Tiny F32", dir, serverScript: SERVER_SCRIPT, nodePath: process.execPath, env: { ...process.env, HF_ENDPOINT: `http://127.0.0.1:${port}/` } }));
    const outcome = await queue.start();
    assert.equal(outcome.outcome, "failed");
    assert.ok(outcome.error instanceof OfflineError, String(outcome.error));
    assert.match(outcome.error.message, /could not reach 127\.0\.0\.1:\d+.*offline.*Choose Model/);
  });
});
