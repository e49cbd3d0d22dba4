import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestModel } from "../../fixtures/models";
import { REPO_ROOT, stopProcess } from "../../support/serverProcess";
import { extractZip, zipEntries } from "../../support/zipEntries";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

describe("npm run package", function () {
  this.timeout(180_000);
  let dir: string;
  let vsix: string;
  let entries: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hearth-vsix-"));
    vsix = join(dir, "hearth.vsix");
    execFileSync("npm", ["run", "package"], { cwd: REPO_ROOT, env: { ...process.env, HEARTH_VSIX: vsix }, stdio: "pipe" });
    entries = zipEntries(vsix);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("contains the three bundles", () => {
    for (const bundle of ["extension.js", "server.mjs", "webview.js"]) {
      assert.ok(entries.includes(`extension/dist/${bundle}`), `dist/${bundle}`);
    }
  });

  it("contains node-llama-cpp and this platform's prebuilt binary, and no GPU variants", () => {
    assert.ok(entries.includes("extension/node_modules/node-llama-cpp/package.json"));
    assert.ok(entries.some((e) => e.startsWith("extension/node_modules/node-llama-cpp/dist/")));
    const platformPackage = process.platform === "linux" ? `linux-${process.arch}` : undefined;
    if (platformPackage) {
      assert.ok(entries.some((e) => e.startsWith(`extension/node_modules/@node-llama-cpp/${platformPackage}/bins/`) && e.endsWith(".node")), "the native addon");
    }
    const binaryPackages = new Set(entries.filter((e) => e.startsWith("extension/node_modules/@node-llama-cpp/")).map((e) => e.split("/")[3]));
    assert.deepEqual([...binaryPackages], platformPackage ? [platformPackage] : [...binaryPackages].slice(0, 1));
  });

  it("leaves out sources, tests, maps and libraries that are already bundled", () => {
    assert.ok(!entries.some((e) => e.startsWith("extension/src/") || e.startsWith("extension/test/") || e.endsWith(".map")));
    for (const bundled of ["openai", "@anthropic-ai", "zod", "typescript", "mocha"]) {
      assert.ok(!entries.some((e) => e.startsWith(`extension/node_modules/${bundled}/`)), bundled);
    }
    assert.ok(!entries.includes("extension/node_modules/node-llama-cpp/llama/gitRelease.bundle"));
  });

  it("stays small enough to install comfortably (under 40 MB)", () => {
    assert.ok(statSync(vsix).size < 40 * 1024 * 1024, `${statSync(vsix).size} bytes`);
  });

  it("runs its model server from the unpacked .vsix alone (no project node_modules)", async () => {
    const unpacked = join(dir, "unpacked");
    extractZip(vsix, unpacked);
    const model = await ensureTestModel({ arch: "qwen35" });
    const child = spawn(process.execPath, [join(unpacked, "extension", "dist", "server.mjs"), "--model", model, "--port", "0", "--context-size", "512", "--gpu", "cpu"], {
      cwd: dir,
      env: { ...process.env, HEARTH_SERVER_TOKEN: "t", NODE_PATH: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
      });
      assert.equal((JSON.parse(line) as { event: string }).event, "ready", line);
    } finally {
      await stopProcess(child);
    }
  });
});
