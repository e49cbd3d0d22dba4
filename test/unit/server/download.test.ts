import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensureTestModel } from "../../fixtures/models";
import { SERVER_SCRIPT, assertServerBuilt } from "../../support/serverProcess";

interface FakeHub {
  server: Server;
  endpoint: string;
  requests: string[];
  /** Bytes per second a response is served at (to leave time for a cancel); 0: at once. */
  throttle: number;
  /** Only responses starting below this byte are throttled. */
  throttleBelow: number;
}

/**
 * A loopback stand-in for the Hugging Face endpoints node-llama-cpp's downloader uses:
 * the v2 manifest that resolves a quantisation tag to a file, and `resolve/main/<file>`
 * with HEAD and Range support (what a resumed download needs).
 */
async function startFakeHub(file: Buffer, fileName: string): Promise<FakeHub> {
  const hub: FakeHub = { server: undefined as unknown as Server, endpoint: "", requests: [], throttle: 0, throttleBelow: Infinity };
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
    if (hub.throttle <= 0 || start >= hub.throttleBelow) {
      res.end(body);
      return;
    }
    let offset = 0;
    const step = Math.max(1, Math.floor(hub.throttle / 20));
    const timer = setInterval(() => {
      if (res.destroyed || offset >= body.length) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(body.subarray(offset, offset + step));
      offset += step;
    }, 50);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => hub.server.listen(0, "127.0.0.1", resolve));
  hub.endpoint = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}/`;
  return hub;
}

interface DownloadRun {
  events: Array<{ event: string; path?: string; downloadedSize?: number; totalSize?: number; message?: string }>;
  code: number | null;
}

function runDownload(args: string[], cancelWhen?: (event: { event: string; downloadedSize?: number }) => boolean): Promise<DownloadRun> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "download", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const events: DownloadRun["events"] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as DownloadRun["events"][number];
    events.push(event);
    if (cancelWhen?.(event)) child.kill("SIGTERM");
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ events, code })));
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
    hub.throttle = 0;
    hub.throttleBelow = Infinity;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  after(() => hub.server.close());

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
   * Serves `size` bytes, the second 5 MiB chunk at once and the first at 1 MiB/s (the
   * downloader fetches 5 MiB chunks side by side), cancels the download when `cancelAt`
   * bytes are reported, then downloads again and returns the byte ranges the second run
   * asked for.
   */
  async function cancelAndResume(size: number, cancelAt: number): Promise<{ ranges: Array<{ start: number; end: number }>; partial: string[]; requests: string }> {
    const big = Buffer.alloc(size);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    hub.server.close();
    hub = await startFakeHub(big, "Tiny.F32.gguf");
    model = big;
    hub.throttle = 1024 * 1024;
    hub.throttleBelow = 1;
    const args = ["--model", "hf:hearth/Tiny-GGUF:F32", "--dir", dir, "--endpoint", hub.endpoint];
    const first = await runDownload(args, (e) => e.event === "progress" && (e.downloadedSize ?? 0) >= cancelAt);
    assert.notEqual(first.code, 0);
    assert.ok(!first.events.some((e) => e.event === "done"));
    const partial = await readdir(dir);
    hub.throttle = 0;
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
    const run = await cancelAndResume(2 * chunk, chunk + 1024 * 1024);
    assert.deepEqual(run.partial, ["hf_hearth_Tiny.F32.gguf.ipull"], "the partial file is kept under its partial name");
    assert.deepEqual(run.ranges, [{ start: 0, end: chunk - 1 }], `only the unfinished chunk again: ${run.requests}`);
  });

  it("resumes a download cancelled in its last megabytes, which the downloader took for finished", async () => {
    // With a short last chunk finished first, the downloader counts it as a whole chunk, reports
    // 100 % and names the partial file as the model; the cancel must leave it resumable.
    const chunk = 5 * 1024 * 1024;
    const size = chunk + 1024 * 1024;
    const run = await cancelAndResume(size, size);
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
