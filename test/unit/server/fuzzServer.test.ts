// Hostile and malformed requests against the real server (tiny qwen35 model, real
// node-llama-cpp): whatever arrives, the server answers 4xx or serves it, never 5xx, never
// dies, and /health keeps answering meanwhile. Seeded: FUZZ_SEED=<n> replays a run.
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import fc from "fast-check";
import { LIMITS } from "../../../src/core/wire/hearthProtocol";
import { ensureTestModel } from "../../fixtures/models";
import { launchServer, stopProcess, type ReadyLine } from "../../support/serverProcess";

const TOKEN = "fuzz-token-0123456789abcdef";
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1_100);
const REQUEST_TIMEOUT_MS = 3_000;
/** Liveness bound for /health, not the 100 ms target (a benchmark figure on a quiet machine). */
const HEALTH_BOUND_MS = 5_000;
/** A request unanswered after this long counts as a wedge. */
const SHOT_BOUND_MS = 30_000;

interface Reply {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** One request as the fuzzer describes it: what to send and how. */
interface Shot {
  label: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** Sent in pieces with pauses between (a slow client), when `pieces` > 1. */
  body?: string | Buffer;
  pieces?: number;
  /** Never finishes the body: the server must time the request out. */
  stall?: boolean;
  /** Goes away after this many bytes of the answer (0: while sending the body). */
  leaveAfter?: number;
}

function send(port: number, shot: Shot): Promise<Reply | "left" | "closed"> {
  return new Promise((resolve, reject) => {
    const body = shot.body === undefined ? undefined : Buffer.isBuffer(shot.body) ? shot.body : Buffer.from(shot.body);
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...shot.headers };
    if (body !== undefined && !shot.stall && headers["content-length"] === undefined && headers["transfer-encoding"] === undefined) headers["content-length"] = String(body.length);
    const req = httpRequest({ host: "127.0.0.1", port, method: shot.method, path: shot.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (shot.leaveAfter !== undefined && shot.leaveAfter > 0 && received >= shot.leaveAfter) {
          req.destroy();
          resolve("left");
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
      res.on("error", () => resolve("left"));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      // The server may close a connection whose request it refused or timed out.
      if (shot.leaveAfter !== undefined || shot.stall || error.code === "ECONNRESET" || error.code === "EPIPE") resolve("closed");
      else reject(error);
    });
    if (body === undefined) {
      req.end();
      return;
    }
    if (shot.leaveAfter === 0) {
      req.write(body.subarray(0, Math.max(1, body.length >> 1)));
      setTimeout(() => {
        req.destroy();
        resolve("left");
      }, 20);
      return;
    }
    if (shot.stall) {
      req.write(body.subarray(0, Math.max(1, body.length >> 1)));
      return;
    }
    const pieces = Math.max(1, shot.pieces ?? 1);
    const size = Math.ceil(body.length / pieces);
    let at = 0;
    const next = (): void => {
      if (at >= body.length) {
        req.end();
        return;
      }
      req.write(body.subarray(at, at + size));
      at += size;
      setTimeout(next, pieces > 1 ? 30 : 0);
    };
    next();
  });
}

// --- What the fuzzer sends ------------------------------------------------------------------

const ROUTES = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/tokenize", "/detokenize", "/hearth/lease"] as const;

/** Numbers that break naive code: huge, negative, fractional, unsafe. */
const nastyNumber = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1e308, -1e308, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, -0),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const smallText = fc.string({ maxLength: 40 });
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), nastyNumber, smallText, fc.constant([]), fc.constant({}), fc.array(fc.integer(), { maxLength: 3 }));
/** A field that is usually sensible and sometimes anything at all. */
const field = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: fc.constant(undefined) });

