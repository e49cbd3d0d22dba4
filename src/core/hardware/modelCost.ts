// What a token costs a model, in the terms the speed model scales by: the weights every
// prompt token is multiplied through (compute: prompt speed), and the bytes read per
// generated token (memory bandwidth: generation speed), which add the LM head because only
// the last prompt token needs logits but every generated token does.

/** Bytes per element of llama.cpp's weight types (block size / elements per block). */
const BYTES_PER_ELEMENT: Readonly<Record<number, number>> = {
  0: 4, // F32
  1: 2, // F16
  2: 18 / 32, // Q4_0
  3: 20 / 32, // Q4_1
  6: 22 / 32, // Q5_0
  7: 24 / 32, // Q5_1
  8: 34 / 32, // Q8_0
  10: 84 / 256, // Q2_K
  11: 110 / 256, // Q3_K
  12: 144 / 256, // Q4_K
  13: 176 / 256, // Q5_K
  14: 210 / 256, // Q6_K
  15: 292 / 256, // Q8_K
  20: 18 / 32, // IQ4_NL
  23: 136 / 256, // IQ4_XS
  30: 2, // BF16
};

const TYPE_NAMES: Readonly<Record<number, string>> = { 0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 20: "IQ4_NL", 23: "IQ4_XS", 30: "BF16" };

export interface TensorDescription {
  name: string;
  elements: number;
  /** llama.cpp's ggml_type number. */
  ggmlType: number;
}

export interface ModelCost {
  /** Weights each prompt token goes through: every tensor but the embedding table and the LM head. */
  layerParams: number;
  layerBytes: number;
  /** The output projection (the embedding table itself when the model ties them). */
  lmHeadParams: number;
  lmHeadBytes: number;
  /**
   * The weight type holding most layer bytes; prompt speed depends on its kernels (on x86
   * llama.cpp repacks Q4_0 for faster matrix products, for one).
   */
  layerType: string;
}

/** Bytes read per generated token. */
export function generationBytes(cost: ModelCost): number {
  return cost.layerBytes + cost.lmHeadBytes;
}

export function bytesPerElement(ggmlType: number): number {
  // An unknown type is treated as 8-bit: errs towards predicting too slow, not too fast.
  return BYTES_PER_ELEMENT[ggmlType] ?? 34 / 32;
}

export function modelCostFromTensors(tensors: readonly TensorDescription[]): ModelCost {
  let layerParams = 0;
  let layerBytes = 0;
  const bytesByType = new Map<number, number>();
  let output: TensorDescription | undefined;
  let embedding: TensorDescription | undefined;
  for (const tensor of tensors) {
    if (tensor.name === "output.weight") output = tensor;
    else if (tensor.name === "token_embd.weight") embedding = tensor;
    else {
      const bytes = tensor.elements * bytesPerElement(tensor.ggmlType);
      layerParams += tensor.elements;
      layerBytes += bytes;
      bytesByType.set(tensor.ggmlType, (bytesByType.get(tensor.ggmlType) ?? 0) + bytes);
    }
  }
  const head = output ?? embedding;
  const dominant = [...bytesByType.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return {
    layerParams,
    layerBytes,
    lmHeadParams: head?.elements ?? 0,
    lmHeadBytes: head ? head.elements * bytesPerElement(head.ggmlType) : 0,
    layerType: dominant === undefined ? "unknown" : (TYPE_NAMES[dominant] ?? `type ${dominant}`),
  };
}
