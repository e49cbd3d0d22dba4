// Agents nobody here wrote, over a multi-step tool loop against the real server: the openai
// SDK's runTools helper and Vercel's AI SDK (ai + @ai-sdk/openai-compatible), both streaming.
// The tiny model's text is noise, so its calls come from a grammar: tool_choice "required"
// constrains generation with a GBNF built from the tools' parameter schemas (toolCalls.ts),
// and what the model writes goes through the same parsing path as any model's answer.
import assert from "node:assert/strict";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { isStepCount, jsonSchema, streamText, tool } from "ai";
import OpenAI from "openai";
import { ensureTestModel } from "../../fixtures/models";
import { startServer, type RunningServer } from "../../support/serverProcess";

// maxLength bounds the grammar's string: the tiny model's noise would otherwise run to max_tokens.
const weatherParameters: { type: "object"; properties: Record<string, { type: "string" | "integer"; enum?: string[]; maxLength?: number }>; required: string[] } = {
  type: "object",
  properties: { city: { type: "string", maxLength: 40 }, days: { type: "integer" }, unit: { type: "string", enum: ["C", "F"] } },
  required: ["city", "days", "unit"],
};

interface StepUsage {
  prompt: number;
  cached: number;
}

/**
 * From the second step on, the tokens evaluated (prompt minus cached) are at most what the
 * step added to the prompt (the previous answer, the tool result, the new turn's header)
 * plus 32: the earlier conversation's state was reused, not evaluated again.
 */
function assertReuse(steps: readonly StepUsage[]): void {
  for (let i = 1; i < steps.length; i++) {
    const added = steps[i]!.prompt - steps[i - 1]!.prompt;
    const evaluated = steps[i]!.prompt - steps[i]!.cached;
    assert.ok(added > 0, `step ${i + 1} adds to the prompt: ${JSON.stringify(steps)}`);
    assert.ok(evaluated <= added + 32, `step ${i + 1} evaluated ${evaluated} tokens for ${added} new ones: ${JSON.stringify(steps)}`);
  }
}

