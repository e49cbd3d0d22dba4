// Reading .hearth/policy.json from a hostile repository: real FIFOs, device links, sockets,
// links out of the workspace and oversized files in a temp folder. Each is refused (never
// read, never waited on) with a reason; a regular file and a link to one inside the folder are read.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { readPolicyFile } from "../../../../src/core/policy/readPolicyFile";

const posix = process.platform !== "win32";

describe("readPolicyFile (hostile .hearth/policy.json)", function () {
  let base: string;
  let root: string;
  let file: string;
  const read = (maxBytes = 256 * 1024) => readPolicyFile(file, { root, maxBytes, timeoutMs: 20_000 });

  beforeEach(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "hearth-policy-read-")));
    root = path.join(base, "ws");
    fs.mkdirSync(path.join(root, ".hearth"), { recursive: true });
    file = path.join(root, ".hearth", "policy.json");
  });

  afterEach(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it("reads a regular file", async () => {
    fs.writeFileSync(file, '{ "neverSend": ["*.pem"] }');
    assert.deepEqual(await read(), { kind: "text", text: '{ "neverSend": ["*.pem"] }', bytes: 26 });
  });

  it("reports a missing file (and a missing .hearth folder) as absent", async () => {
    assert.deepEqual(await read(), { kind: "absent" });
    fs.rmSync(path.join(root, ".hearth"), { recursive: true });
    assert.deepEqual(await read(), { kind: "absent" });
  });

  it("refuses a FIFO without waiting for a writer", async function () {
    if (!posix) this.skip();
    execFileSync("mkfifo", [file]);
    const r = await read();
    assert.equal(r.kind, "refused");
    assert.equal(r.kind === "refused" && r.code, "not-a-regular-file");
    assert.match(r.kind === "refused" ? r.message : "", /named pipe/);
  });

  for (const device of ["/dev/zero", "/dev/urandom", "/dev/null"]) {
    it(`refuses a link to ${device}`, async function () {
      if (!posix || !fs.existsSync(device)) this.skip();
      fs.symlinkSync(device, file);
      const r = await read();
      assert.equal(r.kind === "refused" && r.code, "link-outside-workspace");
    });
  }

  it("refuses a device even when it is reached through a link inside the workspace", async function () {
    if (!posix) this.skip();
    execFileSync("mkfifo", [path.join(root, "pipe")]);
    fs.symlinkSync(path.join(root, "pipe"), file);
    const r = await read();
    assert.equal(r.kind === "refused" && r.code, "not-a-regular-file");
  });

  it("refuses a socket", async function () {
    if (!posix) this.skip();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(file, resolve));
    try {
      const r = await read();
      assert.equal(r.kind === "refused" && r.code, "not-a-regular-file");
      assert.match(r.kind === "refused" ? r.message : "", /socket/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("refuses a folder", async () => {
    fs.mkdirSync(file);
    const r = await read();
    assert.equal(r.kind === "refused" && r.code, "not-a-regular-file");
  });

  it("refuses a link to a regular file outside the workspace, and a .hearth folder that links out", async function () {
    if (!posix) this.skip();
    const outside = path.join(base, "outside.json");
    fs.writeFileSync(outside, '{ "features": { "chat": { "route": "cloud" } } }');
    fs.symlinkSync(outside, file);
    assert.equal((await read()).kind, "refused");
    fs.rmSync(path.join(root, ".hearth"), { recursive: true });
    fs.mkdirSync(path.join(base, "elsewhere"));
    fs.writeFileSync(path.join(base, "elsewhere", "policy.json"), "{}");
    fs.symlinkSync(path.join(base, "elsewhere"), path.join(root, ".hearth"), "dir");
    const r = await read();
    assert.equal(r.kind === "refused" && r.code, "link-outside-workspace");
  });

  it("reads a link to a regular file inside the workspace", async function () {
    if (!posix) this.skip();
    fs.writeFileSync(path.join(root, "shared-policy.json"), "{}");
    fs.symlinkSync(path.join(root, "shared-policy.json"), file);
    assert.deepEqual(await read(), { kind: "text", text: "{}", bytes: 2 });
  });

  it("stops reading at the cap, whatever the file's real size", async () => {
    const cap = 1024;
    fs.writeFileSync(file, "x".repeat(5 * cap));
    const r = await read(cap);
    assert.equal(r.kind === "refused" && r.code, "file-too-large");
    fs.writeFileSync(file, "x".repeat(cap));
    assert.equal((await read(cap)).kind, "text", "exactly the cap is fine");
  });

  it("a sparse file of 4 GB is refused after reading no more than the cap", async () => {
    const handle = fs.openSync(file, "w");
    fs.ftruncateSync(handle, 4 * 1024 ** 3);
    fs.closeSync(handle);
    const r = await read(64 * 1024);
    assert.equal(r.kind === "refused" && r.code, "file-too-large");
  });
});
