// The neverSend index on real files in a temporary folder, read with the real readRegular:
// what it keeps of each file, its caps (the 201st file, a 300 KB file and the file past 4 MB
// in all are not read), and how it follows changes, deletions, removed folders and links; a
// program's source gives no ordinary line, and a read that does not end is given up.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NEVER_SEND_INDEX_LIMITS, NeverSendIndex, readNeverSendFile, type NeverSendRead } from "../../../../src/core/policy";

/** A value that looks random (neverSendText keeps it from a `name=value` line, however short). */
const value = (n: number): string => `Xq${n}Zr7Kp${n}Vw3Ty`;

describe("neverSend index", function () {
  this.timeout(60_000);
  let dir: string;
  const reads: string[] = [];
  /** The real read, counted. */
  const counting: NeverSendRead = async (path, cap) => {
    reads.push(path);
    return readNeverSendFile(path, cap);
  };
  const found = (index: NeverSendIndex, text: string): string[] => index.content().secretsIn([text]).map((s) => s.value);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-nsindex-"));
    reads.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a file's text, distinctive lines and values, and finds them in any text", async () => {
    const env = join(dir, ".env");
    await writeFile(env, `INTERNAL_DB_HOST=db7.prod.corp.internal\nPW=${value(1)}\nPORT=8080\n`);
    const index = new NeverSendIndex({ read: counting });
    await index.setFolder(dir, [env]);
    // A tool's result that JSON-encoded the file: lines and values are still there.
    const toolResult = JSON.stringify({ path: ".env", content: `INTERNAL_DB_HOST=db7.prod.corp.internal\nPW=${value(1)}\n` });
    const hits = found(index, toolResult);
    assert.ok(hits.includes("INTERNAL_DB_HOST=db7.prod.corp.internal"), JSON.stringify(hits));
    assert.ok(hits.includes(value(1)));
    assert.ok(!hits.some((h) => h.includes("8080")), "a common value is no copy of the file");
    assert.deepEqual(found(index, "nothing of the file here"), []);
    assert.deepEqual(index.stats().files, 1);
  });

  it("reads at most 200 files: the 201st is not read", async () => {
    const paths: string[] = [];
    for (let i = 0; i < NEVER_SEND_INDEX_LIMITS.files + 1; i++) {
      // Zero-padded, so that the 201st is the last in the index's order.
      const path = join(dir, `k${String(i).padStart(3, "0")}.pem`);
      await writeFile(path, `SECRET=${value(i)}\n`);
      paths.push(path);
    }
    const index = new NeverSendIndex({ read: counting });
    await index.setFolder(dir, [...paths].reverse());
    assert.equal(reads.length, 200);
    assert.ok(!reads.includes(paths[200]), "the 201st file was read");
    assert.ok(found(index, `SECRET=${value(0)}`).includes(value(0)));
    assert.ok(found(index, `SECRET=${value(199)}`).includes(value(199)));
    assert.deepEqual(found(index, `SECRET=${value(200)}`), []);
    assert.equal(index.stats().skipped.fileCount, 1);
  });

  it("does not read a file over 256 KB, and stops at 4 MB in all", async () => {
    const big = join(dir, "big.tfstate");
    await writeFile(big, `TOKEN=${value(1)}\n${"x".repeat(300 * 1024)}\n`);
    const index = new NeverSendIndex({ read: counting });
    await index.setFolder(dir, [big]);
    assert.deepEqual(found(index, value(1)), []);
    assert.equal(index.stats().skipped.fileBytes, 1);
    assert.equal(index.stats().bytes, 0, "no byte of it is kept");

    // 17 files of 250 KB: 16 fit in 4 MB (4,000 KB), the 17th does not.
    const paths: string[] = [];
    for (let i = 0; i < 17; i++) {
      const path = join(dir, `f${String(i).padStart(2, "0")}.key`);
      await writeFile(path, `KEY=${value(i)}\n${"y".repeat(250 * 1024 - 40)}\n`);
      paths.push(path);
    }
    await index.setFolder(dir, paths);
    assert.deepEqual(found(index, value(15)), [value(15)]);
    assert.deepEqual(found(index, value(16)), []);
    const stats = index.stats();
    assert.equal(stats.files, 16);
    assert.ok(stats.bytes <= NEVER_SEND_INDEX_LIMITS.totalBytes, `${stats.bytes} bytes kept`);
    assert.equal(stats.skipped.totalBytes, 1);
  });

  it("reads a file again when it changes, and forgets deleted files and removed folders", async () => {
    const env = join(dir, ".env");
    await writeFile(env, `PW=${value(1)}\n`);
    const index = new NeverSendIndex({ read: counting });
    await index.setFolder(dir, [env]);
    assert.deepEqual(found(index, value(1)), [value(1)]);

    await writeFile(env, `PW=${value(2)}\n`);
    await index.changed(dir, env);
    assert.deepEqual(found(index, `${value(1)} ${value(2)}`), [value(2)]);

    // A file created after the scan.
    const key = join(dir, "deploy", "id_rsa");
    await mkdir(join(dir, "deploy"));
    await writeFile(key, `passphrase=${value(3)}\n`);
    await index.changed(dir, key);
    assert.deepEqual(found(index, value(3)), [value(3)]);

    // A folder deleted with what is in it.
    await rm(join(dir, "deploy"), { recursive: true });
    await index.deleted(dir, join(dir, "deploy"));
    assert.deepEqual(found(index, value(3)), []);

    await unlink(env);
    await index.deleted(dir, env);
    assert.deepEqual(found(index, value(2)), []);

    await writeFile(env, `PW=${value(4)}\n`);
    await index.changed(dir, env);
    await index.removeFolder(dir);
    assert.deepEqual(found(index, value(4)), []);
    assert.equal(index.stats().files, 0);
  });

  it("reads through a link to its target, and leaves binary files out", async () => {
    const shared = await mkdtemp(join(tmpdir(), "hearth-nsindex-shared-"));
    try {
      await writeFile(join(shared, "env"), `API_TOKEN=${value(5)}\n`);
      const env = join(dir, ".env");
      await symlink(join(shared, "env"), env);
      const p12 = join(dir, "client.p12");
      await writeFile(p12, Buffer.from([0x30, 0x82, 0x00, 0x01, ...Buffer.from(`PW=${value(6)}`)]));
      const index = new NeverSendIndex();
      await index.setFolder(dir, [env, p12]);
      assert.deepEqual(found(index, value(5)), [value(5)]);
      assert.deepEqual(found(index, value(6)), []);
      assert.equal(index.stats().skipped.binary, 1);
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });

  it("takes no ordinary line of a program's source for a value (a Python file reached through a folder pattern)", async () => {
    const source = join(dir, "secrets", "helper.py");
    await mkdir(join(dir, "secrets"));
    await writeFile(source, "from __future__ import annotations\nimport logging\nlogger = logging.getLogger(__name__)\n\nclass Cache:\n    def __init__(self) -> None:\n        super().__init__()\n");
    const index = new NeverSendIndex();
    await index.setFolder(dir, [source]);
    const userCode = "from __future__ import annotations\nimport logging\nlogger = logging.getLogger(__name__)\n\nclass Other:\n    def __init__(self) -> None:\n        super().__init__()\n";
    assert.deepEqual(found(index, userCode), []);
    assert.equal(index.stats().files, 1);
  });

  it("gives up a read that does not end, marks the file unreadable, and goes on", async () => {
    const hung = new Set([join(dir, "a1.env"), join(dir, "a2.env"), join(dir, "a3.env")]);
    const env = join(dir, "z", ".env");
    await mkdir(join(dir, "z"));
    await writeFile(env, `PW=${value(1)}\n`);
    const asked: string[] = [];
    const aborted: string[] = [];
    const index = new NeverSendIndex({
      readTimeoutMs: 50,
      read: (path, cap, signal) => {
        asked.push(path);
        if (!hung.has(path)) return readNeverSendFile(path, cap, signal);
        // A read on a share that hangs: it never ends (its signal is all that is left).
        signal?.addEventListener("abort", () => aborted.push(path));
        return new Promise(() => undefined);
      },
    });
    // Two reads that time out: the pass reads no more (a hung share takes the next read too).
    await index.setFolder(dir, [...hung, env]);
    assert.deepEqual(asked, [join(dir, "a1.env"), join(dir, "a2.env")]);
    assert.deepEqual(aborted, asked);
    assert.deepEqual(index.stats().skipped, { fileCount: 0, fileBytes: 0, totalBytes: 0, binary: 0, unreadable: 2, notRead: 2 });
    // The next pass does not wait on those two again; it tries the rest.
    asked.length = 0;
    await index.changed(dir, env);
    assert.deepEqual(asked, [join(dir, "a3.env"), env]);
    assert.deepEqual(found(index, value(1)), [value(1)]);
    assert.equal(index.stats().skipped.unreadable, 3);
  });

  it("readNeverSendFile stops at an aborted signal, as unreadable", async () => {
    const env = join(dir, ".env");
    await writeFile(env, `PW=${value(1)}\n`);
    const abort = new AbortController();
    abort.abort();
    assert.deepEqual(await readNeverSendFile(env, 1024, abort.signal), { reason: "unreadable" });
    const read = await readNeverSendFile(env, 1024, new AbortController().signal);
    assert.ok("data" in read && read.data.toString() === `PW=${value(1)}\n`);
  });

  it("a read that throws makes the index fail until an operation succeeds", async () => {
    const env = join(dir, ".env");
    await writeFile(env, `PW=${value(1)}\n`);
    let broken = true;
    const index = new NeverSendIndex({
      read: async (path, cap) => {
        if (broken) throw new Error("EIO");
        return readNeverSendFile(path, cap);
      },
    });
    await assert.rejects(index.setFolder(dir, [env]), /EIO/);
    assert.throws(() => index.content(), /EIO/);
    broken = false;
    await index.changed(dir, env);
    assert.deepEqual(found(index, value(1)), [value(1)]);
  });
});
