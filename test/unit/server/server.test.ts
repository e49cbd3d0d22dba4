import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import OpenAI from "openai";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";

interface RawResponse {
  status: number;
  body: string;
}

/** A request with full control of headers, for the checks the SDK would never send. */
function raw(server: RunningServer, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: "127.0.0.1", port: server.ready.port, method, path, headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", ...options.headers } },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

interface Health {
  generations: { completed: number; aborted: number };
  roles: Record<string, { cachedTokens: number; checkpointBytes: number }>;
}

async function health(server: RunningServer): Promise<Health> {
  const response = await raw(server, "GET", "/health");
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as Health;
}

describe("model server (tiny qwen35 model, real node-llama-cpp)", function () {
  this.timeout(120_000);
  let server: RunningServer;
  let client: OpenAI;

  before(async () => {
    const model = await ensureTestModel({ arch: "qwen35" });
    server = await startServer(model);
    client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
  });

  after(async () => {
    await server?.stop();
  });

  it("prints a ready line describing the model", () => {
    assert.equal(server.ready.event, "ready");
    assert.ok(server.ready.port > 0);
    assert.equal(server.ready.architecture, "qwen35");
    assert.equal(server.ready.fim, true);
    assert.equal(server.ready.hybrid, true);
    assert.equal(server.ready.contextSize, 4096);
    assert.equal(server.ready.token, undefined, "a token given by the environment is never echoed");
  });

  it("lists its model on /v1/models through the openai SDK", async () => {
    const models = await client.models.list();
    assert.equal(models.data.length, 1);
    assert.equal(models.data[0]!.id, server.ready.model);
  });

  it("streams a chat completion to the openai SDK with usage", async () => {
    const stream = await client.chat.completions.create({
      model: server.ready.model,
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    assert.ok(chunks >= 3, `expected several chunks, got ${chunks}`);
    assert.ok(finish === "length" || finish === "stop");
    assert.ok(usage, "usage chunk");
    assert.ok(usage.prompt_tokens > 5);
    assert.ok(usage.completion_tokens >= 1 && usage.completion_tokens <= 12);
    assert.equal(typeof usage.prompt_tokens_details?.cached_tokens, "number");
    assert.equal(typeof text, "string");
  });

  it("answers a non-streaming chat completion deterministically for a fixed seed", async () => {
    const ask = () =>
      client.chat.completions.create({ model: server.ready.model, messages: [{ role: "user", content: "Count" }], max_tokens: 8, temperature: 0.8, seed: 42 });
    const first = await ask();
    const second = await ask();
    assert.equal(first.choices[0]!.message.content, second.choices[0]!.message.content);
    assert.equal(first.usage!.completion_tokens, second.usage!.completion_tokens);
  });

  it("switches Qwen thinking with chat_template_kwargs.enable_thinking (checked by tokens)", async () => {
    const ask = (enableThinking: boolean) =>
      client.chat.completions.create({
        model: server.ready.model,
        messages: [{ role: "user", content: "Think?" }],
        max_tokens: 6,
        temperature: 0,
        // @ts-expect-error llama-server's and vLLM's extension field.
        chat_template_kwargs: { enable_thinking: enableThinking },
      });
    const off = await ask(false);
    const on = await ask(true);
    // Off ends the prompt with "<think>\n\n</think>\n\n"; on ends it with "<think>\n" and
    // the answer starts inside the thought.
    const count = async (content: string): Promise<number> =>
      (JSON.parse((await raw(server, "POST", "/tokenize", { body: JSON.stringify({ content, parse_special: true }) })).body) as { tokens: number[] }).tokens.length;
    assert.equal(off.usage!.prompt_tokens - on.usage!.prompt_tokens, (await count("<think>\n\n</think>\n\n")) - (await count("<think>\n")));
    const onMessage = on.choices[0]!.message as { content: string | null; reasoning_content?: string };
    assert.ok((onMessage.reasoning_content ?? "").length > 0, "thoughts go to reasoning_content");
    assert.equal(onMessage.content, "", "the tiny model never closes its thought, so no answer text");
    assert.ok((off.choices[0]!.message.content ?? "").length > 0);
  });

  it("streams a fill-in-the-middle completion when a suffix is given", async () => {
    const stream = await client.completions.create({
      model: server.ready.model,
      prompt: "function add(a, b) {\n  return ",
      suffix: "\n}\n",
      max_tokens: 10,
      temperature: 0,
      stream: true,
    });
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      usage = chunk.usage ?? usage;
    }
    assert.ok(chunks >= 2);
    assert.ok(usage && usage.prompt_tokens > 20, "prefix, suffix and three FIM tokens");
  });

  it("keeps long texts tokenized apart by text and special-token parsing", async () => {
    // Texts over 16K characters are remembered once tokenized (a pack comes with every question).
    const tokenize = async (content: string, parseSpecial: boolean): Promise<number[]> =>
      (JSON.parse((await raw(server, "POST", "/tokenize", { body: JSON.stringify({ content, parse_special: parseSpecial }) })).body) as { tokens: number[] }).tokens;
    const long = `<|file_sep|>${"let x = 1;\n".repeat(2_000)}`;
    const special = await tokenize(long, true);
    const literal = await tokenize(long, false);
    const longer = await tokenize(`${long}y`, true);
    assert.deepEqual(await tokenize(long, true), special);
    assert.ok(literal.length > special.length, "<|file_sep|> is one token only when parsed as special");
    assert.deepEqual(longer.slice(0, special.length), special);
    assert.equal(longer.length, special.length + 1);
  });

  it("lays out FIM requests with the model's FIM tokens (checked by tokens)", async () => {
    const tokenize = async (content: string, parseSpecial: boolean): Promise<number[]> => {
      const response = await raw(server, "POST", "/tokenize", { body: JSON.stringify({ content, parse_special: parseSpecial }) });
      return (JSON.parse(response.body) as { tokens: number[] }).tokens;
    };
    const [fimPrefix] = await tokenize("<|fim_prefix|>", true);
    const [fimSuffix] = await tokenize("<|fim_suffix|>", true);
    const [fimMiddle] = await tokenize("<|fim_middle|>", true);
    assert.equal((await tokenize("<|fim_prefix|>", true)).length, 1, "FIM tokens are single control tokens");
    assert.ok((await tokenize("<|fim_prefix|>", false)).length > 1, "literal text is not a control token");
    const prefix = await tokenize("ab", false);
    const suffix = await tokenize("cd", false);
    const expected = [fimPrefix, ...prefix, fimSuffix, ...suffix, fimMiddle];
    const completion = await client.completions.create({ model: server.ready.model, prompt: "ab", suffix: "cd", max_tokens: 1, temperature: 0 });
    assert.equal(completion.usage!.prompt_tokens, expected.length);
  });

  it("refuses a wrong API key with 401 through the openai SDK", async () => {
    const wrong = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: "wrong-key", maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (error: unknown) => error instanceof OpenAI.AuthenticationError && error.status === 401);
  });

  it("refuses a request whose Host is not the bound address (DNS rebinding)", async () => {
    const response = await raw(server, "GET", "/health", { headers: { host: `evil.example:${server.ready.port}` } });
    assert.equal(response.status, 403);
    assert.match(response.body, /Host/);
  });

  it("refuses a request that carries a browser Origin", async () => {
    const response = await raw(server, "GET", "/health", { headers: { origin: "https://evil.example" } });
    assert.equal(response.status, 403);
    assert.equal((JSON.parse(response.body) as { error: { code: string } }).error.code, "browser_origin");
  });

  it("answers malformed requests with 400 in OpenAI's error shape naming the field", async () => {
    const badTemperature = await raw(server, "POST", "/v1/chat/completions", { body: JSON.stringify({ messages: [{ role: "user", content: "x" }], temperature: "hot" }) });
    assert.equal(badTemperature.status, 400);
    const parsed = JSON.parse(badTemperature.body) as { error: { message: string; type: string; param: string } };
    assert.equal(parsed.error.param, "temperature");
    assert.equal(parsed.error.type, "invalid_request_error");

    const noMessages = await raw(server, "POST", "/v1/chat/completions", { body: JSON.stringify({ model: "x" }) });
    assert.equal(noMessages.status, 400);
    assert.equal((JSON.parse(noMessages.body) as { error: { param: string } }).error.param, "messages");

    const badRole = await raw(server, "POST", "/v1/chat/completions", { body: JSON.stringify({ messages: [{ role: "wizard", content: "x" }] }) });
    assert.equal((JSON.parse(badRole.body) as { error: { param: string } }).error.param, "messages.0.role");

    const notJson = await raw(server, "POST", "/v1/completions", { body: "{not json" });
    assert.equal(notJson.status, 400);
    assert.match(notJson.body, /not valid JSON/);
  });

  it("refuses a body over the limit with 413", async () => {
    const huge = Buffer.alloc(33 * 1024 * 1024, 0x61);
    const response = await raw(server, "POST", "/v1/completions", { body: huge });
    assert.equal(response.status, 413);
  });

  it("refuses a prompt longer than the context with a clear 400", async () => {
    const response = await raw(server, "POST", "/v1/completions", { body: JSON.stringify({ prompt: "word ".repeat(5000), max_tokens: 1 }) });
    assert.equal(response.status, 400);
    const error = (JSON.parse(response.body) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, "context_length_exceeded");
    assert.match(error.message, /25000 tokens but the completion context holds 8192/);
  });

  it("reuses the prompt prefix: a repeated prompt evaluates only its last token", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are terse. ".repeat(20) },
      { role: "user", content: "Explain prefix reuse." },
    ];
    const first = await client.chat.completions.create({ model: server.ready.model, messages, max_tokens: 4, temperature: 0 });
    const second = await client.chat.completions.create({ model: server.ready.model, messages, max_tokens: 4, temperature: 0 });
    assert.equal(second.usage!.prompt_tokens_details!.cached_tokens, second.usage!.prompt_tokens - 1);
    assert.ok(first.usage!.prompt_tokens > 100);
  });

  it("reuses the conversation on the next chat turn (only the new tokens are evaluated)", async () => {
    const history: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "First question about the code base." }];
    const turn1 = await client.chat.completions.create({ model: server.ready.model, messages: history, max_tokens: 16, temperature: 0 });
    const answer = turn1.choices[0]!.message.content ?? "";
    history.push({ role: "assistant", content: answer }, { role: "user", content: "And a follow-up." });
    const turn2 = await client.chat.completions.create({ model: server.ready.model, messages: history, max_tokens: 4, temperature: 0 });
    const evaluated = turn2.usage!.prompt_tokens - turn2.usage!.prompt_tokens_details!.cached_tokens!;
    const newMessageTokens = 30; // "<|im_end|>\n<|im_start|>user\nAnd a follow-up.<|im_end|>\n<|im_start|>assistant\n<think>..." in byte tokens
    assert.ok(evaluated <= newMessageTokens + turn1.usage!.completion_tokens, `evaluated ${evaluated} of ${turn2.usage!.prompt_tokens}`);
    assert.ok(turn2.usage!.prompt_tokens_details!.cached_tokens! >= turn1.usage!.prompt_tokens - 1);
  });

  it("evaluates only the typed line per keystroke when the client marks checkpoints (hybrid model)", async () => {
    const suffix = "\n  return total;\n}\n".repeat(10);
    const above = "export function sum(values: number[]): number {\n  let total = 0;\n".repeat(6);
    const line = "  for (const value of values) total += value;";
    const evaluatedPerKeystroke: number[] = [];
    let promptTokens = 0;
    for (let typed = 10; typed <= 20; typed++) {
      const head = `<|fim_suffix|>${suffix}<|fim_prefix|>${above}`;
      const prompt = `${head}${line.slice(0, typed)}<|fim_middle|>`;
      const completion = await client.completions.create({
        model: server.ready.model,
        prompt,
        max_tokens: 2,
        temperature: 0,
        // @ts-expect-error Hearth's extension field, passed through by the SDK.
        hearth: { checkpoints: [head.length] },
      });
      promptTokens = completion.usage!.prompt_tokens;
      evaluatedPerKeystroke.push(promptTokens - completion.usage!.prompt_tokens_details!.cached_tokens!);
    }
    // After the first request, each keystroke evaluates the typed line (10-20 byte tokens)
    // plus <|fim_middle|>; never the suffix and the lines above again.
    for (const evaluated of evaluatedPerKeystroke.slice(1)) assert.ok(evaluated <= 22, `evaluated ${evaluated} of ${promptTokens}`);
    assert.ok(evaluatedPerKeystroke[1]! * 10 < promptTokens, "under 10% of the prompt");
    // The first request shares at most a few leading tokens with earlier completion traffic.
    assert.ok(evaluatedPerKeystroke[0]! > promptTokens * 0.9, "the first request evaluates (nearly) everything");
  });

  it("evaluates everything again when reuse is off (the benchmark baseline)", async () => {
    const prompt = "<|fim_prefix|>const a = 1;\n<|fim_middle|>";
    const ask = () =>
      // @ts-expect-error Hearth's extension field.
      client.completions.create({ model: server.ready.model, prompt, max_tokens: 1, temperature: 0, hearth: { reuse: false } });
    await ask();
    const second = await ask();
    assert.equal(second.usage!.prompt_tokens_details!.cached_tokens, 0);
  });

  it("refuses checkpoint offsets outside the prompt", async () => {
    const response = await raw(server, "POST", "/v1/completions", { body: JSON.stringify({ prompt: "abc", hearth: { checkpoints: [10] } }) });
    assert.equal(response.status, 400);
    assert.equal((JSON.parse(response.body) as { error: { param: string } }).error.param, "hearth.checkpoints");
  });

  it("keeps the chat prefix while completion traffic runs (a context per role)", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Role isolation check. ".repeat(10) }];
    await client.chat.completions.create({ model: server.ready.model, messages, max_tokens: 2, temperature: 0 });
    for (let i = 0; i < 3; i++) {
      await client.completions.create({ model: server.ready.model, prompt: `let x${i} = `, suffix: ";\n", max_tokens: 3, temperature: 0 });
    }
    const again = await client.chat.completions.create({ model: server.ready.model, messages, max_tokens: 2, temperature: 0 });
    assert.equal(again.usage!.prompt_tokens_details!.cached_tokens, again.usage!.prompt_tokens - 1);
    const stats = await health(server);
    assert.ok(stats.roles.chat && stats.roles.completion, "both roles have their own context");
  });

  it("aborts a generation as soon as its client disconnects", async () => {
    const before = await health(server);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: server.ready.model, messages: [{ role: "user", content: "Write forever" }], max_tokens: 3000, temperature: 1, stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    try {
      for await (const _chunk of stream) {
        if (++received === 3) controller.abort();
      }
    } catch {
      // The SDK reports the abort as an error; ending quietly is fine too.
    }
    // Chunks already buffered on the client may still arrive, but nowhere near 3000 tokens.
    assert.ok(received >= 3 && received < 100, `the stream ended at the abort, not by itself (${received} chunks)`);
    // A wait, not a time limit: on a loaded machine the abort may take a while to be counted.
    const deadline = Date.now() + 15_000;
    let after = await health(server);
    while (after.generations.aborted === before.generations.aborted && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = await health(server);
    }
    assert.equal(after.generations.aborted, before.generations.aborted + 1);
  });

  it("serves concurrent requests on one role in arrival order", async () => {
    const finished: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async (index) => {
        await new Promise((r) => setTimeout(r, index * 20));
        await client.completions.create({ model: server.ready.model, prompt: `request ${index}: `, max_tokens: 24, temperature: 1 });
        finished.push(index);
      }),
    );
    assert.deepEqual(finished, [0, 1, 2]);
  });

  it("refuses token ids past the vocabulary with a 400 naming the id, and stays up (llama.cpp aborted on them)", async () => {
    const response = await raw(server, "POST", "/detokenize", { body: JSON.stringify({ tokens: [1, 2, 1_000_000] }) });
    assert.equal(response.status, 400, response.body);
    const error = (JSON.parse(response.body) as { error: { param: string; code: string; message: string } }).error;
    assert.equal(error.param, "tokens.2");
    assert.equal(error.code, "invalid_token_id");
    const hi = (JSON.parse((await raw(server, "POST", "/tokenize", { body: JSON.stringify({ content: "Hi" }) })).body) as { tokens: number[] }).tokens;
    const ok = await raw(server, "POST", "/detokenize", { body: JSON.stringify({ tokens: hi }) });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { content: string }).content, "Hi");
  });

  it("refuses requests past a limit with 413 naming the field and the limit", async () => {
    const many = await raw(server, "POST", "/v1/chat/completions", { body: JSON.stringify({ messages: Array.from({ length: 20_001 }, () => ({ role: "user", content: "w" })) }) });
    assert.equal(many.status, 413);
    const manyError = (JSON.parse(many.body) as { error: { param: string; message: string } }).error;
    assert.equal(manyError.param, "messages");
    assert.match(manyError.message, /20001 items; the server's limit is 20000/);
    const stops = await raw(server, "POST", "/v1/completions", { body: JSON.stringify({ prompt: "x", stop: ["s".repeat(300)] }) });
    assert.equal(stops.status, 413);
    assert.equal((JSON.parse(stops.body) as { error: { param: string } }).error.param, "stop.0");
    const deep = await raw(server, "POST", "/tokenize", { body: `{"content":"x","x":${"[".repeat(100)}${"]".repeat(100)}}` });
    assert.equal(deep.status, 400);
    assert.equal((JSON.parse(deep.body) as { error: { code: string } }).error.code, "json_too_deep");
  });

  it("says finish_reason length only at max_tokens, and stop at a stop string (with the held text flushed)", async () => {
    const long = await client.completions.create({ model: server.ready.model, prompt: "abc", max_tokens: 5, temperature: 0 });
    assert.equal(long.usage!.completion_tokens, 5);
    assert.equal(long.choices[0]!.finish_reason, "length");
    // The first generated character as a stop string: generation stops at once, with "stop".
    const first = long.choices[0]!.text[0]!;
    const stopped = await client.completions.create({ model: server.ready.model, prompt: "abc", max_tokens: 5, temperature: 0, stop: [first] });
    assert.equal(stopped.choices[0]!.finish_reason, "stop");
    assert.equal(stopped.choices[0]!.text, "");
    // A stop string that never completes is held back and then flushed at max_tokens.
    const held = await client.completions.create({ model: server.ready.model, prompt: "abc", max_tokens: 5, temperature: 0, stop: [`${long.choices[0]!.text}\u0001`] });
    assert.equal(held.choices[0]!.finish_reason, "length");
    assert.equal(held.choices[0]!.text, long.choices[0]!.text);
  });

  it("refuses an embeddings input longer than the embedding context with a 400, not a 500", async () => {
    const response = await raw(server, "POST", "/v1/embeddings", { body: JSON.stringify({ input: ["short", "word ".repeat(5000)] }) });
    assert.equal(response.status, 400, response.body);
    const error = (JSON.parse(response.body) as { error: { code: string; param: string; message: string } }).error;
    assert.equal(error.code, "context_length_exceeded");
    assert.equal(error.param, "input.1");
  });

  it("refuses an empty embeddings input with a 400 naming it (its vector came back empty)", async () => {
    for (const input of ["", ["a", ""]]) {
      const response = await raw(server, "POST", "/v1/embeddings", { body: JSON.stringify({ model: "any", input }) });
      assert.equal(response.status, 400, response.body);
      assert.match((JSON.parse(response.body) as { error: { param: string } }).error.param, /^input/);
    }
  });

  it("returns embeddings", async () => {
    const response = await client.embeddings.create({ model: server.ready.model, input: ["hello", "world"] });
    assert.equal(response.data.length, 2);
    assert.ok(response.data[0]!.embedding.length > 0);
    assert.ok(response.data[0]!.embedding.every(Number.isFinite));
  });
});

