// What callers hand the gateway and what they get back. A request says what the user wants
// (a feature, the conversation or raw prompt, the files it draws on); the result says where
// it went and why, what was left out, and where it is on record.
import type { Feature, Route, RouteProvider } from "../policy";
import type { GatewayRefusalCode } from "./gatewayRefusal";
import type { ChatMessage, PromptProgress, TokenUsage, ToolCall, ToolChoice, ToolSpec } from "../model";

/** Where a piece of context came from; shown to the user in the consent prompt and audit log. */
export type FileOrigin = "file" | "selection" | "openEditor" | "clipboard" | "repo" | "terminal" | "diagnostics" | "search";

export interface ContextFile {
  /** Relative to the workspace folder, or absolute; matched against neverSend. */
  readonly path: string;
  readonly content: string;
  readonly origin: FileOrigin;
  /**
   * The content is already inside `messages` or `prompt` (the file being completed, the
   * selection being edited), so it cannot be left out: if neverSend matches it, the request
   * stays on this machine or is refused. Other files are context the gateway adds to the
   * prompt itself, and drops when neverSend matches them and the prompt leaves the machine.
   */
  readonly embedded?: boolean;
}

/** A raw completion prompt for `/v1/completions` (inline completion). Local or self-hosted only. */
export interface RawPrompt {
  readonly text: string;
  /** Plain prefix/suffix fill-in-the-middle, for servers that build the FIM layout themselves. */
  readonly suffix?: string;
  /** Character offsets where Hearth's server keeps its state (local route only). */
  readonly checkpoints?: readonly number[];
  /** false: Hearth's server evaluates the prompt afresh (local route only). */
  readonly reuse?: boolean;
}

export interface GatewayRequest {
  readonly feature: Feature;
  /** A conversation; context files are added to the last user message. */
  readonly messages?: readonly ChatMessage[];
  /** A raw prompt; used when `messages` is absent. Every file counts as embedded. */
  readonly prompt?: RawPrompt;
  readonly files?: readonly ContextFile[];
  /**
   * The workspace folders this request concerns, as URIs (a folder's, or a file's in it):
   * the gateway applies their policy, the stricter of them when there are several. Absent
   * or empty: the only folder's policy, or in a multi-root workspace the stricter of all.
   */
  readonly folders?: readonly string[];
  /** The user's pick, e.g. a cloud model in the chat's model menu. Default: local first. */
  readonly preferred?: { readonly route?: Route; readonly model?: string };
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly stop?: readonly string[];
  readonly signal?: AbortSignal;
  readonly onDelta?: (text: string) => void;
  /**
   * false: never show the consent prompt; a request the policy says to `ask` about (and no
   * "Always" covers) is refused with code `consentNeeded`. For traffic the user did not ask
   * for one by one (inline suggestions as they type): no dialog per keystroke.
   */
  readonly interactive?: boolean;
  /** Qwen's thinking on or off for a conversation; unset leaves the server's default. */
  readonly thinking?: boolean;
  /** The model's thoughts as they stream (kept apart from `onDelta`'s answer text). */
  readonly onReasoning?: (text: string) => void;
  /** The local server's prompt evaluation progress (repo questions); other routes never call it. */
  readonly onProgress?: (progress: PromptProgress) => void;
  /** Tools the model may call (with `messages` only); their calls come back as `GatewayResult.toolCalls`. */
  readonly tools?: readonly ToolSpec[];
  readonly toolChoice?: ToolChoice;
}

/** A file as it went into the payload. */
export interface SentFile {
  readonly path: string;
  readonly origin: FileOrigin;
  /** UTF-8 bytes of its content as sent (after redaction). */
  readonly bytes: number;
}

export interface GatewayResult {
  readonly text: string;
  readonly route: Route;
  readonly provider: RouteProvider;
  /** The model that answered (the server's name for it when it says). */
  readonly model: string;
  /** Why this route, in the policy's words. */
  readonly reason: string;
  /** The audit entry, present exactly when the prompt left this machine. */
  readonly auditId?: string;
  /** Files left out because neverSend matched them. */
  readonly dropped: readonly string[];
  readonly redactions: number;
  readonly finishReason?: string;
  readonly usage?: TokenUsage;
  /** The model's thoughts, when it thought. */
  readonly reasoning?: string;
  /** Set when the local model failed and the request went elsewhere: the local error's message. */
  readonly fellBackBecause?: string;
  /** The request's tools the model called (finish reason `tool_calls`); the caller runs them. */
  readonly toolCalls?: readonly ToolCall[];
}

