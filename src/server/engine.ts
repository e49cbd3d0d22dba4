import { availableParallelism } from "node:os";
import { basename } from "node:path";
import type { Llama, LlamaContext, LlamaContextOptions, LlamaContextSequence, LlamaEmbeddingContext, LlamaGrammar, LlamaGrammarEvaluationState, LlamaModel, Token } from "node-llama-cpp";
import type { HearthRole } from "../core/model/index.js";
import type { PromptText } from "../core/prompts/promptText.js";
import { FifoLock } from "./fifoLock.js";
import { prefill, type PrefillProgress } from "./prefill.js";
import { planRepoContext, type KvChoice, type KvType, type RepoContextPlan } from "./repoContext.js";
import { StateStore, modelIdentity } from "./stateStore.js";
import { checkModelFile, checkTensorExtent } from "./ggufCheck.js";
import { StartupError } from "./startupErrors.js";
import { StopStringMatcher } from "./stopStrings.js";
import { tensorDataEnd } from "./tensorExtent.js";
import { Pacer } from "../core/pacer.js";
import { appendPaced, sliceEnds } from "./tokenizeSlices.js";
import { planLoraAdapters, type LoraAdapterStatus, type LoraModel, type LoraPlan, type LoraRequest } from "./loraAdapters.js";

/**
 * The roles that get a context of their own, so that one role's traffic never evicts
 * another's cached prefix (completion keystrokes must not throw away a repo pack).
 */
export { HEARTH_ROLES as ROLES } from "../core/model/index.js";
export type Role = HearthRole;

export interface EngineLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Problems worth telling the user about once (e.g. a context that had to shrink). */
export interface EngineWarning {
  code: "context_fallback" | "lora_adapter";
  message: string;
}

export interface EngineOptions {
  modelPath: string;
  /** A second, smaller model for the completion role (e.g. Qwen3.5-0.8B beside the 9B). */
  completionModelPath?: string;
  /** Context size of the chat and repo roles; `auto` fits the training context to memory. */
  contextSize: number | "auto";
  gpu: "auto" | "cpu";
  /** The completion role never needs a long context; a small one keeps it cheap. */
  completionContextSize?: number;
  /** CPU threads per context; `auto` picks one thread for tiny models (see resolveThreads). */
  threads?: number | "auto";
  /** Upper bound on checkpoint memory per role, in bytes. */
  checkpointMemoryBytes?: number;
  /** The repo role's context; defaults to contextSize, then sized to free memory. */
  repoContextSize?: number | "auto";
  /** The repo role's KV cache type; `auto` quantises only when f16 cannot hold the context. */
  repoKvType?: KvChoice;
  /** Where sequence states are saved for `persist` requests; none disables persistence. */
  stateDir?: string;
  stateMaxBytes?: number;
  /** LoRA adapters per role; one that fails its checks is reported and left out. */
  lora?: readonly LoraRequest[];
  log: EngineLog;
}

export interface ModelInfo {
  id: string;
  path: string;
  architecture: string;
  contextSize: number;
  trainContextSize: number | undefined;
  fim: boolean;
  hybrid: boolean;
  /** What went less well than asked while loading, for the ready line. */
  warnings: EngineWarning[];
  /** The completion role's own model, when one is configured. */
  completionModel?: { id: string; path: string; architecture: string; fim: boolean };
  /** How the repo role's context was sized (it is created on first use). */
  repo: { contextSize: number; kvType: KvType; flashAttention: boolean; memory: "ram" | "vram"; freeBytes: number; budgetBytes: number };
  /** Each requested LoRA adapter: loaded, or why not. */
  lora: LoraAdapterStatus[];
}

export interface SamplingParams {
  maxTokens: number;
  temperature: number;
  topP?: number;
  seed?: number;
  stop: readonly string[];
}

export type FinishReason = "stop" | "length";

export interface GenerationResult {
  text: string;
  reasoning: string;
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens whose state was reused instead of evaluated (from memory or disk). */
  cachedTokens: number;
  /** Of those, the tokens loaded from a saved state file. */
  diskTokens: number;
  /** Where the time went, for clients and benchmarks (cf. llama-server's `timings`). */
  timings: GenerationTimings;
}

/** Milliseconds spent in each step of a generation, measured in the server. */
export interface GenerationTimings {
  /** Waiting behind other requests of the same role. */
  queueMs: number;
  /** Restoring the reusable prefix: a checkpoint in memory or a state file from disk. */
  restoreMs: number;
  /** Evaluating the prompt tokens that were not reused (and saving states on the way). */
  prefillMs: number;
  /** From the end of prefill to the first generated token. */
  firstTokenMs: number;
  /** From the first generated token to the last. */
  generationMs: number;
}

