// Each target's prompt, built for the route the gateway planned: the messages (prompts.ts),
// the target as an embedded context file (so neverSend applies to it), and the answer's
// token budget within that route's context (answerBudget). The tokens counted for the
// budget travel with the prompt, so the gateway rechecks the fit with the same numbers.
import type { EditorDiagnostic, EditorDocument } from "../editor/editorPort";
import { lineOf } from "../editor/editorPort";
import type { ModelPort, PlannedPrompt, RequestPlan } from "../gateway";
import { answerBudget } from "./answerBudget";
import { EditTooLong } from "./editFailures";
import { EDIT_KINDS, type EditKind } from "./editKinds";
import { glossaryInstructions, type Glossary } from "./guards";
import type { CodeLanguage, NaturalLanguage } from "./languages";
import { answerTokenBudget, buildEditMessages, buildExplainMessages, surroundings, type EditPromptInput } from "./prompts";
import type { EditTarget } from "./target";

/** What the person chose before the edit started. */
export interface EditChoices {
  /** Refactor: what to do. */
  readonly instruction?: string;
  /** Translations: into which natural language. */
  readonly language?: NaturalLanguage;
  /** Translate code: into which programming language. */
  readonly codeLanguage?: CodeLanguage;
}

/** What the prompt of an edit draws on besides the document: the choices, and what the editor side read for them. */
export interface EditContext {
  readonly choices: EditChoices;
  /** Translations: the workspace glossary, when there is a valid one. */
  readonly glossary?: Glossary;
  /** Explain answers in the editor's display language when Hearth knows it (else English). */
  readonly displayLanguage?: NaturalLanguage;
  /** Fix: the problems the editor shows on the document. */
  readonly diagnostics?: readonly EditorDiagnostic[];
}

/** Explain's answer budget: prose about the code, not a rewrite of it. */
const EXPLAIN_TOKENS = 1024;

/** A target's prompt input: the target, its surroundings, and what the person asked. */
export function promptInputFor(kind: EditKind, document: EditorDocument, target: EditTarget, context: EditContext): EditPromptInput {
  const text = document.text;
  const wholeFile = target.start === 0 && target.end === text.length;
  const { before, after } = wholeFile ? { before: "", after: "" } : surroundings(text, target.start, target.end);
  const { choices, glossary } = context;
  return {
    kind,
    languageId: document.languageId,
    path: document.path,
    target: text.slice(target.start, target.end),
    wholeFile,
    before,
    after,
    instruction: choices.instruction,
    diagnostics: kind === "fix" ? diagnosticLines(text, target, context.diagnostics ?? []) : undefined,
    targetLanguage: kind === "explain" ? context.displayLanguage?.english : choices.language?.english,
    codeLanguage: choices.codeLanguage,
    glossary: glossary !== undefined && choices.language !== undefined ? glossaryInstructions(glossary, choices.language.english) : undefined,
  };
}

/** The problems on a target, one line each, numbered from the target's first line (for Fix). */
export function diagnosticLines(text: string, target: EditTarget, diagnostics: readonly EditorDiagnostic[]): string[] {
  const targetLine = lineOf(text, target.start);
  return diagnostics
    .filter((d) => Math.max(d.start, target.start) <= Math.min(d.end, target.end))
    .map((d) => `line ${lineOf(text, d.start) - targetLine + 1}: ${d.severity}: ${d.message}${d.source !== undefined ? ` (${d.source})` : ""}`);
}

/** One target's prompt for a plan; throws EditTooLong when even the least answer would not fit the plan's context. */
export async function editPromptFor(plan: RequestPlan, input: EditPromptInput, model: Pick<ModelPort, "countTokens">, signal?: AbortSignal): Promise<PlannedPrompt> {
  const messages = input.kind === "explain" ? buildExplainMessages(input) : buildEditMessages(input);
  const shown = [input.before ?? "", input.target, input.after ?? ""].join("\n");
  const base: PlannedPrompt = { messages, files: [{ path: input.path, content: shown, origin: input.wholeFile ? "file" : "selection", embedded: true }], thinking: false, temperature: 0.2 };
  const wanted = input.kind === "explain" ? EXPLAIN_TOKENS : answerTokenBudget(input.kind, input.target);
  // A route that does not say how large its context is takes anything: nothing to count.
  if (plan.contextTokens === undefined) return { ...base, maxTokens: wanted };
  const { counts } = await model.countTokens([messages.map((m) => m.content).join("\n"), input.target], { signal });
  const budget = answerBudget({ promptTokens: counts[0], targetTokens: counts[1], wanted, contextTokens: plan.contextTokens, rewrites: EDIT_KINDS[input.kind].output === "diff" });
  if (!budget.ok) throw new EditTooLong(budget.needed, budget.available, plan.route, plan.model);
  return { ...base, maxTokens: budget.maxTokens, promptTokens: counts[0] };
}

/**
 * Every target's prompt for a plan, built once per plan: all of them are built (and
 * budgeted) before anything is shown or sent, so a target too long fails first; a plan that
 * changed before a send gets its own.
 */
export class EditPrompts {
  private readonly built = new Map<string, Promise<PlannedPrompt[]>>();

  constructor(
    private readonly inputs: readonly EditPromptInput[],
    private readonly model: Pick<ModelPort, "countTokens">,
    private readonly signal?: AbortSignal,
  ) {}

  for(plan: RequestPlan): Promise<PlannedPrompt[]> {
    const key = [plan.route, plan.provider, plan.model, plan.contextTokens ?? ""].join("\u0000");
    let prompts = this.built.get(key);
    if (prompts === undefined) {
      prompts = (async () => {
        const out: PlannedPrompt[] = [];
        for (const input of this.inputs) out.push(await editPromptFor(plan, input, this.model, this.signal));
        return out;
      })();
      this.built.set(key, prompts);
    }
    return prompts;
  }
}
