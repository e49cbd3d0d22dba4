import { createHash } from "node:crypto";
import type { Logger } from "../logger.js";
import { AdaptiveDebounce } from "./adaptiveDebounce.js";
import { CompletionCache } from "./completionCache.js";
import { isCancelled, isGatewayRefusal, type ContextFile, type GatewayResult, type ModelPort, type PlannedPrompt, type RequestPlan } from "../gateway/index.js";
import { renderChatPrompt, renderFimPrompt, type FimLayout, type PromptContext } from "./completionPrompt.js";
import type { ContextChunk, ContextRing } from "./contextRing.js";
import { cutCursorWindow, windowPrefix, windowSuffix, type CursorWindow } from "./cursorWindow.js";
import type { DocumentLines, LinePosition } from "./documentLines.js";
import { postprocessCompletion } from "./postprocess.js";
import { buildCursorContext } from "./postprocessContext.js";
import { TokenEstimator } from "./tokenEstimate.js";

export type CompletionMode = "auto" | "fim" | "chat";

export interface CompletionSettings {
  readonly mode: CompletionMode;
  readonly fimLayout: FimLayout;
  /** Tokens of the current file before the cursor. */
  readonly prefixTokens: number;
  /** Tokens of the current file after the cursor. */
  readonly suffixTokens: number;
  /** Longest answer where only the rest of the line is kept. */
  readonly lineMaxTokens: number;
  /** Longest answer where the cursor opens a block. */
  readonly blockMaxTokens: number;
  /** Ask Hearth's server for checkpoints (off only to measure what they are worth). */
  readonly checkpoints: boolean;
  /** false: Hearth's server reuses nothing and evaluates every prompt whole (the benchmark's baseline). */
  readonly reuse: boolean;
}

export const DEFAULT_COMPLETION_SETTINGS: CompletionSettings = {
  mode: "auto",
  fimLayout: "spm",
  prefixTokens: 1024,
  suffixTokens: 256,
  lineMaxTokens: 48,
  blockMaxTokens: 128,
  checkpoints: true,
  reuse: true,
};

/**
 * What the model of a plan can do, as the editor knows it (its server's state): a target,
 * undefined while the local model is not ready, or the reason there is no suggestion.
 */
export type CompletionTargetFor = (plan: RequestPlan) => CompletionTarget | string | undefined;

/** Where a completion goes (as the gateway planned it), and what that model can do. */
export interface CompletionTarget {
  /** Names the route and model, so an answer cached from one model is never shown for another. */
  readonly key: string;
  readonly model: string | undefined;
  /** Hearth's own server: raw prompts with control tokens and checkpoints. */
  readonly hearth: boolean;
  /** The model has FIM tokens: known for Hearth's server, undefined for other servers. */
  readonly fim: boolean | undefined;
  /** The route takes raw prompts (`/v1/completions`); cloud chat models take only conversations. */
  readonly rawPrompts: boolean;
}

export interface CompletionInput {
  readonly document: DocumentLines;
  /** The file's path relative to its workspace folder (as the prompt names it). */
  readonly path: string;
  /**
   * Whose context chunks may join the prompt: the ring's chunks of this scope only (see
   * ChunkSource; in the editor, the document's workspace folder), since the request is
   * judged by this document's policy alone. undefined: the document shares context with no file.
   */
  readonly scope: string | undefined;
  readonly languageId: string;
  readonly position: LinePosition;
  readonly repoName: string;
  readonly tabSize?: number;
  readonly insertSpaces?: boolean;
  /** Asked for explicitly (the keybinding): no debounce. */
  readonly manual: boolean;
  /** The workspace folder(s) of the document, as URIs: the gateway applies their policy. */
  readonly folders?: readonly string[];
}

export interface CompletionResult {
  readonly text: string;
  /** Where the text came from: a request, the cache, or the suggestion the user is typing through. */
  readonly source: "model" | "cache" | "typing";
}

export type PromptKind = "fim" | "chat" | "fim-plain" | "chat-messages";

