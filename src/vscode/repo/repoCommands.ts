// The repo Q&A commands. "Ask about this repository" opens the answer document at once,
// shows a cancellable progress notification while the pack is read (tokens done, rate,
// time left), streams the answer into the document and ends it with what the model read.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import { RepoQaError, type RepoAnswer, type RepoQa } from "../../core/repo/index.js";
import type { FailureNotifier } from "../gateway/failureNotifier.js";
import type { ModelService } from "../modelService.js";
import type { AnswerDocuments, CitationScope } from "./citationLinks.js";
import { answerMarkdown, reportMarkdown } from "./repoMarkdown.js";
import { progressText } from "./repoProgressText.js";

export const REPO_COMMANDS = {
  ask: "hearth.repo.ask",
  showPack: "hearth.repo.showPack",
  newConversation: "hearth.repo.newConversation",
  clearState: "hearth.repo.clearState",
} as const;

export interface RepoCommandDeps {
  readonly documents: AnswerDocuments;
  readonly serviceFor: (folder?: vscode.Uri) => RepoQa | undefined;
  readonly notifier: Pick<FailureNotifier, "notify">;
  readonly modelService: Pick<ModelService, "savedRepoState">;
  readonly log: Logger;
  /** Every progress line shown, newest last. */
  readonly progressLines: string[];
}

/** What the ask command resolves with (tests and other commands use it). */
export interface AskCommandResult {
  readonly document: vscode.Uri;
  readonly answer?: RepoAnswer;
}

const MAX_PROGRESS_LINES = 200;

export function registerRepoCommands(deps: RepoCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(REPO_COMMANDS.ask, (question?: unknown) => askCommand(deps, typeof question === "string" ? question : undefined)),
    vscode.commands.registerCommand(REPO_COMMANDS.showPack, () => showPackCommand(deps)),
    vscode.commands.registerCommand(REPO_COMMANDS.newConversation, () => {
      deps.serviceFor()?.newConversation();
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: the next repository question starts a new conversation."));
    }),
    vscode.commands.registerCommand(REPO_COMMANDS.clearState, () => clearStateCommand(deps)),
  ];
}

function scopeOf(folder: vscode.Uri, files: ReadonlySet<string>): CitationScope {
  return { folder, isFile: (path) => files.has(path) };
}

function folderOf(service: RepoQa | undefined): vscode.WorkspaceFolder | undefined {
  if (service === undefined) return undefined;
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === service.root);
}

async function askCommand(deps: RepoCommandDeps, given?: string): Promise<AskCommandResult | undefined> {
  const service = deps.serviceFor();
  const folder = folderOf(service);
  if (service === undefined || folder === undefined) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: open a folder to ask about its repository."));
    return undefined;
  }
  const question = (
    given ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t("Ask about this repository"),
      prompt: vscode.l10n.t("Hearth reads the repository ({0}) with the local model and answers with citations.", folder.name),
      placeHolder: vscode.l10n.t("Where is the server started?"),
      ignoreFocusOut: true,
    })) ??
    ""
  ).trim();
  if (question === "") return undefined;

  const files = new Set<string>();
  const { uri: document } = await deps.documents.show("answer.md", answerMarkdown(question, "", ""), { data: scopeOf(folder.uri, files), preview: false, beside: true, preserveFocus: true });
  let text = "";
  const show = (footer: string, now = false): void => deps.documents.update(document, answerMarkdown(question, text, footer), { now });

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: repository question"), cancellable: true },
    async (progress, token): Promise<{ answer?: RepoAnswer; error?: unknown }> => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let percent = 0;
      try {
        const ask = (): Promise<RepoAnswer> =>
          service.ask(question, {
            signal: controller.signal,
            onProgress: (p) => {
              const line = progressText(p);
              deps.progressLines.push(line);
              if (deps.progressLines.length > MAX_PROGRESS_LINES) deps.progressLines.shift();
              const now = p.phase === "reading" && p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : percent;
              progress.report({ message: line, increment: Math.max(0, now - percent) });
              percent = now;
            },
            onDelta: (delta) => {
              text += delta;
              show("");
            },
          });
        try {
          return { answer: await ask() };
        } catch (error) {
          // A long conversation can outgrow the room left next to the pack: start afresh once.
          if (!(error instanceof RepoQaError) || service.conversation.length === 0) throw error;
          service.newConversation();
          deps.log.info("repo: the conversation no longer fits next to the pack; starting a new one");
          return { answer: await ask() };
        }
      } catch (error) {
        return { error };
      } finally {
        cancel.dispose();
      }
    },
  );

  if (outcome.answer !== undefined) {
    const answer = outcome.answer;
    for (const path of knownFiles(answer)) files.add(path);
    text = answer.text;
    show(reportMarkdown(answer.report, { contextTokens: answer.contextTokens, route: answer.route }), true);
    return { document, answer };
  }
  const error = outcome.error;
  if (isCancellation(error)) {
    show(`_${vscode.l10n.t("Cancelled: no answer.")}_`, true);
    return { document };
  }
  show(`_${vscode.l10n.t("No answer: {0}", error instanceof Error ? error.message : String(error))}_`, true);
  if (error instanceof RepoQaError) {
    void vscode.window.showErrorMessage(`Hearth: ${error.message}`, vscode.l10n.t("Open Repository Settings")).then((choice) => {
      if (choice !== undefined) void vscode.commands.executeCommand("workbench.action.openSettings", "hearth.repo");
    });
  } else void deps.notifier.notify(error);
  return { document };
}

