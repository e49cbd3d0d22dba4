import * as vscode from "vscode";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionResult, type CompletionTarget, type CompletionTrace } from "../../core/complete/completionEngine.js";
import { ContextRing } from "../../core/complete/contextRing.js";
import { TokenEstimator } from "../../core/complete/tokenEstimate.js";
import type { ModelPort, RequestPlan } from "../../core/gateway/index.js";
import type { Logger } from "../../core/logger.js";
import type { ModelService, ModelServiceState } from "../modelService.js";
import { requestFolders } from "../policy/requestFolders.js";
import { CompletionConfig } from "./completionConfig.js";
import { RecentFilesFeeder, contextScope, documentLines, promptPath } from "./recentFiles.js";

export const TRIGGER_COMPLETION_COMMAND = "hearth.triggerCompletion";

/** What `registerInlineCompletion` needs from the rest of the object graph. */
export interface InlineCompletionDeps {
  /** What the local model can do (its state), and when it changes. */
  readonly modelService: Pick<ModelService, "state" | "onDidChangeState">;
  /** The gateway's port for feature `completion`: plans each request's route under the privacy policy, then sends it. */
  readonly port: Pick<ModelPort, "plan" | "send">;
  readonly log: Logger;
}

/** What the registration exposes to tests and to the rest of Hearth. */
export interface InlineCompletionHandle extends vscode.Disposable {
  readonly engine: CompletionEngine;
  readonly config: CompletionConfig;
  /** The last few calls' traces, newest last. */
  readonly traces: readonly CompletionTrace[];
}

/**
 * The model as completion sees it: where the gateway planned this completion request (the
 * policy decides, local first) and what that model can do. Undefined while the local
 * model is not ready; a string when the policy would have to ask (inline suggestions never
 * open a consent dialog).
 */
export function completionTarget(route: RequestPlan, state: ModelServiceState): CompletionTarget | string | undefined {
  if (route.needsAsk) {
    return `${route.reason}; the privacy policy says to ask before completion leaves this machine, and inline suggestions do not interrupt typing to ask. Set "cloudAccess": "allow" for completion in .hearth/policy.json, or keep it local.`;
  }
  if (route.route === "local") {
    if (state.kind === "ready") return { key: `local:${state.info.model}`, model: state.info.model, hearth: true, fim: state.info.fim, rawPrompts: true };
    if (state.kind === "external") return { key: `local:${state.url}`, model: state.model, hearth: false, fim: undefined, rawPrompts: true };
    return undefined;
  }
  if (route.route === "selfHosted") return { key: `selfHosted:${route.model}`, model: route.model, hearth: false, fim: undefined, rawPrompts: true };
  return { key: `cloud:${route.provider}:${route.model}`, model: route.model, hearth: false, fim: undefined, rawPrompts: false };
}

/**
 * Inline suggestions for every language: turns VS Code's request into a core call and the
 * answer into an `InlineCompletionItem`. Its CancellationToken becomes the AbortSignal of
 * the HTTP request, so a superseded keystroke stops the server's generation.
 */
