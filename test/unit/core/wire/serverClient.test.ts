// HearthServerClient against the real model server (dist/server.mjs, a tiny qwen35 model
// through node-llama-cpp), and against loopback stand-ins that answer wrongly or not at all.
// Needs `npm run build`.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PromptProgress } from "../../../../src/core/model";
import { LocalProvider, ProviderError } from "../../../../src/core/providers";
import { HearthServerClient, HearthServerError, serverRoot, type HearthServerErrorKind } from "../../../../src/core/wire/serverClient";
import { ensureTestModel } from "../../../fixtures/models";
import { startServer, type RunningServer } from "../../../support/serverProcess";

async function rejectsWith(promise: Promise<unknown>, kind: HearthServerErrorKind, message?: RegExp): Promise<HearthServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HearthServerError, `a HearthServerError, not ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${kind} error`);
}

describe("HearthServerClient", () => {
  it("finds Hearth's routes beside the base URL's /v1, whatever trailing slashes it has", () => {
    assert.equal(serverRoot("http://127.0.0.1:8080/v1"), "http://127.0.0.1:8080");
    assert.equal(serverRoot("http://127.0.0.1:8080/v1/"), "http://127.0.0.1:8080");
    assert.equal(serverRoot("http://box:8000/openai/v1"), "http://box:8000/openai");
    // A base URL without /v1 is an external server laid out its own way: its routes sit below it.
    assert.equal(serverRoot("http://box:8000"), "http://box:8000");
    assert.equal(new HearthServerClient({ baseUrl: "http://127.0.0.1:1/v1", token: "t" }).root, "http://127.0.0.1:1");
  });

  describe("against the real server (tiny qwen35 model)", function () {
    this.timeout(180_000);
    let server: RunningServer;
    let stateDir: string;
    let client: HearthServerClient;

    before(async () => {
      stateDir = await mkdtemp(join(tmpdir(), "hearth-wire-"));
      server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1", "--state-dir", stateDir, "--repo-context-size", "8192"]);
      client = new HearthServerClient({ baseUrl: `${server.baseUrl}/v1`, token: server.token });
    });
    after(async () => {
      await server?.stop();
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    });

    it("reads /health: the server's pid, contexts and leases", async () => {
      const health = await client.health();
      assert.equal(health.status, "ok");
      assert.equal(health.pid, server.ready.pid);
      assert.equal(health.contexts?.chat, 4096);
      assert.equal(health.architecture, "qwen35");
      assert.equal(typeof health.leases, "number");
    });

    it("tokenizes, with pieces and special tokens on request, and detokenizes back", async () => {
      const text = "function add(a, b) { return a + b; }";
      const ids = await client.tokenize({ content: text });
      assert.ok(ids.length > 1 && ids.every((id) => Number.isInteger(id)));
      assert.equal(await client.detokenize({ tokens: ids }), text);
      const pieces = await client.tokenPieces({ content: text });
      assert.deepEqual(pieces.map((p) => p.id), ids);
      assert.equal(pieces.map((p) => p.piece).join(""), text);
      assert.equal((await client.tokenize({ content: "<|file_sep|>", parse_special: true })).length, 1);
      assert.ok((await client.tokenize({ content: "<|file_sep|>" })).length > 1, "without parse_special the marker is plain text");
      assert.deepEqual(await client.tokenize({ content: text, role: "completion" }), ids, "one model serves every role here");
    });

    it("takes and gives back a lease; a relative root is refused with the server's own message", async () => {
      const before = (await client.health()).leases ?? 0;
      const leased = await client.lease({ client: "wire-test", ttl_seconds: 30, roots: [stateDir] });
      assert.deepEqual(leased, { ok: true, leases: before + 1 });
      assert.deepEqual(await client.release("wire-test"), { ok: true, leases: before });
      const refused = await rejectsWith(client.lease({ client: "wire-test", roots: ["relative/folder"] }), "http", /HTTP 400: .*roots\.0.*absolute folder path/);
      assert.equal(refused.status, 400);
      assert.equal(refused.route, "POST /hearth/lease");
    });

    it("lists the states a repo question saved, streaming progress the wire schema reads, and clears them", async () => {
      assert.deepEqual(await client.state(), { dir: stateDir, bytes: 0, limitBytes: 8 * 1024 ** 3, entries: [] });
      const provider = new LocalProvider({ endpoint: async () => ({ baseUrl: `${server.baseUrl}/v1`, token: server.token }) });
      const pack = Array.from({ length: 6 }, (_, i) => `<|file_sep|>src/f${i}.ts\nexport const f${i} = ${i};\n`).join("");
      const progress: PromptProgress[] = [];
      const prepared = provider.prepare({ kind: "chat", messages: [{ role: "system", content: `Answer about this repository.\n${pack}` }, { role: "user", content: "What is f3?" }], maxTokens: 2, temperature: 0, hearth: { role: "repo" } });
      assert.deepEqual(JSON.parse(prepared.json).hearth, { role: "repo", progress: true, persist: true }, "a repo question asks for progress and persistence");
      await provider.send(prepared, { onProgress: (p) => progress.push(p) });
      assert.ok(progress.length > 0, "hearth.progress chunks were read");
      const last = progress.at(-1)!;
      assert.equal(last.evaluated, last.total);

      const listing = await client.state();
      assert.ok(listing.entries.length > 0, "the pack's state was saved");
      assert.equal(listing.bytes, listing.entries.reduce((sum, entry) => sum + entry.bytes, 0));
      assert.deepEqual(await client.clearState(), { ok: true, deleted: listing.entries.length });
      assert.deepEqual((await client.state()).entries, []);
    });

    it("reads OpenAI's /v1/models", async () => {
      const models = await client.models();
      assert.equal(models.data[0]?.id, server.ready.model);
    });

    it("says a wrong token was refused, quoting the server", async () => {
      const wrong = new HearthServerClient({ baseUrl: `${server.baseUrl}/v1`, token: "not-the-token" });
      const error = await rejectsWith(wrong.health(), "http", /HTTP 401: "Missing or wrong API key/);
      assert.equal(error.status, 401);
      assert.doesNotMatch(error.message, new RegExp(server.token), "the token never shows in a message");
    });
  });

  describe("against servers that answer wrongly or not at all", () => {
    let fake: Server;
    let handler: (req: IncomingMessage, res: ServerResponse) => void;
    let baseUrl: string;
    const held: ServerResponse[] = [];

    before(async () => {
      fake = createServer((req, res) => handler(req, res));
      await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
      baseUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`;
    });
    afterEach(() => {
      for (const res of held.splice(0)) res.destroy();
    });
    after(async () => {
      fake.closeAllConnections();
      await new Promise((resolve) => fake.close(resolve));
    });

    const answer = (status: number, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(status, { "content-type": "application/json" }).end(body);
    };
    const client = (timeoutMs = 10_000) => new HearthServerClient({ baseUrl, token: "t" }, { timeoutMs });

    it("calls an answer without the fields the protocol names malformed, naming the field", async () => {
      handler = answer(200, JSON.stringify({ status: "ok" }));
      await rejectsWith(client().health(), "malformed", /GET \/health .*'pid'/);
      handler = answer(200, JSON.stringify({ tokens: [1, 2, "three"] }));
      await rejectsWith(client().tokenize({ content: "x" }), "malformed", /'tokens': expected a list of token ids/);
      handler = answer(200, JSON.stringify({ dir: null, bytes: 0, limitBytes: 0, entries: {} }));
      await rejectsWith(client().state(), "malformed", /'entries'/);
      handler = answer(200, JSON.stringify({ ok: true }));
      await rejectsWith(client().lease({ client: "w" }), "malformed", /'leases'/);
      handler = answer(200, "null");
      await rejectsWith(client().health(), "malformed", /the body/);
    });

    it("calls an answer that is not JSON, or larger than any the protocol allows, malformed", async () => {
      handler = answer(200, "<html>a proxy's login page</html>");
      await rejectsWith(client().health(), "malformed", /other than JSON: "<html>/);
      // 5 MB of JSON, sent without a declared length: the client stops reading at its 4 MB limit.
      handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`{"status":"ok","pid":1,"id":"`);
        const chunk = "x".repeat(64 * 1024);
        for (let i = 0; i < 80; i++) res.write(chunk);
        res.end(`"}`);
      };
      await rejectsWith(client().health(), "malformed", /more than 4194304 bytes/);
    });

    it("passes on a refusal's status and message, also when the refusal is not JSON", async () => {
      handler = answer(404, JSON.stringify({ error: { message: "Unknown route GET /hearth/state." } }));
      const error = await rejectsWith(client().state(), "http", /HTTP 404: "Unknown route/);
      assert.equal(error.status, 404);
      handler = answer(502, "Bad Gateway");
      await rejectsWith(client().health(), "http", /HTTP 502\.$/);
    });

    it("gives up on a server that does not answer, or stops halfway through its answer", async () => {
      handler = (_req, res) => held.push(res);
      const silent = await rejectsWith(client(300).health(), "timeout", /did not answer GET \/health within 300 ms/);
      assert.equal(silent.route, "GET /health");
      handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(`{"status":"ok",`);
        held.push(res);
      };
      await rejectsWith(client(300).health(), "timeout");
    });

    it("stops when the caller cancels", async () => {
      handler = (_req, res) => held.push(res);
      const controller = new AbortController();
      const pending = client().tokenize({ content: "x" }, { signal: controller.signal });
      controller.abort();
      await rejectsWith(pending, "cancelled");
    });

    it("does not follow a redirect: the prompt being counted and the token stay with the server that was asked", async () => {
      const elsewhere: string[] = [];
      const other = createServer((req, res) => {
        elsewhere.push(`${req.method} ${req.url}`);
        req.resume();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ tokens: [1] }));
      });
      await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
      try {
        handler = (_req, res) => res.writeHead(307, { location: `http://localhost:${(other.address() as AddressInfo).port}/tokenize` }).end();
        await rejectsWith(client().tokenize({ content: "the prompt, with a secret in it" }), "http", /HTTP 307/);
        assert.deepEqual(elsewhere, [], "nothing reached the server the redirect named");
      } finally {
        other.closeAllConnections();
        await new Promise((resolve) => other.close(resolve));
      }
    });

    it("never writes the server's token or a password in the base URL into its messages (they end up in logs)", async () => {
      handler = answer(401, JSON.stringify({ error: { message: "Bearer sk-hearth-0123456789abcdef is not a key of this server" } }));
      const echoed = await rejectsWith(new HearthServerClient({ baseUrl, token: "sk-hearth-0123456789abcdef" }).health(), "http", /HTTP 401/);
      assert.ok(!echoed.message.includes("sk-hearth-0123456789abcdef"), echoed.message);
      const withPassword = baseUrl.replace("http://", "http://me:hunter2-secret@");
      const error = await new HearthServerClient({ baseUrl: withPassword, token: "" }).health().then(
        () => assert.fail("expected an error"),
        (e: unknown) => e as Error,
      );
      assert.ok(!error.message.includes("hunter2-secret"), error.message);
    });

    it("says when nothing listens, with the socket's reason", async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      await rejectsWith(new HearthServerClient({ baseUrl: `http://127.0.0.1:${port}/v1`, token: "t" }).health(), "unreachable", /ECONNREFUSED/);
    });

    it("reaches the local provider's token counts as its own errors", async () => {
      const provider = new LocalProvider({ endpoint: async () => ({ baseUrl, token: "t" }) });
      handler = answer(200, JSON.stringify({ tokens: "many" }));
      await assert.rejects(provider.tokenize(["hello"]), (error: unknown) => error instanceof ProviderError && error.kind === "bad_request" && /without a token list/.test(error.message));
      handler = answer(200, JSON.stringify({ tokens: [5, 6, 7] }));
      assert.deepEqual(await provider.tokenize(["hello", ""]), [3, 0]);
    });
  });
});
