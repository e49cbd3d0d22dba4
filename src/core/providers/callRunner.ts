// Runs one streamed model call the same way for every provider: cancellation from the
// caller, a deadline for the first piece of the answer and a limit on silence after it,
// retries with backoff on 429 and 5xx (honouring retry-after) as long as nothing has
// streamed, and one classified ProviderError at the end. Text that streamed before a
// failure has reached the caller through onDelta and is also carried on the error.
import { classifyError } from "./classifyError";
import { describeProviderError } from "./errorMessages";
import { ProviderError, type ProviderErrorKind } from "./providerError";
import type { PromptProgress, ProviderId, TokenUsage, ToolCall } from "../model";
import type { ProviderResult, SendOptions } from "./providerTypes";

export interface CallLimits {
  /** Longest wait for the first piece of the answer: connection, queueing and prefill. */
  readonly firstTokenTimeoutMs: number;
  /** Longest silence between two pieces once the answer flows. */
  readonly idleTimeoutMs: number;
  /** Retries after the first attempt, for 429 and 5xx only, and only before anything streamed. */
  readonly maxRetries: number;
  /** First backoff; it doubles per retry, with jitter, up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** A retry-after longer than this is not waited out: the error tells the user how long instead. */
  readonly maxRetryAfterMs: number;
}

/** Clouds answer in seconds; a stall of 30 s means something is wrong. */
export const CLOUD_LIMITS: CallLimits = {
  firstTokenTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxRetries: 2,
  backoffMs: 500,
  maxBackoffMs: 8_000,
  maxRetryAfterMs: 20_000,
};

/** A local CPU prefill of a long prompt can take minutes before the first token. */
export const LOCAL_LIMITS: CallLimits = {
  firstTokenTimeoutMs: 300_000,
  idleTimeoutMs: 60_000,
  maxRetries: 1,
  backoffMs: 250,
  maxBackoffMs: 2_000,
  maxRetryAfterMs: 10_000,
};

export interface AttemptContext {
  /** Aborts on the caller's cancellation and on either timeout; pass it to the SDK. */
  readonly signal: AbortSignal;
  /**
   * The SDK's own timeout, for its client and request: a backstop a second behind the
   * runner's first-token timer, which acts first and says why.
   */
  readonly sdkTimeoutMs: number;
  /** Call once the HTTP response has begun (the SDK returned its stream). */
  started(): void;
  /** Call with each piece of text as it arrives. */
  delta(text: string): void;
  /** Call with each piece of the model's thoughts as it arrives. */
  reasoning(text: string): void;
  /**
   * Call with the server's prompt evaluation progress. A long prefill (a repository pack)
   * that keeps reporting is alive: each report restarts the wait for the first token.
   */
  progress(progress: PromptProgress): void;
  /** Characters delivered so far in this call. */
  readonly delivered: number;
}

export interface AttemptOutcome {
  /** The server said the answer ended (finish reason, `message_stop`); false means it stopped short. */
  readonly complete: boolean;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  readonly model?: string;
  /** The tools the model called, once their calls are whole. */
  readonly toolCalls?: readonly ToolCall[];
  /**
   * A failure after text streamed, returned rather than thrown so that a wrapper which
   * retries thrown connection errors (the supervisor's `withServer`) does not replay the
   * request and deliver the same text twice.
   */
  readonly error?: unknown;
}

export interface CallSpec {
  readonly provider: ProviderId;
  readonly label: string;
  readonly model: string;
  readonly limits: CallLimits;
  readonly options?: SendOptions;
  attempt(context: AttemptContext): Promise<AttemptOutcome>;
}