export interface GenerationDelta {
  text?: string;
  reasoning?: string;
}

export interface GenerateRequest {
  role: Role;
  prompt: Token[];
  sampling: SamplingParams;
  /** The prompt ends inside an open `<think>` block: text up to `</think>` is reasoning. */
  startsInThought?: boolean;
  /**
   * Token indices at which to checkpoint the state while the prompt is evaluated, where the
   * client knows later requests will diverge (the end of stable context, the start of the
   * line being typed). On a hybrid model only such checkpoints make a prefix reusable.
   */
  checkpoints?: readonly number[];
  /**
   * Token indices where earlier messages end and where the next message's text begins:
   * always checkpointed, so the next turn, or a new question after the same system
   * message, evaluates only what is new.
   */
  boundaries?: readonly number[];
  /** Save the state to disk at these indices and look there for a saved prefix (needs a state dir). */
  persistAt?: readonly number[];
  persist?: boolean;
  /** False evaluates the whole prompt afresh (benchmarks' baseline). */
  reuse?: boolean;
  /** A GBNF grammar the answer must follow (tool_choice "required" or named: see toolCalls.ts). */
  grammar?: string;
  signal: AbortSignal;
  onDelta?: (delta: GenerationDelta) => void;
  /** Called while the prompt is evaluated, about once a second, and at its end. */
  onProgress?: (progress: PrefillProgress) => void;
}

/** A loaded model with what the engine needs to know about it. */
interface LoadedModel extends LoraModel {
  model: LlamaModel;
  id: string;
  path: string;
  architecture: string;
  fim: boolean;
  hybrid: boolean;
  /** Threads for its contexts (see resolveThreads). */
  threads: number;
  thinkEndToken: Token | undefined;
  /** Token ids run from 0 to this, exclusive: llama.cpp aborts the process on any other. */
  vocabularySize: number;
  /** Whether long texts may be tokenized in slices (see tokenizeSlices.ts). */
  sliceable: boolean;
}

interface RoleSlot {
  loaded: LoadedModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  lock: FifoLock;
}

/** A role's context as /health reports it. */
export interface RoleStats {
  model: string;
  contextSize: number;
  /** CPU threads its evaluations use (see resolveThreads). */
  threads: number;
  cachedTokens: number;
  checkpointBytes: number;
  queued: number;
}

const DEFAULT_COMPLETION_CONTEXT = 8192;
const EMBEDDING_CONTEXT = 8192;
const DEFAULT_CHECKPOINT_MEMORY = 512 * 1024 * 1024;

/** Texts this long or longer are kept tokenized, two per role and parsing mode (a 262K-token pack and its tokens: ~3 MB). */
const TOKENIZE_CACHE_MIN_CHARS = 16_384;
const TOKENIZE_CACHE_TEXTS = 2;

/**
 * One model and, lazily, one context per role. Every model evaluation in the server goes
 * through `generate`, which is where prefix reuse and its accounting live.
 */
export class ModelEngine {
  private readonly slots = new Map<Role, Promise<RoleSlot>>();
  /** Tokens of long texts by role and special-token parsing, least recently used first. */
  private readonly tokenizeCache = new Map<string, Map<string, readonly Token[]>>();
  private embeddingContext?: Promise<LlamaEmbeddingContext>;
  private readonly embeddingLock = new FifoLock();
  /** Finished and abandoned generations, for /health: a client that leaves must stop its work. */
  readonly generations = { completed: 0, aborted: 0 };
  /** Long synchronous work (tokenizing, detokenizing) gives way to other requests through this. */
  readonly pacer = new Pacer();

  private constructor(
    private readonly llama: Llama,
    private readonly main: LoadedModel,
    private readonly completion: LoadedModel,
    readonly info: ModelInfo,
    private readonly options: EngineOptions,
    primary: RoleSlot,
    private readonly repoPlan: RepoContextPlan,
    /** Saved sequence states of the repo role, when a state dir is set. */
    readonly stateStore: StateStore | undefined,
    private readonly lora: LoraPlan,
  ) {
    this.slots.set("chat", Promise.resolve(primary));
  }

  /** The model a role runs on: the completion role may have its own. */
  private modelFor(role: Role): LoadedModel {
    return role === "completion" ? this.completion : this.main;
  }

  /** Whether the role's model has fill-in-the-middle tokens. */
  fimFor(role: Role): boolean {
    return this.modelFor(role).fim;
  }

