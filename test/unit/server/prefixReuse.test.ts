import assert from "node:assert/strict";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";
import { getJson, streamChat, tokenCount } from "./sseClient";

function filler(label: string, length: number): string {
  let text = "";
  for (let i = 0; text.length < length; i++) text += `${label} line ${i}: the quick brown fox jumps over the lazy dog.\n`;
  return text.slice(0, length);
}

describe("prefix reuse at message boundaries, progress and cancel (tiny qwen35 model, real server)", function () {
  this.timeout(120_000);
  let server: RunningServer;

  before(async () => {
    const model = await ensureTestModel({ arch: "qwen35" });
    server = await startServer(model, ["--repo-context-size", "32768"]);
  });

  after(async () => {
    await server?.stop();
  });

  it("evaluates only the new message and the previous answer on each later chat turn", async () => {
    const system = { role: "system" as const, content: filler("rules", 1500) };
    const messages: Array<{ role: "system" | "user" | "assistant"; content: string }> = [system, { role: "user", content: "First question about the code?" }];
    const first = await streamChat(server, { messages, max_tokens: 12 });
    assert.equal(first.status, 200, first.body);
    assert.ok(first.usage, "usage is reported");
    const systemTokens = await tokenCount(server, system.content);
    let answer = first.text;
    for (let turn = 2; turn <= 4; turn++) {
      messages.push({ role: "assistant", content: answer });
      const question = `Question number ${turn}, a little longer each time${"?".repeat(turn)}`;
      messages.push({ role: "user", content: question });
      const next = await streamChat(server, { messages, max_tokens: 12 });
      assert.equal(next.status, 200, next.body);
      const usage = next.usage!;
      const evaluated = usage.prompt_tokens - usage.prompt_tokens_details.cached_tokens;
      const newTokens = (await tokenCount(server, question)) + (await tokenCount(server, answer));
      // Template tokens: <|im_end|>\n<|im_start|>user\n … <|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n
      assert.ok(evaluated <= newTokens + 40, `turn ${turn}: evaluated ${evaluated} tokens, new content is ${newTokens}`);
      assert.ok(usage.prompt_tokens_details.cached_tokens >= systemTokens, `turn ${turn}: the system message and history were reused`);
      answer = next.text;
    }
  });

  it("evaluates only the question when a new conversation starts after the same system message", async () => {
    const system = { role: "system" as const, content: filler("guide", 1200) };
    const a = await streamChat(server, { messages: [system, { role: "user", content: "What does module A do?" }] });
    assert.equal(a.status, 200, a.body);
    const b = await streamChat(server, { messages: [system, { role: "user", content: "And module B, how is it tested?" }] });
    const systemTokens = (await tokenCount(server, system.content)) + 3; // <|im_start|>system\n
    assert.ok(b.usage!.prompt_tokens_details.cached_tokens >= systemTokens, `cached ${b.usage!.prompt_tokens_details.cached_tokens} of a ${systemTokens}-token system message`);
    // Exactly the question and what follows it: the system message and the new message's
    // `<|im_start|>user\n` header come from the checkpoint.
    const question = await tokenCount(server, "And module B, how is it tested?");
    const trailer = await tokenCount(server, "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n", "chat", true);
    assert.equal(b.usage!.prompt_tokens - b.usage!.prompt_tokens_details.cached_tokens, question + trailer);
  });

  it("streams hearth.progress chunks before any content, ending at the prompt's size", async () => {
    const result = await streamChat(server, {
      messages: [
        { role: "system", content: filler("pack", 12_000) },
        { role: "user", content: "Where is the entry point?" },
      ],
      hearth: { role: "repo", progress: true },
    });
    assert.equal(result.status, 200, result.body);
    assert.ok(result.progress.length >= 2, `progress chunks: ${result.progress.length}`);
    const firstContent = result.order.indexOf("content");
    const lastProgress = result.order.lastIndexOf("progress");
    assert.ok(firstContent === -1 || lastProgress < firstContent, "progress comes before content");
    const evaluated = result.progress.map((p) => p.evaluated);
    assert.deepEqual([...evaluated].sort((x, y) => x - y), evaluated, "evaluated never goes back");
    const last = result.progress.at(-1)!;
    assert.equal(last.evaluated, last.total);
    assert.equal(last.total, result.usage!.prompt_tokens - 1, "total is the prompt but its last token");
  });

  it("sends no progress chunks unless asked", async () => {
    const result = await streamChat(server, { messages: [{ role: "user", content: "hello" }] });
    assert.equal(result.progress.length, 0);
  });

  it("stops evaluating a long prompt as soon as the client disconnects", async () => {
    const before = await getJson<{ generations: { aborted: number } }>(server, "/health");
    const controller = new AbortController();
    // Long enough for many one-second chunks: the abort must land mid-prefill.
    let text = filler("cancel", 25_000);
    while ((await tokenCount(server, text)) < 30_000) text += filler("more", 2000);
    const total = await tokenCount(server, text);
    await streamChat(
      server,
      { messages: [{ role: "system", content: text }, { role: "user", content: "never answered" }], hearth: { role: "repo", progress: true } },
      { controller, onProgress: (progress) => { if (progress.evaluated > progress.cached) controller.abort(); } },
    ).catch((error: unknown) => {
      if (!(error instanceof Error) || error.name !== "AbortError") throw error;
    });
    // The server notices the disconnect at the next chunk boundary.
    let health = await getJson<{ generations: { aborted: number }; roles: Record<string, { cachedTokens: number }> }>(server, "/health");
    for (let i = 0; i < 100 && health.generations.aborted === before.generations.aborted; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      health = await getJson(server, "/health");
    }
    assert.equal(health.generations.aborted, before.generations.aborted + 1, "the generation was abandoned");
    assert.ok(health.roles.repo!.cachedTokens < total, `the repo sequence stopped at ${health.roles.repo!.cachedTokens} of ${total} tokens`);
  });

  it("answers a repo prompt over the repo context with a 400 naming both sizes", async () => {
    const health = await getJson<{ contexts: { repo: number; chat: number } }>(server, "/health");
    assert.equal(health.contexts.repo, 32768);
    assert.equal(health.contexts.chat, 4096);
    let huge = filler("huge", 33_000);
    while ((await tokenCount(server, huge)) < 33_000) huge += huge.slice(0, 8000);
    const result = await streamChat(server, { messages: [{ role: "system", content: huge }, { role: "user", content: "?" }], hearth: { role: "repo" } });
    assert.equal(result.status, 400);
    assert.match(result.body, /repo context holds 32768/);
    assert.match(result.body, /has \d+ tokens/);
  });
});
