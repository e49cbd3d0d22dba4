import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { downloadAndInstall, fetchPackageInfo, GpuPackageError, gpuPackagesFor, isInstalled, packageDir, type DownloadProgress, type GpuPackageSpec } from "../../../../src/core/gpu/gpuPackages";
import type { NpmSettings } from "../../../../src/core/gpu/npmConfig";
import { binaryContent, binaryPackageTarball, FakeNpmRegistry, FakeProxy, makeTar, sri } from "../../../support/fakeNpmRegistry";

const NAME = "@node-llama-cpp/linux-x64-cuda";
const VERSION = "3.22.1";
const SPEC: GpuPackageSpec = { name: NAME, version: VERSION };

/** A throwaway certificate for 127.0.0.1 from the openssl CLI, or undefined where there is none. */
function selfSignedCertificate(dir: string): { key: string; cert: string } | undefined {
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore", timeout: 30_000 });
  if (made.status !== 0) return undefined;
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<GpuPackageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GpuPackageError, `expected a GpuPackageError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected a ${code} error`);
}

describe("GPU package download from a loopback npm registry", function () {
  this.timeout(20_000);
  let registry: FakeNpmRegistry;
  let root: string;
  let settings: NpmSettings;
  const tarball = binaryPackageTarball(NAME, VERSION, "linux-x64-cuda", 300_000);

  beforeEach(async () => {
    registry = new FakeNpmRegistry();
    await registry.start();
    root = await mkdtemp(path.join(os.tmpdir(), "hearth-gpu-"));
    settings = { registry: registry.url, registryFrom: "test" };
  });

  afterEach(async () => {
    await registry.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("downloads, checks and unpacks the package laid out as node-llama-cpp expects", async () => {
    registry.publish(NAME, VERSION, tarball, { unpackedSize: 301_000 });
    const info = await fetchPackageInfo(SPEC, settings);
    assert.equal(info.integrity, sri(tarball));
    assert.equal(info.unpackedSize, 301_000);
    const phases: string[] = [];
    const dir = await downloadAndInstall(info, { root, settings, onProgress: (p) => phases.push(p.phase) });
    assert.equal(dir, packageDir(root, NAME));
    const binary = await readFile(path.join(dir, "bins", "linux-x64-cuda", "llama-addon.node"));
    assert.ok(binary.equals(binaryContent(300_000)));
    assert.ok(await isInstalled(root, SPEC));
    assert.deepEqual([...new Set(phases)], ["download", "verify", "unpack", "done"]);
    // Nothing left behind: no partial file, no staging folder.
    assert.deepEqual(await readdir(path.join(root, "downloads")), []);
    assert.deepEqual((await readdir(path.join(root, "node_modules", "@node-llama-cpp"))).sort(), ["linux-x64-cuda"]);
  });

  it("says which registry lacks the package on a 404, for the packument and for the tarball", async () => {
    await rejectsWith(fetchPackageInfo(SPEC, settings), "not_found", /not on the registry .*~\/\.npmrc/);
    registry.publish(NAME, VERSION, tarball, { behaviour: { kind: "missing" } });
    const info = await fetchPackageInfo(SPEC, settings);
    await rejectsWith(downloadAndInstall(info, { root, settings }), "not_found");
    await rejectsWith(fetchPackageInfo({ name: NAME, version: "9.9.9" }, settings), "not_found", /9\.9\.9/);
  });

  it("deletes a download whose sha512 differs from the registry's integrity and installs nothing", async () => {
    registry.publish(NAME, VERSION, tarball, { integrity: sri(Buffer.from("something else")) });
    const info = await fetchPackageInfo(SPEC, settings);
    await rejectsWith(downloadAndInstall(info, { root, settings }), "integrity", /does not match/);
    assert.equal(await isInstalled(root, SPEC), false);
    assert.deepEqual(await readdir(path.join(root, "downloads")), []);
  });

  it("refuses a plain-HTTP registry that is not on this machine, before connecting (the binary and its hash would share one unprotected path)", async () => {
    const remote: NpmSettings = { registry: "http://registry.example.invalid/", registryFrom: "test" };
    await assert.rejects(fetchPackageInfo(SPEC, remote), /over plain HTTP.*https:\/\//s);
  });

  it("refuses a packument that offers no sha512 integrity", async () => {
    registry.publish(NAME, VERSION, tarball, { integrity: "sha1-AAAA" });
    await rejectsWith(fetchPackageInfo(SPEC, settings), "integrity", /no sha512/);
  });

  it("refuses a corrupt tarball whose integrity matches (bad gzip) and leaves no partial install", async () => {
    const corrupt = Buffer.from(tarball);
    corrupt.fill(0x41, 100, 400);
    registry.publish(NAME, VERSION, corrupt);
    const info = await fetchPackageInfo(SPEC, settings);
    await rejectsWith(downloadAndInstall(info, { root, settings }), "corrupt", /could not be unpacked/);
    assert.equal(await isInstalled(root, SPEC), false);
    assert.deepEqual(await readdir(path.join(root, "node_modules", "@node-llama-cpp")).catch(() => []), []);
  });

  it("refuses a tarball that holds another package's manifest", async () => {
    const other = binaryPackageTarball("@node-llama-cpp/linux-x64-vulkan", VERSION, "linux-x64-vulkan", 1000);
    registry.publish(NAME, VERSION, other);
    await rejectsWith(downloadAndInstall(await fetchPackageInfo(SPEC, settings), { root, settings }), "corrupt", /linux-x64-vulkan/);
  });

  it("reports a cut-off download as truncated and resumes it with a Range request", async () => {
    registry.publish(NAME, VERSION, tarball, { behaviour: { kind: "truncate", afterBytes: 100_000 } });
    const info = await fetchPackageInfo(SPEC, settings);
    await rejectsWith(downloadAndInstall(info, { root, settings }), "truncated", /run the command again to resume/);
    const partial = (await stat(path.join(root, "downloads", "node-llama-cpp-linux-x64-cuda-3.22.1.tgz.part"))).size;
    assert.ok(partial > 0 && partial <= 100_000, `partial file of ${partial} bytes`);
    registry.setBehaviour(NAME, { kind: "ok" });
    await downloadAndInstall(info, { root, settings });
    assert.ok(await isInstalled(root, SPEC));
    const last = registry.requests.at(-1)!;
    assert.equal(last.range, `bytes=${partial}-`);
    assert.equal(last.status, 206);
    assert.equal(last.bytesSent, tarball.length - partial);
  });

  it("cancels a slow download on a byte count and resumes from where it stopped", async () => {
    registry.publish(NAME, VERSION, tarball, { behaviour: { kind: "stall", afterBytes: 120_000 } });
    const info = await fetchPackageInfo(SPEC, settings);
    const controller = new AbortController();
    const seen: DownloadProgress[] = [];
    const onProgress = (progress: DownloadProgress): void => {
      seen.push(progress);
      // The server stalls after 120,000 bytes: cancel once they have all arrived.
      if (progress.receivedBytes >= 120_000) controller.abort();
    };
    await rejectsWith(downloadAndInstall(info, { root, settings, signal: controller.signal, onProgress }), "cancelled", /resume/);
    assert.equal(seen.at(-1)!.totalBytes, tarball.length);
    assert.equal(await isInstalled(root, SPEC), false);
    registry.setBehaviour(NAME, { kind: "ok" });
    await downloadAndInstall(info, { root, settings });
    assert.ok(await isInstalled(root, SPEC));
    assert.equal(registry.requests.at(-1)!.range, "bytes=120000-");
  });

  it("starts over when the server ignores Range, and still verifies the whole file", async () => {
    registry.publish(NAME, VERSION, tarball, { behaviour: { kind: "truncate", afterBytes: 50_000 } });
    const info = await fetchPackageInfo(SPEC, settings);
    await rejectsWith(downloadAndInstall(info, { root, settings }), "truncated");
    registry.setBehaviour(NAME, { kind: "ignoreRange" });
    await downloadAndInstall(info, { root, settings });
    assert.ok(await isInstalled(root, SPEC));
    assert.equal(registry.requests.at(-1)!.status, 200);
  });

  it("goes through the configured proxy, and around it for no_proxy hosts", async () => {
    registry.publish(NAME, VERSION, tarball);
    const proxy = new FakeProxy();
    await proxy.start();
    try {
      const viaProxy: NpmSettings = { ...settings, httpProxy: proxy.url };
      await downloadAndInstall(await fetchPackageInfo(SPEC, viaProxy), { root, settings: viaProxy });
      assert.equal(proxy.forwarded.length, 2);
      assert.ok(proxy.forwarded.every((url) => url.startsWith(registry.url)));
      const bypass: NpmSettings = { ...viaProxy, noProxy: "example.org, 127.0.0.1" };
      await fetchPackageInfo(SPEC, bypass);
      assert.equal(proxy.forwarded.length, 2);
    } finally {
      await proxy.stop();
    }
  });

  it("reaches an HTTPS registry through a CONNECT tunnel, trusting the CA from npm's cafile", async function () {
    const pem = selfSignedCertificate(root);
    if (!pem) this.skip();
    const secure = new FakeNpmRegistry();
    await secure.start(pem);
    const proxy = new FakeProxy();
    await proxy.start();
    try {
      secure.publish(NAME, VERSION, tarball);
      const viaTunnel: NpmSettings = { registry: secure.url, registryFrom: "test", httpsProxy: proxy.url, ca: pem.cert };
      await downloadAndInstall(await fetchPackageInfo(SPEC, viaTunnel), { root, settings: viaTunnel });
      assert.ok(await isInstalled(root, SPEC));
      const port = new URL(secure.url).port;
      assert.deepEqual(proxy.tunnels, [`127.0.0.1:${port}`, `127.0.0.1:${port}`]);
      assert.deepEqual(proxy.forwarded, []);
      // Without the CA the registry's certificate is refused, before any byte is trusted.
      await rejectsWith(fetchPackageInfo(SPEC, { ...viaTunnel, ca: undefined }), "network", /certificate/);
    } finally {
      await proxy.stop();
      await secure.stop();
    }
  });

  it("sends the registry's token from ~/.npmrc only to that registry, and names npm login when it is missing", async () => {
    registry.publish(NAME, VERSION, tarball);
    registry.requiredToken = "secret-token";
    await rejectsWith(fetchPackageInfo(SPEC, settings), "http", /npm login --registry/);
    const prefix = `//${new URL(registry.url).host}/`;
    const withToken: NpmSettings = { ...settings, authTokens: [{ prefix: "//elsewhere.example/", token: "wrong" }, { prefix, token: "secret-token" }] };
    await downloadAndInstall(await fetchPackageInfo(SPEC, withToken), { root, settings: withToken });
    assert.ok(await isInstalled(root, SPEC));
  });

  it("lets one process download a package at a time, and takes over a lock whose process is gone", async () => {
    registry.publish(NAME, VERSION, tarball);
    const info = await fetchPackageInfo(SPEC, settings);
    const lock = path.join(root, "downloads", "node-llama-cpp-linux-x64-cuda-3.22.1.tgz.lock");
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, String(process.pid));
    await rejectsWith(downloadAndInstall(info, { root, settings }), "busy", /Another Hearth window/);
    assert.equal(registry.requests.length, 1, "no tarball request while another process holds the lock");
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    await writeFile(lock, String(gone));
    await downloadAndInstall(info, { root, settings });
    assert.ok(await isInstalled(root, SPEC));
    await assert.rejects(stat(lock));
  });

  it("refuses a tarball that unpacks past the size the registry announced", async () => {
    registry.publish(NAME, VERSION, tarball, { unpackedSize: 10_000 });
    await rejectsWith(downloadAndInstall(await fetchPackageInfo(SPEC, settings), { root, settings }), "corrupt", /more than/);
  });

  it("refuses a tarball with a path-traversal entry even when its integrity matches", async () => {
    const evil = gzipSync(makeTar([{ path: "package/package.json", content: JSON.stringify({ name: NAME, version: VERSION }) }, { path: "package/../../escape.txt", content: "x" }]));
    registry.publish(NAME, VERSION, evil);
    await rejectsWith(downloadAndInstall(await fetchPackageInfo(SPEC, settings), { root, settings }), "corrupt", /climbs out/);
    await assert.rejects(stat(path.join(root, "escape.txt")));
    await assert.rejects(stat(path.join(root, "node_modules", "escape.txt")));
  });
});

describe("gpuPackagesFor", () => {
  const optional = { "@node-llama-cpp/linux-x64-cuda": "3.22.1", "@node-llama-cpp/linux-x64-cuda-ext": "3.22.1", "@node-llama-cpp/linux-x64-vulkan": "3.22.1", "@node-llama-cpp/win-x64-vulkan": "3.22.1" };

  it("names the CUDA package with its -ext companion at node-llama-cpp's own version", () => {
    assert.deepEqual(gpuPackagesFor("linux", "x64", "cuda", optional), [
      { name: "@node-llama-cpp/linux-x64-cuda", version: "3.22.1" },
      { name: "@node-llama-cpp/linux-x64-cuda-ext", version: "3.22.1" },
    ]);
    assert.deepEqual(gpuPackagesFor("win32", "x64", "vulkan", optional), [{ name: "@node-llama-cpp/win-x64-vulkan", version: "3.22.1" }]);
  });

  it("says no binary exists for platforms node-llama-cpp does not publish one for", () => {
    assert.throws(() => gpuPackagesFor("linux", "arm64", "cuda", optional), /no cuda binary for linux-arm64/);
    assert.throws(() => gpuPackagesFor("win32", "x64", "cuda", optional), /does not list @node-llama-cpp\/win-x64-cuda/);
  });

  it("matches the installed node-llama-cpp's optionalDependencies", async () => {
    const manifest = JSON.parse(await readFile(path.join("node_modules", "node-llama-cpp", "package.json"), "utf8")) as { version: string; optionalDependencies: Record<string, string> };
    for (const spec of gpuPackagesFor("linux", "x64", "cuda", manifest.optionalDependencies)) assert.equal(spec.version, manifest.version);
  });
});