/** Files of the repository, for citation links: every file the pack drew on or left out. */
function knownFiles(answer: RepoAnswer): string[] {
  return [...answer.report.included.map((i) => i.path), ...answer.report.leftOut.map((l) => l.path)];
}

async function showPackCommand(deps: RepoCommandDeps): Promise<vscode.Uri | undefined> {
  const service = deps.serviceFor();
  const folder = folderOf(service);
  if (service === undefined || folder === undefined) {
    void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: open a folder to see its repository pack."));
    return undefined;
  }
  try {
    const preview = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: packing the repository…"), cancellable: true }, (_progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      return service.preview("", { signal: controller.signal }).finally(() => cancel.dispose());
    });
    const saved = await deps.modelService.savedRepoState("read").catch(() => undefined);
    const files = new Set([...preview.pack.report.included.map((i) => i.path), ...preview.pack.report.leftOut.map((l) => l.path)]);
    const text = [`# ${vscode.l10n.t("Repository pack: {0}", folder.name)}`, "", reportMarkdown(preview.pack.report, { contextTokens: preview.contextTokens, route: preview.route, ...(saved !== undefined && saved.limitBytes > 0 ? { savedState: saved } : {}) })].join("\n");
    return (await deps.documents.show("repository-pack.md", text, { data: { folder: folder.uri, isFile: (path) => files.has(path) }, preview: false, beside: true, preserveFocus: true })).uri;
  } catch (error) {
    if (error instanceof RepoQaError) void vscode.window.showErrorMessage(`Hearth: ${error.message}`);
    else void deps.notifier.notify(error);
    return undefined;
  }
}

async function clearStateCommand(deps: RepoCommandDeps): Promise<boolean> {
  try {
    const before = await deps.modelService.savedRepoState("read").catch(() => undefined);
    const cleared = await deps.modelService.savedRepoState("clear");
    if (cleared === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: this model server keeps no saved repository state."));
      return false;
    }
    for (const folder of vscode.workspace.workspaceFolders ?? []) deps.serviceFor(folder.uri)?.newConversation();
    const freed = before === undefined ? "" : ` ${vscode.l10n.t("{0} MB freed.", Math.round(before.bytes / 1e6).toLocaleString(vscode.env.language))}`;
    void vscode.window.showInformationMessage(`${vscode.l10n.t("Hearth: saved repository state cleared; the next question reads the repository again.")}${freed}`);
    return true;
  } catch (error) {
    void vscode.window.showErrorMessage(`Hearth: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

/** The user cancelled: the scan's AbortError, the provider's "cancelled", or the signal's reason. */
function isCancellation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "AbortError" || (error as { kind?: unknown }).kind === "cancelled";
}
