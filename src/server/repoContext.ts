import { freemem } from "node:os";
import type { Llama, LlamaModel } from "node-llama-cpp";

/**
 * Sizes the repo role's context to what the machine can hold (issue #9, "Memory"): a pack
 * as large as the model reads is the point of the role, but a context that does not fit
 * fails at the first question. The KV cache of the attention layers grows with the
 * context; a q8_0 cache holds about twice the tokens of an f16 one in the same memory.
 */

export type KvType = "f16" | "q8_0";
export type KvChoice = KvType | "auto";

export interface RepoContextPlan {
  contextSize: number;
  kvType: KvType;
  /** Settled by the engine once it has probed the backend (q8_0 always has it). */
  flashAttention: boolean;
  /** Memory the plan may use, and where that figure came from. */
  budgetBytes: number;
  freeBytes: number;
  memory: "ram" | "vram";
  /** The estimate for the chosen size, bytes. */
  estimateBytes: number;
}

/** Leave a quarter of free memory to the other roles' contexts, the OS and the editor. */
const BUDGET_FRACTION = 0.75;
const STEP = 1024;
const MINIMUM = 2048;

export interface PlanInput {
  requested: number | "auto";
  kv: KvChoice;
  /** Free bytes to plan with; measured when left out (tests pass their own). */
  freeBytes?: number;
}

/** Whether llama.cpp can quantise this model's K cache: q8_0 blocks are 32 values wide. */
export function supportsQuantisedKv(model: Pick<LlamaModel, "fileInfo">): boolean {
  const metadata = model.fileInfo.metadata as unknown as Record<string, Record<string, unknown> | undefined>;
  const architecture = String((metadata.general as { architecture?: string } | undefined)?.architecture ?? "");
  const attention = (metadata[architecture] as { attention?: { key_length?: number; value_length?: number } } | undefined)?.attention;
  const keyLength = attention?.key_length;
  const valueLength = attention?.value_length;
  return typeof keyLength === "number" && keyLength % 32 === 0 && (typeof valueLength !== "number" || valueLength % 32 === 0);
}

export async function planRepoContext(llama: Llama, model: LlamaModel, input: PlanInput): Promise<RepoContextPlan> {
  const { GgmlType } = await import("node-llama-cpp");
  const onGpu = model.gpuLayers > 0 && llama.gpu !== false;
  const freeBytes = input.freeBytes ?? (onGpu ? (await llama.getVramState()).free : freemem());
  const budgetBytes = Math.floor(freeBytes * BUDGET_FRACTION);
  const cap = Math.max(MINIMUM, input.requested === "auto" ? model.trainContextSize || 32768 : input.requested);
  const estimate = async (contextSize: number, kv: KvType): Promise<number> => {
    const type = kv === "q8_0" ? GgmlType.Q8_0 : GgmlType.F16;
    // The repo context runs with flash attention (see the engine's createSlot).
    const needs = await model.fileInsights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: model.gpuLayers, sequences: 1, kvCacheKeyType: type, kvCacheValueType: type, flashAttention: true });
    return onGpu ? needs.gpuVram : needs.cpuRam;
  };
  /** The largest multiple of STEP up to cap whose context fits the budget. */
  const largest = async (kv: KvType): Promise<{ size: number; bytes: number }> => {
    if ((await estimate(cap, kv)) <= budgetBytes) return { size: cap, bytes: await estimate(cap, kv) };
    let low = MINIMUM;
    let high = cap;
    while (high - low > STEP) {
      const middle = Math.floor((low + high) / 2 / STEP) * STEP || low;
      if (middle <= low) break;
      if ((await estimate(middle, kv)) <= budgetBytes) low = middle;
      else high = middle;
    }
    return { size: low, bytes: await estimate(low, kv) };
  };
  const quantisable = supportsQuantisedKv(model);
  let kvType: KvType = input.kv === "auto" ? "f16" : input.kv;
  if (kvType === "q8_0" && !quantisable) kvType = "f16";
  let best = await largest(kvType);
  // auto: a quantised cache only where f16 cannot hold the whole requested context.
  if (input.kv === "auto" && best.size < cap && quantisable) {
    const quantised = await largest("q8_0");
    if (quantised.size > best.size) {
      kvType = "q8_0";
      best = quantised;
    }
  }
  return { contextSize: best.size, kvType, flashAttention: true, budgetBytes, freeBytes, memory: onGpu ? "vram" : "ram", estimateBytes: best.bytes };
}
