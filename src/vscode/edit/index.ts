// Hearth's edit commands in VS Code: Refactor…, Explain, Add Documentation, Fix, Generate
// Tests, Translate Comments and Docs To…, Translate Code To…, Translate This Document To…,
// and Accept / Accept Anyway / Reject for the proposal in the diff. extension.ts calls
// registerEdit once and pushes the disposables.
import * as vscode from "vscode";
import type { EditKind } from "../../core/edit/editKinds";
import { codeLanguage, naturalLanguage } from "../../core/edit/languages";
import type { EditorPort } from "../../core/editor/editorPort";
import type { Logger } from "../../core/logger";
import { READ_ONLY_SCHEMES, ReadOnlyDocuments } from "../readOnlyDocuments";
import { EditCodeActions } from "./editCodeActions";
import { EDIT_COMMANDS } from "./editCommandIds";
import { askCodeLanguage, askInstruction, askNaturalLanguage } from "./editPickers";
import { runEditCommand, type EditChoices, type EditOutcome, type EditRunnerDeps, type ExplainSink } from "./editRunner";
import { EditMemory } from "./editSettings";
import { ProposalController, type AcceptOutcome } from "./proposalController";

export { EDIT_COMMANDS } from "./editCommandIds";
/** The scheme of the proposal documents shown in the diff (package.json's Accept / Reject buttons test for it). */
export const PROPOSAL_SCHEME = READ_ONLY_SCHEMES.proposal;
export { HAS_PROPOSAL_CONTEXT, type AcceptOutcome } from "./proposalController";
export type { EditOutcome, ExplainSink } from "./editRunner";

/** What a command may be given instead of asking (tests, other features, keybindings with args). */
export interface EditCommandArgs {
  readonly instruction?: string;
  /** A natural language: tag ("ja") or English name. */
  readonly language?: string;
  /** A programming language: VS Code id ("python") or name. */
  readonly codeLanguage?: string;
}

export interface EditApi {
  readonly controller: ProposalController;
}

export interface EditDeps {
  /** The gateway's ports for the features the commands send under: `edit`, and `translate` for prose translation. */
  readonly models: EditRunnerDeps["models"];
  readonly editor: EditorPort;
  /** Shows a gateway refusal or provider failure (FailureNotifier.notify). */
  readonly notify: (error: unknown) => Promise<void>;
  readonly log: Logger;
  /** Where Explain's answers are shown (the chat panel). */
  readonly explainSink: ExplainSink;
}

const KIND_OF_COMMAND: readonly [string, EditKind][] = [
  [EDIT_COMMANDS.refactor, "refactor"],
  [EDIT_COMMANDS.explain, "explain"],
  [EDIT_COMMANDS.document, "document"],
  [EDIT_COMMANDS.fix, "fix"],
  [EDIT_COMMANDS.generateTests, "tests"],
  [EDIT_COMMANDS.translateComments, "translateComments"],
  [EDIT_COMMANDS.translateCode, "translateCode"],
  [EDIT_COMMANDS.translateDocument, "translateDocument"],
];

export function registerEdit(context: vscode.ExtensionContext, deps: EditDeps): { api: EditApi; disposables: vscode.Disposable[] } {
  const documents = new ReadOnlyDocuments(PROPOSAL_SCHEME);
  const controller = new ProposalController(documents, deps.log);
  const memory = new EditMemory(context.globalState);
  const runner: EditRunnerDeps = {
    editor: deps.editor,
    models: deps.models,
    notify: (error) => void deps.notify(error),
    log: deps.log,
    documents,
    controller,
    explainSink: deps.explainSink,
  };

  const run = async (kind: EditKind, raw: unknown): Promise<EditOutcome | undefined> => {
    const args: EditCommandArgs = raw !== null && typeof raw === "object" && !(raw instanceof vscode.Uri) ? (raw as EditCommandArgs) : {};
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined || editor.document.uri.scheme === PROPOSAL_SCHEME) {
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: open a file in the editor (and select what to change) first."));
      return undefined;
    }
    if (kind === "translateDocument" && editor.document.languageId !== "markdown" && editor.document.languageId !== "plaintext") {
      void vscode.window.showInformationMessage(vscode.l10n.t("Hearth: Translate This Document works on Markdown and plain text. For code, use Translate Comments and Docs To…"));
      return undefined;
    }
    const choices = await choose(kind, args, editor.document.languageId);
    if (choices === undefined) return { status: "cancelled" };
    return runEditCommand(runner, kind, editor, choices, () => vscode.commands.executeCommand(commandOf(kind), args));
  };

  const choose = async (kind: EditKind, args: EditCommandArgs, languageId: string): Promise<EditChoices | undefined> => {
    switch (kind) {
      case "refactor": {
        const instruction = args.instruction ?? (await askInstruction(memory));
        if (instruction === undefined) return undefined;
        await memory.useInstruction(instruction);
        return { instruction };
      }
      case "translateComments":
      case "translateDocument": {
        const language = (args.language !== undefined ? naturalLanguage(args.language) : undefined) ?? (await askNaturalLanguage(memory, vscode.l10n.t("Hearth: Translate To…")));
        if (language === undefined) return undefined;
        await memory.useLanguage(language.tag);
        return { language };
      }
      case "translateCode": {
        const target = (args.codeLanguage !== undefined ? codeLanguage(args.codeLanguage) : undefined) ?? (await askCodeLanguage(memory, languageId));
        if (target === undefined) return undefined;
        await memory.useCodeLanguage(target.languageId);
        return { codeLanguage: target };
      }
      default:
        return {};
    }
  };

  const sessionOf = (raw: unknown) => controller.find(raw instanceof vscode.Uri ? raw : undefined) ?? controller.current();

  const disposables: vscode.Disposable[] = [
    documents,
    controller,
    ...KIND_OF_COMMAND.map(([command, kind]) => vscode.commands.registerCommand(command, (raw: unknown) => run(kind, raw))),
    vscode.commands.registerCommand(EDIT_COMMANDS.accept, (raw: unknown): Promise<AcceptOutcome> => controller.accept(sessionOf(raw))),
    vscode.commands.registerCommand(EDIT_COMMANDS.acceptAnyway, (raw: unknown): Promise<AcceptOutcome> => controller.accept(sessionOf(raw), { anyway: true })),
    vscode.commands.registerCommand(EDIT_COMMANDS.reject, (raw: unknown) => controller.reject(sessionOf(raw))),
    vscode.commands.registerCommand(EDIT_COMMANDS.showChecks, (raw: unknown) => controller.showReport(sessionOf(raw))),
    vscode.languages.registerCodeActionsProvider([{ scheme: "file" }, { scheme: "untitled" }, { scheme: "vscode-remote" }], new EditCodeActions(), EditCodeActions.metadata),
  ];
  return {
    api: { controller },
    disposables,
  };
}

function commandOf(kind: EditKind): string {
  return KIND_OF_COMMAND.find(([, k]) => k === kind)?.[0] ?? EDIT_COMMANDS.refactor;
}
