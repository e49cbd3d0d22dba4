// Repository questions: builds (and keeps) the repo pack, sizes it to the route's context,
// sends it through the gateway as the system message of a conversation, streams the
// answer, reports prompt-evaluation progress, and finds the answer's citations.
//
// The pack is the expensive prefix: Hearth's server keeps its evaluated state (in memory at
// message boundaries, on disk: the local provider asks for `persist` and `progress` on
// every repo-role request), so a follow-up in the same conversation reuses the same pack
// byte for byte and only the question is evaluated. The pack is built again when a file
// changed (`invalidate`), when the route or its layout changed, when the conversation has
// grown past the room the pack left for it, or when the pack lacks what a new question needs.
//
// A follow-up carries the earlier answers, and an answer made on this machine may quote a
// neverSend file of its pack: those files are named in every later request of the
// conversation as part of the prompt, so the gateway keeps it on this machine (or refuses)
// instead of sending that answer elsewhere with a pack that left the file out.
import { GatewayRefusal, isGatewayRefusal, type ModelPort, type PlanRequest, type RequestPlan } from "../gateway";
import type { Logger } from "../logger";
import type { Route } from "../policy";
import type { ChatMessage, StateLoading, TokenUsage } from "../model";
import { parseCitations, type Citation } from "./citations";
import { repoInstructions, type PackLayout } from "./packLayout";
import { MIN_PACK_TOKENS, packRoom } from "./packBudget";
import { ProgressMeter, type ProgressView } from "./progressMeter";
import { buildPack, packCovers, scanRepo, type PackReport, type RepoPack, type RepoSnapshot, type ScanOptions } from "./repoPack";
import { TokenCounter } from "./tokenCounter";


export interface RepoSettings {
  /** hearth.repo.maxFileKB in bytes. */
  readonly maxFileBytes: number;
  /** files.exclude (enabled globs) and hearth.repo.exclude. */
  readonly exclude: readonly string[];
  /** hearth.repo.answerTokens: room kept for the answer. */
  readonly answerTokens: number;
}

export interface RepoQaOptions {
  /** The gateway's port for feature `repoQuestion`. */
  readonly port: ModelPort;
  /** The folder to pack. */
  readonly root: string;
  /** Shown in the pack header; default the folder's name. */
  readonly name?: string;
  readonly settings: () => RepoSettings;
  /**
   * Files the caller leaves out when the route is not this machine (neverSend), so the
   * budget counts what is really sent. The gateway would drop them anyway.
   */
  readonly dropFor?: (route: Route) => ((path: string) => boolean) | undefined;
  /** Whether the local model has `<|repo_name|>`/`<|file_sep|>`; default: ask the server's tokenizer. */
  readonly hasRepoTokens?: (signal?: AbortSignal) => Promise<boolean>;
  /** Injected for tests; default `git log`. */
  readonly history?: ScanOptions["history"];
  readonly log?: Logger;
}

export type RepoProgress =
  | { readonly phase: "packing" }
  /** The server reads the pack's saved state from disk instead of evaluating it. */
  | ({ readonly phase: "loading" } & StateLoading)
  | ({ readonly phase: "reading" } & ProgressView)
  | { readonly phase: "answering" };

export interface AskOptions {
  readonly signal?: AbortSignal;
  readonly onDelta?: (text: string) => void;
  readonly onProgress?: (progress: RepoProgress) => void;
  /** Earlier turns of this conversation; default: the ones RepoQa kept from its own earlier answers. */
  readonly history?: readonly ChatMessage[];
  /**
   * What the given history drew on (a chat's earlier turns): the request names these folders
   * with this one, so the strictest policy applies, and these files as part of the prompt, so
   * a neverSend match keeps the question on this machine.
   */
  readonly drewOn?: RepoSources;
  /** What this question's prompt draws on, once its pack is built (before it is sent); again if it is built again. */
  readonly onSources?: (sources: RepoSources) => void;
}

/** The folders whose policy applies to a prompt, and the files of it that must not leave this machine. */
export interface RepoSources {
  readonly folders: readonly string[];
  readonly paths: readonly string[];
}