/** What one call did and what it cost; for logs, tests and the benchmark. */
export interface CompletionTrace {
  /** `refused`: the privacy policy keeps completion from the only route there is (e.g. it says to ask). */
  readonly outcome: "model" | "cache" | "typing" | "empty" | "cancelled" | "refused" | "error";
  readonly kind?: PromptKind;
  readonly layout: FimLayout;
  readonly totalMs: number;
  readonly debounceMs: number;
  /** Time inside the model client (HTTP round trip included). */
  readonly modelMs: number;
  /** Time spent in this process outside the debounce wait and the model call. */
  readonly overheadMs: number;
  readonly promptChars?: number;
  readonly checkpoints?: readonly number[];
  readonly promptTokens?: number;
  readonly cachedTokens?: number;
  readonly completionTokens?: number;
  /** Post-processing rules that changed the answer. */
  readonly rules?: string;
  readonly error?: string;
}

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface CompletionEngineOptions {
  /** The gateway's port for feature `completion`. */
  readonly port: Pick<ModelPort, "plan" | "send">;
  readonly ring: ContextRing;
  readonly estimator?: TokenEstimator;
  readonly settings: () => CompletionSettings;
  readonly clock?: Clock;
  readonly debounce?: AdaptiveDebounce;
  readonly cacheSize?: number;
  readonly log?: Logger;
  readonly onTrace?: (trace: CompletionTrace) => void;
}

interface ShownSuggestion {
  /** fileKey of the document it was shown in. */
  readonly file: string;
  readonly startLine: number;
  readonly prefix: string;
  readonly suffix: string;
  readonly text: string;
}

interface PreparedRequest {
  readonly kind: PromptKind;
  readonly prompt: PlannedPrompt;
  readonly key: string;
  /** Characters of a raw prompt the server tokenizes as a whole, for calibrating the estimator. */
  readonly rawChars: number | undefined;
}

const SHOWN_KEPT = 8;

/**
 * Turns "the cursor is here" into the text of an inline suggestion, as cheaply as it can:
 * typing through a suggestion already shown, then the LRU cache, then (after an adaptive
 * debounce) one model request, which supersedes and cancels the one before it.
 *
 * The same object serves the VS Code provider and the benchmark, so what the benchmark
 * measures is what the editor does.
 */
