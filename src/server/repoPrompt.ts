// Repository questions for scripts: `hearth: {repo: "/abs/folder"}` on /v1/chat/completions
// makes the server read the folder itself (the same pack the extension builds: .gitignore,
// generated and binary files skipped, least-changed files first, cut to the repo context by
// the model's own token counts) and put it in front of the conversation as the system
// message, so a script gets the pay-once prefill, progress and saved state without
// reimplementing the pack.
import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { buildPack, MIN_PACK_TOKENS, packRoom, repoInstructions, scanRepo, TokenCounter, type PackReport } from "../core/repo/index.js";
import { HttpError } from "./httpBasics.js";

export interface RepoPromptInput {
  readonly dir: string;
  /** What the pack is chosen for when the repo does not fit (the conversation's first question). */
  readonly question: string;
  /** The conversation's text, in tokens, and its messages (the question included). */
  readonly conversationTokens: number;
  readonly messages: number;
  readonly contextTokens: number;
  readonly answerTokens: number;
  readonly tokenize: (text: string, parseSpecial: boolean) => readonly unknown[];
  /**
   * Token counts kept from earlier requests (see repoTokenCounter): without it every question
   * tokenizes the whole folder again.
   */
  readonly counter?: TokenCounter;
  readonly signal?: AbortSignal;
}

type Tokenize = RepoPromptInput["tokenize"];

/** The pack's layout: Qwen's repo format when the model has its tokens. */
function layoutOf(tokenize: Tokenize): "qwenRepo" | "plain" {
  return tokenize("<|file_sep|>", true).length === 1 ? "qwenRepo" : "plain";
}

/**
 * A token counter for packs of one model, to keep across requests: it remembers each file's
 * count by content, so a follow-up re-reads the folder but tokenizes only what changed.
 */
export function repoTokenCounter(tokenize: Tokenize): TokenCounter {
  const special = layoutOf(tokenize) === "qwenRepo";
  return new TokenCounter(async (texts) => ({ counts: texts.map((text) => tokenize(text, special).length), exact: true }));
}

const MAX_FILE_BYTES = 256 * 1024;

export async function repoSystemMessage(input: RepoPromptInput): Promise<{ text: string; report: PackReport }> {
  if (!isAbsolute(input.dir)) throw new HttpError(400, `hearth.repo must be an absolute folder path, not "${input.dir}".`, "invalid_request_error", "hearth.repo");
  const info = await stat(input.dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) throw new HttpError(400, `hearth.repo: ${input.dir} is not a folder this server can read.`, "invalid_request_error", "hearth.repo");
  const layout = layoutOf(input.tokenize);
  const counter = input.counter ?? repoTokenCounter(input.tokenize);
  const snapshot = await scanRepo({ root: input.dir, maxFileBytes: MAX_FILE_BYTES, signal: input.signal });
  const instructions = `${repoInstructions(snapshot.name, layout)}\n\n`;
  const budget = packRoom({ contextTokens: input.contextTokens, answerTokens: input.answerTokens, instructionTokens: input.tokenize(instructions, false).length, conversationTokens: input.conversationTokens, messages: input.messages });
  if (budget < MIN_PACK_TOKENS) {
    throw new HttpError(400, `The repo context (${input.contextTokens} tokens) leaves no room for ${input.dir} after the answer (${input.answerTokens}) and the conversation (${input.conversationTokens}). Ask for fewer max_tokens, or start the server with a larger --repo-context-size.`, "invalid_request_error", "hearth.repo");
  }
  const pack = await buildPack(snapshot, { layout, budget, question: input.question, counter, signal: input.signal });
  return { text: instructions + pack.text, report: pack.report };
}
