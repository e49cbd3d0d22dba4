import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, open, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sha256FromLinkedEtag } from "../../../src/server/modelDigest";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../support/fakeModelHub";
import { SERVER_SCRIPT, assertServerBuilt } from "../../support/serverProcess";

interface DownloadEvent {
  event: string;
  path?: string;
  code?: string;
  permanent?: boolean;
  message?: string;
  sha256?: string;
  hashed?: boolean;
  reason?: string;
  totalSize?: number;
}

interface DownloadRun {
  events: DownloadEvent[];
  code: number | null;
  stderr: string;
}

function runDownload(args: string[]): Promise<DownloadRun> {
  const child = spawn(process.execPath, [SERVER_SCRIPT, "download", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const events: DownloadEvent[] = [];
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on("line", (line) => events.push(JSON.parse(line) as DownloadEvent));
  return new Promise((resolve) => child.once("close", (code) => resolve({ events, code, stderr })));
}

const names = (run: DownloadRun): string[] => run.events.map((e) => e.event).filter((e) => e !== "progress");

describe("model download: the finished file is checked against the hub's SHA-256", function () {
  this.timeout(60_000);
  const model = patternedBytes(3 * 1024 * 1024 + 123);
  const sha256 = createHash("sha256").update(model).digest("hex");
  let hub: FakeModelHub;
  let dir: string;
  let args: string[];
  const modelPath = (): string => join(dir, "hf_hearth_Tiny.F32.gguf");

  before(async () => {
    assertServerBuilt();
    hub = await startFakeModelHub([{ repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: model }]);
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-download-sha-"));
    args = ["--model", "hf:hearth/Tiny-GGUF:F32", "--dir", dir, "--endpoint", hub.endpoint];
    hub.linkedEtag = "sha256";
    // As on the real hub: the digest on the 302 to the CDN, not on the bytes' response.
    hub.redirectToCdn = true;
    hub.contentDisposition = undefined;
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  after(async () => {
    await hub.close();
  });

  it("verifies a download whose digest is right, writes a sidecar, and does not hash the unchanged file again", async () => {
    const first = await runDownload(args);
    assert.equal(first.code, 0, JSON.stringify(first.events) + first.stderr);
    assert.deepEqual(names(first), ["size", "verifying", "verified", "done"]);
    assert.deepEqual(first.events.find((e) => e.event === "verified"), { event: "verified", path: modelPath(), sha256, hashed: true });
    assert.ok(hub.requests.some((r) => r.startsWith("HEAD /hearth/Tiny-GGUF/resolve/main/Tiny.F32.gguf")), "the digest is asked of the resolve URL");
    const sidecar = JSON.parse(await readFile(`${modelPath()}.sha256.json`, "utf8")) as { sha256: string; size: number; mtimeMs: number };
    assert.equal(sidecar.sha256, sha256);
    assert.equal(sidecar.size, model.length);
    assert.equal(sidecar.mtimeMs, (await stat(modelPath())).mtimeMs);

    const second = await runDownload(args);
    assert.equal(second.code, 0, JSON.stringify(second.events) + second.stderr);
    assert.deepEqual(names(second), ["size", "verified", "done"], "no verifying: the sidecar vouches for the file");
    assert.equal(second.events.find((e) => e.event === "verified")?.hashed, false);
    assert.deepEqual(await readFile(modelPath()), model);
  });

  it("deletes a file whose digest is wrong and fails with checksum_mismatch naming the file, both digests and the fix", async () => {
    const wrong = createHash("sha256").update("another file").digest("hex");
    hub.linkedEtag = `"${wrong}"`;
    const run = await runDownload(args);
    assert.equal(run.code, 1, "not permanent: a retry downloads it again");
    const error = run.events.find((e) => e.event === "error");
    assert.equal(error?.code, "checksum_mismatch", JSON.stringify(run.events));
    assert.equal(error?.permanent, false);
    assert.ok(error?.message?.includes(modelPath()), error?.message);
    assert.ok(error?.message?.includes(sha256.slice(0, 12)) && error.message.includes(wrong.slice(0, 12)), error?.message);
    assert.match(error?.message ?? "", /download it again/);
    assert.ok(!run.events.some((e) => e.event === "done"));
    assert.deepEqual(await readdir(dir), [], "no model, no sidecar, no partial file is left");
  });

  it("uses a file the hub gives no digest for, unverified, and says so", async () => {
    hub.linkedEtag = undefined;
    const run = await runDownload(args);
    assert.equal(run.code, 0, JSON.stringify(run.events) + run.stderr);
    assert.deepEqual(names(run), ["size", "unverified", "done"]);
    assert.match(run.events.find((e) => e.event === "unverified")?.reason ?? "", /no SHA-256 from 127\.0\.0\.1:\d+/);
    assert.match(run.stderr, /could not be verified/);
    assert.deepEqual(await readFile(modelPath()), model);
    assert.deepEqual(await readdir(dir), ["hf_hearth_Tiny.F32.gguf"], "no sidecar for a file nothing vouched for");
  });

  it("takes a value that is not a SHA-256 for no digest", async () => {
    hub.linkedEtag = '"0123abcd"';
    const run = await runDownload(args);
    assert.equal(run.code, 0, JSON.stringify(run.events) + run.stderr);
    assert.deepEqual(names(run), ["size", "unverified", "done"]);
  });

  it("hashes a file again once it changed after its sidecar, even with its modification time put back", async () => {
    assert.equal((await runDownload(args)).code, 0);
    // Touched (same bytes, new time): hashed again, and still right.
    const later = new Date(Date.now() + 60_000);
    await utimes(modelPath(), later, later);
    const touched = await runDownload(args);
    assert.equal(touched.code, 0, JSON.stringify(touched.events) + touched.stderr);
    assert.deepEqual(names(touched), ["size", "verifying", "verified", "done"]);
    // One byte changed in place, size and modification time as before (cp -p, rsync -t): hashed again, and wrong.
    const before = await stat(modelPath());
    const handle = await open(modelPath(), "r+");
    await handle.write(Buffer.from([model[1000]! ^ 0xff]), 0, 1, 1000);
    await handle.close();
    await utimes(modelPath(), before.atime, before.mtime);
    assert.equal((await stat(modelPath())).mtimeMs, before.mtimeMs);
    const changed = await runDownload(args);
    assert.deepEqual(names(changed), ["size", "verifying", "error"]);
    assert.equal(changed.events.find((e) => e.event === "error")?.code, "checksum_mismatch");
    assert.deepEqual(await readdir(dir), []);
  });
});

describe("model download from a URL: the file's name is the URL's own, never another model's", function () {
  this.timeout(60_000);
  const model = patternedBytes(1024 * 1024 + 7);
  // What hf:hearth/Tiny-GGUF:F32 is saved as.
  const hfName = "hf_hearth_Tiny.F32.gguf";
  let hub: FakeModelHub;
  const dirs: string[] = [];

  before(async () => {
    assertServerBuilt();
    hub = await startFakeModelHub([
      { repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: model },
      { repo: "someone/Else", quant: "F32", fileName: hfName, bytes: model },
    ]);
  });

  beforeEach(() => {
    hub.contentDisposition = undefined;
    hub.linkedEtag = undefined;
    hub.redirectToCdn = false;
  });

  after(async () => {
    await hub.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  async function folderWith(name: string, bytes: Buffer): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "hearth-download-name-"));
    dirs.push(dir);
    await writeFile(join(dir, name), bytes);
    return dir;
  }

  it("never writes over another model the server's Content-Disposition names", async () => {
    const precious = Buffer.from("GGUF another model the user downloaded before");
    const dir = await folderWith("victim.gguf", precious);
    hub.contentDisposition = 'attachment; filename="victim.gguf"';
    hub.linkedEtag = `"${"ab".repeat(32)}"`;
    const url = `${hub.endpoint}hearth/Tiny-GGUF/resolve/main/Tiny.F32.gguf`;
    const run = await runDownload(["--model", url, "--dir", dir]);
    // The wrong digest fails the download and deletes what it wrote: its own file only.
    assert.equal(run.events.find((e) => e.event === "error")?.code, "checksum_mismatch", JSON.stringify(run.events) + run.stderr);
    assert.match(run.events.find((e) => e.event === "size")?.path ?? "", /url-[0-9a-f]{12}-Tiny\.F32\.gguf$/);
    assert.deepEqual(await readFile(join(dir, "victim.gguf")), precious, "the other model is untouched");
    hub.linkedEtag = "sha256";
    const good = await runDownload(["--model", url, "--dir", dir]);
    assert.equal(good.code, 0, JSON.stringify(good.events) + good.stderr);
    const saved = good.events.find((e) => e.event === "done")?.path ?? "";
    assert.match(saved, /url-[0-9a-f]{12}-Tiny\.F32\.gguf$/);
    assert.deepEqual(await readFile(saved), model);
    assert.deepEqual(await readFile(join(dir, "victim.gguf")), precious);
  });

  it("never writes over, or deletes, an hf: model whose file name the URL's path spells out", async () => {
    // As many bytes as the URL's file: a size match made the downloader keep it as done, and
    // the wrong digest then deleted it; another size, and it was overwritten.
    for (const precious of [Buffer.alloc(model.length, 7), Buffer.from("GGUF the user's 9B model")]) {
      const dir = await folderWith(hfName, precious);
      hub.linkedEtag = `"${"cd".repeat(32)}"`;
      const run = await runDownload(["--model", `${hub.endpoint}someone/Else/resolve/main/${hfName}`, "--dir", dir]);
      assert.equal(run.events.find((e) => e.event === "error")?.code, "checksum_mismatch", JSON.stringify(run.events) + run.stderr);
      assert.deepEqual(await readFile(join(dir, hfName)), precious, "the hf: model is untouched");
    }
  });
});

describe("model digest: X-Linked-Etag values", () => {
  const hex = "ab".repeat(32);
  it("takes 64 hex digits, quoted, weak or upper-case, and nothing else", () => {
    assert.equal(sha256FromLinkedEtag(`"${hex}"`), hex);
    assert.equal(sha256FromLinkedEtag(`W/"${hex}"`), hex);
    assert.equal(sha256FromLinkedEtag(hex.toUpperCase()), hex);
    assert.equal(sha256FromLinkedEtag(`"${hex.slice(1)}"`), undefined);
    assert.equal(sha256FromLinkedEtag(`"${hex}0"`), undefined);
    assert.equal(sha256FromLinkedEtag(`"${hex.slice(1)}g"`), undefined);
    assert.equal(sha256FromLinkedEtag('"5d41402abc4b2a76b9719d911017c592"'), undefined, "an MD5 or a git hash is no SHA-256");
    assert.equal(sha256FromLinkedEtag(null), undefined);
  });
});