  /**
   * Loads the model and creates the chat context at once, so a model that cannot run, or
   * a context that does not fit, is reported at start rather than on the first request.
   */
  static async load(options: EngineOptions): Promise<ModelEngine> {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: options.gpu === "cpu" ? false : "auto", logLevel: LlamaLogLevel.error, progressLogs: false });
    const main = await loadCheckedModel(llama, options.modelPath, options, "hearth.model");
    const completion = options.completionModelPath ? await loadCheckedModel(llama, options.completionModelPath, options, "hearth.completion.model") : main;
    const warnings: EngineWarning[] = [];
    // The caller's log, held before `options` is replaced below: calling `options.log`
    // from inside would call this wrapper again, forever.
    const outer = options.log;
    const log: EngineLog = {
      info: (message) => outer.info(message),
      warn: (message) => {
        outer.warn(message);
        if (message.startsWith("context_fallback:")) warnings.push({ code: "context_fallback", message: message.slice("context_fallback: ".length) });
      },
    };
    options = { ...options, log };
    const lora = await planLoraAdapters(options.lora ?? [], (role) => (role === "completion" ? completion : main), (message) => {
      log.warn(message);
      warnings.push({ code: "lora_adapter", message });
    });
    for (const status of lora.statuses) {
      if (status.loaded) log.info(`LoRA adapter ${status.path} on the ${status.role} role at scale ${status.scale} (${status.tensors} matrices, rank ${status.rank})`);
    }
    const primary = await createSlot(main, "chat", options, undefined, lora.adapters.get("chat"));
    let repoPlan = await planRepoContext(llama, main.model, { requested: options.repoContextSize ?? options.contextSize, kv: options.repoKvType ?? "auto" });
    if (repoPlan.kvType === "q8_0" && !(await flashAttentionWorks(main, "q8_0"))) {
      log.warn(`this build of llama.cpp cannot run a q8_0 KV cache for ${main.id}; the repo context uses f16`);
      repoPlan = await planRepoContext(llama, main.model, { requested: options.repoContextSize ?? options.contextSize, kv: "f16" });
    }
    // A q8_0 cache runs only with flash attention; an f16 one gets it where the backend can.
    repoPlan.flashAttention = repoPlan.kvType === "q8_0" || (await flashAttentionWorks(main, "f16"));
    if (!repoPlan.flashAttention) log.warn(`this build of llama.cpp cannot run flash attention for ${main.id}; repo follow-up questions will be slower`);
    // States are only loadable into a context with the same KV cache layout (flash attention
    // stores V untransposed).
    const layout = `kv=${repoPlan.kvType}${repoPlan.flashAttention ? ",fa" : ""}${lora.repoIdentity ? `,lora=${lora.repoIdentity}` : ""}`;
    const stateStore = options.stateDir ? new StateStore({ dir: options.stateDir, maxBytes: options.stateMaxBytes ?? 8 * 1024 ** 3, model: await modelIdentity(main.path, layout), log }) : undefined;
    const info: ModelInfo = {
      id: main.id,
      path: main.path,
      architecture: main.architecture,
      contextSize: primary.context.contextSize,
      trainContextSize: main.model.trainContextSize,
      fim: main.fim,
      hybrid: main.hybrid,
      warnings,
      repo: { contextSize: repoPlan.contextSize, kvType: repoPlan.kvType, flashAttention: repoPlan.flashAttention, memory: repoPlan.memory, freeBytes: repoPlan.freeBytes, budgetBytes: repoPlan.budgetBytes },
      lora: [...lora.statuses],
      ...(completion !== main ? { completionModel: { id: completion.id, path: completion.path, architecture: completion.architecture, fim: completion.fim } } : {}),
    };
    return new ModelEngine(llama, main, completion, info, options, primary, repoPlan, stateStore, lora);
  }

  tokenize(prompt: PromptText | string, parseSpecial = false, role: Role = "chat"): Token[] {
    if (typeof prompt === "string") return this.tokenizeText(prompt, parseSpecial, role);
    const tokens: Token[] = [];
    for (const piece of prompt) {
      // A loop, not push(...): a long piece has more tokens than a call may take arguments.
      if (piece.text !== "") for (const token of this.tokenizeText(piece.text, piece.special, role)) tokens.push(token);
    }
    return tokens;
  }

  /**
   * Long texts are tokenized once: a repo pack comes back with every question, and tokenizing
   * 1 MB of code (136K tokens) took half a second on this project's 2-core machine. Callers
   * get their own copy.
   */
  private tokenizeText(text: string, parseSpecial: boolean, role: Role): Token[] {
    const { model } = this.modelFor(role);
    if (text.length < TOKENIZE_CACHE_MIN_CHARS) return model.tokenize(text, parseSpecial);
    const texts = this.tokenizeCache.get(`${role}:${parseSpecial}`);
    let tokens = texts?.get(text);
    if (tokens !== undefined) texts!.delete(text); // Most recently used last.
    else tokens = model.tokenize(text, parseSpecial);
    this.remember(text, parseSpecial, role, tokens);
    return tokens.slice();
  }

  private remember(text: string, parseSpecial: boolean, role: Role, tokens: readonly Token[]): void {
    if (text.length < TOKENIZE_CACHE_MIN_CHARS) return;
    const key = `${role}:${parseSpecial}`;
    let texts = this.tokenizeCache.get(key);
    if (texts === undefined) this.tokenizeCache.set(key, (texts = new Map()));
    texts.delete(text);
    if (texts.size >= TOKENIZE_CACHE_TEXTS) texts.delete(texts.keys().next().value!);
    texts.set(text, tokens);
  }

  /**
   * Tokenizes like `tokenize`, but a long text in slices with other requests served between
   * them (see tokenizeSlices.ts), and short ones with a pause whenever the work so far has
   * taken long: a chat of 20,000 messages is 80,000 short pieces. The array may be shared
   * with the tokenize cache: copy it before changing it.
   */
  async tokenizeAsync(prompt: PromptText | string, parseSpecial = false, role: Role = "chat"): Promise<readonly Token[]> {
    if (typeof prompt === "string") return await this.tokenizeTextAsync(prompt, parseSpecial, role);
    const tokens: Token[] = [];
    for (const piece of prompt) {
      if (piece.text !== "") await appendPaced(tokens, await this.tokenizeTextAsync(piece.text, piece.special, role), this.breathe);
    }
    return tokens;
  }

  /** The pacer's breathe, for loops that take other arrays through appendPaced. */
  readonly breathe = (): Promise<void> => this.pacer.breathe();

  private async tokenizeTextAsync(text: string, parseSpecial: boolean, role: Role): Promise<readonly Token[]> {
    const loaded = this.modelFor(role);
    if (text.length < TOKENIZE_CACHE_MIN_CHARS || !loaded.sliceable) {
      const tokens = this.tokenizeText(text, parseSpecial, role);
      await this.pacer.breathe();
      return tokens;
    }
    const texts = this.tokenizeCache.get(`${role}:${parseSpecial}`);
    const cached = texts?.get(text);
    if (cached !== undefined) {
      texts!.delete(text); // Most recently used last.
      texts!.set(text, cached);
      return cached;
    }
    const tokens: Token[] = [];
    let start = 0;
    for (const end of sliceEnds(text)) {
      await appendPaced(tokens, loaded.model.tokenize(text.slice(start, end), parseSpecial), this.breathe);
      start = end;
      await this.pacer.breathe();
    }
    this.remember(text, parseSpecial, role, tokens);
    return tokens;
  }

  /** The number of token ids the role's model knows; ids from it up are refused. */
  vocabularySize(role: Role = "chat"): number {
    return this.modelFor(role).vocabularySize;
  }

  /** Whether every id is one the role's model knows (llama.cpp aborts on any other). */
  knowsTokens(tokens: readonly number[], role: Role = "chat"): boolean {
    const size = this.vocabularySize(role);
    return tokens.every((token) => Number.isInteger(token) && token >= 0 && token < size);
  }

  detokenize(tokens: readonly Token[], role: Role = "chat"): string {
    if (!this.knowsTokens(tokens, role)) throw new RangeError(`Token ids must be integers from 0 to ${this.vocabularySize(role) - 1}.`);
    return this.modelFor(role).model.detokenize(tokens, true);
  }

  /** Each role's context size in tokens: created ones as they are, the rest as planned. */
  contextSizes(): Record<Role, number> {
    return {
      completion: Math.min(this.options.completionContextSize ?? DEFAULT_COMPLETION_CONTEXT, this.completion.model.trainContextSize || DEFAULT_COMPLETION_CONTEXT),
      chat: this.info.contextSize,
      repo: this.info.repo.contextSize,
    };
  }

  /** Checkpoint memory per role that has a context, for /health and benchmarks. */
  async roleStats(): Promise<Record<string, RoleStats>> {
    const stats: Record<string, RoleStats> = {};
    for (const [role, pending] of this.slots) {
      const slot = await pending;
      stats[role] = {
        model: slot.loaded.id,
        contextSize: slot.context.contextSize,
        threads: slot.context.idealThreads,
        cachedTokens: slot.sequence.nextTokenIndex,
        checkpointBytes: slot.sequence.checkpointsMemoryUsage,
        queued: slot.lock.queued,
      };
    }
    return stats;
  }

  /** Parsed grammars by their text, the latest few (an agent sends the same tools every step). */
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  private async grammarState(model: LlamaModel, text: string): Promise<LlamaGrammarEvaluationState> {
    let grammar = this.grammars.get(text);
    if (grammar === undefined) {
      grammar = this.llama.createGrammar({ grammar: text });
      grammar.catch(() => this.grammars.delete(text));
      this.grammars.set(text, grammar);
      if (this.grammars.size > 8) this.grammars.delete(this.grammars.keys().next().value!);
    }
    const { LlamaGrammarEvaluationState } = await import("node-llama-cpp");
    return new LlamaGrammarEvaluationState({ model, grammar: await grammar });
  }

  async generate(request: GenerateRequest): Promise<GenerationResult> {
    if (request.prompt.length === 0) throw new RangeError("The prompt is empty.");
    const slot = await this.slot(request.role);
    // Refused before the queue: a prompt that can never fit must not wait its turn holding its tokens.
    if (request.prompt.length >= slot.context.contextSize) {
      throw new PromptTooLongError(request.prompt.length, slot.context.contextSize, request.role);
    }
    const queued = performance.now();
    const release = await slot.lock.acquire(request.signal);
    const queueMs = performance.now() - queued;
    try {
      const result = await this.generateLocked(slot, request, queueMs);
      this.generations.completed++;
      return result;
    } catch (error) {
      if (request.signal.aborted) this.generations.aborted++;
      throw error;
    } finally {
      release();
    }
  }

  private async generateLocked(slot: RoleSlot, request: GenerateRequest, queueMs: number): Promise<GenerationResult> {
    const { sequence, context } = slot;
    const { model, thinkEndToken } = slot.loaded;
    const { prompt, sampling, signal } = request;
    // Keep the longest reusable prefix of all but the last prompt token: the last one is
    // always evaluated so that its logits exist. On a hybrid model that means the newest
    // checkpoint at or before the first differing token (or a saved state, with persist).
    const head = prompt.slice(0, -1);
    // A checkpoint right before the last prompt token lets the next request that shares
    // this prompt (a retry, the next chat turn after a re-tokenised answer) start here.
    // A client that marks its own checkpoints knows better: adding one per request would
    // push its stable ones out of the sequence's bounded set after ~30 keystrokes.
    const clientMarked = request.checkpoints !== undefined && request.checkpoints.length > 0;
    // Persist points are pack boundaries where a changed later file diverges: worth a
    // checkpoint in memory too.
    const checkpoints = [...(request.checkpoints ?? []), ...(request.boundaries ?? []), ...(request.persistAt ?? []), ...(clientMarked ? [] : [head.length])];
    const store = request.persist === true && request.role === "repo" ? this.stateStore : undefined;
    const { cachedTokens, diskTokens, restoreMs, evaluateMs } = await prefill(sequence, { head, checkpoints, persistAt: request.persistAt ?? [], store, reuse: request.reuse, signal, onProgress: request.onProgress });
    signal.throwIfAborted();
    const generationStarted = performance.now();
    let firstTokenAt: number | undefined;

    const stopMatcher = new StopStringMatcher(sampling.stop);
    const maxTokens = Math.min(sampling.maxTokens, context.contextSize - prompt.length);
    let inThought = request.startsInThought === true;
    let text = "";
    let reasoning = "";
    let completionTokens = 0;
    // node-llama-cpp's iterator ends by itself at an end-of-generation token, without
    // yielding it: a generation is "stop" unless it reached maxTokens.
    let finishReason: FinishReason = "stop";
    const pending: Token[] = [];
    const lastTokens: Token[] = prompt.slice(-8);

    const emit = (piece: string): void => {
      if (piece === "") return;
      if (inThought) {
        reasoning += piece;
        request.onDelta?.({ reasoning: piece });
      } else {
        text += piece;
        request.onDelta?.({ text: piece });
      }
    };

    const grammarEvaluationState = request.grammar !== undefined ? await this.grammarState(model, request.grammar) : undefined;
    const iterator = sequence.evaluate([prompt[prompt.length - 1]!], {
      temperature: sampling.temperature,
      topP: sampling.topP,
      seed: sampling.seed,
      grammarEvaluationState,
    });
    try {
      for await (const token of iterator) {
        firstTokenAt ??= performance.now();
        if (signal.aborted) break;
        if (model.isEogToken(token)) {
          finishReason = "stop";
          break;
        }
        completionTokens++;
        if (inThought && token === thinkEndToken) {
          emit(stopMatcher.flush());
          inThought = false;
        } else {
          pending.push(token);
          const piece = model.detokenize(pending, false, lastTokens);
          // An incomplete UTF-8 sequence detokenizes to U+FFFD: wait for its next byte.
          if (!piece.endsWith("\uFFFD") || pending.length >= 8) {
            lastTokens.push(...pending);
            lastTokens.splice(0, Math.max(0, lastTokens.length - 8));
            pending.length = 0;
            const { emit: safe, stopped } = inThought ? { emit: piece, stopped: false } : stopMatcher.push(piece);
            emit(safe);
            if (stopped) {
              finishReason = "stop";
              break;
            }
          }
        }
        if (completionTokens >= maxTokens) {
          finishReason = "length";
          break;
        }
      }
    } finally {
      await iterator.return(undefined);
    }
    // The sequence now holds the prompt and the answer as generated. When the client sends
    // that answer back in the next turn and it tokenizes the same way, this checkpoint
    // makes the next turn evaluate only its new message.
    // Completions are never sent back as the next prompt's history: no such checkpoint there.
    if (request.role !== "completion" && !clientMarked && !signal.aborted && completionTokens > 0 && sequence.needsCheckpoints) await sequence.takeCheckpoint();
    // Text held back as the possible start of a stop string was not one (after a stop string
    // the matcher holds nothing).
    if (!signal.aborted) emit(stopMatcher.flush());
    signal.throwIfAborted();
    if (!inThought && request.startsInThought && text.startsWith("\n\n")) text = text.slice(2);
    const generationEnded = performance.now();
    const timings: GenerationTimings = {
      queueMs,
      restoreMs,
      prefillMs: evaluateMs,
      firstTokenMs: (firstTokenAt ?? generationEnded) - generationStarted,
      generationMs: generationEnded - (firstTokenAt ?? generationEnded),
    };
    return { text, reasoning, finishReason, promptTokens: prompt.length, completionTokens, cachedTokens, diskTokens, timings };
  }

  async embed(inputs: readonly string[], signal: AbortSignal): Promise<{ vectors: number[][]; promptTokens: number }> {
    const embeddingContextSize = Math.min(this.info.contextSize, EMBEDDING_CONTEXT);
    this.embeddingContext ??= this.main.model.createEmbeddingContext({ contextSize: embeddingContextSize, threads: this.main.threads });
    const embedding = await this.embeddingContext;
    const release = await this.embeddingLock.acquire(signal);
    try {
      const vectors: number[][] = [];
      let promptTokens = 0;
      // Checked before any evaluation: an input past the context is the caller's mistake.
      const tokenized: Array<readonly Token[]> = [];
      for (const [index, input] of inputs.entries()) {
        const tokens = await this.tokenizeAsync(input, false, "chat");
        // Room for the BOS and EOS tokens node-llama-cpp may add.
        if (tokens.length + 2 >= embeddingContextSize) throw new PromptTooLongError(tokens.length, embeddingContextSize, "embedding", index);
        tokenized.push(tokens);
        signal.throwIfAborted();
      }
      for (const tokens of tokenized) {
        signal.throwIfAborted();
        promptTokens += tokens.length;
        const result = await embedding.getEmbeddingFor(tokens.slice());
        vectors.push([...result.vector]);
      }
      return { vectors, promptTokens };
    } finally {
      release();
    }
  }

  async dispose(): Promise<void> {
    await this.llama.dispose();
    await this.lora.release();
  }

  private slot(role: Role): Promise<RoleSlot> {
    let slot = this.slots.get(role);
    if (!slot) {
      slot = createSlot(this.modelFor(role), role, this.options, role === "repo" ? this.repoPlan : undefined, this.lora.adapters.get(role)).then((created) => {
        if (role === "repo") this.info.repo.contextSize = created.context.contextSize;
        return created;
      });
      // A failed creation is not cached: the next request tries again.
      slot.catch(() => this.slots.delete(role));
      this.slots.set(role, slot);
    }
    return slot;
  }
}

