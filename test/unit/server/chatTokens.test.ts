// Where the server checkpoints a chat prompt: the boundaries must fall exactly where the
// next request of the same conversation first differs, or the saved prefix is never reused.
import assert from "node:assert/strict";
import type { Token } from "node-llama-cpp";
import type { ChatMessage } from "../../../src/core/prompts/chatml";
import { persistPoints, tokenizeChat, type ChatTokenizer } from "../../../src/server/chatTokens";

/** Control tokens one token each when parsed as special; everything else one token a character. */
const specials: string[] = [];
const tokenizer: ChatTokenizer = {
  tokenize(text: string, parseSpecial: boolean): Token[] {
    const parts = parseSpecial ? text.split(/(<\|[a-z_]+\|>)/) : [text];
    const tokens: Token[] = [];
    for (const part of parts) {
      if (parseSpecial && /^<\|[a-z_]+\|>$/.test(part)) {
        if (!specials.includes(part)) specials.push(part);
        tokens.push((100_000 + specials.indexOf(part)) as Token);
      }
      else for (const char of part) tokens.push(char.codePointAt(0)! as Token);
    }
    return tokens;
  },
};
const options = { enableThinking: false, specialSystem: true };
const text = (tokens: readonly Token[]): string => tokens.map((t) => (t >= 100_000 ? "¤" : String.fromCodePoint(t))).join("");

describe("tokenizeChat boundaries", () => {
  const system: ChatMessage = { role: "system", content: "<|repo_name|>demo\n<|file_sep|>a.ts\nA\n<|file_sep|>b.ts\nB\n<|file_sep|>c.ts\nC\n" };

  it("takes a system message of 300,000 tokens (a whole 262K context's pack)", async () => {
    // Spreading that many tokens into push() overflows V8's stack (about 120,000 arguments).
    const pack: ChatMessage = { role: "system", content: "x".repeat(300_000) };
    const chat = await tokenizeChat(tokenizer, [pack, { role: "user", content: "Q" }], options);
    // Then <|im_end|>, "\n", <|im_start|> and "user\n": 1 + 1 + 1 + 5 tokens here.
    assert.equal(chat.afterSystemHeader! - chat.systemStart!, 300_000 + 8);
  });

  it("marks the end of each earlier message and the start of the next one's text", async () => {
    const chat = await tokenizeChat(tokenizer, [system, { role: "user", content: "Q1" }, { role: "assistant", content: "A1" }, { role: "user", content: "Q2" }], options);
    const [systemEnd, afterUser, userEnd, afterAssistant, assistantEnd, afterUser2] = chat.boundaries;
    assert.equal(chat.boundaries.length, 6);
    assert.equal(chat.systemEnd, systemEnd);
    assert.equal(chat.afterSystemHeader, afterUser);
    assert.equal(text(chat.tokens.slice(systemEnd, afterUser)), "¤user\n", "between them: the user header");
    assert.equal(text(chat.tokens.slice(afterUser, userEnd)), "Q1¤\n");
    // An earlier assistant turn's text starts after its header; its empty think block is text.
    assert.equal(text(chat.tokens.slice(userEnd, afterAssistant)), "¤assistant\n");
    assert.equal(text(chat.tokens.slice(assistantEnd, afterUser2)), "¤user\n");
  });

  it("puts the first difference of a new question exactly at the boundary after the user header", async () => {
    const a = await tokenizeChat(tokenizer, [system, { role: "user", content: "Alpha?" }], options);
    const b = await tokenizeChat(tokenizer, [system, { role: "user", content: "Beta?" }], options);
    const at = a.afterSystemHeader!;
    assert.equal(b.afterSystemHeader, at);
    assert.deepEqual(a.tokens.slice(0, at), b.tokens.slice(0, at));
    assert.notEqual(a.tokens[at], b.tokens[at]);
  });

  it("saves the pack's state after the question's header and at the file separators near 50% and 75%", async () => {
    const chat = await tokenizeChat(tokenizer, [system, { role: "user", content: "Q" }], options);
    const fileSep = (tokenizer.tokenize("<|file_sep|>", true) as Token[])[0];
    const points = persistPoints(chat, fileSep);
    assert.equal(points.at(-1), chat.afterSystemHeader);
    const separators = chat.tokens.flatMap((t, i) => (t === fileSep ? [i] : []));
    assert.deepEqual(points.slice(0, -1), separators.slice(1), "the 2nd and 3rd separators (the first holds nothing)");
    assert.deepEqual(persistPoints(await tokenizeChat(tokenizer, [{ role: "user", content: "no system" }], options), fileSep), []);
  });
});

describe("tokenizeChat cost", () => {
  /** Counts every read of a message of the conversation: re-rendering a prefix per message reads them all again. */
  async function messageReads(count: number): Promise<{ reads: number; tokenizeCalls: number }> {
    const messages: ChatMessage[] = Array.from({ length: count }, (_, i) => ({ role: i % 2 === 0 ? "user" : "assistant", content: "word" }));
    let reads = 0;
    const counted = new Proxy(messages, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    let tokenizeCalls = 0;
    const counting: ChatTokenizer = {
      tokenize: (text, parseSpecial) => {
        tokenizeCalls++;
        return tokenizer.tokenize(text, parseSpecial);
      },
    };
    const chat = await tokenizeChat(counting, counted, { enableThinking: false, specialSystem: false });
    assert.equal(chat.boundaries.length, 2 * (count - 1), "an end and a text start for every message but the last");
    return { reads, tokenizeCalls };
  }

  it("renders and tokenizes 16,000 messages in linear work (reads and tokenizer calls per message stay flat)", async () => {
    const small = await messageReads(8_000);
    const large = await messageReads(16_000);
    // Linear: twice the messages, twice the work (a quadratic render reads 64 million messages here).
    assert.ok(large.reads <= 2.2 * small.reads, `message reads: ${small.reads} for 8,000, ${large.reads} for 16,000`);
    assert.ok(large.reads <= 4 * 16_000, `${large.reads} reads for 16,000 messages`);
    // Each message's text once; the template's pieces once per request, not per message.
    assert.ok(large.tokenizeCalls <= 16_000 + 10, `${large.tokenizeCalls} tokenizer calls for 16,000 messages`);
  });
});
