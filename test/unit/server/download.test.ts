import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { watch } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensureTestModel } from "../../fixtures/models";
import { SERVER_SCRIPT, assertServerBuilt } from "../../support/serverProcess";
import { partialRecordsChunk } from "../../support/downloadWaits";

interface FakeHub {
  server: Server;
  endpoint: string;
  requests: string[];
  /**
   * A response starting below `stallBelow` sends its first `stallAfter` bytes and then
   * nothing more until the client goes away: the downloader's state then stops moving, so
   * a cancel at a byte count sees exactly what was received, however busy the machine is.
   */
  stallAfter: number;
  stallBelow: number;
}

/**
 * A loopback stand-in for the Hugging Face endpoints node-llama-cpp's downloader uses:
 * the v2 manifest that resolves a quantisation tag to a file, and `resolve/main/<file>`
 * with HEAD and Range support (what a resumed download needs).
 */
async function startFakeHub(file: Buffer, fileName: string): Promise<FakeHub> {
  const hub: FakeHub = { server: undefined as unknown as Server, endpoint: "", requests: [], stallAfter: Infinity, stallBelow: 0 };
  hub.server = createServer((req, res) => {
    hub.requests.push(`${req.method} ${req.url} ${req.headers.range ?? ""}`.trim());
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/v2/hearth/Tiny-GGUF/manifests/F32") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ggufFile: { rfilename: fileName, size: file.length } }));
      return;
    }
    if (url.pathname !== `/hearth/Tiny-GGUF/resolve/main/${fileName}`) {
      res.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : file.length - 1;
    const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes", "content-length": String(end - start + 1), etag: '"tiny-1"' };
    res.writeHead(range ? 206 : 200, range ? { ...headers, "content-range": `bytes ${start}-${end}/${file.length}` } : headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const body = file.subarray(start, end + 1);
    if (start >= hub.stallBelow || body.length <= hub.stallAfter) {
      res.end(body);
      return;
    }
    // Left open on purpose: the client's cancel (or the hub's shutdown) closes it.
    res.write(body.subarray(0, hub.stallAfter));
  });
  await new Promise<void>((resolve) => hub.server.listen(0, "127.0.0.1", resolve));
  hub.endpoint = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}/`;
  return hub;
}

interface DownloadRun {
  events: Array<{ event: string; path?: string; downloadedSize?: number; totalSize?: number; message?: string }>;
  code: number | null;
}

/**
 * Runs the download command; with `cancelWhen`, sends SIGTERM once it holds. The condition
 * is checked on every progress line and on every change in `watchDir` (the partial file
 * being written), so it is decided by events, never by a delay.
 */
function runDownload(args: string[], cancelWhen?: (events: DownloadRun["events"]) => Promise<boolean>, watchDir?: string): Promise<DownloadRun> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "download", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const events: DownloadRun["events"] = [];
  let cancelled = false;
  let checking = Promise.resolve();
  const check = (): void => {
    checking = checking.then(async () => {
      if (cancelled || cancelWhen === undefined || !(await cancelWhen(events))) return;
      cancelled = true;
      child.kill("SIGTERM");
    });
  };
  const watcher = cancelWhen !== undefined && watchDir !== undefined ? watch(watchDir, check) : undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    events.push(JSON.parse(line) as DownloadRun["events"][number]);
    check();
  });
  return new Promise((resolve) =>
    child.once("exit", (code) => {
      watcher?.close();
      resolve({ events, code });
    }),
  );
}

describe("model download (server bundle's download command)", function () {
  this.timeout(60_000);
  let hub: FakeHub;
  let model: Buffer;
  let dir: string;

  before(async () => {
    assertServerBuilt();
    model = await readFile(await ensureTestModel({ arch: "llama" }));
    hub = await startFakeHub(model, "Tiny.F32.gguf");
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-download-"));
    hub.requests.length = 0;
    hub.stallAfter = Infinity;
    hub.stallBelow = 0;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  after(() => {
    hub.server.closeAllConnections();
    hub.server.close();
  });

  it("resolves an hf: URI with a quantisation tag, reports size and progress, and writes the file", async () => {
    const run = await runDownload(["--model", "hf:hearth/Tiny-GGUF:F32", "--dir", dir, "--endpoint", hub.endpoint]);
    assert.equal(run.code, 0, JSON.stringify(run.events));
    const size = run.events.find((e) => e.event === "size");
    assert.equal(size?.totalSize, model.length);
    assert.ok(run.events.some((e) => e.event === "progress"));
    const done = run.events.find((e) => e.event === "done");
    assert.ok(done?.path);
    assert.deepEqual(await readFile(done.path), model);
    assert.ok(hub.requests.some((r) => r.startsWith("GET /v2/hearth/Tiny-GGUF/manifests/F32")));
  });

  /**
   * Serves `size` bytes: the second 5 MiB chunk at once, and of the first (the downloader
   * fetches 5 MiB chunks side by side) only its first `stalledBytes`, after which that
   * response stalls. The download is cancelled once it reports `cancelAt` bytes (a count
   * reachable only when the second chunk is complete, and which cannot grow past it) and
   * its partial file records that chunk, then downloaded again; returns the byte ranges
   * the second run asked for. Events decide the cancel, not timing.
   */
  async function cancelAndResume(size: number, stalledBytes: number, cancelAt: number): Promise<{ ranges: Array<{ start: number; end: number }>; partial: string[]; requests: string }> {
    const big = Buffer.alloc(size);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    hub.server.closeAllConnections();
    hub.server.close();
    hub = await startFakeHub(big, "Tiny.F32.gguf");
    model = big;
    hub.stallAfter = stalledBytes;
    hub.stallBelow = 1;
    const args = ["--model", "hf:hearth/Tiny-GGUF:F32", "--dir", dir, "--endpoint", hub.endpoint];
    const first = await runDownload(
      args,
      async (events) => events.some((e) => e.event === "progress" && (e.downloadedSize ?? 0) >= cancelAt) && (await partialRecordsChunk(dir, "hf_hearth_Tiny.F32.gguf", size, 1)),
      dir,
    );
    assert.notEqual(first.code, 0);
    assert.ok(!first.events.some((e) => e.event === "done"));
    const partial = await readdir(dir);
    hub.stallAfter = Infinity;
    hub.requests.length = 0;
    const second = await runDownload(args);
    assert.equal(second.code, 0, JSON.stringify(second.events));
    const done = second.events.find((e) => e.event === "done");
    assert.deepEqual(await readFile(done!.path!), model);
    const ranges = hub.requests.flatMap((r) => {
      const match = /bytes=(\d+)-(\d*)/.exec(r);
      return match ? [{ start: Number(match[1]), end: match[2] ? Number(match[2]) : model.length - 1 }] : [];
    });
    return { ranges, partial, requests: hub.requests.join(" | ") };
  }

  it("keeps a cancelled download and resumes it with a Range request, skipping what it finished", async () => {
    const chunk = 5 * 1024 * 1024;
    // 6 MiB reported = the whole second chunk + the first chunk's stalled 1 MiB; before the
    // second chunk completes at most 1 MiB + (5 MiB - 1) can be counted.
    const run = await cancelAndResume(2 * chunk, 1024 * 1024, chunk + 1024 * 1024);
    assert.deepEqual(run.partial, ["hf_hearth_Tiny.F32.gguf.ipull"], "the partial file is kept under its partial name");
    assert.deepEqual(run.ranges, [{ start: 0, end: chunk - 1 }], `only the unfinished chunk again: ${run.requests}`);
  });

  it("resumes a download cancelled in its last megabytes, which the downloader took for finished", async () => {
    // With a short last chunk finished first, the downloader counts it as a whole chunk, reports
    // 100 % and names the partial file as the model; the cancel must leave it resumable.
    const chunk = 5 * 1024 * 1024;
    const size = chunk + 1024 * 1024;
    // The finished 1 MiB last chunk counts as 5 MiB, plus the first chunk's stalled 1 MiB.
    const run = await cancelAndResume(size, 1024 * 1024, size);
    assert.deepEqual(run.partial, ["hf_hearth_Tiny.F32.gguf.ipull"], "no half-written file under the model's name");
    assert.deepEqual(run.ranges, [{ start: 0, end: chunk - 1 }], `only the unfinished chunk again: ${run.requests}`);
  });

  it("names the URI and the fix when the model does not exist", async () => {
    const run = await runDownload(["--model", "hf:hearth/Missing-GGUF:Q4_K_M", "--dir", dir, "--endpoint", hub.endpoint]);
    assert.equal(run.code, 1);
    const error = run.events.find((e) => e.event === "error");
    assert.match(error?.message ?? "", /hf:hearth\/Missing-GGUF:Q4_K_M.*hearth\.model/);
  });
});