describe("model server finish_reason on end-of-generation (tiny qwen35 model that may end its answer)", function () {
  this.timeout(120_000);
  let server: RunningServer;

  before(async () => {
    // Tied embeddings: no LM head steered away from the special tokens, so <|im_end|> comes up.
    server = await startServer(await ensureTestModel({ arch: "qwen35", dims: { tiedEmbeddings: true } }));
  });

  after(async () => {
    await server?.stop();
  });

  it("says stop when the model ends its answer before max_tokens, and length only at max_tokens", async () => {
    const reasons: string[] = [];
    for (let seed = 1; seed <= 40 && !reasons.some((r) => r.startsWith("stop")); seed++) {
      const response = await raw(server, "POST", "/v1/chat/completions", { body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 24, temperature: 1.5, seed }) });
      const body = JSON.parse(response.body) as { choices: Array<{ finish_reason: string }>; usage: { completion_tokens: number } };
      const reason = body.choices[0]!.finish_reason;
      reasons.push(`${reason}/${body.usage.completion_tokens}`);
      if (reason === "length") assert.equal(body.usage.completion_tokens, 24);
      else assert.ok(reason === "stop" && body.usage.completion_tokens < 24, reasons.join(" "));
    }
    assert.ok(reasons.some((r) => r.startsWith("stop")), `some answer ends by itself within 40 seeds: ${reasons.join(" ")}`);
  });
});
