// The one door out (house rule 2). Every model call, local or not, comes through here:
//   1. the effective policy decides the route (decideRoute), local first;
//   2. for any route off this machine, neverSend files are left out (or, when they are part
//      of the prompt itself, the request stays local or is refused), the text of the
//      workspace's neverSend files is taken out wherever the request carries it (the neverSend
//      index; one that cannot be read keeps the request local), and secrets are redacted;
//   3. `ask` shows the exact payload before anything leaves; "Always" is remembered; once
//      answered, the request is decided again and leaves only as it was shown;
//   4. the audit entry is written BEFORE the first byte leaves (no record, no egress),
//      its outcome after;
//   5. the provider streams the answer.
// When the local model turns out to be down or the prompt too long for it, the request is
// decided again with that fact, so it goes elsewhere only where the policy allows.
import { createHash } from "node:crypto";
import type { AuditSink, EgressConsent, UsageSink } from "../audit";
import type { Logger } from "../logger";
import { CLOUD_PROVIDERS, decideRoute, remoteFactsMatter, type CloudProvider, type EffectivePolicy, type Feature, type NeverSendContent, type RouteChoice, type RouteDecision, type RouteRequest } from "../policy";
import { redact } from "../redact";
import { fewestTokens, fitContext, type HearthRole, type ProviderId } from "../model";
import { ProviderError, streamDeltas, type DeltaStream, type ModelProvider, type PreparedCall } from "../providers";
import { consentKey, type ConsentAnswer, type ConsentMemory, type ConsentPrompt } from "./consent";
import { GatewayRefusal, isGatewayRefusal } from "./gatewayRefusal";
import type { ContextFile, GatewayPreview, GatewayRequest, GatewayResult, ModelPort, PayloadSummary, PlanOutcome, PlannedPrompt, PlanRequest, RequestPlan, SendHooks, TokenCount } from "./gatewayTypes";
import { asModelFailure } from "./modelFailure";
import { LIMITS } from "../wire/hearthProtocol";
import { buildOutgoingPayload, embeddedFiles, promptText, RedactionFailure, type OutgoingPayload, type Redactor } from "./outgoingPayload";

export interface GatewayProviders {
  readonly local: ModelProvider;
  readonly selfHosted?: ModelProvider;
  readonly openai?: ModelProvider;
  readonly anthropic?: ModelProvider;
}

/** What the gateway knows about the local model before calling it. Both are hints; the call itself is the proof. */
export interface LocalModelStatus {
  /** False when the server is known to be down for good (a permanent error). Default: assume it can serve. */
  isAvailable?(): boolean | PromiseLike<boolean>;
  /** The local context size in tokens for a server role, when known; a prompt clearly larger goes elsewhere or is refused. */
  contextTokens?(role: HearthRole): number | undefined;
}

export interface GatewayOptions {
  /** The effective policy for the request's workspace folder, current at the time of the call. */
  policy(request: GatewayRequest): EffectivePolicy | PromiseLike<EffectivePolicy>;
  readonly providers: GatewayProviders;
  readonly localStatus?: LocalModelStatus;
  readonly consent: ConsentPrompt;
  readonly consentMemory: ConsentMemory;
  readonly audit: AuditSink;
  readonly usage?: UsageSink;
  /** Names the workspace in audit entries. */
  readonly workspace?: string;
  /** Default: src/core/redact (secretlint's preset plus Hearth's own layers). */
  readonly redactor?: Redactor;
  readonly log?: Logger;
  /**
   * The text of the workspace's neverSend files (the neverSend index): for a request that
   * leaves, each of their values found anywhere in it (a tool result, a pasted line, an old
   * turn) is taken out, whether or not the request names the file. A promise that fails, or
   * does not settle within `neverSendWaitMs`, keeps the request on this machine, or refuses it
   * where the local model cannot serve: what cannot be checked does not leave. Unset: only the
   * neverSend files a request names are known (as before the index).
   */
  readonly neverSendContent?: (signal?: AbortSignal) => Promise<NeverSendContent>;
  /** How long a request that leaves waits for `neverSendContent` (default NEVER_SEND_WAIT_MS). */
  readonly neverSendWaitMs?: number;
}

/**
 * How long a request that leaves waits for the neverSend index (the first scan of a workspace
 * after activation): a scan of this repository takes well under a second, so 5 s is a slow
 * disk's margin, and short enough that a stuck scan fails the request visibly.
 */
