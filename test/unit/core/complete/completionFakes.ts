// Loopback fakes for the completion engine's neighbours: a scripted model client and a
// clock whose time moves only when a test says so.
import type { CompletionInput, CompletionTarget, Clock } from "../../../../src/core/complete/completionEngine";
import type { GatewayResult, ModelPort, PlannedPrompt, PlanOutcome, RequestPlan } from "../../../../src/core/gateway";
import { linesOfText } from "../../../../src/core/complete/documentLines";

/** A prompt the engine sent, in the shape these tests read: a raw prompt (`text`) or a conversation (`chat`). */
export type ModelRequest =
  | { readonly kind: "text"; readonly prompt: string; readonly suffix?: string; readonly checkpoints?: readonly number[]; readonly reuse?: boolean; readonly maxTokens?: number; readonly stop: readonly string[]; readonly files: NonNullable<PlannedPrompt["files"]> }
  | { readonly kind: "chat"; readonly messages: NonNullable<PlannedPrompt["messages"]>; readonly maxTokens?: number; readonly stop: readonly string[]; readonly files: NonNullable<PlannedPrompt["files"]> };

export interface RecordedRequest {
  request: ModelRequest;
  signal: AbortSignal;
}

function requestOf(prompt: PlannedPrompt): ModelRequest {
  const common = { maxTokens: prompt.maxTokens, stop: prompt.stop ?? [], files: prompt.files ?? [] };
  if (prompt.prompt !== undefined) return { kind: "text", prompt: prompt.prompt.text, suffix: prompt.prompt.suffix, checkpoints: prompt.prompt.checkpoints, reuse: prompt.prompt.reuse, ...common };
  return { kind: "chat", messages: prompt.messages ?? [], ...common };
}

/** A plan on this machine's server, as the gateway would make it for completion. */
export const LOCAL_PLAN: RequestPlan = { feature: "completion", route: "local", provider: "local", model: "tiny", contextTokens: 4096, acceptsText: true, needsAsk: false, redacts: false, reason: "local first", request: { interactive: false } };

/**
 * The completion engine's neighbour, the gateway's completion port, scripted: plans `plan`,
 * answers with `answer(request)`; `hold` keeps requests open until `release` is called.
 * (The gateway itself is tested against real servers in test/unit/core/gateway.)
 */
export class FakeClient implements Pick<ModelPort, "plan" | "send"> {
  readonly requests: RecordedRequest[] = [];
  hold = false;
  failWith: Error | undefined;
  plan_: PlanOutcome = { ok: true, ...LOCAL_PLAN };
  private readonly held: Array<() => void> = [];

  constructor(public answer: (request: ModelRequest) => string = () => "") {}

  plan(): Promise<PlanOutcome> {
    return Promise.resolve(this.plan_);
  }

  send(plan: RequestPlan, prompt: PlannedPrompt, hooks: { signal?: AbortSignal } = {}): Promise<GatewayResult> {
    const request = requestOf(prompt);
    const signal = hooks.signal ?? new AbortController().signal;
    this.requests.push({ request, signal });
    return new Promise<GatewayResult>((resolve, reject) => {
      const finish = (): void => {
        if (signal.aborted) return;
        if (this.failWith) return reject(this.failWith);
        const text = request.kind === "text" ? request.prompt : request.messages.map((m) => m.content).join("");
        resolve({ text: this.answer(request), route: plan.route, provider: plan.provider, model: plan.model, reason: plan.reason, dropped: [], redactions: 0, finishReason: "stop", usage: { promptTokens: Math.ceil(text.length / 3.5), completionTokens: 3, cachedTokens: 0 } });
      };
      signal.addEventListener("abort", () => {
        const error = new Error("Request was aborted.");
        error.name = "APIUserAbortError";
        reject(error);
      });
      if (this.hold) this.held.push(finish);
      else queueMicrotask(finish);
    });
  }

  release(): void {
    for (const finish of this.held.splice(0)) finish();
  }
}

/** Virtual time: `sleep` resolves when `advance` moves the time past its deadline. */
export class FakeClock implements Clock {
  time = 1000;
  private sleepers: Array<{ until: number; resolve: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error("aborted"));
      const sleeper = { until: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(new Error("aborted"));
      });
    });
  }

  get waiting(): number {
    return this.sleepers.length;
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.resolve();
  }
}

/** Resolves after pending microtasks and one macrotask turn. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The scope of the files of the tests' one workspace folder (as the editor names it: see contextScope). */
export const DEMO_SCOPE = "folder:file:///work/demo";

/** A file of the demo folder, as the context ring knows it. */
export const demoFile = (path: string): { scope: string; path: string } => ({ scope: DEMO_SCOPE, path });

/** A completion input from text with `|` at the cursor. */
export function inputAt(marked: string, options: Partial<CompletionInput> = {}): CompletionInput {
  const at = marked.indexOf("|");
  if (at < 0) throw new Error("no | cursor marker");
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = text.slice(0, at).split("\n");
  return {
    document: linesOfText(text),
    path: "src/main.ts",
    scope: DEMO_SCOPE,
    languageId: "typescript",
    position: { line: before.length - 1, character: before[before.length - 1]!.length },
    repoName: "demo",
    manual: false,
    ...options,
  };
}

const target =
  (value: CompletionTarget) =>
  (): CompletionTarget =>
    value;
export const HEARTH: CompletionTarget = { key: "local", model: "tiny", hearth: true, fim: true, rawPrompts: true };
export const HEARTH_TARGET = target(HEARTH);
export const HEARTH_NO_FIM = target({ ...HEARTH, fim: false });
export const EXTERNAL_TARGET = target({ key: "selfHosted", model: "qwen", hearth: false, fim: undefined, rawPrompts: true });
export const CLOUD_TARGET = target({ key: "cloud:openai:gpt-4o-mini", model: "gpt-4o-mini", hearth: false, fim: undefined, rawPrompts: false });
