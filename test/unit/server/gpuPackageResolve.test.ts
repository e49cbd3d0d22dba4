import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

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
});
