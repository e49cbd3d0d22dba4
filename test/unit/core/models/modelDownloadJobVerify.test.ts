import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DownloadQueue, type DownloadItem } from "../../../../src/core/models/downloadQueue";
import { MemoryLogger } from "../../../../src/core/logger";
import { ModelDownloadError, modelDownloadJob } from "../../../../src/core/models/modelDownloadJob";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../../support/fakeModelHub";
import { SERVER_SCRIPT, assertServerBuilt } from "../../../support/serverProcess";

const plentyOfDisk = async (): Promise<{ bavail: number; bsize: number }> => ({ bavail: 1e9, bsize: 4096 });

describe("model download job: the check against the hub's SHA-256 as the queue shows it", function () {
  this.timeout(60_000);
  const model = patternedBytes(2 * 1024 * 1024);
  let hub: FakeModelHub;
  let dir: string;

  before(async () => {
    assertServerBuilt();
    hub = await startFakeModelHub([{ repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: model }]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-download-verify-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  after(async () => {
    await hub.close();
  });

  /** Runs one model download through a queue; returns every state its item went through. */
  async function download(log?: MemoryLogger): Promise<{ outcome: Awaited<ReturnType<DownloadQueue["start"]>>; seen: DownloadItem[] }> {
    const queue = new DownloadQueue({ statfs: plentyOfDisk });
    const seen: DownloadItem[] = [];
    queue.onDidChange((items) => seen.push(items[0]!));
    queue.add(modelDownloadJob({ uri: "hf:hearth/Tiny-GGUF:F32", label: "Tiny F32", dir, serverScript: SERVER_SCRIPT, nodePath: process.execPath, env: { ...process.env, HF_ENDPOINT: hub.endpoint }, ...(log ? { log } : {}) }));
    return { outcome: await queue.start(), seen };
  }

  it("shows the item as verifying, with all its bytes received, before it is done", async () => {
    hub.linkedEtag = "sha256";
    const { outcome, seen } = await download();
    assert.equal(outcome.outcome, "done", String(outcome.error));
    const verifying = seen.find((item) => item.verifying === true);
    assert.ok(verifying, "the item says it is being verified");
    assert.equal(verifying.state, "downloading");
    assert.equal(verifying.receivedBytes, model.length);
    assert.equal(outcome.items[0]?.verifying, undefined, "a finished item is no longer verifying");
  });

  it("logs that a file the hub gives no digest for could not be checked, and uses it", async () => {
    hub.linkedEtag = undefined;
    const log = new MemoryLogger();
    const { outcome, seen } = await download(log);
    assert.equal(outcome.outcome, "done", String(outcome.error));
    assert.ok(!seen.some((item) => item.verifying === true));
    assert.equal(log.lines.length, 1, log.lines.join("\n"));
    assert.match(log.lines[0]!, /^warn Tiny F32 could not be checked against the hub's SHA-256 \(no SHA-256 from 127\.0\.0\.1:\d+: .*X-Linked-Etag.*\); it is used as it is\.$/);
  });

  it("fails the queue with checksum_mismatch when the file is not what the hub says", async () => {
    hub.linkedEtag = `"${createHash("sha256").update("not the model").digest("hex")}"`;
    const { outcome } = await download();
    assert.equal(outcome.outcome, "failed");
    assert.ok(outcome.error instanceof ModelDownloadError, String(outcome.error));
    assert.equal(outcome.error.code, "checksum_mismatch");
    assert.match(outcome.items[0]?.error ?? "", /SHA-256.*download it again/);
    assert.equal(outcome.items[0]?.verifying, undefined);
    assert.deepEqual(await readdir(dir), []);
  });
});