describe("tool calls with real agent clients (tiny qwen35 model, real server)", function () {
  this.timeout(240_000);
  let server: RunningServer;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }));
  });

  after(async () => {
    await server?.stop();
  });

  it("runs the openai SDK's runTools loop, streaming, for four steps, each evaluating only what is new", async () => {
    const client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
    const calls: Array<{ city: string; days: number; unit: string }> = [];
    const usages: StepUsage[] = [];
    const runner = client.chat.completions.runTools(
      {
        model: "hearth",
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 400,
        seed: 7,
        tool_choice: "required",
        messages: [
          { role: "system", content: "You answer weather questions with the tool." },
          { role: "user", content: "Weather in Paris, Lyon and Nice for the next days?" },
        ],
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "The forecast for a city",
              parameters: weatherParameters,
              parse: (text: string) => JSON.parse(text) as { city: string; days: number; unit: string },
              function: (args: { city: string; days: number; unit: string }) => {
                calls.push(args);
                return `Forecast ${calls.length}: sunny, 21 degrees`;
              },
            },
          },
        ],
      },
      { maxChatCompletions: 4 },
    );
    runner.on("chunk", (chunk: OpenAI.ChatCompletionChunk) => {
      if (chunk.usage) usages.push({ prompt: chunk.usage.prompt_tokens, cached: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0 });
    });
    await runner.done();
    assert.equal(calls.length, 4);
    for (const args of calls) {
      assert.equal(typeof args.city, "string");
      assert.ok(Number.isInteger(args.days));
      assert.ok(args.unit === "C" || args.unit === "F");
    }
    // The conversation the SDK kept: each assistant turn a call with an id, each answered by a tool message.
    const assistants = runner.messages.filter((m) => m.role === "assistant");
    assert.equal(assistants.length, 4);
    for (const message of assistants) assert.match((message as { tool_calls: Array<{ id: string }> }).tool_calls[0]!.id, /^call_/);
    assert.equal(runner.messages.filter((m) => m.role === "tool").length, 4);
    assert.equal(usages.length, 4);
    assertReuse(usages);
  });

  it("runs Vercel's AI SDK streamText agent loop (ai + @ai-sdk/openai-compatible) for three steps with reuse", async () => {
    const hearth = createOpenAICompatible({ name: "hearth", baseURL: `${server.baseUrl}/v1`, apiKey: server.token, includeUsage: true });
    const calls: unknown[] = [];
    const result = streamText({
      model: hearth.chatModel("hearth"),
      system: "You look things up with the tool.",
      prompt: "Weather in Paris?",
      toolChoice: "required",
      maxOutputTokens: 400,
      seed: 11,
      maxRetries: 0,
      stopWhen: isStepCount(3),
      tools: {
        get_weather: tool({
          description: "The forecast for a city",
          inputSchema: jsonSchema<{ city: string; days: number; unit: "C" | "F" }>(weatherParameters),
          execute: (args) => {
            calls.push(args);
            return Promise.resolve(`Forecast ${calls.length}: rain`);
          },
        }),
      },
    });
    const streamedCalls: string[] = [];
    for await (const part of result.fullStream) {
      if (part.type === "tool-call") streamedCalls.push(part.toolName);
      if (part.type === "error") throw part.error;
    }
    const steps = await result.steps;
    assert.equal(steps.length, 3);
    assert.deepEqual(streamedCalls, ["get_weather", "get_weather", "get_weather"]);
    assert.equal(calls.length, 3);
    for (const step of steps) assert.equal(step.finishReason, "tool-calls");
    const usages = steps.map((step) => ({ prompt: step.usage.inputTokens ?? 0, cached: step.usage.inputTokenDetails.cacheReadTokens ?? 0 }));
    assertReuse(usages);
  });

  it("answers with text when tool_choice is none or auto lets the model write, and refuses a tool_choice naming no offered tool", async () => {
    const client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", parameters: weatherParameters } }];
    const none = await client.chat.completions.create({ model: "hearth", messages: [{ role: "user", content: "hi" }], tools, tool_choice: "none", max_tokens: 8, seed: 1 });
    assert.equal(none.choices[0]!.message.tool_calls, undefined);
    assert.equal(typeof none.choices[0]!.message.content, "string");
    // The tiny model's noise never opens a call: "auto" streams it as text.
    const auto = await client.chat.completions.create({ model: "hearth", messages: [{ role: "user", content: "hi" }], tools, tool_choice: "auto", max_tokens: 8, seed: 1, stream: true });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of auto) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      assert.equal(chunk.choices[0]?.delta.tool_calls, undefined);
    }
    assert.ok(text.length > 0);
    assert.ok(finish === "length" || finish === "stop", String(finish));
    await assert.rejects(
      client.chat.completions.create({ model: "hearth", messages: [{ role: "user", content: "hi" }], tools, tool_choice: { type: "function", function: { name: "rm_rf" } }, max_tokens: 8 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /rm_rf/.test(error.message),
    );
    await assert.rejects(
      client.chat.completions.create({ model: "hearth", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "not json" } }] }], max_tokens: 8 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /messages\.1\.tool_calls/.test(error.message),
    );
  });

  it("returns a call cut short (here by a stop string) as text, with finish_reason stop and hearth.tool_call_error, streamed or not", async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", parameters: weatherParameters } }];
    const body = { model: "hearth", messages: [{ role: "user", content: "weather" }], tools, tool_choice: "required", stop: ["</function>"], max_tokens: 400, seed: 5 };
    const post = (extra: object): Promise<Response> => fetch(`${server.baseUrl}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify({ ...body, ...extra }) });
    const plain = (await (await post({})).json()) as { choices: Array<{ finish_reason: string; message: { content: string; tool_calls?: unknown }; hearth?: { tool_call_error: string } }> };
    const choice = plain.choices[0]!;
    assert.equal(choice.finish_reason, "stop");
    assert.equal(choice.message.tool_calls, undefined);
    assert.ok(choice.message.content.startsWith("<tool_call>\n<function=get_weather>\n"), choice.message.content);
    assert.match(choice.hearth?.tool_call_error ?? "", /not <function=name>/);
    const streamed = await (await post({ stream: true })).text();
    const chunks = streamed.split("\n\n").filter((event) => event.startsWith("data: {")).map((event) => JSON.parse(event.slice(6)) as { choices: Array<{ delta: { content?: string; tool_calls?: unknown }; finish_reason: string | null; hearth?: { tool_call_error: string } }> });
    const content = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    assert.ok(content.startsWith("<tool_call>\n<function=get_weather>\n"), content);
    assert.ok(chunks.every((chunk) => chunk.choices[0]?.delta.tool_calls === undefined));
    const last = chunks.at(-1)!.choices[0]!;
    assert.equal(last.finish_reason, "stop");
    assert.match(last.hearth?.tool_call_error ?? "", /not <function=name>/);
  });

  it("refuses a forced call's grammar past the limits with 413, and a NUL in an enum or a key with 400, before the engine; the server answers on", async () => {
    const post = (body: object): Promise<Response> => fetch(`${server.baseUrl}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify({ model: "hearth", messages: [{ role: "user", content: "go" }], max_tokens: 8, ...body }) });
    const properties = Object.fromEntries(Array.from({ length: 1_500 }, (_, i) => [`p${i}`, { type: "string", maxLength: 256 }]));
    // The review's request (about 2 MB): 32 tools x 1,500 string properties of maxLength 256.
    const wedge = Array.from({ length: 32 }, (_, t) => ({ type: "function", function: { name: `t${t}`, parameters: { type: "object", properties } } }));
    const tooLarge = await post({ tools: wedge, tool_choice: "required" });
    const refusal = (await tooLarge.json()) as { error: { param: string; code: string; message: string } };
    assert.equal(tooLarge.status, 413, JSON.stringify(refusal));
    assert.equal(refusal.error.param, "tools");
    assert.equal(refusal.error.code, "too_large");
    assert.match(refusal.error.message, /48000 parameter properties.*256 properties/);
    for (const parameters of [{ type: "object", properties: { a: { type: "string", enum: ["x\u0000y"] } } }, { type: "object", properties: { "a\u0000b": { type: "string" } } }]) {
      const nul = await post({ tools: [{ type: "function", function: { name: "f", parameters } }], tool_choice: { type: "function", function: { name: "f" } } });
      const error = (await nul.json()) as { error: { param: string } };
      assert.equal(nul.status, 400, JSON.stringify(error));
      assert.equal(error.error.param, "tools.0.function.parameters");
    }
    // Other control characters are escaped: the grammar is built and the call comes back.
    const controls = await post({ tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { "k\u0002": { type: "string", enum: ["a\u0001b", "c\u001bd"] } }, required: ["k\u0002"] } } }], tool_choice: "required", max_tokens: 400, seed: 2 });
    const reply = (await controls.json()) as { choices: Array<{ message: { tool_calls?: Array<{ function: { name: string; arguments: string } }> } }> };
    assert.equal(controls.status, 200, JSON.stringify(reply));
    assert.ok(reply.choices[0]!.message.tool_calls, JSON.stringify(reply));
    const args = JSON.parse(reply.choices[0]!.message.tool_calls![0]!.function.arguments) as Record<string, string>;
    assert.ok(["a\u0001b", "c\u001bd"].includes(args["k\u0002"]!), JSON.stringify(args));
  });

  it("returns a named function's call, non-streaming, with finish_reason tool_calls", async () => {
    const client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: server.token, maxRetries: 0 });
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: "function", function: { name: "get_weather", parameters: weatherParameters } },
      { type: "function", function: { name: "read_file", parameters: { type: "object", properties: { path: { type: "string", maxLength: 40 } }, required: ["path"] } } },
    ];
    const reply = await client.chat.completions.create({ model: "hearth", messages: [{ role: "user", content: "open it" }], tools, tool_choice: { type: "function", function: { name: "read_file" } }, max_tokens: 400, seed: 3 });
    const choice = reply.choices[0]!;
    assert.equal(choice.finish_reason, "tool_calls");
    const toolCall = choice.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(toolCall.function.name, "read_file");
    assert.equal(typeof (JSON.parse(toolCall.function.arguments) as { path: unknown }).path, "string");
  });
});
