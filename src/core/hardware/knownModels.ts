// The Qwen3.5 models Hearth knows how to plan for, as unsloth publishes them on Hugging Face
// (`hf:unsloth/Qwen3.5-<size>-GGUF:<quant>`), with what the planner needs of each: file size
// per quantisation, the cost of a token (for the speed model), the KV cache per token and
// the context limit.
//
// Where the figures come from:
// - 0.8B and 9B dimensions: the models' text_config (the same figures test/fixtures/models.ts
//   generates its real-shape models from); parameter counts below are computed from them.
// - 9B file sizes: the Git LFS pointers of Qwen3.5-9B GGUF files quantised with unsloth's
//   tooling (Q4_K_S 5,351,629,312 B; Q4_K_M 5,629,108,736; Q5_K_M 6,467,969,536; Q6_K
//   7,359,259,136; Q8_0 9,527,501,312), matching the 5.6 GB unsloth lists for Q4_K_M.
// - 4B: Q8_0 4.48 GB and Q4_K_M 2.61 GB as listed for a Qwen3.5-4B GGUF repository (not
//   unsloth's own; `estimate: true`). Its dimensions are estimates.
// - Everything else (2B, 27B, 35B-A3B; other quantisations): ESTIMATES, parameters times the
//   bits per weight the 9B's published files work out to. `estimate: true` marks them; the
//   download size shown to people comes from the registry at download time, not from here.

export type QuantName = "Q4_K_M" | "Q5_K_M" | "Q6_K" | "Q8_0";

export interface KnownQuant {
  quant: QuantName;
  fileBytes: number;
  /** The size is derived, not read from a published file. */
  estimate: boolean;
}

export interface KnownModel {
  id: string;
  /** "0.8B", "9B", "35B-A3B". */
  label: string;
  /** Hugging Face repository. */
  repo: string;
  /** All parameters (what must sit in memory). */
  params: number;
  /** Parameters each token goes through, excluding the embedding table and the LM head. */
  activeLayerParams: number;
  lmHeadParams: number;
  /**
   * The LM head is the embedding table. When it is not, llama.cpp keeps the input embedding
   * table in host memory, so a GPU holds the file less that table.
   */
  tiedEmbeddings: boolean;
  /** f16 KV cache per context token (only 1 layer in 4 keeps one on qwen35). */
  kvBytesPerToken: number;
  /** Recurrent (DeltaNet) state of one sequence, plus a handful of checkpoints. */
  recurrentStateBytes: number;
  contextLimit: number;
  /** Larger is better at writing code and prose; the planner prefers it when speed allows. */
  quality: number;
  quants: readonly KnownQuant[];
  /** Dimensions or parameter counts are estimates. */
  estimate: boolean;
}

/** Bits per weight of whole files, from the 9B's published sizes (8.95 B parameters). */
export const BITS_PER_WEIGHT: Readonly<Record<QuantName, number>> = {
  Q4_K_M: (5_629_108_736 * 8) / 8.953e9,
  Q5_K_M: (6_467_969_536 * 8) / 8.953e9,
  Q6_K: (7_359_259_136 * 8) / 8.953e9,
  Q8_0: (9_527_501_312 * 8) / 8.953e9,
};

function estimatedQuants(params: number, names: readonly QuantName[] = ["Q4_K_M", "Q8_0"]): KnownQuant[] {
  return names.map((quant) => ({ quant, fileBytes: Math.round((params * BITS_PER_WEIGHT[quant]) / 8), estimate: true }));
}

/** KV bytes per token: full-attention layers × (K + V) × KV heads × head size × 2 bytes. */
function kvPerToken(attentionLayers: number, kvHeads: number, headDim = 256): number {
  return attentionLayers * 2 * kvHeads * headDim * 2;
}

/** Recurrent state: DeltaNet layers × value heads × 128 × 128 × 4 bytes, live plus two checkpoints. */
function recurrentState(deltaLayers: number, valueHeads: number): number {
  return deltaLayers * valueHeads * 128 * 128 * 4 * 3;
}

