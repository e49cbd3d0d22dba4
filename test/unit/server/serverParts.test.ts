import assert from "node:assert/strict";
import { parseServerArgs } from "../../../src/server/args";
import { resolveThreads } from "../../../src/server/engine";
import { FifoLock } from "../../../src/server/fifoLock";
import { JsonShapeScanner, hostAllowed, tokensMatch } from "../../../src/server/httpBasics";
import { LIMITS } from "../../../src/core/wire/hearthProtocol";
import { chatRequestSchema, completionRequestSchema, describeIssue, oversizedArray } from "../../../src/server/requestSchemas";
import { LeaseTracker } from "../../../src/server/leases";
import { StartupError } from "../../../src/server/startupErrors";
import { StopStringMatcher } from "../../../src/server/stopStrings";

describe("StopStringMatcher", () => {
  it("holds back text that may become a stop string and cuts at the stop", () => {
    const matcher = new StopStringMatcher(["</end>"]);
    assert.deepEqual(matcher.push("hello </e"), { emit: "hello ", stopped: false });
    assert.deepEqual(matcher.push("nd> more"), { emit: "", stopped: true });
  });

  it("releases held text when it turns out not to be a stop", () => {
    const matcher = new StopStringMatcher(["\n\n"]);
    assert.deepEqual(matcher.push("a\n"), { emit: "a", stopped: false });
    assert.deepEqual(matcher.push("b"), { emit: "\nb", stopped: false });
    assert.equal(matcher.flush(), "");
  });

  it("stops at the earliest of several stop strings", () => {
    const matcher = new StopStringMatcher(["ccc", "b"]);
    assert.deepEqual(matcher.push("aab ccc"), { emit: "aa", stopped: true });
  });
});

describe("FifoLock", () => {
  it("grants the lock in arrival order and skips a waiter that gave up", async () => {
    const lock = new FifoLock();
    const order: string[] = [];
    const release = await lock.acquire();
    const leaving = new AbortController();
    const a = lock.acquire().then((r) => (order.push("a"), r()));
    const gone = lock.acquire(leaving.signal).then(
      () => order.push("gone"),
      () => order.push("left"),
    );
    const b = lock.acquire().then((r) => (order.push("b"), r()));
    assert.equal(lock.queued, 3);
    leaving.abort();
    await gone;
    release();
    await Promise.all([a, b]);
    assert.deepEqual(order, ["left", "a", "b"]);
  });
});

describe("request guards", () => {
  it("accepts loopback names on the bound port only", () => {
    assert.equal(hostAllowed("127.0.0.1:8080", "127.0.0.1", 8080), true);
    assert.equal(hostAllowed("localhost:8080", "127.0.0.1", 8080), true);
    assert.equal(hostAllowed("[::1]:8080", "127.0.0.1", 8080), true);
    assert.equal(hostAllowed("127.0.0.1:9090", "127.0.0.1", 8080), false);
    assert.equal(hostAllowed("attacker.example:8080", "127.0.0.1", 8080), false);
    assert.equal(hostAllowed(undefined, "127.0.0.1", 8080), false);
    assert.equal(hostAllowed("127.0.0.1", "127.0.0.1", 8080), false, "no port means port 80");
  });

  it("compares bearer tokens exactly", () => {
    assert.equal(tokensMatch("s3cret", "Bearer s3cret"), true);
    assert.equal(tokensMatch("s3cret", "bearer s3cret"), true);
    assert.equal(tokensMatch("s3cret", "Bearer s3cret2"), false);
    assert.equal(tokensMatch("s3cret", "Basic s3cret"), false);
    assert.equal(tokensMatch("s3cret", undefined), false);
  });
});

describe("server arguments", () => {
  it("reads every option with its defaults", () => {
    assert.deepEqual(parseServerArgs(["--model", "m.gguf"]), {
      model: "m.gguf",
      host: "127.0.0.1",
      port: 0,
      contextSize: "auto",
      gpu: "auto",
      threads: "auto",
      maxBodyBytes: 32 * 1024 * 1024,
      idleExitSeconds: 0,
      repoKvType: "auto",
      stateMaxBytes: 8 * 1024 ** 3,
      repoRoots: [],
    });
    assert.deepEqual(parseServerArgs(["--model", "m.gguf", "--repo-root", "/srv/a", "--repo-root=/srv/b"]).repoRoots, ["/srv/a", "/srv/b"]);
    const repo = parseServerArgs(["--model", "m.gguf", "--repo-context-size", "65536", "--repo-kv-type", "q8_0", "--state-dir", "/tmp/s", "--state-max-gb", "0.5"]);
    assert.equal(repo.repoContextSize, 65536);
    assert.equal(repo.repoKvType, "q8_0");
    assert.equal(repo.stateDir, "/tmp/s");
    assert.equal(repo.stateMaxBytes, 512 * 1024 ** 2);
    const args = parseServerArgs(["--model=m.gguf", "--port", "8080", "--context-size", "32768", "--gpu", "cpu", "--threads", "4"]);
    assert.equal(args.port, 8080);
    assert.equal(args.contextSize, 32768);
    assert.equal(args.threads, 4);
  });

  it("names the bad option and value", () => {
    const fails = (argv: string[], pattern: RegExp) =>
      assert.throws(() => parseServerArgs(argv), (error: unknown) => error instanceof StartupError && error.code === "usage" && pattern.test(error.message));
    fails([], /--model is required/);
    fails(["--model", "m", "--repo-root", "relative/dir"], /--repo-root must be an absolute folder path/);
    fails(["--model", "m", "--repo-kv-type", "q4"], /--repo-kv-type must be/);
    fails(["--model", "m", "--state-max-gb", "0"], /--state-max-gb must be/);
    fails(["--model", "m", "--port", "70000"], /--port must be an integer from 0 to 65535, not "70000"/);
    fails(["--model", "m", "--gpu", "cuda"], /--gpu must be "auto" or "cpu"/);
    fails(["--model"], /Missing value for --model/);
  });
});

