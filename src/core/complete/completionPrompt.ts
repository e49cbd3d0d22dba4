import { renderChatML } from "../prompts/chatml.js";
import { FIM_TOKENS } from "../prompts/fim.js";
import { promptToString } from "../prompts/promptText.js";
import type { ChatMessage } from "../model/index.js";
import type { ContextChunk } from "./contextRing.js";
import { windowPrefix, windowSuffix, type CursorWindow } from "./cursorWindow.js";
import { PromptBuilder } from "./promptBuilder.js";

/**
 * Where the suffix goes relative to the prefix. `spm` (suffix first) leaves only the
 * cursor's line to evaluate per keystroke; `psm` is the order most FIM training uses and
 * evaluates the suffix again on each keystroke. Which one a model completes best with is
 * an empirical question, hence a setting.
 */
export type FimLayout = "spm" | "psm";

export interface PromptContext {
  readonly repoName: string;
  /** The current file, relative to the workspace. */
  readonly path: string;
  readonly languageId: string;
  readonly window: CursorWindow;
  readonly chunks: readonly ContextChunk[];
}

export interface RawPrompt {
  readonly prompt: string;
  readonly checkpoints: number[];
}

/**
 * Qwen's repo-level FIM layout, stable parts first:
 *
 * ```
 * <|repo_name|>{repo}\n
 * <|file_sep|>{path}\n{chunk}\n            one per ring chunk, oldest first
 *                                           ← checkpoint (ring end)
 * <|file_sep|>{current path}\n
 * spm: <|fim_suffix|>{suffix}<|fim_prefix|> ← checkpoint
 *      {lines above, from a line multiple of 8 ← checkpoint}{cursor line start ← checkpoint}
 *      {cursor line prefix}<|fim_middle|>
 * psm: <|fim_prefix|> ← checkpoint {lines above (same two checkpoints)}{cursor line prefix}
 *      <|fim_suffix|>{suffix}<|fim_middle|>
 * ```
 *
 * Typing on a line changes the prompt only after the cursor-line checkpoint (spm), or
 * from there through the suffix (psm); a new line moves the cursor-line checkpoint one
 * line down, and the previous one still holds.
 */
export function renderFimPrompt(context: PromptContext, layout: FimLayout): RawPrompt {
  const b = new PromptBuilder();
  b.special(FIM_TOKENS.repoName).literal(`${context.repoName}\n`);
  for (const chunk of context.chunks) b.special(FIM_TOKENS.fileSep).literal(`${chunk.path}\n${chunk.text}\n`);
  if (context.chunks.length > 0) b.checkpoint();
  b.special(FIM_TOKENS.fileSep).literal(`${context.path}\n`);
  const w = context.window;
  if (layout === "spm") {
    b.special(FIM_TOKENS.suffix).literal(windowSuffix(w)).special(FIM_TOKENS.prefix).checkpoint();
    prefixWithCheckpoints(b, w);
    b.special(FIM_TOKENS.middle);
  } else {
    b.special(FIM_TOKENS.prefix).checkpoint();
    prefixWithCheckpoints(b, w);
    b.special(FIM_TOKENS.suffix).literal(windowSuffix(w)).special(FIM_TOKENS.middle);
  }
  return b.build();
}

function prefixWithCheckpoints(b: PromptBuilder, w: CursorWindow): void {
  if (w.blockOffset > 0) {
    b.literal(w.linesAbove.slice(0, w.blockOffset)).checkpoint().literal(w.linesAbove.slice(w.blockOffset));
  } else {
    b.literal(w.linesAbove);
  }
  // Right after a line break: the cursor line's tokens start here whatever is typed.
  b.checkpoint().literal(w.linePrefix);
}

export const CHAT_SYSTEM_PROMPT =
  "You are a code completion engine inside an editor. You are shown a file with the cursor position. " +
  "Reply with exactly the text to insert at the cursor: no explanation, no code fences, no repetition of the code around it. " +
  "Continue the current line, or write the block the cursor opens. Reply with nothing if nothing fits.";

export interface ChatPrompt {
  readonly messages: ChatMessage[];
  /** The same conversation rendered as ChatML with thinking off, for Hearth's server. */
  readonly raw: RawPrompt;
}

/**
 * The instruct prompt for models without FIM training. The user message keeps the same
 * order as the FIM layout (ring, then the file with the part after the cursor first in
 * `spm`), so the raw ChatML form gets the same checkpoints and the same reuse.
 */
export function renderChatPrompt(context: PromptContext, layout: FimLayout): ChatPrompt {
  const b = new PromptBuilder();
  const fence = "```";
  b.literal(`Repository: ${context.repoName}\n`);
  if (context.chunks.length > 0) {
    b.literal("Recently used code from other files, for reference:\n");
    for (const chunk of context.chunks) b.literal(`--- ${chunk.path} (from line ${chunk.startLine + 1}) ---\n${chunk.text}\n`);
    b.checkpoint();
  }
  b.literal(`Current file: ${context.path} (${context.languageId})\n`);
  const w = context.window;
  if (layout === "spm") {
    b.literal(`The code after the cursor:\n${fence}\n${windowSuffix(w)}\n${fence}\nThe code before the cursor; your text goes right after its last character:\n${fence}\n`).checkpoint();
    prefixWithCheckpoints(b, w);
    b.literal(`\n${fence}`);
  } else {
    b.literal(`The file, with <CURSOR> where your text goes:\n${fence}\n`).checkpoint();
    prefixWithCheckpoints(b, w);
    b.literal(`<CURSOR>${windowSuffix(w)}\n${fence}`);
  }
  const user = b.build();
  const userText = user.prompt;
  const chatml = renderChatML(
    [
      { role: "system", content: CHAT_SYSTEM_PROMPT },
      { role: "user", content: userText },
    ],
    { enableThinking: false },
  );
  // The user content's offset in the ChatML text: everything rendered before it.
  let start = 0;
  for (const piece of chatml) {
    if (!piece.special && piece.text === userText) break;
    start += piece.text.length;
  }
  const raw = promptToString(chatml);
  return {
    messages: [
      { role: "system", content: CHAT_SYSTEM_PROMPT },
      { role: "user", content: userText },
    ],
    raw: { prompt: raw, checkpoints: user.checkpoints.map((offset) => offset + start) },
  };
}

/** The prompt window as plain text, for servers that build the FIM prompt themselves. */
export function plainFimParts(window: CursorWindow): { prefix: string; suffix: string } {
  return { prefix: windowPrefix(window), suffix: windowSuffix(window) };
}
