import * as vscode from "vscode";
import { OpenAiCompletionClient, type CompletionClient } from "../../core/complete/completionClient.js";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionResult, type CompletionTarget, type CompletionTrace } from "../../core/complete/completionEngine.js";
import { ContextRing } from "../../core/complete/contextRing.js";
import { TokenEstimator } from "../../core/complete/tokenEstimate.js";
import type { Logger } from "../../core/logger.js";
import type { ServerEndpoint } from "../../core/server/supervisor.js";
import { hostOf, isLoopbackUrl } from "../gateway/loopback.js";
import type { ModelService, ModelServiceState } from "../modelService.js";
import { CompletionConfig } from "./completionConfig.js";
import { RecentFilesFeeder, documentLines, promptPath } from "./recentFiles.js";

export const TRIGGER_COMPLETION_COMMAND = "hearth.triggerCompletion";

/** What `registerInlineCompletion` needs from the rest of the object graph. */
export interface InlineCompletionDeps {
  /** Where requests go (`withEndpoint`) and what the model can do (its state). */
  readonly modelService: Pick<ModelService, "state" | "withEndpoint" | "onDidChangeState">;
  readonly log: Logger;
  /** Defaults to the `openai` SDK client; the privacy gateway will be passed here. */
  readonly client?: CompletionClient;
}

/** What the registration exposes to tests and to the rest of Hearth. */
export interface InlineCompletionHandle extends vscode.Disposable {
  readonly engine: CompletionEngine;
  readonly config: CompletionConfig;
  /** The last few calls' traces, newest last. */
  readonly traces: readonly CompletionTrace[];
}

/**
 * The model as completion sees it, from the model service's state; undefined while there
 * is none, and for a hearth.server.url on another machine: inline completion stays on this
 * machine until it goes through the privacy gateway (issue 4, item 7), and a server on
 * another host is egress there (the gateway's `selfHosted` route).
 */
export function completionTarget(state: ModelServiceState, endpoint: ServerEndpoint): CompletionTarget | undefined {
  if (state.kind === "ready") return { endpoint, model: state.info.model, hearth: true, fim: state.info.fim };
  if (state.kind === "external" && isLoopbackUrl(endpoint.baseUrl)) return { endpoint, model: state.model, hearth: false, fim: undefined };
  return undefined;
}

/**
 * Inline suggestions for every language: turns VS Code's request into a core call and the
 * answer into an `InlineCompletionItem`. Its CancellationToken becomes the AbortSignal of
 * the HTTP request, so a superseded keystroke stops the server's generation.
 */
export class HearthInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  private remoteReported: string | undefined;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly config: CompletionConfig,
    private readonly modelService: InlineCompletionDeps["modelService"],
    private readonly log: Logger,
  ) {}

  private reportRemote(url: string): void {
    if (this.remoteReported === url) return;
    this.remoteReported = url;
    this.log.info(`Inline suggestions are off: hearth.server.url points at another machine (${hostOf(url)}), and inline completion stays on this machine for now. Clear hearth.server.url to use the local model.`);
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.config.value;
    if (!settings.enabled) return undefined;
    const manual = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    // The language map governs automatic suggestions; asking explicitly always works.
    if (!manual && !this.config.languageEnabled(document.languageId)) return undefined;
    // While the suggest widget is open, its selection is what the user is about to insert.
    if (!manual && context.selectedCompletionInfo) return undefined;
    const state = this.modelService.state;
    if (state.kind !== "ready" && state.kind !== "external") return undefined;
    if (state.kind === "external" && !isLoopbackUrl(state.url)) {
      this.reportRemote(state.url);
      return undefined;
    }

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
        languageId: document.languageId,
        position: { line: position.line, character: position.character },
        repoName: folder?.name ?? "workspace",
        tabSize: typeof options?.tabSize === "number" ? options.tabSize : undefined,
        insertSpaces: typeof options?.insertSpaces === "boolean" ? options.insertSpaces : undefined,
        manual,
      };
      const result: CompletionResult | undefined = await this.modelService.withEndpoint(async (endpoint) => {
        const target = completionTarget(this.modelService.state, endpoint);
        return target ? this.engine.complete(input, target, controller.signal) : undefined;
      });
      if (!result || token.isCancellationRequested) return undefined;
      // The core works on "\n"-joined lines; the document may use CRLF.
      const text = document.eol === vscode.EndOfLine.CRLF ? result.text.replace(/\r?\n/g, "\r\n") : result.text;
      return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
    } catch {
      // The engine reports its own failures in traces; this is the endpoint going away.
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
    client: deps.client ?? new OpenAiCompletionClient(),
    ring,
    estimator,
    log: deps.log,
    settings: () => ({ ...DEFAULT_COMPLETION_SETTINGS, mode: config.value.mode, fimLayout: config.value.fimLayout }),
    onTrace: (trace) => {
      traces.push(trace);
      if (traces.length > TRACES_KEPT) traces.shift();
      deps.log.trace(describeTrace(trace));
      if (trace.outcome === "error" && trace.error !== undefined && !reportedErrors.has(trace.error)) {
        // Once per distinct failure, not once per keystroke.
        reportedErrors.add(trace.error);
        deps.log.warn(`inline completion failed: ${trace.error}`);
      }
    },
  });
  const provider = new HearthInlineCompletionProvider(engine, config, deps.modelService, deps.log);
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