/**
 * The repo context's KV cache and attention options. Flash attention: measured on the 0.8B
 * shape with an f16 cache on 2 CPU threads, an 8K pack, a 51-token follow-up took 1.35-1.6 s
 * with it and 2.3-2.9 s without, and the pack itself the same (83 s vs 84 s). A quantised V
 * cache needs it. Benchmarks build their in-process baseline with the same options.
 */
export function repoCacheOptions(kvType: KvType, flashAttention: boolean): Pick<LlamaContextOptions, "experimentalKvCacheKeyType" | "experimentalKvCacheValueType" | "flashAttention"> {
  const quantised = kvType === "q8_0" ? { experimentalKvCacheKeyType: "Q8_0" as const, experimentalKvCacheValueType: "Q8_0" as const } : {};
  return { ...quantised, flashAttention };
}

async function createSlot(loaded: LoadedModel, role: Role, options: EngineOptions, plan?: RepoContextPlan, lora: ReadonlyArray<{ filePath: string; scale: number }> = []): Promise<RoleSlot> {
  const { model } = loaded;
  const requested = plan !== undefined ? plan.contextSize : role === "completion" ? Math.min(options.completionContextSize ?? DEFAULT_COMPLETION_CONTEXT, model.trainContextSize || DEFAULT_COMPLETION_CONTEXT) : options.contextSize;
  const kv = plan !== undefined ? repoCacheOptions(plan.kvType, plan.flashAttention) : {};
  // The adapters were loaded into the model by planLoraAdapters: here they are only attached.
  const adapters = lora.length > 0 ? { lora: { adapters: lora.map((adapter) => ({ ...adapter })) } } : {};
  const context = await createContextThatFits(model, requested, role, loaded.threads, options.log, { ...kv, ...adapters });
  const sequence = context.getSequence({
    // Hearth takes its checkpoints where reuse happens (see generate); the periodic ones
    // still help long repo packs, and memory stays bounded either way.
    checkpoints: { max: 32, maxMemory: options.checkpointMemoryBytes ?? DEFAULT_CHECKPOINT_MEMORY },
  });
  return { loaded, context, sequence, lock: new FifoLock() };
}