const CONTEXT_LIMIT = 262_144;

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    id: "qwen3.5-0.8b",
    label: "0.8B",
    repo: "unsloth/Qwen3.5-0.8B-GGUF",
    params: 752_393_024,
    activeLayerParams: 498_113_344,
    lmHeadParams: 254_279_680, // tied: the embedding table is the LM head
    tiedEmbeddings: true,

    kvBytesPerToken: kvPerToken(6, 2),
    recurrentStateBytes: recurrentState(18, 16),
    contextLimit: CONTEXT_LIMIT,
    quality: 1,
    quants: estimatedQuants(752_393_024),
    estimate: false,
  },
  {
    id: "qwen3.5-2b",
    label: "2B",
    repo: "unsloth/Qwen3.5-2B-GGUF",
    params: 1.88e9,
    activeLayerParams: 1.37e9,
    lmHeadParams: 508_559_360, // tied, hidden 2048 (estimate)
    tiedEmbeddings: true,

    kvBytesPerToken: kvPerToken(6, 2),
    recurrentStateBytes: recurrentState(18, 16),
    contextLimit: CONTEXT_LIMIT,
    quality: 2,
    quants: estimatedQuants(1.88e9),
    estimate: true,
  },
  {
    id: "qwen3.5-4b",
    label: "4B",
    repo: "unsloth/Qwen3.5-4B-GGUF",
    params: 4.2e9,
    activeLayerParams: 3.56e9,
    lmHeadParams: 635_699_200, // tied, hidden 2560 (estimate)
    tiedEmbeddings: true,

    kvBytesPerToken: kvPerToken(8, 4),
    recurrentStateBytes: recurrentState(24, 32),
    contextLimit: CONTEXT_LIMIT,
    quality: 3,
    quants: [
      { quant: "Q4_K_M", fileBytes: 2.61e9, estimate: true },
      { quant: "Q8_0", fileBytes: 4.48e9, estimate: true },
    ],
    estimate: true,
  },
  {
    id: "qwen3.5-9b",
    label: "9B",
    repo: "unsloth/Qwen3.5-9B-GGUF",
    params: 8_953_803_264,
    activeLayerParams: 6_919_565_824,
    lmHeadParams: 1_017_118_720,
    tiedEmbeddings: false,

    kvBytesPerToken: kvPerToken(8, 4),
    recurrentStateBytes: recurrentState(24, 32),
    contextLimit: CONTEXT_LIMIT,
    quality: 4,
    quants: [
      { quant: "Q4_K_M", fileBytes: 5_629_108_736, estimate: false },
      { quant: "Q5_K_M", fileBytes: 6_467_969_536, estimate: false },
      { quant: "Q6_K", fileBytes: 7_359_259_136, estimate: false },
      { quant: "Q8_0", fileBytes: 9_527_501_312, estimate: false },
    ],
    estimate: false,
  },
  {
    id: "qwen3.5-27b",
    label: "27B",
    repo: "unsloth/Qwen3.5-27B-GGUF",
    params: 27e9,
    activeLayerParams: 24.4e9,
    lmHeadParams: 1.27e9, // untied, hidden 5120 (estimate)
    tiedEmbeddings: false,

    kvBytesPerToken: kvPerToken(16, 4),
    recurrentStateBytes: recurrentState(48, 48),
    contextLimit: CONTEXT_LIMIT,
    quality: 5,
    quants: estimatedQuants(27e9, ["Q4_K_M", "Q6_K", "Q8_0"]),
    estimate: true,
  },
  {
    id: "qwen3.5-35b-a3b",
    label: "35B-A3B",
    repo: "unsloth/Qwen3.5-35B-A3B-GGUF",
    // A mixture of experts: all 35 B parameters sit in memory, about 3 B work per token.
    params: 35e9,
    activeLayerParams: 2.5e9,
    lmHeadParams: 508_559_360,
    tiedEmbeddings: false,
    kvBytesPerToken: kvPerToken(10, 2),
    recurrentStateBytes: recurrentState(30, 32),
    contextLimit: CONTEXT_LIMIT,
    quality: 5,
    quants: estimatedQuants(35e9, ["Q4_K_M", "Q8_0"]),
    estimate: true,
  },
];

export function findKnownModel(id: string, table: readonly KnownModel[] = KNOWN_MODELS): KnownModel | undefined {
  return table.find((model) => model.id === id.toLowerCase() || model.label.toLowerCase() === id.toLowerCase());
}

/** The `hearth.model` URI of a model and quantisation. */
export function modelUri(model: KnownModel, quant: QuantName): string {
  return `hf:${model.repo}:${quant}`;
}

/**
 * Recognises a known model in a `hearth.model` value (`hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M`)
 * or a file name (`Qwen3.5-0.8B-Q8_0.gguf`), so overrides and files on disk get predictions.
 */
export function recognizeModel(value: string, table: readonly KnownModel[] = KNOWN_MODELS): { model: KnownModel; quant: KnownQuant } | undefined {
  const match = /qwen3\.5-(\d+(?:\.\d+)?b(?:-a\d+b)?)[^a-z0-9]+(?:gguf[:/])?.*?(q\d_k_m|q\d_k|q8_0)/i.exec(value);
  if (!match) return undefined;
  const model = table.find((candidate) => candidate.label.toLowerCase() === match[1]!.toLowerCase());
  const quant = model?.quants.find((candidate) => candidate.quant.toLowerCase() === match[2]!.toLowerCase());
  return model && quant ? { model, quant } : undefined;
}
