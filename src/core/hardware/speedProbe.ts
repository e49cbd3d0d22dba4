// A short measurement of the engine on this machine: how fast node-llama-cpp evaluates a
// prompt and generates tokens for one model file, at a given thread count, and how long a
// one-line suggestion takes once the file's prompt is cached. The planner scales these
// figures to other model sizes (speedModel.ts).
//
// Only types come from node-llama-cpp here: the caller passes a loaded `Llama` (the server or
// a benchmark; the extension host never loads the engine, the model lives in its own process).
import type { Llama, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { modelCostFromTensors, type ModelCost, type TensorDescription } from "./modelCost.js";

export interface SpeedProbeOptions {
  modelPath: string;
  threads: number;
  /** Offload every layer to the GPU of `llama` (when it has one); CPU otherwise. */
  gpu?: boolean;
  /** Prompt tokens evaluated in one go for the prompt rate. */
  promptTokens?: number;
  /** A completion's cursor line, in tokens, evaluated after the cached prompt. */
  lineTokens?: number;
  /** Tokens generated per suggestion. */
  suggestionTokens?: number;
  /** Suggestions timed (each appends to the cached prompt, as typing does). */
  suggestions?: number;
  /** Tokens generated in a run of their own, for the generation rate. */
  generationTokens?: number;
  signal?: AbortSignal;
}

/** What one probe run measured. Rates are tokens per second. */
export interface SpeedMeasurement {
  modelPath: string;
  cost: ModelCost;
  threads: number;
  backend: "cpu" | "gpu";
  promptTokens: number;
  promptTokensPerSecond: number;
  /**
   * Steady-state generation: from the first token to the last of a run of its own (so that
   * the suggestions check the speed model rather than restate it).
   */
  generationTokensPerSecond: number;
  lineTokens: number;
  suggestionTokens: number;
  /** Median time from sending a cursor line (prompt cached) to the last suggested token. */
  suggestionMs: number;
  suggestionSamplesMs: number[];
  loadMs: number;
  wallMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Text tokens that do not repeat: random weights make no sense of them either way, but a
 * repeated token could hit a tokenizer or sampler shortcut. Ids are the model's own.
 */
function textTokens(model: LlamaModel, count: number, seed: number): Token[] {
  const words = ["const", "value", "return", "function", "index", "=>", "await", "items", "map", "if", "(", ")", "{", "}", ";", "length", "name", "result", "error", "string"];
  const tokens: Token[] = [];
  let state = seed * 7919 + 17;
  while (tokens.length < count) {
    state = (state * 1103515245 + 12345) % 2147483648;
    tokens.push(...model.tokenize(` ${words[state % words.length]}${state % 97}`));
  }
  return tokens.slice(0, count);
}

/** What a token costs with this loaded model, from its tensor table. */
export function modelCostOfModel(model: LlamaModel): ModelCost {
  const info = model.fileInfo;
  const tensors: TensorDescription[] = (info.fullTensorInfo ?? info.tensorInfo ?? []).map((tensor) => ({
    name: tensor.name,
    elements: tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1),
    ggmlType: tensor.ggmlType,
  }));
  return modelCostFromTensors(tensors);
}

async function timeSuggestion(sequence: LlamaContextSequence, line: Token[], count: number): Promise<{ totalMs: number; stepsMs: number; steps: number }> {
  const started = performance.now();
  let firstAt = 0;
  let generated = 0;
  for await (const _token of sequence.evaluate(line, { temperature: 0 })) {
    generated++;
    if (generated === 1) firstAt = performance.now();
    if (generated >= count) break;
  }
  const ended = performance.now();
  return { totalMs: ended - started, stepsMs: ended - firstAt, steps: generated - 1 };
}

/**
 * Loads the model, evaluates a prompt (the prompt rate), then types `suggestions` cursor lines
 * after it, each followed by a suggestion of `suggestionTokens` tokens (the completion
 * latency and the generation rate). About 10 s for the 0.8B shape on 2 cores, a minute for
 * the 9B.
 */
export async function measureSpeed(llama: Llama, options: SpeedProbeOptions): Promise<SpeedMeasurement> {
  const started = performance.now();
  const promptTokens = options.promptTokens ?? 256;
  const lineTokens = options.lineTokens ?? 12;
  const suggestionTokens = options.suggestionTokens ?? 16;
  const suggestions = options.suggestions ?? 3;
  const generationTokens = options.generationTokens ?? 24;
  const model = await llama.loadModel({ modelPath: options.modelPath, gpuLayers: options.gpu ? "max" : 0 });
  try {
    const cost = modelCostOfModel(model);
    const contextSize = 2 ** Math.ceil(Math.log2(promptTokens + generationTokens + (lineTokens + suggestionTokens) * (suggestions + 1) + 64));
    const context = await model.createContext({ contextSize, sequences: 1, threads: options.threads, batchSize: Math.max(512, promptTokens) });
    try {
      const sequence = context.getSequence();
      const loadMs = performance.now() - started;
      // Touch every weight once (a mapped file pages in on first use), then start clean.
      await sequence.evaluateWithoutGeneratingNewTokens(textTokens(model, 8, 1));
      await sequence.clearHistory();
      options.signal?.throwIfAborted();
      const prompt = textTokens(model, promptTokens, 2);
      const promptStarted = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt);
      const promptTokensPerSecond = promptTokens / ((performance.now() - promptStarted) / 1000);
      options.signal?.throwIfAborted();
      const generation = await timeSuggestion(sequence, textTokens(model, 1, 3), generationTokens);
      const samples: number[] = [];
      for (let i = 0; i < suggestions; i++) {
        options.signal?.throwIfAborted();
        samples.push((await timeSuggestion(sequence, textTokens(model, lineTokens, 4 + i), suggestionTokens)).totalMs);
      }
      return {
        modelPath: options.modelPath,
        cost,
        threads: context.currentThreads,
        backend: options.gpu ? "gpu" : "cpu",
        promptTokens,
        promptTokensPerSecond,
        generationTokensPerSecond: generation.steps / (generation.stepsMs / 1000),
        lineTokens,
        suggestionTokens,
        suggestionMs: median(samples),
        suggestionSamplesMs: samples,
        loadMs,
        wallMs: performance.now() - started,
      };
    } finally {
      await context.dispose();
    }
  } finally {
    await model.dispose();
  }
}
