// Loopback fakes for the completion engine's neighbours: a scripted model client and a
// clock whose time moves only when a test says so.
import type { CompletionClient, ModelRequest, ModelResponse } from "../../../../src/core/complete/completionClient";
import type { CompletionInput, CompletionTarget, Clock } from "../../../../src/core/complete/completionEngine";
import { linesOfText } from "../../../../src/core/complete/documentLines";

export interface RecordedRequest {
  request: ModelRequest;
  signal: AbortSignal;
}

/** Answers with `answer(request)`; `hold` keeps requests open until `release` is called. */
export class FakeClient implements CompletionClient {
  readonly requests: RecordedRequest[] = [];
  hold = false;
  failWith: Error | undefined;
  private readonly held: Array<() => void> = [];

  constructor(public answer: (request: ModelRequest) => string = () => "") {}

  complete(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
    this.requests.push({ request, signal });
    return new Promise<ModelResponse>((resolve, reject) => {
      const finish = (): void => {
        if (signal.aborted) return;
        if (this.failWith) return reject(this.failWith);
        const prompt = request.kind === "text" ? request.prompt : request.messages.map((m) => m.content).join("");
        resolve({ text: this.answer(request), finishReason: "stop", usage: { promptTokens: Math.ceil(prompt.length / 3.5), completionTokens: 3, cachedTokens: 0 } });
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

/** A completion input from text with `|` at the cursor. */
export function inputAt(marked: string, options: Partial<CompletionInput> = {}): CompletionInput {
  const at = marked.indexOf("|");
  if (at < 0) throw new Error("no | cursor marker");
  const text = marked.slice(0, at) + marked.slice(at + 1);
  const before = text.slice(0, at).split("\n");
  return {
    document: linesOfText(text),
    path: "src/main.ts",
    languageId: "typescript",
    position: { line: before.length - 1, character: before[before.length - 1]!.length },
    repoName: "demo",
    manual: false,
    ...options,
  };
}

export const HEARTH_TARGET: CompletionTarget = { key: "local", model: "tiny", hearth: true, fim: true, rawPrompts: true };
export const EXTERNAL_TARGET: CompletionTarget = { key: "selfHosted", model: "qwen", hearth: false, fim: undefined, rawPrompts: true };
export const CLOUD_TARGET: CompletionTarget = { key: "cloud:openai:gpt-4o-mini", model: "gpt-4o-mini", hearth: false, fim: undefined, rawPrompts: false };