const sampling = fc.record(
  {
    // Never left out: the default (2,048 tokens) would spend the run generating.
    max_tokens: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: wrongType }),
    temperature: field(fc.double({ min: 0, max: 2, noNaN: true })),
    top_p: field(fc.double({ min: 0.01, max: 1, noNaN: true })),
    seed: field(fc.integer()),
    stop: field(fc.oneof(smallText, fc.array(smallText, { maxLength: 20 }), fc.array(fc.string({ minLength: 250, maxLength: 300 }), { maxLength: 2 }))),
    stream: field(fc.boolean()),
    n: field(fc.constant(1)),
    hearth: field(fc.record({ role: field(fc.constantFrom("completion", "chat", "repo", "wizard")), checkpoints: field(fc.array(fc.integer({ min: -5, max: 100 }), { maxLength: 12 })), reuse: field(fc.boolean()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const message = fc.record({ role: field(fc.constantFrom("system", "user", "assistant", "developer", "tool")), content: field(fc.oneof(smallText, fc.array(fc.record({ type: field(fc.constant("text")), text: field(smallText) }), { maxLength: 3 }))) }, { requiredKeys: [] });

/** Many short messages, now and then past the limit. */
const manyMessages = fc.integer({ min: 0, max: 60 }).chain((n) => fc.constantFrom(n, n * 40, LIMITS.messages + 1 + n)).map((count) => Array.from({ length: count }, (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: "w" })));

const bodies: Record<(typeof ROUTES)[number], fc.Arbitrary<unknown>> = {
  "/v1/chat/completions": fc.tuple(sampling, fc.oneof({ weight: 4, arbitrary: fc.array(message, { maxLength: 6 }) }, { weight: 1, arbitrary: manyMessages }, { weight: 1, arbitrary: wrongType })).map(([s, messages]) => ({ ...s, messages })),
  "/v1/completions": fc.tuple(sampling, field(fc.oneof(smallText, fc.array(smallText, { maxLength: 2 }))), field(smallText)).map(([s, prompt, suffix]) => ({ ...s, prompt, suffix })),
  "/v1/embeddings": field(fc.oneof(smallText, fc.array(smallText, { maxLength: 4 }), fc.array(fc.constant("x"), { minLength: LIMITS.embeddingInputs + 1, maxLength: LIMITS.embeddingInputs + 3 }))).map((input) => ({ input })),
  "/tokenize": fc.record({ content: field(smallText), role: field(fc.constantFrom("chat", "completion", "repo", "x")), parse_special: field(fc.boolean()), with_pieces: field(fc.boolean()) }, { requiredKeys: [] }),
  // Ids past the vocabulary killed the process (std::out_of_range) before the check.
  "/detokenize": fc.record({ tokens: field(fc.array(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 2 ** 31 }), nastyNumber), { maxLength: 8 })), role: field(fc.constantFrom("chat", "completion")) }, { requiredKeys: [] }),
  "/hearth/lease": fc.record({ client: field(fc.string({ maxLength: 300 })), ttl_seconds: field(fc.integer({ min: 0, max: 5000 })) }, { requiredKeys: [] }),
};

/** JSON nested `depth` levels deep inside an otherwise sensible request. */
const deep = fc.tuple(fc.constantFrom(...ROUTES), fc.integer({ min: 20, max: 200_000 }), fc.constantFrom("[", "{\"a\":")).map(([path, depth, open]): Shot => {
  const close = open === "[" ? "]" : "}";
  return { label: "deep", method: "POST", path, body: `{"messages":[{"role":"user","content":"x"}],"extra":${open.repeat(depth)}1${close.repeat(depth)}}` };
});

const badJson = fc.tuple(fc.constantFrom(...ROUTES), fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("{", "[1,2", "{\"messages\":", "nul", "\"x\"", "1e999", "{\"a\":1}}", "\u0000", ""), fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("latin1")))).map(([path, body]): Shot => ({ label: "bad json", method: "POST", path, body }));

const wrongContentType = fc.tuple(fc.constantFrom(...ROUTES), fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=latin1")).map(([path, type]): Shot => ({ label: "content-type", method: "POST", path, headers: { "content-type": type }, body: "{\"content\":\"hello\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"prompt\":\"a\",\"input\":\"b\",\"tokens\":[1,2]}" }));

const oddRequests = fc.oneof(
  fc.tuple(fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "POST"), fc.constantFrom("/", "/health", "/v1/models", "/v1/../health", "/hearth/state?x=1", "/hearth/lease?client=", "/%zz", "/v1/chat/completions//")).map(([method, path]): Shot => ({ label: "route", method, path })),
  fc.constantFrom<Shot>(
    { label: "no token", method: "POST", path: "/v1/chat/completions", headers: { authorization: "Bearer wrong" }, body: "{}" },
    { label: "lying length", method: "POST", path: "/tokenize", headers: { "content-length": String(1 << 30) }, body: "{\"content\":\"x\"}", stall: true },
  ),
);