export const NEVER_SEND_WAIT_MS = 5_000;

/** The estimate shown when the model's tokenizer cannot count (prose averages about 4 characters a token). */
const CHARS_PER_TOKEN = 4;


/** Context windows of the cloud model families Hearth knows; another id's is unknown (undefined). */
const CLOUD_CONTEXT_TOKENS: readonly (readonly [RegExp, number])[] = [
  [/^gpt-4o/, 128_000],
  [/^gpt-4\.1/, 1_047_576],
  [/^claude-/, 200_000],
];

const HEARTH_ROLES: Readonly<Record<Feature, HearthRole>> = {
  completion: "completion",
  chat: "chat",
  edit: "chat",
  translate: "chat",
  repoQuestion: "repo",
  languageModel: "chat",
};

interface Chosen {
  readonly ok: true;
  readonly decision: RouteChoice;
  readonly provider: ModelProvider;
  readonly policy: EffectivePolicy;
  readonly embedded: ReturnType<typeof embeddedFiles>;
  /** Secrets are redacted: the route leaves this machine and the policy did not turn redaction off. */
  readonly redacts: boolean;
  /** The neverSend index's values, for a route that leaves (when the gateway has an index). */
  readonly neverSendContent?: NeverSendContent;
}

interface Plan {
  readonly ok: true;
  readonly decision: RouteChoice;
  readonly provider: ModelProvider;
  readonly payload: OutgoingPayload;
  readonly prepared: PreparedCall;
  readonly sha256: string;
  /** Secrets are redacted: the route leaves this machine and the policy did not turn redaction off. */
  readonly redacts: boolean;
}

interface Refused {
  readonly ok: false;
  readonly refusal: GatewayRefusal;
}

/** Facts learnt from a failed local call, or the user's "Keep it local". */
interface PlanFacts {
  readonly localDown?: boolean;
  readonly tooLongForLocal?: boolean;
  readonly forceLocal?: boolean;
}

/** What one request has learnt about the local model so far, and the local failure that sent it elsewhere, for the result. */
interface Learnt {
  readonly facts: PlanFacts;
  readonly because?: string;
}

/** How many times one request is decided while consent dialogs are answered and the policy changes under them. */
const MAX_DECISIONS = 3;

/** The request is decided afresh: what the user answered was asked under a decision that no longer holds. Never leaves `deliver`. */
class DecidedOtherwise extends Error {
  constructor(
    readonly learnt: Learnt,
    message: string,
  ) {
    super(message);
    this.name = "DecidedOtherwise";
  }
}