/** What the user sees before anything leaves: the consent prompt's content and the dry run's. */
export interface PayloadSummary {
  readonly feature: Feature;
  readonly route: Route;
  readonly provider: RouteProvider;
  readonly model: string;
  readonly files: readonly SentFile[];
  readonly dropped: readonly string[];
  /** UTF-8 bytes of the request body. */
  readonly bytes: number;
  readonly redactions: number;
  /** SHA-256 of the body; the audit entry will carry the same. */
  readonly sha256: string;
  /** The request body exactly as it would be sent (JSON). */
  readonly payload: string;
  readonly reason: string;
}

/** Token counts for the user's budget (chips, repo packs); `exact` says the model's own tokenizer counted. */
export interface TokenCount {
  readonly counts: number[];
  readonly exact: boolean;
}

export type GatewayPreview =
  | ({ readonly ok: true; readonly needsAsk: boolean } & PayloadSummary)
  | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * What a feature says before it builds a prompt: enough for the gateway to choose the route,
 * the model and the context the prompt is then built for.
 */
export interface PlanRequest {
  /** As GatewayRequest.folders: whose policy applies. */
  readonly folders?: readonly string[];
  /** As GatewayRequest.preferred: the user's pick. */
  readonly preferred?: { readonly route?: Route; readonly model?: string };
  /** false: never show the consent prompt (as GatewayRequest.interactive). */
  readonly interactive?: boolean;
  /**
   * Paths of the files whose text the prompt will carry itself (the file being completed or
   * edited): a neverSend match keeps the request on this machine, so the prompt is built for that.
   */
  readonly embeddedPaths?: readonly string[];
  /**
   * The prompt's tokens, where the feature knows them before building it for a route (a
   * conversation handed over whole): the plan's fit check uses them, so a prompt too large
   * for the local model is planned for where the policy lets it go. As PlannedPrompt.promptTokens,
   * used for nothing else; `send` checks again with the prompt's own count.
   */
  readonly promptTokens?: number;
}

/** Where a feature's request will go, decided once; the feature builds its prompt for it and hands both to `send`. */
export interface RequestPlan {
  readonly feature: Feature;
  readonly route: Route;
  readonly provider: RouteProvider;
  readonly model: string;
  /** Tokens the route's context holds; undefined when unknown (a self-hosted server that does not say). */
  readonly contextTokens: number | undefined;
  /** Whether the route takes a raw prompt (`/v1/completions`); cloud chat models take only conversations. */
  readonly acceptsText: boolean;
  /** The policy says `ask` and no "Always" covers it yet: sending will show the consent prompt. */
  readonly needsAsk: boolean;
  /** The prompt leaves this machine and the policy has redaction on: secrets will be redacted. (NeverSend context is left out whenever it leaves.) */
  readonly redacts: boolean;
  /** Why this route, in the policy's words. */
  readonly reason: string;
  /** What the plan was made for; `send` rechecks against the same. */
  readonly request: PlanRequest;
}

export type PlanOutcome = ({ readonly ok: true } & RequestPlan) | { readonly ok: false; readonly code: GatewayRefusalCode; readonly reason: string };

/** A prompt built for a plan. */
export interface PlannedPrompt {
  /** A conversation; context files are added to the last user message. */
  readonly messages?: readonly ChatMessage[];
  /** A raw prompt, when the plan `acceptsText`; used when `messages` is absent. */
  readonly prompt?: RawPrompt;
  readonly files?: readonly ContextFile[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly stop?: readonly string[];
  readonly thinking?: boolean;
  /** As GatewayRequest.tools / toolChoice. */
  readonly tools?: readonly ToolSpec[];
  readonly toolChoice?: ToolChoice;
  /**
   * The prompt's tokens as the feature counted them while building it (the model's tokenizer
   * or an estimate): the gateway's fit check uses them instead of its character estimate.
   */
  readonly promptTokens?: number;
}

/** How the answer comes back while it is produced. */
export interface SendHooks {
  readonly signal?: AbortSignal;
  readonly onDelta?: (text: string) => void;
  readonly onReasoning?: (text: string) => void;
  readonly onProgress?: (progress: PromptProgress) => void;
}

/**
 * A feature's one door to the models: the same shape for every feature, bound to it. Plan,
 * build the prompt for the plan, send both; `run` does the three and, when the route changed
 * between plan and send (the policy file was edited, the local server went down), plans and
 * builds once more.
 */
export interface ModelPort {
  readonly feature: Feature;
  plan(request?: PlanRequest): Promise<PlanOutcome>;
  send(plan: RequestPlan, prompt: PlannedPrompt, hooks?: SendHooks): Promise<GatewayResult>;
  run(request: PlanRequest, build: (plan: RequestPlan) => PlannedPrompt | Promise<PlannedPrompt>, hooks?: SendHooks): Promise<GatewayResult>;
  /** Counts with the local model's own tokenizer for this feature's server role; estimates (exact: false) when it cannot. Nothing leaves. */
  countTokens(texts: readonly string[], options?: { readonly special?: boolean; readonly signal?: AbortSignal }): Promise<TokenCount>;
}
