// One edit command, from the editor's state to a proposal, in steps of one idea each:
//   target  → what to work on (editTargets: selections, else the symbol, else the file);
//   plan    → where the request goes and how large that route's context is (the model port);
//   prompt  → each target's prompt for that plan, budgeted (EditPrompts, answerBudget);
//   send    → the prompt, its answer streaming (the model port; planned again once if the route changed);
//   extract → the replacement out of the answer's fenced block (extract.ts), as it grows;
//   guards  → the checks that apply to the change (checkProposal);
//   proposal→ the change on screen, for the person to accept or reject (the editor side's view).
// The editor side picks the command's choices, shows progress, and implements the views.
import type { EditorPort, EditorView } from "../editor/editorPort";
import { GatewayRefusal, isCancelled, type GatewayResult, type ModelPort, type PlanRequest } from "../gateway";
import type { Logger } from "../logger";
import { EmptyAnswer } from "./editFailures";
import { checkProposal, guardReportMarkdown } from "./editGuards";
import { EDIT_KINDS, type EditKind } from "./editKinds";
import { EditProposal } from "./editProposal";
import { EditPrompts, promptInputFor, type EditContext } from "./editPrompt";
import { extractReplacement, fencedBody, hasOpeningFence } from "./extract";
import { editTargets } from "./target";

export interface EditRunDeps {
  readonly editor: EditorPort;
  /** The gateway's port for the kind's feature (EDIT_KINDS[kind].feature: `edit` or `translate`). */
  readonly model: ModelPort;
  readonly log: Logger;
}

export interface EditRunInput extends Omit<EditContext, "diagnostics"> {
  readonly kind: EditKind;
  /** The editor the command runs in, as it was when the command started. */
  readonly view: EditorView;
  readonly signal?: AbortSignal;
  /** With several targets: which one is being asked now (0-based). */
  readonly onPart?: (index: number, parts: number) => void;
}

/** Where Explain's answer streams (the chat panel). */
export interface ExplainStream {
  append(text: string): void;
  /** Who answered (route, model, audit entry), once per request. */
  answeredBy?(result: GatewayResult): void;
  /** The answer is complete (resolves once it is shown). */
  end(): void | Promise<void>;
}

/** A proposal on screen: it follows the replacements as they stream. */
export interface ProposalView {
  /** A replacement grew. */
  changed(): void;
  /** The answers are complete and checked: offer Accept / Reject. */
  ready(): Promise<void>;
  /** The run failed or was cancelled: take the proposal off screen. */
  discard(): Promise<void>;
}

/** The editor side's places for the answers. */
export interface EditViews<P extends ProposalView> {
  explanation(): ExplainStream | Promise<ExplainStream>;
  /** Shows a proposal before its first answer arrives. */
  proposal(proposal: EditProposal): Promise<P>;
}

export type EditResult<P extends ProposalView> =
  | { readonly status: "proposed"; readonly proposal: EditProposal; readonly view: P }
  /** The answer is a new document (tests, translated code): its language and text. */
  | { readonly status: "newDocument"; readonly languageId: string; readonly text: string }
  | { readonly status: "explained"; readonly text: string }
  | { readonly status: "cancelled" }
  /** A GatewayRefusal, a ModelFailure, EditTooLong or EmptyAnswer. */
  | { readonly status: "failed"; readonly error: unknown };

const PART_SEPARATOR = "\n\n---\n\n";

export async function runEdit<P extends ProposalView>(deps: EditRunDeps, input: EditRunInput, views: EditViews<P>): Promise<EditResult<P>> {
  const { kind, view, signal } = input;
  const { document } = view;
  const info = EDIT_KINDS[kind];
  try {
    const targets = await editTargets(deps.editor, view, kind !== "translateDocument");
    const context: EditContext = { ...input, diagnostics: kind === "fix" ? deps.editor.diagnostics(document) : undefined };
    const prompts = new EditPrompts(
      targets.map((target) => promptInputFor(kind, document, target, context)),
      deps.model,
      signal,
    );
    // The target travels inside the prompt: a neverSend match on its file keeps the request on this machine, so plan for that.
    const request: PlanRequest = { folders: document.folders, embeddedPaths: [document.path] };
    const plan = await deps.model.plan(request);
    if (!plan.ok) throw new GatewayRefusal(plan.code, plan.reason);
    await prompts.for(plan);

    const ask = async (index: number, onDelta: (piece: string) => void): Promise<GatewayResult> => {
      if (targets.length > 1) input.onPart?.(index, targets.length);
      const result = await deps.model.run(request, async (planned) => (await prompts.for(planned))[index], { signal, onDelta });
      deps.log.info(`edit: ${kind} on ${document.path} answered by ${result.provider}/${result.model} (${result.route}${result.auditId !== undefined ? `, audit ${result.auditId}` : ""})`);
      return result;
    };

    switch (info.output) {
      case "explanation": {
        const sink = await views.explanation();
        const parts: string[] = [];
        try {
          for (let i = 0; i < targets.length; i++) {
            if (i > 0) sink.append(PART_SEPARATOR);
            const result = await ask(i, (piece) => sink.append(piece));
            sink.answeredBy?.(result);
            parts.push(result.text);
          }
        } finally {
          await sink.end();
        }
        return { status: "explained", text: parts.join(PART_SEPARATOR) };
      }
      case "newDocument": {
        const bodies: string[] = [];
        for (let i = 0; i < targets.length; i++) bodies.push(fencedBody((await ask(i, () => undefined)).text).trimEnd());
        const languageId = kind === "translateCode" ? (input.choices.codeLanguage?.languageId ?? "plaintext") : document.languageId;
        return { status: "newDocument", languageId, text: `${bodies.join("\n\n")}\n` };
      }
      case "diff": {
        const proposal = new EditProposal(kind, document.fileName, document.version, document.text, targets);
        const shown = await views.proposal(proposal);
        try {
          for (const [i, target] of proposal.targets.entries()) {
            let answer = "";
            const fit = (): string => extractReplacement(answer, { original: target.original, firstLinePrefix: target.firstLinePrefix });
            answer = (
              await ask(i, (piece) => {
                answer += piece;
                // Words before the block ("Sure, here it is:") are not the proposal; show the block as it grows.
                if (!hasOpeningFence(answer)) return;
                target.replacement = fit();
                shown.changed();
              })
            ).text;
            target.replacement = fit();
            if (target.replacement.trim() === "" && target.original.trim() !== "") throw new EmptyAnswer(document.fileName);
          }
        } catch (error) {
          await shown.discard();
          throw error;
        }
        proposal.reports = checkProposal(proposal, { languageId: document.languageId, targetLanguage: input.choices.language?.english, glossary: input.glossary });
        if (proposal.reports.length > 0) deps.log.info(guardReportMarkdown(document.fileName, proposal.reports));
        await shown.ready();
        return { status: "proposed", proposal, view: shown };
      }
    }
  } catch (error) {
    if (signal?.aborted === true || isCancelled(error)) return { status: "cancelled" };
    return { status: "failed", error };
  }
}