export interface RepoAnswer {
  readonly question: string;
  readonly text: string;
  readonly report: PackReport;
  readonly citations: readonly Citation[];
  readonly route: Route;
  readonly model: string;
  readonly auditId?: string;
  readonly usage?: TokenUsage;
  /** SHA-256 of the pack text sent. */
  readonly packHash: string;
  /** The pack of the previous question was reused as is. */
  readonly reusedPack: boolean;
  /** Tokens the route's context holds (or the default when it does not say). */
  readonly contextTokens: number;
}

/** A user-facing failure that is not the gateway's: names the setting to change. */
export class RepoQaError extends Error {
  override readonly name = "RepoQaError";
}

/** When the route does not say how large its context is. */
export const DEFAULT_CONTEXT_TOKENS = 32_768;


interface PackPlan {
  readonly kept: KeptPack;
  readonly contextTokens: number;
  readonly budget: number;
  readonly reused: boolean;
  /** Tokens of the whole prompt: instructions, pack and conversation. */
  readonly promptTokens: number;
}

interface KeptPack {
  readonly pack: RepoPack;
  readonly snapshot: RepoSnapshot;
  readonly layout: PackLayout;
  readonly route: Route;
}

export class RepoQa {
  private snapshotPromise?: Promise<RepoSnapshot>;
  private snapshotKey?: string;
  private kept?: KeptPack;
  private turns: ChatMessage[] = [];
  /** Files behind this conversation's answers made on this machine that must not leave it (neverSend files of their packs). */
  private heldHere = new Set<string>();
  private lastReportValue?: PackReport;
  private readonly packCounter: TokenCounter;
  private readonly textCounter: TokenCounter;
  private repoTokens?: Promise<boolean>;

  constructor(private readonly options: RepoQaOptions) {
    const count = (special: boolean) => (texts: readonly string[], signal?: AbortSignal) => options.port.countTokens(texts, { special, signal });
    // The server reads special tokens in the repo system message, so the pack is counted that way.
    this.packCounter = new TokenCounter(count(true));
    this.textCounter = new TokenCounter(count(false));
  }

  /** The folder this service packs. */
  get root(): string {
    return this.options.root;
  }

  /** A file changed: the next question scans the folder again (lazily). */
  invalidate(): void {
    this.snapshotPromise = undefined;
    this.snapshotKey = undefined;
  }

  /** Starts a new conversation: the next question gets a pack of its own. */
  newConversation(): void {
    this.turns = [];
    this.heldHere = new Set();
    this.kept = undefined;
  }

  /** Earlier turns RepoQa kept. */
  get conversation(): readonly ChatMessage[] {
    return this.turns;
  }

  /** The report of the pack last built or sent. */
  get lastReport(): PackReport | undefined {
    return this.lastReportValue;
  }

  /** The pack a question would get now, without sending anything. */
  async preview(question: string, options: { signal?: AbortSignal; history?: readonly ChatMessage[]; drewOn?: RepoSources } = {}): Promise<{ pack: RepoPack; route: Route; contextTokens: number; budget: number }> {
    const route = await this.route(this.planRequest(options));
    const plan = await this.packFor(route, question, options.history ?? this.turns, options.signal);
    return { pack: plan.kept.pack, route: route.route, contextTokens: plan.contextTokens, budget: plan.budget };
  }

