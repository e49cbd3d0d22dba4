// The one rule for whether a prompt fits a model's context, used by every feature while it
// builds a prompt for a plan and by the gateway when it rechecks before sending: the prompt,
// the chat template's own tokens and the room kept for the answer must all fit.

/** Tokens the chat template adds around the messages (role markers, separators, the assistant's opening). */
export const TEMPLATE_MARGIN = 48;

/**
 * No tokenizer Hearth meets packs more than this many characters into one token on average
 * over a whole prompt (deeply indented code comes closest), so a prompt of n characters
 * takes at least n / 8 tokens: the estimate that may only err towards "fits".
 */
const MAX_CHARS_PER_TOKEN = 8;

/** The fewest tokens a text of `chars` characters can take. */
export function fewestTokens(chars: number): number {
  return Math.ceil(chars / MAX_CHARS_PER_TOKEN);
}

export interface FitInput {
  /** Tokens of the prompt: counted by the model's tokenizer, or `fewestTokens` of its characters. */
  readonly promptTokens: number;
  /** Tokens kept free for the answer (0: only whether the prompt itself fits). */
  readonly answerTokens: number;
  /** The route's context; undefined when unknown (a self-hosted server that does not say): then anything fits. */
  readonly contextTokens: number | undefined;
}

export type Fit =
  | { readonly fits: true; /** Tokens left over after prompt, template and answer; undefined when the context is unknown. */ readonly spare: number | undefined }
  | { readonly fits: false; /** Tokens the request needs. */ readonly needed: number; readonly contextTokens: number };

export function fitContext(input: FitInput): Fit {
  if (input.contextTokens === undefined) return { fits: true, spare: undefined };
  const needed = input.promptTokens + TEMPLATE_MARGIN + input.answerTokens;
  return needed <= input.contextTokens ? { fits: true, spare: input.contextTokens - needed } : { fits: false, needed, contextTokens: input.contextTokens };
}