/** Valid requests whose client leaves while sending or while the answer streams. */
const disconnect = fc.tuple(fc.constantFrom(0, 1, 200), fc.boolean()).map(([leaveAfter, chat]): Shot => ({
  label: "disconnect",
  method: "POST",
  path: chat ? "/v1/chat/completions" : "/v1/completions",
  body: JSON.stringify(chat ? { messages: [{ role: "user", content: "tell me a long story" }], max_tokens: 64, stream: true } : { prompt: "once upon", max_tokens: 64, stream: true }),
  leaveAfter,
}));

const json = fc.constantFrom(...ROUTES).chain((path) => bodies[path].map((body): Shot => ({ label: `json ${path}`, method: "POST", path, body: JSON.stringify(body) ?? "null" })));
const trickled = json.chain((shot) => fc.integer({ min: 2, max: 4 }).map((pieces): Shot => ({ ...shot, label: `trickled ${shot.path}`, pieces })));

const shots = fc.oneof({ weight: 30, arbitrary: json }, { weight: 3, arbitrary: deep }, { weight: 4, arbitrary: badJson }, { weight: 2, arbitrary: wrongContentType }, { weight: 3, arbitrary: oddRequests }, { weight: 2, arbitrary: trickled }, { weight: 2, arbitrary: disconnect });

/** Text at and just past the request's limit, in each route that takes text. */
function giantShots(): Shot[] {
  const atLimit = "let x = 1;\nfoo(bar);\n".repeat(Math.floor(LIMITS.textChars / 21));
  const pastLimit = "y".repeat(LIMITS.textChars + 1);
  return [
    { label: "giant chat", method: "POST", path: "/v1/chat/completions", body: JSON.stringify({ messages: [{ role: "user", content: atLimit }], max_tokens: 1 }) },
    { label: "giant tokenize", method: "POST", path: "/tokenize", body: JSON.stringify({ content: pastLimit }) },
    { label: "giant completion parts", method: "POST", path: "/v1/completions", body: JSON.stringify({ prompt: atLimit, suffix: "zzzz".repeat(1000), max_tokens: 1 }) },
    { label: "giant embeddings", method: "POST", path: "/v1/embeddings", body: JSON.stringify({ input: ["word ".repeat(10_000)] }) },
    { label: "giant values", method: "POST", path: "/detokenize", body: `{"tokens":[${"1,".repeat(LIMITS.jsonValues)}1]}` },
  ];
}

// --- The run --------------------------------------------------------------------------------

