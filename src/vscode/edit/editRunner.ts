// Runs one edit command in VS Code: the core's edit flow (src/core/edit/editRun.ts) under a
// cancellable progress notification, with VS Code's places for its answers — the proposal
// streaming into a diff, Explain's answer in the chat panel, a new document beside — and
// its outcome in the person's language.
import * as vscode from "vscode";
import { EditTooLong, EmptyAnswer } from "../../core/edit/editFailures";
import { EDIT_KINDS, type EditKind } from "../../core/edit/editKinds";
import type { EditProposal } from "../../core/edit/editProposal";
import type { EditChoices } from "../../core/edit/editPrompt";
import { runEdit, type ExplainStream, type ProposalView } from "../../core/edit/editRun";
import type { GuardReport } from "../../core/edit/guards";
import { naturalLanguage } from "../../core/edit/languages";
import type { EditorPort } from "../../core/editor/editorPort";
import type { ModelPort } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import type { Feature } from "../../core/policy";
import { editorView } from "../editor/vscodeEditor";
import type { ReadOnlyDocuments } from "../readOnlyDocuments";
import { EditSession } from "./editSession";
import { loadGlossary } from "./glossaryFile";
import type { ProposalController } from "./proposalController";

export type { EditChoices } from "../../core/edit/editPrompt";

/** Where Explain's streaming answer goes: the chat panel. */
export interface ExplainSink {
  /** `source`: the file explained, so later chat questions are judged with it (a neverSend file keeps the chat on this machine). */
  begin(title: string, source?: { readonly folders: readonly string[]; readonly paths: readonly string[] }): Promise<ExplainStream> | ExplainStream;
}

export interface EditRunnerDeps {
  readonly editor: EditorPort;
  /** The gateway's port for each feature the edit commands use. */
  readonly models: Readonly<Record<Extract<Feature, "edit" | "translate">, ModelPort>>;
  readonly notify: (error: unknown) => void;
  readonly log: Logger;
  readonly documents: ReadOnlyDocuments;
  readonly controller: ProposalController;
  readonly explainSink: ExplainSink;
}

export type EditOutcome =
  | { readonly status: "proposed"; readonly proposalUri: vscode.Uri; readonly reports: readonly GuardReport[]; readonly targets: number }
  | { readonly status: "opened"; readonly documentUri: vscode.Uri }
  | { readonly status: "explained"; readonly text: string }
  | { readonly status: "cancelled" }
  | { readonly status: "failed"; readonly message: string };

/** The proposal on screen follows its stream at most this often (each update lays every replacement into the whole text). */
const UPDATE_MS = 80;

/** A proposal in the diff, for the core flow to update, complete or take down. */
interface DiffView extends ProposalView {
  readonly session: EditSession;
}

export async function runEditCommand(deps: EditRunnerDeps, kind: EditKind, editor: vscode.TextEditor, choices: EditChoices, rerun: () => Thenable<unknown>): Promise<EditOutcome> {
  const info = EDIT_KINDS[kind];
  const document = editor.document;
  const view = editorView(editor);
  const fileName = view.document.fileName;
  const glossary = kind === "translateComments" || kind === "translateDocument" ? await loadGlossary(document, deps.log) : undefined;
  const title = `Hearth: ${vscode.l10n.t(info.title)} — ${fileName}`;

  const showProposal = async (proposal: EditProposal): Promise<DiffView> => {
    const proposalUri = deps.documents.create(fileName, proposal.proposalText(), { keep: true });
    const session = new EditSession(proposal, document.uri, proposalUri, rerun);
    deps.controller.add(session);
    // The proposal's language follows its file name; an untitled file's has none, so match the original's.
    const proposalDocument = await vscode.workspace.openTextDocument(proposalUri);
    if (proposalDocument.languageId !== document.languageId) await vscode.languages.setTextDocumentLanguage(proposalDocument, document.languageId);
    await vscode.commands.executeCommand("vscode.diff", document.uri, proposalUri, `${fileName} ↔ ${vscode.l10n.t("Hearth proposal")}`, { preview: false });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopUpdates = (): void => {
      clearTimeout(timer);
      timer = undefined;
    };
    return {
      session,
      changed: () => {
        timer ??= setTimeout(() => {
          timer = undefined;
          deps.controller.refresh(session, { now: true });
        }, UPDATE_MS);
      },
      ready: async () => {
        stopUpdates();
        await deps.controller.ready(session);
      },
      discard: async () => {
        stopUpdates();
        await deps.controller.close(session);
      },
    };
  };

  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    try {
      const result = await runEdit(
        { editor: deps.editor, model: deps.models[info.feature === "translate" ? "translate" : "edit"], log: deps.log },
        {
          kind,
          view,
          choices,
          glossary,
          displayLanguage: naturalLanguage(vscode.env.language),
          signal: abort.signal,
          onPart: (index, parts) => progress.report({ message: vscode.l10n.t("part {0} of {1}", index + 1, parts) }),
        },
        {
          explanation: () => deps.explainSink.begin(`${vscode.l10n.t("Explanation")}: ${fileName}`, { folders: view.document.folders, paths: [view.document.path] }),
          proposal: showProposal,
        },
      );
      switch (result.status) {
        case "proposed":
          return { status: "proposed", proposalUri: result.view.session.proposalUri, reports: result.proposal.reports, targets: result.proposal.targets.length };
        case "newDocument": {
          const created = await vscode.workspace.openTextDocument({ language: result.languageId, content: result.text });
          await vscode.window.showTextDocument(created, { viewColumn: vscode.ViewColumn.Beside, preview: false });
          return { status: "opened", documentUri: created.uri };
        }
        case "explained":
        case "cancelled":
          return result;
        case "failed": {
          const message = failureMessage(result.error);
          deps.notify(result.error instanceof EditTooLong || result.error instanceof EmptyAnswer ? new Error(message) : result.error);
          return { status: "failed", message };
        }
      }
    } finally {
      cancelled.dispose();
    }
  });
}

/** The flow's own failures in the display language; the gateway's messages as they are. */
function failureMessage(error: unknown): string {
  if (error instanceof EditTooLong) {
    return vscode.l10n.t(
      "This is too long for the model's context: it needs about {0} tokens and {1} holds {2}. Select a smaller part, or raise hearth.server.contextSize.",
      error.needed,
      error.route === "local" ? vscode.l10n.t("the local model") : error.model,
      error.available,
    );
  }
  if (error instanceof EmptyAnswer) return vscode.l10n.t("The model returned no text for {0}. Try again, or choose a larger model with Hearth: Choose Model.", error.fileName);
  return error instanceof Error ? error.message : String(error);
}