describe("resolveThreads", () => {
  const MB = 1024 * 1024;
  it("never gives auto more threads than the cores this process may use", () => {
    // node-llama-cpp's own default is 4 threads on a 2-core machine: 50× slower decoding there.
    assert.equal(resolveThreads("auto", 800 * MB, 2, 2), 2);
    assert.equal(resolveThreads("auto", 800 * MB, 8, 4), 4, "affinity or a CPU quota below the math cores");
    assert.equal(resolveThreads("auto", 800 * MB, 4, 8), 4, "math cores (physical) below the logical ones");
    assert.equal(resolveThreads("auto", 800 * MB, 0, 6), 6, "llama.cpp could not count its math cores");
  });

  it("gives a tiny model one thread and keeps an explicit number", () => {
    assert.equal(resolveThreads("auto", 1 * MB, 8, 8), 1);
    assert.equal(resolveThreads(3, 800 * MB, 2, 2), 3);
    assert.equal(resolveThreads(undefined, 800 * MB, 2, 2), 2);
  });
});

describe("LeaseTracker", () => {
  it("fires once when no lease has been held for the idle time", () => {
    let now = 0;
    let fired = 0;
    const tracker = new LeaseTracker(1000, () => fired++, () => now, 1_000_000);
    tracker.renew("a", 500);
    now = 400;
    tracker.check();
    assert.equal(fired, 0, "a live lease keeps it up");
    now = 1200;
    tracker.check();
    assert.equal(fired, 0, "idle since the lease lapsed at 500, not yet 1000 ms");
    now = 1600;
    tracker.check();
    tracker.check();
    assert.equal(fired, 1);
    tracker.dispose();
  });

  it("counts a released lease as gone at once", () => {
    let now = 0;
    let fired = 0;
    const tracker = new LeaseTracker(100, () => fired++, () => now, 1_000_000);
    tracker.renew("a", 60_000);
    now = 50;
    tracker.release("a");
    assert.equal(tracker.active, 0);
    now = 151;
    tracker.check();
    assert.equal(fired, 1);
    tracker.dispose();
  });
});

describe("JsonShapeScanner", () => {
  const scan = (body: string, limits = { depth: 4, values: 10, stringChars: 8 }, pieces = 3): void => {
    const scanner = new JsonShapeScanner(limits);
    const bytes = Buffer.from(body);
    const size = Math.ceil(bytes.length / pieces);
    for (let at = 0; at < bytes.length; at += size) scanner.push(bytes.subarray(at, at + size));
  };
  const code = (fn: () => void): string | null => {
    try {
      fn();
      return null;
    } catch (error) {
      return (error as { code: string | null }).code;
    }
  };

  it("refuses nesting past the limit as it arrives, and ignores brackets inside strings", () => {
    assert.equal(code(() => scan("[[[[1]]]]")), null);
    assert.equal(code(() => scan("[[[[[1]]]]]")), "json_too_deep");
    assert.equal(code(() => scan('["[[[[[[", "\\"[[[[["]', { depth: 4, values: 10, stringChars: 100 })), null);
  });

  it("counts values and string characters as JavaScript does, across chunk boundaries", () => {
    assert.equal(code(() => scan("[1,2,3,4,5,6,7,8,9]")), null);
    assert.equal(code(() => scan("[1,2,3,4,5,6,7,8,9,10,11]")), "too_many_values");
    // 8 UTF-16 units each: escapes count once, a 4-byte character twice, a 2-byte one once.
    for (const text of ['"abcdefgh"', '"\\u00e9\\n\\"abcde"', '"😀😀éab"']) assert.equal(code(() => scan(text, undefined, 7)), null, text);
    for (const text of ['"abcdefghi"', '"\\u00e9\\n\\"abcdef"', '"😀😀😀éab"']) assert.equal(code(() => scan(text, undefined, 7)), "text_too_long", text);
  });
});

describe("request limits", () => {
  it("answers a size past a limit with 413 and a bad value with 400, naming the field", () => {
    const tooMany = chatRequestSchema.safeParse({ messages: Array.from({ length: LIMITS.messages + 1 }, () => ({ role: "user", content: "x" })) });
    assert.ok(!tooMany.success);
    assert.deepEqual({ ...describeIssue(tooMany.error), message: undefined }, { param: "messages", status: 413, message: undefined });
    const badRole = chatRequestSchema.safeParse({ messages: [{ role: "wizard", content: "x" }] });
    assert.ok(!badRole.success);
    assert.equal(describeIssue(badRole.error, []).status, 400);
    const longStop = completionRequestSchema.safeParse({ prompt: "x", stop: ["s".repeat(LIMITS.stopStringChars + 1)] });
    assert.ok(!longStop.success);
    assert.equal(describeIssue(longStop.error).param, "stop.0");
    assert.equal(describeIssue(longStop.error).status, 413);
    assert.equal(oversizedArray("detokenize", { tokens: new Array(LIMITS.detokenizeTokens + 1).fill(1) })?.field, "tokens");
  });
});
