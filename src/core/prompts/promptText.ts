/**
 * A prompt as a list of pieces, each either template scaffolding (whose special tokens
 * such as `<|im_start|>` must be parsed as control tokens) or content (user code, chat
 * messages) that must be tokenized literally, so text that merely looks like a control
 * token can never open a turn or end one.
 */
export interface PromptPiece {
  text: string;
  special: boolean;
}

export type PromptText = PromptPiece[];

export function special(text: string): PromptPiece {
  return { text, special: true };
}

export function literal(text: string): PromptPiece {
  return { text, special: false };
}

/** The prompt as one string, for logs, audits and endpoints that take plain text. */
export function promptToString(prompt: PromptText): string {
  return prompt.map((piece) => piece.text).join("");
}
