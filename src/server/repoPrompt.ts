// Repository questions for scripts: `hearth: {repo: "/abs/folder"}` on /v1/chat/completions
// makes the server read the folder itself (the same pack the extension builds: .gitignore,
// generated and binary files skipped, least-changed files first, cut to the repo context by
// the model's own token counts) and put it in front of the conversation as the system
// message, so a script gets the pay-once prefill, progress and saved state without
// reimplementing the pack.
//
// A request names the folder, so the server reads only folders below its roots (the
// --repo-root options, and the workspace folders VS Code windows register with their
// lease), by real path, never on a kernel file system; git runs hardened (safeGit.ts); and
// the model's tokenizer, which runs on this thread, counts one file at a time with a
// yield to other requests in between, and only the files the pack may still take.
import { realpath } from "node:fs/promises";
import { basename, isAbsolute, sep } from "node:path";
// Each from its own file, not the folder's index: that would bring RepoQa and, through it, the gateway and the cloud SDKs into the server's bundle.
import { MIN_PACK_TOKENS, packRoom } from "../core/repo/packBudget.js";
import { repoInstructions } from "../core/repo/packLayout.js";
import { buildPack, scanRepo, type PackReport } from "../core/repo/repoPack.js";
import { TokenCounter } from "../core/repo/tokenCounter.js";
import { RepoFolderError, resolveRepoRoot } from "../core/repo/repoFiles.js";
import { HttpError } from "./httpBasics.js";

export interface RepoPromptInput {
  readonly dir: string;
  /** Folders below which a folder may be packed (--repo-root and the windows' workspace folders). */
  readonly roots: readonly string[];
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
  return new TokenCounter(async (texts, signal) => {
    const counts: number[] = [];
    for (const text of texts) {
      // The tokenizer blocks this thread: one file at a time, then other requests' turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      counts.push(tokenize(text, special).length);
    }
    return { counts, exact: true };
  });
}

/**
 * The real path of `dir` when it lies below one of `roots` (a 403 naming --repo-root
 * otherwise), is a folder, and is not on a kernel file system (400 naming hearth.repo).
 */
export async function allowedRepoFolder(dir: string, roots: readonly string[]): Promise<string> {
  if (!isAbsolute(dir)) throw new HttpError(400, `hearth.repo must be an absolute folder path, not "${dir}".`, "invalid_request_error", "hearth.repo");
  let real: string;
  try {
    real = await resolveRepoRoot(dir);
  } catch (error) {
    if (error instanceof RepoFolderError) throw new HttpError(400, `hearth.repo: ${error.message} Name a folder this server can read.`, "invalid_request_error", "hearth.repo");
    throw error;
  }
  for (const root of roots) {
    const realRoot = await realpath(root).catch(() => undefined);
    if (realRoot !== undefined && (real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))) return real;
  }
  throw new HttpError(
    403,
    `hearth.repo: ${dir} is not below a folder this server may read. Start the server with --repo-root <folder> (repeatable) for scripts; VS Code windows register their workspace folders themselves.`,
    "permission_error",
    "hearth.repo",
    "repo_outside_roots",
  );
}

const MAX_FILE_BYTES = 256 * 1024;
/** Text read from one folder per request: several times the largest repo context. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

export async function repoSystemMessage(input: RepoPromptInput): Promise<{ text: string; report: PackReport }> {
  const root = await allowedRepoFolder(input.dir, input.roots);
  const layout = layoutOf(input.tokenize);
  const counter = input.counter ?? repoTokenCounter(input.tokenize);
  const snapshot = await scanRepo({ root, name: basename(input.dir), maxFileBytes: MAX_FILE_BYTES, maxTotalBytes: MAX_TOTAL_BYTES, signal: input.signal });
  const instructions = `${repoInstructions(snapshot.name, layout)}\n\n`;
  const budget = packRoom({ contextTokens: input.contextTokens, answerTokens: input.answerTokens, instructionTokens: input.tokenize(instructions, false).length, conversationTokens: input.conversationTokens, messages: input.messages });
  if (budget < MIN_PACK_TOKENS) {
    throw new HttpError(400, `The repo context (${input.contextTokens} tokens) leaves no room for ${input.dir} after the answer (${input.answerTokens}) and the conversation (${input.conversationTokens}). Ask for fewer max_tokens, or start the server with a larger --repo-context-size.`, "invalid_request_error", "hearth.repo");
  }
  const pack = await buildPack(snapshot, { layout, budget, question: input.question, counter, signal: input.signal });
  return { text: instructions + pack.text, report: pack.report };
}