export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private reported: string | undefined;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly config: CompletionConfig,
    private readonly deps: Pick<InlineCompletionDeps, "modelService" | "log">,
  ) {}

  /** Forgets the last reason reported: the model or the policy changed. */
  resetRoute(): void {
    this.reported = undefined;
  }

  /** The planned route's model as the server's state describes it; a reason for no suggestion is logged once, not per keystroke. */
  private readonly targetFor = (plan: RequestPlan): CompletionTarget | undefined => {
    const target = completionTarget(plan, this.deps.modelService.state);
    if (typeof target !== "string") return target;
    if (this.reported !== target) {
      this.reported = target;
      this.deps.log.info(`Inline suggestions are off: ${target}`);
    }
    return undefined;
  };

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.config.value;
    if (!settings.enabled) return undefined;
    const manual = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    // The language map governs automatic suggestions; asking explicitly always works.
    if (!manual && !this.config.languageEnabled(document.languageId)) return undefined;
    // While the suggest widget is open, its selection is what the user is about to insert.
    if (!manual && context.selectedCompletionInfo) return undefined;
    const controller = new AbortController();
    const cancellation = token.onCancellationRequested(() => controller.abort(new Error("cancelled by the editor")));
    if (token.isCancellationRequested) controller.abort(new Error("cancelled by the editor"));
    try {
      const editor = vscode.window.activeTextEditor;
      const options = editor?.document === document ? editor.options : undefined;
      const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
      const input = {
        document: documentLines(document),
        path: promptPath(document),
        // Only chunks of files judged by the same policy as this document: the request names its folder alone.
        scope: contextScope(document.uri),
        languageId: document.languageId,
        position: { line: position.line, character: position.character },
        repoName: folder?.name ?? "workspace",
        folders: requestFolders(document.uri),
        tabSize: typeof options?.tabSize === "number" ? options.tabSize : undefined,
        insertSpaces: typeof options?.insertSpaces === "boolean" ? options.insertSpaces : undefined,
        manual,
      };
      const result: CompletionResult | undefined = await this.engine.complete(input, this.targetFor, controller.signal);
      if (!result || token.isCancellationRequested) return undefined;
      // The core works on "\n"-joined lines; the document may use CRLF.
      const text = document.eol === vscode.EndOfLine.CRLF ? result.text.replace(/\r?\n/g, "\r\n") : result.text;
      // Accepting it tells the walkthrough (src/vscode/onboarding) that ghost text was tried.
      return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position), { command: "hearth.completion.accepted", title: "Suggestion accepted" })];
    } catch (error) {
      // The engine reports its own failures in traces; this is reading the document failing.
      this.deps.log.debug(`inline completion: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    } finally {
      cancellation.dispose();
    }
  }
}

const TRACES_KEPT = 50;

/**
 * Registers inline completion: the provider for all languages, the manual trigger command
 * (`hearth.triggerCompletion`, bound to Alt+\ in package.json) and the feeder of recently
 * edited and viewed files. Everything it creates goes into `context.subscriptions`.
 */
export function registerInlineCompletion(context: Pick<vscode.ExtensionContext, "subscriptions">, deps: InlineCompletionDeps): InlineCompletionHandle {
  const config = new CompletionConfig(deps.log);
  const estimator = new TokenEstimator();
  const ring = new ContextRing(estimator);
  const traces: CompletionTrace[] = [];
  const reportedErrors = new Set<string>();
  const engine = new CompletionEngine({
    port: deps.port,
    ring,
    estimator,
    log: deps.log,
    settings: () => ({ ...DEFAULT_COMPLETION_SETTINGS, mode: config.value.mode, fimLayout: config.value.fimLayout }),
    onTrace: (trace) => {
      traces.push(trace);
      if (traces.length > TRACES_KEPT) traces.shift();
      deps.log.trace(describeTrace(trace));
      if ((trace.outcome === "error" || trace.outcome === "refused") && trace.error !== undefined && !reportedErrors.has(trace.error)) {
        // Once per distinct failure, not once per keystroke.
        reportedErrors.add(trace.error);
        deps.log.warn(`inline completion failed: ${trace.error}`);
      }
    },
  });
  const provider = new HearthInlineCompletionProvider(engine, config, deps);
  const feeder = new RecentFilesFeeder(ring);
  const disposables: vscode.Disposable[] = [
    config,
    feeder,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    vscode.commands.registerCommand(TRIGGER_COMPLETION_COMMAND, () => vscode.commands.executeCommand("editor.action.inlineSuggest.trigger")),
    config.onDidChange(() => engine.reset()),
    deps.modelService.onDidChangeState(() => {
      // Another model, or the same one restarted: cached answers and typing-through no longer hold.
      engine.reset();
      provider.resetRoute();
      reportedErrors.clear();
    }),
    { dispose: () => engine.cancel() },
  ];
  const handle: InlineCompletionHandle = {
    engine,
    config,
    traces,
    dispose: () => {
      for (const disposable of disposables) disposable.dispose();
    },
  };
  context.subscriptions.push(handle);
  return handle;
}

function describeTrace(trace: CompletionTrace): string {
  const tokens = trace.promptTokens !== undefined ? ` prompt=${trace.promptTokens} cached=${trace.cachedTokens ?? "?"} out=${trace.completionTokens ?? "?"}` : "";
  const rules = trace.rules ? ` rules=${trace.rules}` : "";
  const error = trace.error ? ` error=${trace.error}` : "";
  return `completion ${trace.outcome} ${trace.kind ?? ""}/${trace.layout} total=${trace.totalMs.toFixed(1)}ms debounce=${trace.debounceMs.toFixed(0)}ms model=${trace.modelMs.toFixed(1)}ms overhead=${trace.overheadMs.toFixed(2)}ms${tokens}${rules}${error}`;
}
