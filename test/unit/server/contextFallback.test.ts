import assert from "node:assert/strict";
import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { MemoryLogger } from "../../../src/core/logger";
import { createContextThatFits } from "../../../src/server/engine";
import { StartupError } from "../../../src/server/startupErrors";

/**
 * The halving policy on its own. A real out-of-memory needs a context larger than this
 * machine's 24 GiB, which CI cannot afford to attempt; node-llama-cpp's refusal is stood in
 * for by a createContext that refuses sizes above a limit, as node-llama-cpp does.
 */
function modelThatFits(limit: number): { model: Pick<LlamaModel, "createContext">; asked: number[] } {
  const asked: number[] = [];
  const model = {
    createContext: async (options?: { contextSize?: unknown }) => {
      const size = Number(options?.contextSize);
      asked.push(size);
      if (size > limit) throw new Error(`insufficient memory for ${size} tokens`);
      return { contextSize: size } as unknown as LlamaContext;
    },
  } as Pick<LlamaModel, "createContext">;
  return { model, asked };
}

describe("context size fallback", () => {
  it("halves the requested context until it fits, and says so once", async () => {
    const { model, asked } = modelThatFits(20_000);
    const log = new MemoryLogger();
    const context = await createContextThatFits(model, 131072, "chat", 1, log);
    assert.equal(context.contextSize, 16384);
    assert.deepEqual(asked, [131072, 65536, 32768, 16384]);
    assert.equal(log.lines.filter((l) => l.includes("context_fallback")).length, 1);
    assert.match(log.lines[0]!, /131072 tokens does not fit.*using 16384.*hearth\.server\.contextSize/);
  });

  it("does not warn when the requested context fits", async () => {
    const { model } = modelThatFits(1 << 20);
    const log = new MemoryLogger();
    await createContextThatFits(model, 4096, "completion", 1, log);
    assert.deepEqual(log.lines, []);
  });

  it("gives up below 512 tokens with an error naming the problem", async () => {
    const { model } = modelThatFits(100);
    await assert.rejects(createContextThatFits(model, 4096, "repo", 1, new MemoryLogger()), (error: unknown) => error instanceof StartupError && error.code === "insufficient_memory" && /512 tokens/.test(error.message));
  });
});