describe("server fuzz: malformed and oversized requests (real server, tiny qwen35 model)", function () {
  this.timeout(240_000);
  let child: ChildProcess;
  let ready: ReadyLine;
  let stderr: () => string;
  let exited: string | undefined;

  before(async () => {
    const model = await ensureTestModel({ arch: "qwen35" });
    const launched = await launchServer(["--model", model, "--port", "0", "--context-size", "4096", "--gpu", "cpu"], { HEARTH_SERVER_TOKEN: TOKEN, HEARTH_SERVER_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
    child = launched.child;
    stderr = launched.stderr;
    if (launched.first.event !== "ready") throw new Error(`server failed: ${launched.first.message}`);
    ready = launched.first;
    child.once("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  });

  after(async () => {
    if (child) await stopProcess(child);
  });

  it(`answers ${RUNS} generated requests (seed ${SEED}) with no 5xx, stays up, and /health answers throughout`, async () => {
    const port = ready.port;
    const generated = fc.sample(shots, { seed: SEED, numRuns: RUNS });
    const all = [...giantShots(), ...generated];
    // The watchdog: /health probed on fresh connections all along.
    let probing = true;
    let healthMaxMs = 0;
    let healthProbes = 0;
    const healthFailures: string[] = [];
    const prober = (async () => {
      while (probing) {
        const started = performance.now();
        const reply = await Promise.race([send(port, { label: "health", method: "GET", path: "/health" }), new Promise<"slow">((resolve) => setTimeout(() => resolve("slow"), HEALTH_BOUND_MS))]).catch((error: unknown) => String(error));
        const ms = performance.now() - started;
        healthProbes++;
        healthMaxMs = Math.max(healthMaxMs, ms);
        if (typeof reply === "string" || reply.status !== 200) healthFailures.push(`${typeof reply === "string" ? reply : reply.status} after ${Math.round(ms)} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    const statuses = new Map<string, number>();
    const slowest: Array<{ ms: number; label: string }> = [];
    const serverErrors: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < all.length && exited === undefined) {
        const index = next++;
        const shot = all[index]!;
        const started = performance.now();
        const reply = await Promise.race([send(port, shot), new Promise<string>((resolve) => setTimeout(() => resolve("hung"), SHOT_BOUND_MS))]).catch((error: unknown) => `error ${String(error)}`);
        const ms = performance.now() - started;
        slowest.push({ ms: Math.round(ms), label: `#${index} ${shot.label}` });
        slowest.sort((a, b) => b.ms - a.ms).splice(3);
        const key = typeof reply === "string" ? reply.split(" ")[0]! : String(reply.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (typeof reply === "string") {
          if (reply.startsWith("error") || reply === "hung") serverErrors.push(`#${index} ${shot.label}: ${reply}`);
          continue;
        }
        if (reply.status >= 500) serverErrors.push(`#${index} ${shot.label} ${shot.method} ${shot.path}: ${reply.status} ${reply.body.slice(0, 300)} (body: ${String(shot.body).slice(0, 200)})`);
        else if (reply.status >= 400 && reply.status !== 408 && reply.status !== 404 && !reply.body.includes('"error"')) serverErrors.push(`#${index} ${shot.label}: ${reply.status} without an error body`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    probing = false;
    await prober;

    // The server still works after all that.
    const after = await send(port, { label: "after", method: "POST", path: "/v1/chat/completions", body: JSON.stringify({ messages: [{ role: "user", content: "still there?" }], max_tokens: 3 }) });
    const summary = { seed: SEED, requests: all.length, statuses: Object.fromEntries(statuses), healthProbes, healthMaxMs: Math.round(healthMaxMs), slowest, disconnectLogs: stderr().split("client disconnected").length - 1 };
    console.log(`      ${JSON.stringify(summary)}`);
    assert.equal(exited, undefined, `the server died: ${exited}\n${stderr().slice(-3000)}`);
    assert.deepEqual(serverErrors.slice(0, 10), [], `replay with FUZZ_SEED=${SEED}`);
    assert.deepEqual(healthFailures, [], "every /health probe answered 200 within the bound");
    assert.ok(healthProbes > 10, "the watchdog ran alongside");
    assert.ok(typeof after !== "string" && after.status === 200, `a valid request after the run: ${typeof after === "string" ? after : after.body}`);
    assert.doesNotMatch(stderr(), /failed: /, "no request was logged as a server failure");
  });

  it("times out a request whose body never finishes (408), token or not", async () => {
    const reply = await send(ready.port, { label: "stall", method: "POST", path: "/v1/chat/completions", headers: { "content-length": "1000" }, body: '{"messages":[', stall: true });
    assert.ok(reply === "closed" || (typeof reply !== "string" && reply.status === 408), `got ${typeof reply === "string" ? reply : reply.status}`);
    assert.equal(exited, undefined);
  });

  it("logs a client that leaves mid-answer as one line, not as a failure with a stack", async () => {
    const before = stderr().split("client disconnected").length;
    assert.equal(await send(ready.port, { label: "leave", method: "POST", path: "/v1/chat/completions", body: JSON.stringify({ messages: [{ role: "user", content: "go on" }], max_tokens: 2000, stream: true }), leaveAfter: 1 }), "left");
    const deadline = Date.now() + 10_000;
    while (stderr().split("client disconnected").length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = stderr().split("\n").filter((line) => line.includes("client disconnected"));
    assert.ok(lines.length >= 1);
    assert.match(lines.at(-1)!, /^\[info\] POST \/v1\/chat\/completions: client disconnected$/);
    assert.doesNotMatch(stderr(), /failed: |at .*\(.*:\d+:\d+\)/, "no stack trace in the log");
  });
});