/**
 * Loads a model after checking the file, so the common mistakes get a message naming the
 * file and the setting to fix instead of a native error from deep inside the loader.
 */
async function loadCheckedModel(llama: Llama, modelPath: string, options: EngineOptions, setting: string): Promise<LoadedModel> {
  const { sizeBytes } = await checkModelFile(modelPath);
  const { readGgufFileInfo, GgufInsights } = await import("node-llama-cpp");
  let fileInfo;
  try {
    fileInfo = await readGgufFileInfo(modelPath, { readTensorInfo: true });
  } catch (error) {
    throw new StartupError("truncated_gguf", `Model file is damaged or truncated: ${modelPath} (${errorMessage(error)}). Delete it and download it again.`, { cause: error });
  }
  const end = tensorDataEnd(fileInfo.fullTensorInfo ?? []);
  if (end !== undefined) checkTensorExtent(modelPath, sizeBytes, end);
  const architecture = String(fileInfo.metadata.general?.architecture ?? "unknown");
  const insights = await GgufInsights.from(fileInfo, llama);
  if (!insights.isSupportedByLlamaCpp) {
    throw new StartupError("unsupported_architecture", `Unsupported model architecture "${architecture}" in ${modelPath}. Hearth runs models llama.cpp supports, such as Qwen3.5 (qwen35); choose another model in ${setting}.`);
  }
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath, gpuLayers: options.gpu === "cpu" ? 0 : "auto" });
  } catch (error) {
    throw classifyLoadError(error, modelPath, architecture);
  }
  const thinkEnd = model.tokenize("</think>", true);
  const tokenizer = (fileInfo.metadata as { tokenizer?: { ggml?: { model?: unknown; pre?: unknown; tokens?: unknown } } }).tokenizer?.ggml;
  const embeddingRows = fileInfo.fullTensorInfo?.find((tensor) => tensor.name === "token_embd.weight")?.dimensions[1];
  const vocabularySize = Array.isArray(tokenizer?.tokens) ? tokenizer.tokens.length : Number(embeddingRows ?? 0);
  // Shapes an adapter's tensors must fit (see loraAdapters.ts).
  const tensors = new Map<string, readonly number[]>((fileInfo.fullTensorInfo ?? []).map((tensor) => [tensor.name, tensor.dimensions.map(Number)]));
  return {
    tensors,
    model,
    id: basename(modelPath).replace(/\.gguf$/i, ""),
    path: modelPath,
    architecture,
    fim: model.tokens.infill.prefix !== null && model.tokens.infill.suffix !== null && model.tokens.infill.middle !== null,
    hybrid: model.fileInsights.isHybrid || model.fileInsights.isRecurrent,
    threads: resolveThreads(options.threads, insights.modelSize, llama.cpuMathCores),
    thinkEndToken: thinkEnd.length === 1 ? thinkEnd[0] : undefined,
    vocabularySize,
    sliceable: tokenizer?.model === "gpt2" && typeof tokenizer.pre === "string" && SLICEABLE_PRE_TOKENIZERS.has(tokenizer.pre),
  };
}

