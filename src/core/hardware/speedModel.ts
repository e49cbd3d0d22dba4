// From a measured speed on one model to a predicted speed on another, on the same machine.
//
// Generation reads every weight a token goes through once per token: it is bound by memory
// bandwidth, so tokens/s scale with the bytes read (layers plus the LM head). Prompt
// evaluation multiplies a batch of tokens through the same weights: it is bound by compute,
// so tokens/s scale with the layer parameters (the LM head runs for the last token only),
// and with how fast llama.cpp's kernels for the weight type are. A one-line suggestion once
// the file's prompt is cached costs the cursor line as one batch (a pass over the weights
// plus the compute of its other tokens), then one pass per further token.
import { generationBytes, type ModelCost } from "./modelCost.js";
import { BITS_PER_WEIGHT, type KnownModel, type QuantName } from "./knownModels.js";

export type Backend = "cpu" | "gpu";

/** One measurement of the engine (or, marked `estimated`, a stand-in for one). */
export interface SpeedSample {
  cost: ModelCost;
  backend: Backend;
  threads: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
  /** Not measured on this machine (e.g. a GPU nothing has been measured on yet). */
  estimated?: boolean;
  /** What was measured, for the plan's words ("0.8B shape, Q8_0"). */
  label?: string;
}

export interface SpeedPrediction {
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
  /** Cursor line evaluated after a cached prompt, then the rest of a suggestion. */
  suggestionMs: number;
  /** The sample it was scaled from. */
  basis: SpeedSample;
  estimated: boolean;
}

export interface SuggestionShape {
  /** Tokens of the cursor line, evaluated after the cached prompt. */
  lineTokens: number;
  /** Tokens suggested. */
  suggestionTokens: number;
}

export const DEFAULT_SUGGESTION: SuggestionShape = { lineTokens: 12, suggestionTokens: 16 };

/**
 * Time per parameter of prompt evaluation relative to Q8_0, for weight types nothing was
 * measured in. ESTIMATES (llama.cpp's CPU kernels: Q4_0 is repacked on x86 and ARM for
 * faster matrix products; K-quants unpack more per block). A sample in the target's own
 * type always wins over these.
 */
export const PROMPT_COST_BY_TYPE: Readonly<Record<string, number>> = {
  Q8_0: 1,
  Q4_0: 0.8,
  Q4_K: 1.1,
  Q5_K: 1.2,
  Q6_K: 1.2,
  F16: 1.4,
  BF16: 1.4,
  F32: 2.5,
};

function promptCostFactor(type: string): number {
  return PROMPT_COST_BY_TYPE[type] ?? 1.2;
}

const LAYER_TYPE: Readonly<Record<QuantName, string>> = { Q4_K_M: "Q4_K", Q5_K_M: "Q5_K", Q6_K: "Q6_K", Q8_0: "Q8_0" };

/** A token's cost for a model of the table in a quantisation (bytes from the file's bits per weight). */
export function costOfKnownModel(model: KnownModel, quant: QuantName): ModelCost {
  const bytesPerParam = BITS_PER_WEIGHT[quant] / 8;
  return {
    layerParams: model.activeLayerParams,
    layerBytes: model.activeLayerParams * bytesPerParam,
    lmHeadParams: model.lmHeadParams,
    lmHeadBytes: model.lmHeadParams * bytesPerParam,
    layerType: LAYER_TYPE[quant],
  };
}

/** Time of one suggestion, from the two rates (see the file's comment). */
export function suggestionMs(promptTokensPerSecond: number, generationTokensPerSecond: number, shape: SuggestionShape = DEFAULT_SUGGESTION): number {
  const passMs = 1000 / generationTokensPerSecond;
  const lineMs = passMs + ((shape.lineTokens - 1) * 1000) / promptTokensPerSecond;
  return lineMs + (shape.suggestionTokens - 1) * passMs;
}

/**
 * The sample to scale from: same backend, the nearest thread count, then the same weight
 * type, then the nearest size. Measured samples beat estimated ones.
 */
function pickBasis(samples: readonly SpeedSample[], target: ModelCost, backend: Backend, threads: number): SpeedSample | undefined {
  const candidates = samples.filter((sample) => sample.backend === backend);
  const score = (sample: SpeedSample): number[] => [
    sample.estimated ? 1 : 0,
    backend === "cpu" ? Math.abs(sample.threads - threads) : 0,
    sample.cost.layerType === target.layerType ? 0 : 1,
    Math.abs(Math.log(generationBytes(sample.cost) / generationBytes(target))),
  ];
  return candidates.sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sa[i]! - sb[i]!;
    return 0;
  })[0];
}

/**
 * Predicts the speed of `target` on `backend` with `threads` CPU threads from the samples.
 * A sample at another thread count is scaled too: prompt evaluation with the threads
 * (compute), generation with their square root (bandwidth saturates); both ESTIMATES, and
 * the prediction says so.
 */
export function predictSpeed(samples: readonly SpeedSample[], target: ModelCost, backend: Backend, threads: number, shape: SuggestionShape = DEFAULT_SUGGESTION): SpeedPrediction | undefined {
  const basis = pickBasis(samples, target, backend, threads);
  if (!basis) return undefined;
  const threadRatio = backend === "cpu" ? threads / basis.threads : 1;
  const promptScale = (basis.cost.layerParams * promptCostFactor(basis.cost.layerType)) / (target.layerParams * promptCostFactor(target.layerType));
  const promptTokensPerSecond = basis.promptTokensPerSecond * promptScale * threadRatio;
  const generationTokensPerSecond = ((basis.generationTokensPerSecond * generationBytes(basis.cost)) / generationBytes(target)) * Math.sqrt(threadRatio);
  return {
    promptTokensPerSecond,
    generationTokensPerSecond,
    suggestionMs: suggestionMs(promptTokensPerSecond, generationTokensPerSecond, shape),
    basis,
    estimated: Boolean(basis.estimated) || threadRatio !== 1,
  };
}