  async ask(question: string, options: AskOptions = {}): Promise<RepoAnswer> {
    const history = options.history ?? this.turns;
    const request = this.planRequest(options);
    options.onProgress?.({ phase: "packing" });
    let plan: PackPlan | undefined;
    let held: readonly string[] = [];
    let answering = false;
    let meter = new ProgressMeter();
    // Plans the route, builds the pack for that route's context, sends both; plans and packs again once if the route changed meanwhile.
    const result = await this.options.port.run(
      request,
      async (route) => {
        plan = await this.packFor(route, question, history, options.signal);
        held = this.mustStayHere(route.route, plan.kept.pack);
        options.onSources?.({ folders: [this.options.root], paths: held });
        meter = new ProgressMeter();
        options.onProgress?.({ phase: "reading", done: 0, total: plan.kept.pack.report.packTokens, cached: 0 });
        return {
          messages: [{ role: "system", content: `${repoInstructions(plan.kept.snapshot.name, plan.kept.layout)}\n\n${plan.kept.pack.text}` }, ...history, { role: "user", content: question }],
          // Named (as already in the prompt) so that the consent prompt and the audit entry list what leaves, and so that
          // a local request the gateway reroutes after a local failure cannot carry a neverSend file off this machine.
          files: plan.kept.pack.sections.map((s) => ({ path: s.path, content: s.content, origin: "repo" as const, embedded: true })),
          maxTokens: this.options.settings().answerTokens,
          // Thoughts would spend the answer's room and, not being kept in the history, make the next turn's prompt differ.
          thinking: false,
          promptTokens: plan.promptTokens,
        };
      },
      {
        signal: options.signal,
        onProgress: (progress) => {
          if (answering) return;
          // Loading reports stay out of the meter: its rate counts evaluated tokens only.
          if (progress.loading !== undefined) options.onProgress?.({ phase: "loading", ...progress.loading });
          else options.onProgress?.({ phase: "reading", ...meter.update(progress) });
        },
        onDelta: (text) => {
          if (!answering) {
            answering = true;
            options.onProgress?.({ phase: "answering" });
          }
          options.onDelta?.(text);
        },
      },
    ).catch((error: unknown) => {
      throw this.heldRefusal(error, request);
    });
    if (plan === undefined) throw new Error("the gateway sent a repository question without building its prompt");
    const { pack } = plan.kept;
    if (options.history === undefined) {
      this.turns = [...this.turns, { role: "user", content: question }, { role: "assistant", content: result.text }];
      if (result.route === "local") for (const path of held) this.heldHere.add(path);
    }
    const files = new Set(plan.kept.snapshot.files.map((f) => f.path));
    return {
      question,
      text: result.text,
      report: pack.report,
      citations: parseCitations(result.text, (path) => files.has(path)),
      route: result.route,
      model: result.model,
      ...(result.auditId !== undefined ? { auditId: result.auditId } : {}),
      ...(result.usage !== undefined ? { usage: result.usage } : {}),
      packHash: pack.hash,
      reusedPack: plan.reused,
      contextTokens: plan.contextTokens,
    };
  }

  private async route(request: PlanRequest): Promise<RequestPlan> {
    const route = await this.options.port.plan(request);
    if (!route.ok) throw this.heldRefusal(new GatewayRefusal(route.code, route.reason), request);
    return route;
  }

  /** This folder with the history's, and the files behind the history that must stay on this machine (RepoQa's own conversation's, or the caller's). */
  private planRequest(options: { readonly history?: readonly ChatMessage[]; readonly drewOn?: RepoSources }): PlanRequest {
    const folders = [...new Set([this.options.root, ...(options.drewOn?.folders ?? [])])];
    const paths = [...new Set([...(options.history === undefined ? this.heldHere : []), ...(options.drewOn?.paths ?? [])])];
    return { folders, ...(paths.length > 0 ? { embeddedPaths: paths } : {}) };
  }

  /**
   * The pack's files that must not leave this machine: on a route elsewhere none (they were
   * left out of the pack, and the gateway refuses any it finds); here, those the caller leaves
   * out when a prompt leaves, or, when it does not say, every file of the pack.
   */
  private mustStayHere(route: Route, pack: RepoPack): string[] {
    if (route !== "local") return [];
    const drop = this.options.dropFor?.("cloud");
    const paths = pack.sections.map((s) => s.path);
    return drop === undefined ? paths : paths.filter(drop);
  }

  /** A neverSend refusal because of this conversation's own earlier answers says how to go on. */
  private heldRefusal(error: unknown, request: PlanRequest): unknown {
    if (!isGatewayRefusal(error) || error.code !== "neverSend" || !(request.embeddedPaths ?? []).some((path) => this.heldHere.has(path))) return error;
    return new GatewayRefusal(
      "neverSend",
      `${error.message} Earlier answers in this repository conversation were made on this machine from those files, so it stays here: start the local model, or start a new repository conversation to ask elsewhere.`,
      { cause: error },
    );
  }

