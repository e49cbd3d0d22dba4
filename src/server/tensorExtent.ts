import type { GgufTensorInfo } from "node-llama-cpp";

/** Bytes per block and elements per block of the ggml types model files commonly use. */
const BLOCK_LAYOUT: Readonly<Record<number, { bytes: number; elements: number }>> = {
  0: { bytes: 4, elements: 1 }, // F32
  1: { bytes: 2, elements: 1 }, // F16
  2: { bytes: 18, elements: 32 }, // Q4_0
  3: { bytes: 20, elements: 32 }, // Q4_1
  6: { bytes: 22, elements: 32 }, // Q5_0
  7: { bytes: 24, elements: 32 }, // Q5_1
  8: { bytes: 34, elements: 32 }, // Q8_0
  10: { bytes: 84, elements: 256 }, // Q2_K
  11: { bytes: 110, elements: 256 }, // Q3_K
  12: { bytes: 144, elements: 256 }, // Q4_K
  13: { bytes: 176, elements: 256 }, // Q5_K
  14: { bytes: 210, elements: 256 }, // Q6_K
  30: { bytes: 2, elements: 1 }, // BF16
};

/**
 * Where the last tensor's data ends, or undefined when a tensor uses a type this table
 * does not know (llama.cpp's own bounds check still applies then).
 */
export function tensorDataEnd(tensors: readonly GgufTensorInfo[]): number | undefined {
  let end = 0;
  for (const tensor of tensors) {
    const layout = BLOCK_LAYOUT[tensor.ggmlType];
    if (!layout) return undefined;
    const elements = tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
    const bytes = Math.ceil(elements / layout.elements) * layout.bytes;
    end = Math.max(end, Number(tensor.fileOffset) + bytes);
  }
  return end;
}
