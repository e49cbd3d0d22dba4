import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ensureTestModel } from "../../fixtures/models";
import { launchServer, stopProcess } from "../../support/serverProcess";

const run = promisify(execFile);

describe("server: node-llama-cpp resolves a downloaded binary package from global storage", function () {
  this.timeout(60_000);
  let root: string;

  before(async function () {
    if (process.platform !== "linux" || process.arch !== "x64") this.skip();
    root = await mkdtemp(path.join(os.tmpdir(), "hearth-gpu-resolve-"));
  });

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function loadedAddons(folder: string): Promise<{ addons: string[]; gpu: string | false }> {
    const { stdout } = await run(process.execPath, ["--import", "tsx", path.join("test", "support", "gpuResolveChild.ts"), folder], { timeout: 50_000 });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as { addons: string[]; gpu: string | false };
  }

  it("loads the addon from <root>/node_modules/@node-llama-cpp/<name> when it is there, from the shipped package when not", async () => {
    // The CPU package stands in for a GPU one (this machine has no GPU): the lookup is the same
    // import("@node-llama-cpp/<platform>[-gpu]") for every binary.
    const shipped = path.join("node_modules", "@node-llama-cpp", "linux-x64");
    const empty = await loadedAddons(path.join(root, "nothing-here"));
    assert.equal(empty.addons.length, 1);
    assert.ok(empty.addons[0]!.startsWith(path.resolve(shipped)), empty.addons[0]);

    await cp(shipped, path.join(root, "node_modules", "@node-llama-cpp", "linux-x64"), { recursive: true });
    const downloaded = await loadedAddons(root);
    assert.equal(downloaded.gpu, false);
    assert.deepEqual(downloaded.addons, [path.join(root, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64", "llama-addon.node")]);
  });

  it("the model server started with HEARTH_GPU_PACKAGES_DIR runs on the binary found there and says it is not on a GPU", async () => {
    const model = await ensureTestModel({ arch: "llama" });
    const folder = path.join(root, "node_modules", "@node-llama-cpp", "linux-x64");
    await cp(path.join("node_modules", "@node-llama-cpp", "linux-x64"), folder, { recursive: true, force: false, errorOnExist: false });
    const { child, first, stderr } = await launchServer(["--model", model, "--port", "0", "--context-size", "512", "--gpu", "auto"], { HEARTH_GPU_PACKAGES_DIR: root, HEARTH_SERVER_TOKEN: "test-token-0123456789" });
    try {
      assert.equal(first.event, "ready", JSON.stringify(first));
      assert.equal(first.event === "ready" && first.onGpu, false);
      assert.match(stderr(), /GPU binary packages are looked up in/);
      const maps = await readFile(`/proc/${child.pid}/maps`, "utf8");
      assert.ok(maps.includes(path.join(folder, "bins", "linux-x64", "llama-addon.node")), "the server mapped the addon from the downloaded folder");
    } finally {
      await stopProcess(child);
    }
  });
});
