import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DownloadQueue } from "../../../../src/core/models/downloadQueue";
import { modelDownloadJob } from "../../../../src/core/models/modelDownloadJob";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../../support/fakeModelHub";
import { SERVER_SCRIPT, assertServerBuilt } from "../../../support/serverProcess";
import { whenQueue as when } from "../../../support/downloadWaits";

const plentyOfDisk = async (): Promise<{ bavail: number; bsize: number }> => ({ bavail: 1e9, bsize: 4096 });

describe("model download job: two windows' queues downloading one model", function () {
  this.timeout(60_000);
  const model = patternedBytes(6 * 1024 * 1024);
  let hub: FakeModelHub;
  let dir: string;

  before(async () => {
    assertServerBuilt();
    hub = await startFakeModelHub([{ repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: model }]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-download-wait-"));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  after(async () => {
    await hub.close();
  });

  it("shows the second window's item as waiting for the first's download, then done with the same file", async () => {
    let openGate = (): void => undefined;
    // The first window's body waits for the gate: it holds the lock until the second has been seen waiting.
    hub.gate = new Promise((resolve) => (openGate = resolve));
    const job = (): ReturnType<typeof modelDownloadJob> =>
      modelDownloadJob({ uri: "hf:hearth/Tiny-GGUF:F32", label: "Tiny F32", dir, serverScript: SERVER_SCRIPT, nodePath: process.execPath, env: { ...process.env, HF_ENDPOINT: hub.endpoint } });
    const [first, second] = [new DownloadQueue({ statfs: plentyOfDisk }), new DownloadQueue({ statfs: plentyOfDisk })];
    first.add(job());
    const firstRun = first.start();
    await when(first, (items) => items[0]?.totalBytes === model.length);
    second.add(job());
    const secondRun = second.start();
    await when(second, (items) => items[0]?.waitingForOtherWindow === true);
    assert.equal(first.items[0]?.waitingForOtherWindow, undefined, "the holder is not waiting");
    openGate();
    const [a, b] = await Promise.all([firstRun, secondRun]);
    assert.equal(a.outcome, "done", String(a.error));
    assert.equal(b.outcome, "done", String(b.error));
    assert.equal(b.items[0]?.result, a.items[0]?.result);
    assert.equal(b.items[0]?.waitingForOtherWindow, undefined, "a finished item no longer says it waits");
    assert.deepEqual(await readFile(a.items[0]!.result!), model);
  });
});