  /** The pack for a planned route: the one kept from the last question when it still fits and covers the question, else a new one. */
  private async packFor(route: RequestPlan, question: string, history: readonly ChatMessage[], signal?: AbortSignal): Promise<PackPlan> {
    const layout: PackLayout = route.route === "local" && (await this.hasRepoTokens(signal)) ? "qwenRepo" : "plain";
    const snapshot = await this.snapshot(route.route, signal);
    const settings = this.options.settings();
    const contextTokens = route.contextTokens ?? DEFAULT_CONTEXT_TOKENS;
    const [instructionTokens, questionTokens, ...historyTokens] = await this.textCounter.countAll([repoInstructions(snapshot.name, layout) + "\n\n", question, ...history.map((m) => m.content)], signal);
    const conversation = questionTokens + historyTokens.reduce((a, b) => a + b, 0);
    const budget = packRoom({ contextTokens, answerTokens: settings.answerTokens, instructionTokens, conversationTokens: conversation, messages: history.length + 1 });
    if (budget < MIN_PACK_TOKENS) {
      throw new RepoQaError(
        `The ${route.route} model's context (${contextTokens} tokens) leaves no room for the repository after the answer (${settings.answerTokens}) and the conversation (${conversation}). Lower hearth.repo.answerTokens, start a new conversation, or raise hearth.server.contextSize.`,
      );
    }
    // What the prompt takes, counted as the budget was: the gateway checks the fit with these same numbers.
    const promptTokens = (pack: RepoPack): number => instructionTokens + pack.report.packTokens + conversation;
    const kept = this.kept;
    if (
      history.length > 0 &&
      kept !== undefined &&
      kept.snapshot === snapshot &&
      kept.layout === layout &&
      kept.route === route.route &&
      kept.pack.report.packTokens <= budget &&
      packCovers(snapshot, kept.pack, question)
    ) {
      return { kept, contextTokens, budget, reused: true, promptTokens: promptTokens(kept.pack) };
    }
    const pack = await buildPack(snapshot, { layout, budget, question, counter: this.packCounter, signal });
    this.kept = { pack, snapshot, layout, route: route.route };
    this.lastReportValue = pack.report;
    this.options.log?.info(`repo: pack of ${pack.report.packTokens} tokens (${pack.report.whole ? "whole repository" : `${pack.report.leftOut.length} files left out`}), budget ${budget} of ${contextTokens}, layout ${layout}`);
    return { kept: this.kept, contextTokens, budget, reused: false, promptTokens: promptTokens(pack) };
  }

  private hasRepoTokens(signal?: AbortSignal): Promise<boolean> {
    if (this.options.hasRepoTokens !== undefined) return this.options.hasRepoTokens(signal);
    // Asked once, unless the answer was only an estimate (the server was not up yet).
    const asked = (this.repoTokens ??= this.options.port.countTokens(["<|file_sep|>"], { special: true, signal }).then(
      (result) => {
        if (!result.exact) this.repoTokens = undefined;
        return result.exact && result.counts[0] === 1;
      },
      () => {
        this.repoTokens = undefined;
        return false;
      },
    ));
    return asked;
  }

  private snapshot(route: Route, signal?: AbortSignal): Promise<RepoSnapshot> {
    const settings = this.options.settings();
    const drop = route === "local" ? undefined : this.options.dropFor?.(route);
    const key = JSON.stringify({ maxFileBytes: settings.maxFileBytes, exclude: settings.exclude, leaving: drop !== undefined });
    if (this.snapshotPromise === undefined || this.snapshotKey !== key) {
      this.snapshotKey = key;
      const promise = scanRepo({
        root: this.options.root,
        ...(this.options.name !== undefined ? { name: this.options.name } : {}),
        maxFileBytes: settings.maxFileBytes,
        exclude: settings.exclude,
        ...(drop !== undefined ? { drop } : {}),
        ...(this.options.history !== undefined ? { history: this.options.history } : {}),
        signal,
      });
      // A cancelled or failed scan is not kept: the next question tries again.
      promise.catch(() => {
        if (this.snapshotPromise === promise) this.invalidate();
      });
      this.snapshotPromise = promise;
    }
    return this.snapshotPromise;
  }
}