export class Gateway {
  private readonly redactor: Redactor;
  /** One consent prompt at a time: a second request re-checks "Always" after the first is answered. */
  private asking: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: GatewayOptions) {
    this.redactor = options.redactor ?? ((text, fileName) => redact(text, { fileName }));
  }

  /**
   * Plans and sends a request whose prompt is already built, streaming through `onDelta`.
   * Throws GatewayRefusal (nothing was sent) or ModelFailure (the call failed).
   */
  async request(request: GatewayRequest): Promise<GatewayResult> {
    try {
      return await this.deliver(request);
    } catch (error) {
      throw asModelFailure(error);
    }
  }

  /** Where a request of this feature will go, and the context its prompt must fit; asks and sends nothing. */
  async plan(feature: Feature, request: PlanRequest = {}): Promise<PlanOutcome> {
    const { embeddedPaths, promptTokens, ...rest } = request;
    const files = plannedFiles(embeddedPaths, []);
    const probe: GatewayRequest = { feature, ...rest, messages: [{ role: "user", content: "" }], ...(files.length > 0 ? { files } : {}) };
    // Only the route: the body is built, redacted and hashed when the prompt is sent (a plan per keystroke must stay cheap).
    const chosen = await this.choose(probe, {}, promptTokens);
    if (!chosen.ok) return { ok: false, code: chosen.refusal.code, reason: chosen.refusal.message };
    const { decision, provider } = chosen;
    const { route, reason } = decision;
    const model = provider.prepare({ kind: "chat", messages: [{ role: "user", content: "" }], ...(route === "cloud" ? { model: decision.model } : {}) }).model;
    const remembered = decision.needsAsk && (await this.options.consentMemory.isRemembered(consentKey(feature, decision.provider, model)));
    const contextTokens = route === "local" ? this.options.localStatus?.contextTokens?.(HEARTH_ROLES[feature]) : route === "cloud" ? CLOUD_CONTEXT_TOKENS.find(([pattern]) => pattern.test(model))?.[1] : undefined;
    return { ok: true, feature, route, provider: decision.provider, model, contextTokens, acceptsText: provider.acceptsText, needsAsk: decision.needsAsk && !remembered, redacts: chosen.redacts, reason, request };
  }

  /**
   * Sends a prompt built for `plan`. The route is decided again with the prompt in hand (a
   * pure check against the cached policy); when it is no longer the planned one, nothing is
   * sent and the refusal's code is `planChanged`, so the feature can plan and build again.
   */
  async send(plan: RequestPlan, prompt: PlannedPrompt, hooks: SendHooks = {}): Promise<GatewayResult> {
    const { folders, preferred, interactive, embeddedPaths } = plan.request;
    // The files the plan was made for are in the prompt whether or not it lists them: judged again, against the policy of now.
    const files = [...(prompt.files ?? []), ...plannedFiles(embeddedPaths, prompt.files ?? [])];
    // Field by field, not spread: a prompt or hooks object carrying other fields (`folders`, `interactive`, `feature`) cannot change what the plan was made for.
    const request: GatewayRequest = {
      feature: plan.feature,
      ...defined({ folders, preferred, interactive }),
      ...defined({ messages: prompt.messages, prompt: prompt.prompt, maxTokens: prompt.maxTokens, temperature: prompt.temperature, stop: prompt.stop, thinking: prompt.thinking, tools: prompt.tools, toolChoice: prompt.toolChoice }),
      ...(files.length > 0 ? { files } : {}),
      ...defined({ signal: hooks.signal, onDelta: hooks.onDelta, onReasoning: hooks.onReasoning, onProgress: hooks.onProgress }),
    };
    try {
      return await this.deliver(request, { plan, promptTokens: prompt.promptTokens });
    } catch (error) {
      throw asModelFailure(error);
    }
  }

  /** The feature's own door: plan, send and count, bound to `feature`. */
  port(feature: Feature): ModelPort {
    const port: ModelPort = {
      feature,
      plan: (request) => this.plan(feature, request),
      send: async (plan, prompt, hooks) => {
        // Each feature's policy is its own: another feature's plan is not this one's to send.
        if (plan.feature !== feature) throw new GatewayRefusal("planChanged", `This plan was made for ${plan.feature}, not ${feature}. Nothing was sent.`);
        return this.send(plan, prompt, hooks);
      },
      run: async (request, build, hooks) => {
        for (let attempt = 1; ; attempt++) {
          const plan = await port.plan(request);
          if (!plan.ok) throw new GatewayRefusal(plan.code, plan.reason);
          const prompt = await build(plan);
          try {
            return await port.send(plan, prompt, hooks);
          } catch (error) {
            if (attempt >= 2 || !isGatewayRefusal(error) || error.code !== "planChanged") throw error;
            this.options.log?.info(`gateway: ${feature}: ${error.message} Planning again.`);
          }
        }
      },
      countTokens: (texts, options) => this.countTokens(texts, { ...options, feature }),
    };
    return port;
  }

  private async deliver(request: GatewayRequest, planned?: { readonly plan: RequestPlan; readonly promptTokens: number | undefined }): Promise<GatewayResult> {
    let learnt: Learnt = { facts: {} };
    for (let round = 1; ; round++) {
      try {
        return await this.deliverOnce(request, learnt, planned);
      } catch (error) {
        if (!(error instanceof DecidedOtherwise)) throw error;
        if (round >= MAX_DECISIONS) throw new GatewayRefusal("planChanged", `${error.message} The policy kept changing while Hearth asked, so nothing was sent. Try again.`);
        this.options.log?.info(`gateway: ${request.feature}: ${error.message} Deciding again.`);
        learnt = error.learnt;
      }
    }
  }

  private async deliverOnce(request: GatewayRequest, learnt: Learnt, planned: { readonly plan: RequestPlan; readonly promptTokens: number | undefined } | undefined): Promise<GatewayResult> {
    const promptTokens = planned?.promptTokens;
    let plan = await this.decide(request, learnt.facts, promptTokens);
    if (!plan.ok) throw plan.refusal;
    if (planned !== undefined && !samePlan(plan, planned.plan)) {
      throw new GatewayRefusal(
        "planChanged",
        `This ${request.feature} request was prepared for ${planned.plan.provider} (${planned.plan.model}), but it would now go to ${plan.decision.provider} (${plan.prepared.model}): ${plan.decision.reason}. Nothing was sent.`,
      );
    }
    if (plan.decision.route !== "local") return this.egress(plan, request, { ...learnt, promptTokens });

    try {
      return await this.callLocal(plan, request);
    } catch (error) {
      const fact = fallbackFact(error);
      if (fact === undefined) throw error;
      const localError = error as ProviderError;
      this.options.log?.warn(`gateway: ${request.feature} could not run locally (${localError.kind}); deciding again`);
      const facts = { ...learnt.facts, ...fact };
      plan = await this.decide(request, facts, promptTokens);
      if (!plan.ok) throw new GatewayRefusal(plan.refusal.code, `${localError.message} ${plan.refusal.message}`, { cause: localError });
      if (plan.decision.route === "local") throw error;
      return this.egress(plan, request, { facts, because: localError.message, promptTokens });
    }
  }

  /** The same as `request`, read as an async iterable of text pieces plus the result. */
  stream(request: Omit<GatewayRequest, "onDelta">): DeltaStream<GatewayResult> {
    return streamDeltas((onDelta) => this.request({ ...request, onDelta }));
  }

  /**
   * Counts tokens with the local model's own tokenizer (the feature's server role). When the
   * local server cannot count (down, an external server without /tokenize, or a text past its limit), estimates at
   * ~4 characters per token and says so with `exact: false`. Nothing leaves the machine.
   */
  async countTokens(texts: readonly string[], options: { readonly feature: Feature; readonly special?: boolean; readonly signal?: AbortSignal }): Promise<TokenCount> {
    const local = this.options.providers.local;
    const available = this.options.localStatus?.isAvailable === undefined || (await this.options.localStatus.isAvailable());
    // A text past the server's own limit would be posted only to be refused (413): it is estimated here.
    const countable = texts.every((text) => text.length <= LIMITS.textChars);
    if (local.tokenize !== undefined && available && texts.length > 0 && countable) {
      try {
        return { counts: await local.tokenize(texts, { role: HEARTH_ROLES[options.feature], special: options.special, signal: options.signal }), exact: true };
      } catch (error) {
        if (error instanceof ProviderError && error.kind === "cancelled") throw error;
        this.options.log?.debug(`gateway: counting tokens locally failed, estimating (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    return { counts: texts.map((text) => Math.ceil(text.length / CHARS_PER_TOKEN)), exact: false };
  }

  /** Dry run: exactly what `request` would send now (after neverSend and redaction), without sending or asking. */
  async preview(request: GatewayRequest): Promise<GatewayPreview> {
    const plan = await this.decide(request, {});
    if (!plan.ok) return { ok: false, code: plan.refusal.code, reason: plan.refusal.message };
    const remembered = plan.decision.needsAsk && (await this.options.consentMemory.isRemembered(this.consentKeyOf(request, plan)));
    return { ok: true, needsAsk: plan.decision.needsAsk && !remembered, ...summarise(request, plan) };
  }

  /** The route for a request (the policy's decision and the provider that serves it), before any body is built. */
  private async choose(request: GatewayRequest, facts: PlanFacts, promptTokens?: number): Promise<Chosen | Refused> {
    const policy = await this.options.policy(request);
    const embedded = embeddedFiles(request);
    let decision = facts.forceLocal === true ? await this.localOnly(request, facts) : decideRoute(policy, request.feature, await this.routeFacts(request, policy, embedded, facts, promptTokens));
    if (!decision.ok) return { ok: false, refusal: new GatewayRefusal(decision.code, decision.reason) };
    let neverSendContent: NeverSendContent | undefined;
    if (decision.route !== "local" && this.options.neverSendContent !== undefined) {
      const looked = await this.lookUpNeverSendContent(this.options.neverSendContent, decision.provider, request.signal);
      if (looked.ok) {
        neverSendContent = looked.content;
      } else {
        this.options.log?.warn(`gateway: ${request.feature} → ${decision.provider}: ${looked.problem}; it stays on this machine or is refused`);
        decision = await this.uncheckedStaysLocal(request, facts, promptTokens, looked.problem);
        if (!decision.ok) return { ok: false, refusal: new GatewayRefusal(decision.code, decision.reason) };
      }
    }

    const provider = this.providerFor(decision.provider);
    if (provider === undefined) return { ok: false, refusal: new GatewayRefusal("noRoute", `${decision.reason}, but Hearth has no ${decision.provider} provider set up.`) };
    if (request.messages === undefined && !provider.acceptsText) {
      return {
        ok: false,
        refusal: new GatewayRefusal(
          "rawPromptToCloud",
          `${decision.reason}, but this ${request.feature} request is a raw completion prompt, which cloud chat models cannot take; only the local model or a self-hosted completion server can. Start the local model, or configure hearth.selfHosted.url.`,
        ),
      };
    }
    return { ok: true, decision, provider, policy, embedded, redacts: decision.route !== "local" && policy.redactSecrets, ...(neverSendContent !== undefined ? { neverSendContent } : {}) };
  }

  /** The neverSend index, waited for at most neverSendWaitMs; a failure is a problem to tell, a cancellation is thrown. */
  private async lookUpNeverSendContent(
    source: NonNullable<GatewayOptions["neverSendContent"]>,
    provider: ProviderId,
    signal: AbortSignal | undefined,
  ): Promise<{ readonly ok: true; readonly content: NeverSendContent } | { readonly ok: false; readonly problem: string }> {
    const waitMs = this.options.neverSendWaitMs ?? NEVER_SEND_WAIT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const late = Symbol("late");
    const cancelled = Symbol("cancelled");
    try {
      const outcome = await Promise.race([
        Promise.resolve().then(() => source(signal)),
        new Promise<typeof late>((resolve) => (timer = setTimeout(() => resolve(late), waitMs))),
        new Promise<typeof cancelled>((resolve) => {
          onAbort = () => resolve(cancelled);
          if (signal?.aborted) onAbort();
          else signal?.addEventListener("abort", onAbort, { once: true });
        }),
      ]);
      if (outcome === cancelled) throw new ProviderError({ kind: "cancelled", provider, message: "Cancelled before anything was sent." });
      if (outcome === late) return { ok: false, problem: `Hearth was still reading the workspace's neverSend files after ${Math.round(waitMs / 100) / 10} s, so it could not check this prompt for their text` };
      return { ok: true, content: outcome };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      return { ok: false, problem: `Hearth could not read the workspace's neverSend files (${error instanceof Error ? error.message : String(error)}), so it could not check this prompt for their text` };
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * What cannot be checked does not leave: as a neverSend file in the prompt (decideRoute), the
   * request runs on this machine when it can, and is refused otherwise.
   */
  private async uncheckedStaysLocal(request: GatewayRequest, facts: PlanFacts, promptTokens: number | undefined, problem: string): Promise<RouteDecision> {
    const available = facts.localDown !== true && (this.options.localStatus?.isAvailable === undefined || (await this.options.localStatus.isAvailable()));
    if (available && facts.tooLongForLocal !== true && this.fitsLocal(request, promptTokens)) return { ok: true, route: "local", provider: "local", needsAsk: false, reason: `${problem}, so it stays on this machine` };
    const localProblem = available ? "the prompt is larger than the local model's context" : "the local model is not running";
    return { ok: false, code: "neverSend", reason: `${problem}, and ${localProblem}, so nothing was sent. Try again in a moment; if it keeps happening, see "Hearth: Show Logs".` };
  }

  /** The route and the exact body for it: neverSend files out and secrets redacted where it leaves, hashed for the audit. */
  private async decide(request: GatewayRequest, facts: PlanFacts, promptTokens?: number): Promise<Plan | Refused> {
    const chosen = await this.choose(request, facts, promptTokens);
    if (!chosen.ok) return chosen;
    const { decision, provider, policy, embedded, neverSendContent } = chosen;

    let payload: OutgoingPayload;
    try {
      payload = await buildOutgoingPayload({
        request,
        leaving: decision.route !== "local",
        redactSecrets: policy.redactSecrets,
        neverSend: policy.neverSend,
        embedded,
        ...(neverSendContent !== undefined ? { neverSendContent } : {}),
        redactor: this.redactor,
        hearthRole: HEARTH_ROLES[request.feature],
        model: decision.route === "cloud" ? decision.model : undefined,
        prepare: (call) => provider.prepare(call),
      });
    } catch (error) {
      if (!(error instanceof RedactionFailure)) throw error;
      this.options.log?.error(`gateway: redaction failed for a ${request.feature} request to ${decision.provider}; nothing was sent: ${error.message}`);
      return {
        ok: false,
        refusal: new GatewayRefusal(
          "redactionFailed",
          `${decision.reason}, but Hearth could not check the prompt for secrets (${error.message}), so nothing was sent. Try again; if it keeps happening, see "Hearth: Show Logs" or keep ${request.feature} local in .hearth/policy.json.`,
          { cause: error },
        ),
      };
    }
    const prepared = payload.prepared;
    return { ok: true, decision, provider, payload, prepared, sha256: createHash("sha256").update(prepared.json, "utf8").digest("hex"), redacts: chosen.redacts };
  }

  private async routeFacts(request: GatewayRequest, policy: EffectivePolicy, embedded: ReadonlySet<{ path: string }>, facts: PlanFacts, promptTokens: number | undefined): Promise<RouteRequest> {
    const { providers, localStatus } = this.options;
    const local = {
      files: [...embedded].map((f) => f.path),
      preferred: request.preferred,
      localAvailable: facts.localDown !== true && (localStatus?.isAvailable === undefined || (await localStatus.isAvailable())),
      fitsLocalContext: facts.tooLongForLocal !== true && this.fitsLocal(request, promptTokens),
    };
    // Which remote routes are set up cannot change this decision: no provider is asked.
    if (!remoteFactsMatter(policy, request.feature, local)) return { ...local, selfHostedAvailable: false, cloudProviders: [] };
    const cloudProviders: CloudProvider[] = [];
    for (const id of CLOUD_PROVIDERS) {
      if (await providers[id]?.isConfigured()) cloudProviders.push(id);
    }
    return { ...local, selfHostedAvailable: (await providers.selfHosted?.isConfigured()) ?? false, cloudProviders };
  }

  /** The user said "Keep it local": local if it can serve, else a refusal that says so. */
  private async localOnly(request: GatewayRequest, facts: PlanFacts): Promise<RouteDecision> {
    const available = facts.localDown !== true && (this.options.localStatus?.isAvailable === undefined || (await this.options.localStatus.isAvailable()));
    if (available && facts.tooLongForLocal !== true && this.fitsLocal(request)) return { ok: true, route: "local", provider: "local", needsAsk: false, reason: "You chose to keep it on this machine" };
    const problem = available ? "the prompt is larger than the local model's context" : "the local model is not running";
    return { ok: false, code: "noRoute", reason: `You chose to keep it on this machine, but ${problem}. ${available ? "Shorten the prompt" : "Start the local model"}, or choose "Send once".` };
  }

  /** The one fit rule (core/model), with the feature's own count when it gave one, else the fewest tokens the characters can take. */
  private fitsLocal(request: GatewayRequest, promptTokens?: number): boolean {
    const contextTokens = this.options.localStatus?.contextTokens?.(HEARTH_ROLES[request.feature]);
    if (contextTokens === undefined) return true;
    // A file declared embedded is already in the prompt's text: counting it again would turn away a repo pack at half the context.
    const chars = promptText(request).length + (request.files ?? []).filter((f) => f.embedded !== true).reduce((n, f) => n + f.content.length, 0);
    // A count that is no count (NaN, infinite, negative: a feature's bug) is no reason to send the prompt elsewhere: the characters decide.
    const counted = promptTokens !== undefined && Number.isFinite(promptTokens) && promptTokens >= 0 ? promptTokens : undefined;
    return fitContext({ promptTokens: counted ?? fewestTokens(chars), answerTokens: 0, contextTokens }).fits;
  }

  private providerFor(id: ProviderId): ModelProvider | undefined {
    return this.options.providers[id];
  }

  private async callLocal(plan: Plan, request: GatewayRequest): Promise<GatewayResult> {
    const result = await plan.provider.send(plan.prepared, { signal: request.signal, onDelta: request.onDelta, onReasoning: request.onReasoning, onProgress: request.onProgress });
    this.countUsage(plan, result.usage);
    return {
      text: result.text,
      ...(result.reasoning !== undefined ? { reasoning: result.reasoning } : {}),
      route: "local",
      provider: "local",
      model: result.model,
      reason: plan.decision.reason,
      dropped: plan.payload.dropped,
      redactions: plan.payload.redactions,
      finishReason: result.finishReason,
      usage: result.usage,
      ...(result.toolCalls !== undefined ? { toolCalls: result.toolCalls } : {}),
    };
  }

  /**
   * Sends a plan that leaves this machine, asking first where the policy says so. A dialog
   * can stay open for minutes, and requests queue behind it: once it is answered, the
   * request is decided again with the policy of then, and leaves only if that decision is
   * the one the user saw (same route, provider and model, the same bytes); otherwise it is
   * decided afresh (DecidedOtherwise), which asks again where the new plan needs it.
   */
  private async egress(plan: Plan, request: GatewayRequest, context: Learnt & { readonly promptTokens: number | undefined }): Promise<GatewayResult> {
    let consent: EgressConsent = "policy";
    if (plan.decision.needsAsk) {
      const answer = await this.askInTurn(request, plan);
      if (answer === "local") {
        const local = await this.decide(request, { ...context.facts, forceLocal: true });
        if (!local.ok) throw new GatewayRefusal("keptLocal", local.refusal.message);
        try {
          return await this.callLocal(local, request);
        } catch (error) {
          // The user already said where it may go; a local failure is not a reason to ask again or go elsewhere.
          if (fallbackFact(error) === undefined) throw error;
          throw new GatewayRefusal("keptLocal", `You chose to keep it on this machine, but the local model could not answer: ${(error as ProviderError).message}`, { cause: error });
        }
      }
      // A request that may not interrupt was only looked up in the memory of "Always": nothing held it, so nothing changed meanwhile.
      if (request.interactive !== false) {
        const now = await this.decide(request, context.facts, context.promptTokens);
        if (!now.ok) throw now.refusal;
        if (!sameDecision(now, plan)) throw new DecidedOtherwise({ facts: context.facts, because: context.because }, `While Hearth asked about this ${request.feature} request (${plan.decision.provider}, ${plan.prepared.model}), the policy changed: ${describeChange(plan, now)}.`);
      }
      consent = answer;
    }
    if (request.signal?.aborted) {
      throw new ProviderError({ kind: "cancelled", provider: plan.provider.id, message: "Cancelled before anything was sent." });
    }

    const { decision, payload, prepared } = plan;
    let auditId: string;
    try {
      const entry = await this.options.audit.recordEgress({
        feature: request.feature,
        route: decision.route === "selfHosted" ? "selfHosted" : "cloud",
        provider: plan.provider.id,
        model: prepared.model,
        ...(this.options.workspace !== undefined ? { workspace: this.options.workspace } : {}),
        files: payload.files,
        dropped: payload.dropped,
        bytes: prepared.bytes,
        redactions: payload.redactions,
        sha256: plan.sha256,
        consent,
        reason: decision.reason,
      });
      auditId = entry.id;
    } catch (error) {
      throw new GatewayRefusal("auditUnavailable", `Hearth could not write its audit log, so nothing was sent (${error instanceof Error ? error.message : String(error)}). Check the disk space and permissions of Hearth's global storage folder.`, { cause: error });
    }
    this.options.log?.info(
      `gateway: ${request.feature} → ${decision.provider}:${prepared.model}, ${prepared.bytes} bytes, ${payload.redactions} redactions${payload.dropped.length > 0 ? `, left out ${payload.dropped.join(", ")}` : ""} (audit ${auditId})`,
    );

    const started = Date.now();
    try {
      const result = await plan.provider.send(prepared, { signal: request.signal, onDelta: request.onDelta, onReasoning: request.onReasoning });
      await this.recordOutcome(auditId, { status: "ok", attempts: result.attempts, durationMs: Date.now() - started, ...(result.usage !== undefined ? { usage: result.usage } : {}) });
      this.countUsage(plan, result.usage);
      return {
        text: result.text,
        ...(result.reasoning !== undefined ? { reasoning: result.reasoning } : {}),
        route: decision.route,
        provider: decision.provider,
        model: result.model,
        reason: decision.reason,
        auditId,
        dropped: payload.dropped,
        redactions: payload.redactions,
        finishReason: result.finishReason,
        usage: result.usage,
        ...(context.because !== undefined ? { fellBackBecause: context.because } : {}),
        ...(result.toolCalls !== undefined ? { toolCalls: result.toolCalls } : {}),
      };
    } catch (error) {
      const status = error instanceof ProviderError ? error.kind : "error";
      await this.recordOutcome(auditId, { status, attempts: error instanceof ProviderError ? error.attempts : 1, durationMs: Date.now() - started });
      throw error;
    }
  }

  /** Asks, one prompt at a time, unless "Always" already covers this feature and model. */
  private askInTurn(request: GatewayRequest, plan: Plan): Promise<ConsentAnswer | "remembered"> {
    const key = this.consentKeyOf(request, plan);
    if (request.interactive === false) {
      return Promise.resolve(this.options.consentMemory.isRemembered(key)).then((remembered) => {
        if (remembered) return "remembered";
        throw new GatewayRefusal(
          "consentNeeded",
          `${plan.decision.reason}; the policy says to ask before ${request.feature} requests leave this machine, and Hearth does not interrupt typing to ask. Set "cloudAccess": "allow" for ${request.feature} in .hearth/policy.json ("Hearth: Open Privacy Policy"), or keep it local.`,
        );
      });
    }
    const turn = this.asking.then(async (): Promise<ConsentAnswer | "remembered"> => {
      if (await this.options.consentMemory.isRemembered(key)) return "remembered";
      if (request.signal?.aborted) return "local";
      const answer = await this.options.consent.ask(summarise(request, plan), request.signal);
      if (answer === "always") await this.options.consentMemory.remember(key);
      return answer;
    });
    this.asking = turn.catch(() => undefined);
    return turn;
  }

  private consentKeyOf(request: GatewayRequest, plan: Plan): string {
    return consentKey(request.feature, plan.decision.provider, plan.prepared.model);
  }

  /** The egress record exists already; a failure to add its outcome is logged, not thrown over the answer. */
  private async recordOutcome(id: string, outcome: Parameters<AuditSink["recordOutcome"]>[1]): Promise<void> {
    try {
      await this.options.audit.recordOutcome(id, outcome);
    } catch (error) {
      this.options.log?.warn(`gateway: could not record the outcome of audit entry ${id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private countUsage(plan: Plan, usage: { promptTokens: number; completionTokens: number } | undefined): void {
    if (usage === undefined || this.options.usage === undefined) return;
    this.options.usage.add({ provider: plan.provider.id, model: plan.prepared.model, route: plan.decision.route, promptTokens: usage.promptTokens, completionTokens: usage.completionTokens });
  }
}

/** The fields that are set; an absent one stays absent rather than `undefined`. */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The plan's embedded paths that `listed` does not already carry as embedded files, as embedded files of no text of their own (their text is in the prompt). */
function plannedFiles(paths: readonly string[] | undefined, listed: readonly ContextFile[]): ContextFile[] {
  const embedded = new Set(listed.filter((f) => f.embedded === true).map((f) => f.path));
  return [...new Set(paths ?? [])].filter((path) => !embedded.has(path)).map((path) => ({ path, content: "", origin: "file", embedded: true }));
}

/** The request would leave as the user was shown it: the same route, provider and model, the same bytes. */
function sameDecision(now: Plan, asked: Plan): boolean {
  return now.decision.route === asked.decision.route && now.decision.provider === asked.decision.provider && now.prepared.model === asked.prepared.model && now.sha256 === asked.sha256;
}

function describeChange(asked: Plan, now: Plan): string {
  if (now.decision.route === "local") return `it now stays on this machine (${now.decision.reason})`;
  if (now.decision.provider !== asked.decision.provider || now.prepared.model !== asked.prepared.model) return `it would now go to ${now.decision.provider} (${now.prepared.model}) (${now.decision.reason})`;
  return "what would be sent is no longer what was shown";
}

/** Whether a decision made with the prompt in hand is still the plan the prompt was built for. */
function samePlan(plan: Plan, planned: RequestPlan): boolean {
  return plan.decision.route === planned.route && plan.decision.provider === planned.provider && plan.prepared.model === planned.model;
}

function summarise(request: GatewayRequest, plan: Plan): PayloadSummary {
  return {
    feature: request.feature,
    route: plan.decision.route,
    provider: plan.decision.provider,
    model: plan.prepared.model,
    files: plan.payload.files,
    dropped: plan.payload.dropped,
    bytes: plan.prepared.bytes,
    redactions: plan.payload.redactions,
    sha256: plan.sha256,
    payload: plan.prepared.json,
    reason: plan.decision.reason,
  };
}

/** A local failure the policy may route around: the server is down, or the prompt does not fit. Only when nothing streamed yet. */
function fallbackFact(error: unknown): PlanFacts | undefined {
  if (!(error instanceof ProviderError) || error.partialText !== "") return undefined;
  if (error.kind === "network") return { localDown: true };
  if (error.kind === "context_too_long") return { tooLongForLocal: true };
  return undefined;
}