export async function runCall(spec: CallSpec): Promise<ProviderResult> {
  const { limits } = spec;
  const userSignal = spec.options?.signal;
  const onDelta = spec.options?.onDelta;
  const onReasoning = spec.options?.onReasoning;
  let text = "";
  let reasoning = "";
  let attempts = 0;

  const fail = (kind: ProviderErrorKind, extra: { status?: number; serverMessage?: string; retryAfterMs?: number; timeoutMs?: number; detail?: string; cause?: unknown } = {}): ProviderError =>
    new ProviderError({
      kind,
      provider: spec.provider,
      status: extra.status,
      retryAfterMs: extra.retryAfterMs,
      partialText: text,
      attempts,
      cause: extra.cause,
      message: describeProviderError(kind, { provider: spec.provider, label: spec.label, model: spec.model, attempts, partial: text.length > 0, ...extra }),
    });

  for (;;) {
    attempts++;
    if (userSignal?.aborted) throw fail("cancelled");
    const controller = new AbortController();
    let timedOutAfter: number | undefined;
    let started = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOutAfter = ms;
        controller.abort(new Error(`no answer for ${ms} ms`));
      }, ms);
    };
    const onUserAbort = (): void => controller.abort(userSignal?.reason);
    userSignal?.addEventListener("abort", onUserAbort, { once: true });
    arm(limits.firstTokenTimeoutMs);

    const context: AttemptContext = {
      signal: controller.signal,
      sdkTimeoutMs: limits.firstTokenTimeoutMs + 1000,
      started: () => {
        started = true;
      },
      delta: (piece) => {
        // Nothing reaches the caller after it cancelled or gave up waiting.
        if (controller.signal.aborted || piece === "") return;
        text += piece;
        arm(limits.idleTimeoutMs);
        onDelta?.(piece);
      },
      progress: (progress) => {
        if (controller.signal.aborted) return;
        if (text.length + reasoning.length === 0) arm(limits.firstTokenTimeoutMs);
        spec.options?.onProgress?.(progress);
      },
      reasoning: (piece) => {
        if (controller.signal.aborted || piece === "") return;
        reasoning += piece;
        arm(limits.idleTimeoutMs);
        onReasoning?.(piece);
      },
      // Thoughts count: a retry after them would show the user the same thoughts twice.
      get delivered() {
        return text.length + reasoning.length;
      },
    };

    try {
      const outcome = await spec.attempt(context);
      if (outcome.error !== undefined) throw outcome.error;
      // The SDKs end a stream quietly when its signal aborts, so the reason is checked here.
      if (userSignal?.aborted) throw fail("cancelled");
      if (timedOutAfter !== undefined) throw fail("timeout", { timeoutMs: timedOutAfter });
      if (!outcome.complete) throw fail("stream_broken", { serverMessage: "the server ended the stream before the answer was complete" });
      return {
        text,
        model: outcome.model ?? spec.model,
        finishReason: outcome.finishReason,
        usage: outcome.usage,
        attempts,
        ...(reasoning !== "" ? { reasoning } : {}),
        ...(outcome.toolCalls !== undefined && outcome.toolCalls.length > 0 ? { toolCalls: outcome.toolCalls } : {}),
      };
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      if (userSignal?.aborted) throw fail("cancelled", { cause: error });
      if (timedOutAfter !== undefined) throw fail("timeout", { timeoutMs: timedOutAfter, cause: error });
      const streamed = text.length + reasoning.length > 0;
      const classified = classifyError(error, started || streamed);
      // Once text has streamed, any failure is a broken answer: retrying would repeat it.
      const kind: ProviderErrorKind = streamed ? "stream_broken" : classified.kind;
      const retryAfter = classified.retryAfterMs;
      const retryable = classified.retryable && !streamed && attempts <= limits.maxRetries && (retryAfter === undefined || retryAfter <= limits.maxRetryAfterMs);
      if (!retryable) {
        throw fail(kind, { status: classified.status, serverMessage: classified.serverMessage, retryAfterMs: retryAfter, detail: classified.detail, cause: error });
      }
      const wait = retryAfter ?? backoff(limits, attempts);
      if (!(await sleep(wait, userSignal))) throw fail("cancelled", { cause: error });
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onUserAbort);
    }
  }
}

/** Exponential backoff with "equal jitter": half fixed, half random, so parallel clients spread out. */
export function backoff(limits: CallLimits, attempt: number): number {
  const ceiling = Math.min(limits.maxBackoffMs, limits.backoffMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
