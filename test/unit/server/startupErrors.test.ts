import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkModelFile } from "../../../src/server/ggufCheck";
import { ensureTestModel } from "../../fixtures/models";
import { launchServer, type ErrorLine } from "../../support/serverProcess";

async function expectStartupError(args: string[], code: string, mentions: RegExp): Promise<ErrorLine> {
  const { child, first } = await launchServer([...args, "--gpu", "cpu"]);
  const exitCode = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", resolve)));
  assert.equal(first.event, "error", JSON.stringify(first));
  const error = first as ErrorLine;
  assert.equal(error.code, code, error.message);
  assert.match(error.message, mentions);
  assert.equal(exitCode, error.permanent ? 2 : 1);
  return error;
}

describe("model server bad input", function () {
  this.timeout(60_000);
  let dir: string;
  let model: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-bad-"));
    model = await ensureTestModel({ arch: "llama" });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names a missing model file and does not retry it", async () => {
    const missing = join(dir, "nowhere.gguf");
    const error = await expectStartupError(["--model", missing], "model_not_found", /nowhere\.gguf.*hearth\.model/);
    assert.equal(error.permanent, true);
  });

  it("names a file that is not GGUF", async () => {
    const text = join(dir, "notes.gguf");
    await writeFile(text, "this is a text file, not a model\n");
    await expectStartupError(["--model", text], "not_gguf", /notes\.gguf/);
  });

  it("names a truncated GGUF", async () => {
    const cut = join(dir, "cut.gguf");
    await copyFile(model, cut);
    const { size } = await import("node:fs").then((fs) => fs.statSync(cut));
    await truncate(cut, Math.floor(size * 0.7));
    await expectStartupError(["--model", cut], "truncated_gguf", /cut\.gguf.*download it again/);
  });

  it("names an unsupported architecture", async () => {
    const bytes = await readFile(model);
    const key = Buffer.from("general.architecture");
    const at = bytes.indexOf(key);
    assert.ok(at > 0);
    // key, then u32 value type (8 = string), u64 length, then the value "llama".
    const valueAt = at + key.length + 4 + 8;
    assert.equal(bytes.subarray(valueAt, valueAt + 5).toString(), "llama");
    bytes.write("zzzzz", valueAt);
    const odd = join(dir, "odd-arch.gguf");
    await writeFile(odd, bytes);
    await expectStartupError(["--model", odd], "unsupported_architecture", /"zzzzz"/);
  });

  it("names a port that is in use", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await expectStartupError(["--model", model, "--port", String(port), "--context-size", "512"], "port_in_use", new RegExp(`Port ${port}`));
      assert.equal(error.permanent, false);
    } finally {
      blocker.close();
    }
  });

  it("refuses unknown options with usage help", async () => {
    await expectStartupError(["--model", model, "--colour", "blue"], "usage", /Unknown option --colour/);
  });

  // The 2 s promise is the server's own deadline timer (main.ts); this test proves SIGTERM ends it
  // at all, with room for a loaded CI machine (the figure is printed, not held to 2 s here).
  it("shuts down on SIGTERM", async () => {
    const { child, first } = await launchServer(["--model", model, "--port", "0", "--context-size", "512", "--gpu", "cpu"], { HEARTH_SERVER_TOKEN: "t" });
    assert.equal(first.event, "ready");
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const code = await exited;
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    console.log(`      SIGTERM to exit: ${Date.now() - started} ms`);
    assert.equal(code, 0);
  });
});

describe("checkModelFile (what the server opens before llama.cpp does)", () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-check-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a folder and a FIFO without blocking on the FIFO, and gives a model's size", async function () {
    if (process.platform === "win32") this.skip();
    const fifo = join(dir, "pipe.gguf");
    execFileSync("mkfifo", [fifo]);
    await assert.rejects(checkModelFile(fifo), (error: Error & { code?: string }) => error.code === "model_not_found" && /pipe\.gguf/.test(error.message) && /not a file/.test(error.message));
    await assert.rejects(checkModelFile(dir), /not a file/);
    const model = await ensureTestModel({ arch: "llama" });
    assert.deepEqual(await checkModelFile(model), { sizeBytes: statSync(model).size });
  });
});
