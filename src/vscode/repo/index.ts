// Repository Q&A in VS Code: one RepoQa per workspace folder, kept fresh by a file
// watcher (the pack is rebuilt lazily on the next question), the commands "Ask about this
// repository", "Show repository pack", "New repository conversation" and "Clear saved
// repository state", citation links in answers, and `ask` for the chat panel's @repo.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import type { ModelPort } from "../../core/gateway/index.js";
import { RepoQa, type AskOptions, type RepoAnswer } from "../../core/repo/index.js";
import { readGitHistory } from "../../core/repo/gitHistory.js";
import type { FailureNotifier } from "../gateway/failureNotifier.js";
import type { ModelService } from "../modelService.js";
import type { PolicyService } from "../policy/index.js";
import { READ_ONLY_SCHEMES, ReadOnlyDocuments } from "../readOnlyDocuments.js";
import { registerCitationLinks, type AnswerDocuments, type CitationScope } from "./citationLinks.js";
import { RepoConfig } from "./repoConfig.js";
import { registerRepoCommands, type RepoCommandDeps } from "./repoCommands.js";

/** The scheme of repository answers and pack reports. */
export const REPO_ANSWER_SCHEME = READ_ONLY_SCHEMES.repoAnswer;
export { OPEN_CITATION_COMMAND, type CitationTarget } from "./citationLinks.js";
export { REPO_COMMANDS, type AskCommandResult } from "./repoCommands.js";

export interface RepoDeps {
  /** The gateway's port for feature `repoQuestion`. */
  readonly port: ModelPort;
  readonly notifier: Pick<FailureNotifier, "notify">;
  readonly modelService: Pick<ModelService, "savedRepoState">;
  readonly policy: Pick<PolicyService, "getEffectivePolicy">;
  readonly log: Logger;
}

export interface RepoHandle extends vscode.Disposable {
  /** The chat panel's @repo: asks about the folder (default: the active editor's, else the first). */
  ask(question: string, options?: AskOptions & { readonly folder?: vscode.Uri }): Promise<RepoAnswer>;
  /** The service of a folder (default as for `ask`); undefined without a folder. */
  serviceFor(folder?: vscode.Uri): RepoQa | undefined;
  /** Every progress line the notification showed, newest last (for tests and the log). */
  readonly progressLines: readonly string[];
  readonly documents: AnswerDocuments;
}

/** The folder a question is about: the active editor's, else the first one open. */
export function questionFolder(preferred?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  if (preferred !== undefined) return vscode.workspace.getWorkspaceFolder(preferred);
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active !== undefined ? vscode.workspace.getWorkspaceFolder(active) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
}

export function registerRepo(deps: RepoDeps): RepoHandle {
  const config = new RepoConfig(deps.log);
  const services = new Map<string, RepoQa>();
  // A streaming answer re-renders its Markdown at most every 100 ms.
  const documents: AnswerDocuments = new ReadOnlyDocuments<CitationScope>(REPO_ANSWER_SCHEME, { refreshMs: 100 });
  const progressLines: string[] = [];

  const serviceFor = (folderUri?: vscode.Uri): RepoQa | undefined => {
    const folder = questionFolder(folderUri);
    if (folder === undefined || folder.uri.scheme !== "file") return undefined;
    const key = folder.uri.toString();
    let service = services.get(key);
    if (service === undefined) {
      service = new RepoQa({
        port: deps.port,
        root: folder.uri.fsPath,
        name: folder.name,
        settings: () => config.read(folder.uri),
        dropFor: () => {
          const matcher = deps.policy.getEffectivePolicy(folder.uri).neverSend;
          return (path) => matcher.matches(path);
        },
        // Git runs hardened (no hooks, fsmonitor, filters...), and not at all in Restricted
        // Mode, as VS Code's own Git extension: the pack is then ordered by path.
        history: (root, signal) => (vscode.workspace.isTrusted ? readGitHistory(root, { signal }) : Promise.resolve(undefined)),
        log: deps.log,
      });
      services.set(key, service);
    }
    return service;
  };

  // Any change under a folder makes its next question scan again; nothing is rebuilt now.
  const watcher = vscode.workspace.createFileSystemWatcher("**/*");
  const invalidate = (uri: vscode.Uri): void => {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (folder !== undefined) services.get(folder.uri.toString())?.invalidate();
  };
  const commandDeps: RepoCommandDeps = { ...deps, documents, serviceFor, progressLines };

  const disposables: vscode.Disposable[] = [
    documents,
    watcher,
    watcher.onDidChange(invalidate),
    watcher.onDidCreate(invalidate),
    watcher.onDidDelete(invalidate),
    vscode.workspace.onDidChangeWorkspaceFolders(() => services.clear()),
    // Trust granted: the next scan may read git history (the order changes once).
    vscode.workspace.onDidGrantWorkspaceTrust(() => services.clear()),
    ...registerCitationLinks(documents),
    ...registerRepoCommands(commandDeps),
  ];

  return {
    ask: (question, options = {}) => {
      const service = serviceFor(options.folder);
      if (service === undefined) return Promise.reject(new Error(vscode.l10n.t("Open a folder to ask about its repository.")));
      return service.ask(question, options);
    },
    serviceFor,
    progressLines,
    documents,
    dispose: () => {
      for (const d of disposables) d.dispose();
      services.clear();
    },
  };
}
