// Repository questions from scripts: `hearth.repo` names a folder and the server packs it
// itself (real server, tiny qwen35 model, a real folder on disk), but only below its roots:
// --repo-root, or the folders a client registers with its lease.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";
import { streamChat } from "./sseClient";

describe("hearth.repo: the server packs a folder for scripts (tiny qwen35 model)", function () {
  this.timeout(180_000);
  let server: RunningServer;
  let base: string;
  let repo: string;
  let stateDir: string;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "hearth-repo-roots-"));
    repo = await mkdtemp(join(base, "folder-"));
    stateDir = await mkdtemp(join(tmpdir(), "hearth-repo-state-"));
    await mkdir(join(repo, "src"));
    await writeFile(join(repo, "README.md"), "# Billing\nComputes rebates.\n");
    await writeFile(join(repo, "src", "rebate.ts"), "export function computeQuarterlyRebate(total: number): number {\n  return total * 0.02;\n}\n");
    await writeFile(join(repo, ".gitignore"), "secret.txt\n");
    await writeFile(join(repo, "secret.txt"), "IGNORED-BY-GITIGNORE\n");
    await writeFile(join(repo, "package-lock.json"), "{}\n");
    server = await startServer(await ensureTestModel({ arch: "qwen35" }), ["--threads", "1", "--state-dir", stateDir, "--repo-context-size", "8192", "--repo-root", base]);
  });

  after(async () => {
    await server?.stop();
    await rm(base, { recursive: true, force: true });
    await rm(stateDir, { recursive: true, force: true });
  });

  it("answers with the folder's pack in front, says what went in, and a follow-up evaluates only the question", async () => {
    const first = await streamChat(server, { messages: [{ role: "user", content: "Where is computeQuarterlyRebate?" }], hearth: { repo, progress: true } });
    assert.equal(first.status, 200, first.body);
    assert.ok(first.usage !== undefined);
    // The pack's tokens are in the prompt: far more than the question's dozen.
    assert.ok(first.usage.prompt_tokens > 100, `prompt ${first.usage.prompt_tokens} tokens`);
    assert.ok(first.progress.length > 0, "progress chunks while the pack is evaluated");

    const firstQuestion = "Where is computeQuarterlyRebate?";
    const followUp = "And what does README.md say?";
    // The tiny model's tokenizer is byte-level: a question costs its length in tokens, plus the template's few.
    const second = await streamChat(server, { messages: [{ role: "user", content: followUp }], hearth: { repo } });
    assert.equal(second.status, 200, second.body);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const evaluated = (second.usage?.prompt_tokens ?? 0) - cached;
    assert.ok(cached >= first.usage.prompt_tokens - firstQuestion.length - 20, `cached ${cached} of a ${first.usage.prompt_tokens}-token first prompt`);
    // About 22 more for the template in byte tokens ("<|im_start|>user\\n", "assistant\\n", the empty think block).
    assert.ok(evaluated <= followUp.length + 26, `evaluated ${evaluated} tokens for a ${followUp.length}-byte follow-up`);
  });

  it("keeps a repo that does not fit packed for the conversation's first question, so a follow-up reuses its state", async () => {
    // ~40 KB of byte-level tokens against an 8K context: the pack is a selection.
    const big = await mkdtemp(join(base, "big-"));
    try {
      for (let i = 0; i < 40; i++) {
        const body = Array.from({ length: 20 }, (_, line) => `export const value${i}_${line} = ${i * 100 + line}; // filler line for module ${i}`).join("\n");
        await writeFile(join(big, `module${i}.ts`), `export function handler${i}(input: number): number {\n  return input + ${i};\n}\n${body}\n`);
      }
      const question = "What does handler7 return?";
      const first = await streamChat(server, { messages: [{ role: "user", content: question }], hearth: { repo: big }, max_tokens: 8 });
      assert.equal(first.status, 200, first.body);
      assert.match(first.headers.get("x-hearth-repo-pack") ?? "", /files left out/);
      const history = [{ role: "user" as const, content: question }, { role: "assistant" as const, content: first.text }];
      // A follow-up naming another module: packed for it, the pack would change and be evaluated again.
      const second = await streamChat(server, { messages: [...history, { role: "user", content: "And handler33?" }], hearth: { repo: big }, max_tokens: 8 });
      assert.equal(second.status, 200, second.body);
      const reused = second.usage!.prompt_tokens_details.cached_tokens;
      assert.ok(reused >= first.usage!.prompt_tokens - question.length - 20, `reused ${reused} of the first prompt's ${first.usage!.prompt_tokens} tokens`);
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  });

  it("refuses a relative or missing folder, naming hearth.repo", async () => {
    for (const bad of ["relative/dir", join(repo, "missing")]) {
      const result = await streamChat(server, { messages: [{ role: "user", content: "Hi" }], hearth: { repo: bad } });
      assert.equal(result.status, 400);
      assert.match(result.body, /hearth\.repo/);
    }
  });

  it("refuses a folder outside its roots (403 naming --repo-root) until a client registers it with its lease, and /proc/self always", async () => {
    const outside = await mkdtemp(join(tmpdir(), "hearth-repo-outside-"));
    const lease = (method: string, body?: unknown): Promise<Response> =>
      fetch(`${server.baseUrl.replace(/\/v1$/, "")}/hearth/lease${method === "DELETE" ? "?client=roots-test" : ""}`, {
        method,
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    try {
      await writeFile(join(outside, "a.ts"), "export const a = 1;\n");
      const ask = (dir: string) => streamChat(server, { messages: [{ role: "user", content: "Hi" }], hearth: { repo: dir }, max_tokens: 4 });
      const refused = await ask(outside);
      assert.equal(refused.status, 403, refused.body);
      assert.match(refused.body, /--repo-root/);
      assert.equal((await lease("POST", { client: "roots-test", ttl_seconds: 60, roots: [outside] })).status, 200);
      const allowed = await ask(outside);
      assert.equal(allowed.status, 200, allowed.body);
      assert.equal((await lease("POST", { client: "roots-test", roots: ["relative/dir"] })).status, 400, "a relative root is refused");
      assert.equal((await lease("DELETE")).status, 200);
      assert.equal((await ask(outside)).status, 403, "the released lease took its folders with it");
      for (const special of ["/proc/self", "/dev"]) {
        const result = await ask(special);
        assert.equal(result.status, process.platform === "linux" || special === "/dev" ? 400 : 403, result.body);
        assert.match(result.body, /hearth\.repo/);
      }
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });
});