export class CompletionEngine {
  readonly estimator: TokenEstimator;
  private readonly clock: Clock;
  private readonly debounce: AdaptiveDebounce;
  private readonly cache: CompletionCache<{ text: string | undefined }>;
  private readonly shown: ShownSuggestion[] = [];
  private current: AbortController | undefined;
  private lastFile: string | undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly options: CompletionEngineOptions) {
    this.estimator = options.estimator ?? new TokenEstimator();
    this.clock = options.clock ?? realClock;
    this.debounce = options.debounce ?? new AdaptiveDebounce();
    this.cache = new CompletionCache(options.cacheSize ?? 256);
  }

  get cacheStats(): { lookups: number; hits: number; size: number } {
    return { ...this.cache.stats, size: this.cache.size };
  }

  get debounceState(): AdaptiveDebounce["state"] {
    return this.debounce.state;
  }

  /** Forgets cached answers (the model or the settings changed). */
  reset(): void {
    this.cache.clear();
    this.shown.length = 0;
    this.current?.abort(new Error("reset"));
  }

  /** Cancels the request in flight, if any (the editor lost focus, the document closed). */
  cancel(): void {
    this.current?.abort(new Error("cancelled"));
    this.current = undefined;
  }

  /**
   * The suggestion for `input`, or undefined (nothing fits, cancelled, refused, failed).
   * Never throws for a failed request: the trace says what went wrong. Asks the gateway for
   * a plan once per request that reaches it, builds the prompt for that plan's model, and
   * sends both; inline suggestions never ask for consent (the plan is non-interactive).
   */
  async complete(input: CompletionInput, targetFor: CompletionTargetFor, signal: AbortSignal): Promise<CompletionResult | undefined> {
    const started = this.clock.now();
    const settings = this.options.settings();
    // A new keystroke supersedes whatever the previous one still waits for.
    this.current?.abort(new Error("superseded"));
    const controller = new AbortController();
    this.current = controller;
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    if (!input.manual) this.debounce.keystroke(started);

    let debounceMs = 0;
    let modelMs = 0;
    let prepared: PreparedRequest | undefined;
    const trace = (fields: Omit<CompletionTrace, "totalMs" | "debounceMs" | "modelMs" | "overheadMs" | "layout">): void => {
      const totalMs = this.clock.now() - started;
      this.options.onTrace?.({ layout: settings.fimLayout, totalMs, debounceMs, modelMs, overheadMs: Math.max(0, totalMs - debounceMs - modelMs), kind: prepared?.kind, ...fields });
    };

    try {
      const file = fileKey(input);
      if (file !== this.lastFile) {
        // The current file changed, so the prompt changes after the ring anyway: the
        // cheapest moment to bring queued context chunks into the ring.
        this.options.ring.commit();
        this.lastFile = file;
      }
      const window = cutCursorWindow(input.document, input.position, settings, this.estimator);
      const prefix = windowPrefix(window);
      const suffix = windowSuffix(window);

      const typed = this.typeThrough(file, window, prefix, suffix);
      if (typed !== undefined) {
        trace({ outcome: "typing" });
        return { text: typed, source: "typing" };
      }

      const chunks = input.scope === undefined ? [] : this.options.ring.chunksFor({ scope: input.scope, path: input.path });
      const plan = await this.options.port.plan({
        ...(input.folders !== undefined && input.folders.length > 0 ? { folders: input.folders } : {}),
        // The file being completed and the context chunks are the prompt: a neverSend match keeps it on this machine.
        // All are of the document's scope, so these paths are relative to the one folder `folders` names, and distinct.
        embeddedPaths: [...new Set([input.path, ...chunks.map((chunk) => chunk.path)])],
        interactive: false,
      });
      if (!plan.ok) {
        trace({ outcome: "refused", error: plan.reason });
        return undefined;
      }
      const target = targetFor(plan);
      if (target === undefined || typeof target === "string") {
        trace({ outcome: "refused", ...(target !== undefined ? { error: target } : {}) });
        return undefined;
      }
      controller.signal.throwIfAborted();
      prepared = this.prepare(input, chunks, window, prefix, suffix, target, settings);
      const cached = this.cache.get(prepared.key);
      if (cached !== undefined) {
        if (cached.text !== undefined) this.remember(file, window, prefix, suffix, cached.text);
        trace({ outcome: cached.text === undefined ? "empty" : "cache" });
        return cached.text === undefined ? undefined : { text: cached.text, source: "cache" };
      }

      if (!input.manual) {
        const delay = this.debounce.delay();
        const waitStarted = this.clock.now();
        try {
          await this.clock.sleep(delay, controller.signal);
        } finally {
          debounceMs = this.clock.now() - waitStarted;
        }
      }
      controller.signal.throwIfAborted();

      const requestStarted = this.clock.now();
      let response: GatewayResult;
      try {
        response = await this.options.port.send(plan, prepared.prompt, { signal: controller.signal });
      } finally {
        modelMs = this.clock.now() - requestStarted;
      }
      this.debounce.latency(modelMs);
      if (prepared.rawChars !== undefined && response.usage) this.estimator.observe(prepared.rawChars, response.usage.promptTokens);

      const processed = postprocessCompletion({ prefix, suffix, completion: response.text, languageId: input.languageId, tabSize: input.tabSize, insertSpaces: input.insertSpaces });
      this.cache.set(prepared.key, { text: processed?.text });
      const usage = { promptChars: prepared.rawChars, promptTokens: response.usage?.promptTokens, cachedTokens: response.usage?.cachedTokens, completionTokens: response.usage?.completionTokens, rules: processed?.reason };
      const checkpoints = prepared.prompt.prompt?.checkpoints;
      if (processed === undefined) {
        trace({ outcome: "empty", checkpoints, ...usage });
        return undefined;
      }
      this.remember(file, window, prefix, suffix, processed.text);
      trace({ outcome: "model", checkpoints, ...usage });
      return { text: processed.text, source: "model" };
    } catch (error) {
      if (controller.signal.aborted || isCancelled(error)) {
        trace({ outcome: "cancelled" });
        return undefined;
      }
      // The policy keeps completion from the only route there is: a refusal, not a failure.
      if (isGatewayRefusal(error)) {
        trace({ outcome: "refused", error: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
      trace({ outcome: "error", error: error instanceof Error ? error.message : String(error) });
      return undefined;
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (this.current === controller) this.current = undefined;
    }
  }

  /**
   * The rest of a suggestion shown for this spot when the user has since typed its first
   * characters: same file, same window start and suffix, and the prefix grew by exactly
   * what the suggestion began with.
   */
  private typeThrough(file: string, window: CursorWindow, prefix: string, suffix: string): string | undefined {
    for (let i = this.shown.length - 1; i >= 0; i--) {
      const shown = this.shown[i]!;
      if (shown.file !== file || shown.startLine !== window.startLine || shown.suffix !== suffix) continue;
      const typedLength = prefix.length - shown.prefix.length;
      if (typedLength <= 0 || typedLength >= shown.text.length) continue;
      if (!prefix.startsWith(shown.prefix)) continue;
      if (!shown.text.startsWith(prefix.slice(shown.prefix.length))) continue;
      return shown.text.slice(typedLength);
    }
    return undefined;
  }

  private remember(file: string, window: CursorWindow, prefix: string, suffix: string, text: string): void {
    this.shown.push({ file, startLine: window.startLine, prefix, suffix, text });
    if (this.shown.length > SHOWN_KEPT) this.shown.shift();
  }

  private prepare(input: CompletionInput, chunks: readonly ContextChunk[], window: CursorWindow, prefix: string, suffix: string, target: CompletionTarget, settings: CompletionSettings): PreparedRequest {
    const context: PromptContext = { repoName: input.repoName, path: input.path, languageId: input.languageId, window, chunks };
    // Named for the gateway: neverSend decides by these paths whether the prompt may leave; all are in the prompt itself.
    const files: ContextFile[] = [{ path: input.path, content: prefix + suffix }, ...chunks.map((chunk) => ({ path: chunk.path, content: chunk.text }))].map((file) => ({ ...file, origin: "file", embedded: true }));
    const mode = target.rawPrompts ? this.resolveMode(settings.mode, target) : "chat";
    const cursor = buildCursorContext(prefix, suffix, input.languageId, input.tabSize ?? 4);
    const multiLine = cursor.opensBlock && !cursor.prose;
    const maxTokens = multiLine ? settings.blockMaxTokens : settings.lineMaxTokens;
    // Only the rest of the line is kept where the cursor opens no block: stop generating there.
    const stop = multiLine ? [] : ["\n"];
    const temperature = 0;
    const checkpointsOf = (checkpoints: readonly number[]): { checkpoints?: readonly number[]; reuse?: false } => ({
      ...(settings.checkpoints && settings.reuse && checkpoints.length > 0 ? { checkpoints } : {}),
      ...(settings.reuse ? {} : { reuse: false as const }),
    });
    let kind: PromptKind;
    let prompt: PlannedPrompt;
    let rawChars: number | undefined;
    if (mode === "fim" && target.hearth) {
      const raw = renderFimPrompt(context, settings.fimLayout);
      kind = "fim";
      rawChars = raw.prompt.length;
      prompt = { prompt: { text: raw.prompt, ...checkpointsOf(raw.checkpoints) }, maxTokens, temperature, stop, files };
    } else if (mode === "fim") {
      kind = "fim-plain";
      prompt = { prompt: { text: prefix, suffix }, maxTokens, temperature, stop, files };
    } else {
      const chat = renderChatPrompt(context, settings.fimLayout);
      // Chat models open with fences and line breaks often enough that "\n" cannot stop them.
      const chatMaxTokens = settings.blockMaxTokens;
      if (target.hearth) {
        kind = "chat";
        rawChars = chat.raw.prompt.length;
        prompt = { prompt: { text: chat.raw.prompt, ...checkpointsOf(chat.raw.checkpoints) }, maxTokens: chatMaxTokens, temperature, stop: [], files };
      } else {
        kind = "chat-messages";
        prompt = { messages: chat.messages, maxTokens: chatMaxTokens, temperature, stop: [], files, thinking: false };
      }
    }
    return { kind, prompt, key: cacheKey(target, prompt), rawChars };
  }

  private resolveMode(mode: CompletionMode, target: CompletionTarget): "fim" | "chat" {
    if (mode === "chat") return "chat";
    if (mode === "auto") return target.hearth && target.fim === true ? "fim" : "chat";
    if (target.fim === false) {
      this.warnOnce("no-fim", `hearth.completion.mode is "fim" but the model ${target.model ?? ""} has no fill-in-the-middle tokens; using "chat". Set hearth.completion.mode to "auto" or "chat" to silence this.`);
      return "chat";
    }
    return "fim";
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.log?.warn(message);
  }
}

/** One document's identity: a path names a file only within its scope (two folders may both hold src/app.ts). */
function fileKey(input: Pick<CompletionInput, "scope" | "path">): string {
  return JSON.stringify([input.scope ?? null, input.path]);
}

function cacheKey(target: CompletionTarget, prompt: PlannedPrompt): string {
  const hash = createHash("sha1");
  hash.update(`${target.key}\n${target.model ?? ""}\n${prompt.prompt !== undefined ? "text" : "chat"}\n${prompt.maxTokens ?? ""}\n${(prompt.stop ?? []).join("\u0000")}\n`);
  if (prompt.prompt !== undefined) {
    hash.update(prompt.prompt.text);
    hash.update("\u0000suffix\u0000");
    hash.update(prompt.prompt.suffix ?? "");
  } else {
    for (const message of prompt.messages ?? []) hash.update(`\u0000${message.role}\u0000${message.content}`);
  }
  return hash.digest("base64");
}
