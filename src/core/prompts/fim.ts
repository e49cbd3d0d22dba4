import { literal, special, type PromptText } from "./promptText.js";

export const FIM_TOKENS = {
  prefix: "<|fim_prefix|>",
  suffix: "<|fim_suffix|>",
  middle: "<|fim_middle|>",
  pad: "<|fim_pad|>",
  repoName: "<|repo_name|>",
  fileSep: "<|file_sep|>",
} as const;

/**
 * A plain prefix-suffix-middle fill-in-the-middle prompt, the layout llama-server's
 * `/v1/completions` with `suffix` and most OpenAI-compatible servers use.
 */
export function renderFimPSM(prefix: string, suffix: string): PromptText {
  return [special(FIM_TOKENS.prefix), literal(prefix), special(FIM_TOKENS.suffix), literal(suffix), special(FIM_TOKENS.middle)];
}