/** llama.cpp pre-tokenizers whose pattern tokenizeSlices.ts's cuts are safe under. */
const SLICEABLE_PRE_TOKENIZERS = new Set(["qwen2", "qwen35", "llama-bpe"]);

/**
 * Whether a context with flash attention and this KV cache type can be created at all: some
 * backends lack one or the other, and the plan must be settled before states saved under
 * it are trusted.
 */
async function flashAttentionWorks(loaded: LoadedModel, kvType: KvType): Promise<boolean> {
  try {
    const probe = await loaded.model.createContext({ contextSize: 512, sequences: 1, threads: loaded.threads, failedCreationRemedy: false, ...repoCacheOptions(kvType, true) });
    await probe.dispose();
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks for the requested context and, when the machine cannot hold it, halves it until it
 * fits, saying so: a smaller context beats a server that does not start.
 */
export async function createContextThatFits(model: Pick<LlamaModel, "createContext">, requested: number | "auto", role: Role, threads: number | undefined, log: EngineLog, extra: Partial<LlamaContextOptions> = {}): Promise<LlamaContext> {
  if (requested === "auto") {
    return await model.createContext({ contextSize: "auto", sequences: 1, threads, ...extra });
  }
  let size = requested;
  const minimum = 512;
  for (;;) {
    try {
      const context = await model.createContext({ contextSize: size, sequences: 1, threads, failedCreationRemedy: false, ...extra });
      if (size !== requested) {
        log.warn(`context_fallback: the ${role} context of ${requested} tokens does not fit in memory; using ${size} tokens instead. Lower hearth.server.contextSize to silence this.`);
      }
      return context;
    } catch (error) {
      if (size <= minimum) {
        throw new StartupError("insufficient_memory", `Not enough memory for a ${role} context of even ${minimum} tokens (${errorMessage(error)}). Close other programs or choose a smaller model.`, { cause: error });
      }
      size = Math.max(minimum, Math.floor(size / 2));
    }
  }
}

/**
 * llama.cpp's worker threads spin while they wait for each other, so more threads than
 * cores is ruinous, not just wasteful. node-llama-cpp's own default is at least 4 threads
 * whatever the machine: measured on this project's 2-core machine with the 0.8B shape, one
 * generated token took 4.3 s on that default and 66–90 ms on 2 threads, and a 3,500-token
 * prefill ran at 51 tok/s instead of 95. `auto` is therefore the machine's math cores
 * (physical, as llama.cpp counts them) capped by the cores this process may use; a tiny
 * model, whose whole forward pass takes microseconds, gets one thread (20 tokens of the
 * tiny test model: 16 ms on one thread, 8.6 s on the default).
 */
export function resolveThreads(threads: number | "auto" | undefined, modelBytes: number, mathCores: number, usableCores = availableParallelism()): number {
  if (typeof threads === "number") return threads;
  if (modelBytes < 64 * 1024 * 1024) return 1;
  return Math.max(1, Math.min(mathCores > 0 ? mathCores : usableCores, usableCores));
}

function classifyLoadError(error: unknown, modelPath: string, architecture: string): StartupError {
  const message = errorMessage(error);
  if (/unknown model architecture|unsupported model/i.test(message)) {
    return new StartupError("unsupported_architecture", `Unsupported model architecture "${architecture}" in ${modelPath}. Choose another model in hearth.model.`, { cause: error });
  }
  if (/file bounds|truncat|unexpected end/i.test(message)) {
    return new StartupError("truncated_gguf", `Model file is truncated: ${modelPath}. Delete it and download it again.`, { cause: error });
  }
  if (/memory|alloc/i.test(message)) {
    return new StartupError("insufficient_memory", `Not enough memory to load ${modelPath} (${message}). Choose a smaller model or quantisation.`, { cause: error });
  }
  return new StartupError("load_failed", `Could not load ${modelPath}: ${message}`, { cause: error });
}

export class PromptTooLongError extends Error {
  constructor(
    readonly promptTokens: number,
    readonly contextSize: number,
    readonly role: Role | "embedding",
    /** For embeddings: which input. */
    readonly inputIndex?: number,
  ) {
    super(
      role === "repo"
        ? `The prompt has ${promptTokens} tokens but the repo context holds ${contextSize} (sized to this machine's free memory). Cut the repository pack to fewer tokens, or free memory and restart the server.`
        : role === "embedding"
          ? `Input ${inputIndex ?? 0} has ${promptTokens} tokens but the embedding context holds ${contextSize} (with 2 for the model's start and end tokens). Split the input into shorter texts.`
          : `The prompt has ${promptTokens} tokens but the ${role} context holds ${contextSize}. Shorten the prompt or raise hearth.server.contextSize.`,
    );
    this.name = "PromptTooLongError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
