// Runs one edit command: picks the targets (selections, else the enclosing symbol, else the
// file), asks the model through the gateway once per target while the proposal streams into
// the diff (or an explanation, or a new document), then runs the guards and hands the
// proposal to the controller for Accept / Reject. Cancelling the progress aborts the request.
import * as vscode from "vscode";
import { guardReportMarkdown, mergeReports, runGuards, shiftLines } from "../../core/edit/editGuards";
import { answerBudget } from "../../core/edit/answerBudget";
import { EDIT_KINDS, type EditKind } from "../../core/edit/editKinds";
import { extractReplacement, fencedBody, hasOpeningFence } from "../../core/edit/extract";
import type { GuardReport } from "../../core/edit/guards";
import { glossaryInstructions } from "../../core/edit/guards";
import { naturalLanguage, type CodeLanguage, type NaturalLanguage } from "../../core/edit/languages";
import { answerTokenBudget, buildEditMessages, buildExplainMessages, surroundings, type EditPromptInput } from "../../core/edit/prompts";
import { chooseTargets, type EditTarget, type SymbolNode, type SymbolShape } from "../../core/edit/target";
import type { Gateway, GatewayRequest, GatewayResult } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import { isProviderError } from "../../core/providers";
import { requestFolders } from "../policy/requestFolders";
import { EditSession, type SessionTarget } from "./editSession";
import { loadGlossary } from "./glossaryFile";
import type { ProposalController } from "./proposalController";
import { Throttle, type ProposalDocuments } from "./proposalDocuments";

/** Where Explain's streaming answer goes: the chat panel. */
export interface ExplainSink {
  begin(title: string): Promise<ExplainStream> | ExplainStream;
}

export interface ExplainStream {
  append(text: string): void;
  /** Who answered (route, model, audit entry), for sinks that show it; once per request. */
  answeredBy?(result: GatewayResult): void;
  /** The answer is complete (resolves once it is shown). */
  end(): void | Promise<void>;
}

export interface EditRunnerDeps {
  readonly gateway: Pick<Gateway, "request" | "routeFor" | "countTokens">;
  readonly notify: (error: unknown) => void;
  readonly log: Logger;
  readonly documents: ProposalDocuments;
  readonly controller: ProposalController;
  readonly explainSink: ExplainSink;
}

export interface EditChoices {
  readonly instruction?: string;
  readonly language?: NaturalLanguage;
  readonly codeLanguage?: CodeLanguage;
}

export type EditOutcome =
  | { readonly status: "proposed"; readonly proposalUri: vscode.Uri; readonly reports: readonly GuardReport[]; readonly targets: number }
  | { readonly status: "opened"; readonly documentUri: vscode.Uri }
  | { readonly status: "explained"; readonly text: string }
  | { readonly status: "cancelled" }
  | { readonly status: "failed"; readonly message: string };

const UPDATE_MS = 80;

export async function runEdit(deps: EditRunnerDeps, kind: EditKind, editor: vscode.TextEditor, choices: EditChoices, rerun: () => Thenable<unknown>): Promise<EditOutcome> {
  const document = editor.document;
  const text = document.getText();
  const version = document.version;
  const info = EDIT_KINDS[kind];
  const targets = chooseTargets({
    textLength: text.length,
    selections: editor.selections.map((s) => ({ start: document.offsetAt(s.start), end: document.offsetAt(s.end) })),
    cursor: document.offsetAt(editor.selection.active),
    symbols: editor.selections.every((s) => s.isEmpty) && kind !== "translateDocument" ? await documentSymbols(document) : undefined,
    useSymbols: kind !== "translateDocument",
  });
  const path = vscode.workspace.asRelativePath(document.uri, false);
  const fileName = document.uri.path.split("/").pop() ?? path;
  const glossary = kind === "translateComments" || kind === "translateDocument" ? await loadGlossary(document, deps.log) : undefined;
  const title = `Hearth: ${vscode.l10n.t(info.title)} — ${fileName}`;

  const promptFor = (target: EditTarget): EditPromptInput => {
    const wholeFile = target.start === 0 && target.end === text.length;
    const { before, after } = wholeFile ? { before: "", after: "" } : surroundings(text, target.start, target.end);
    return {
      kind,
      languageId: document.languageId,
      path,
      target: text.slice(target.start, target.end),
      wholeFile,
      before,
      after,
      instruction: choices.instruction,
      diagnostics: kind === "fix" ? diagnosticsFor(document, target) : undefined,
      // Explain answers in VS Code's display language when Hearth knows it (else English).
      targetLanguage: kind === "explain" ? naturalLanguage(vscode.env.language)?.english : choices.language?.english,
      codeLanguage: choices.codeLanguage,
      glossary: glossary !== undefined && choices.language !== undefined ? glossaryInstructions(glossary, choices.language.english) : undefined,
    };
  };

  /** Each target's request, budgeted before anything is shown or sent, so a target too long fails first. */
  const prepare = async (signal: AbortSignal): Promise<GatewayRequest[]> => {
    const requests: GatewayRequest[] = [];
    for (const target of targets) {
      const prompt = promptFor(target);
      const messages = kind === "explain" ? buildExplainMessages(prompt) : buildEditMessages(prompt);
      const shown = [prompt.before ?? "", prompt.target, prompt.after ?? ""].join("\n");
      requests.push({
        feature: info.feature,
        messages,
        files: [{ path, content: shown, origin: prompt.wholeFile ? "file" : "selection", embedded: true }],
        folders: requestFolders(document.uri),
        thinking: false,
        maxTokens: await budgetFor(prompt, messages.map((m) => m.content).join("\n"), signal),
        temperature: 0.2,
        signal,
      });
    }
    return requests;
  };

  const ask = async (request: GatewayRequest, onDelta: (piece: string) => void, onResult?: (result: GatewayResult) => void): Promise<string> => {
    const result = await deps.gateway.request({ ...request, onDelta });
    onResult?.(result);
    deps.log.info(`edit: ${kind} on ${path} answered by ${result.provider}/${result.model} (${result.route}${result.auditId !== undefined ? `, audit ${result.auditId}` : ""})`);
    return result.text;
  };

  /** The answer's token budget within the route's context; throws a message for people when the target cannot fit. */
  const budgetFor = async (prompt: EditPromptInput, promptText: string, signal: AbortSignal): Promise<number> => {
    const wanted = kind === "explain" ? 1024 : answerTokenBudget(kind, prompt.target);
    const route = await deps.gateway.routeFor(info.feature);
    if (!route.ok || route.contextTokens === undefined) return wanted;
    const { counts } = await deps.gateway.countTokens([promptText, prompt.target], { feature: info.feature, signal });
    const budget = answerBudget({ promptTokens: counts[0], targetTokens: counts[1], wanted, contextTokens: route.contextTokens, rewrites: info.output === "diff" });
    if (budget.ok) return budget.maxTokens;
    throw new Error(
      vscode.l10n.t(
        "This is too long for the model's context: it needs about {0} tokens and {1} holds {2}. Select a smaller part, or raise hearth.server.contextSize.",
        budget.needed,
        route.route === "local" ? vscode.l10n.t("the local model") : route.model,
        budget.available,
      ),
    );
  };

  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    const step = (i: number): void => {
      if (targets.length > 1) progress.report({ message: vscode.l10n.t("part {0} of {1}", i + 1, targets.length) });
    };
    try {
      switch (info.output) {
        case "explanation":
          return await explain();
        case "newDocument":
          return await newDocument();
        case "diff":
          return await diff();
      }
    } finally {
      cancelled.dispose();
    }

    async function explain(): Promise<EditOutcome> {
      let requests: GatewayRequest[];
      try {
        requests = await prepare(abort.signal);
      } catch (error) {
        return failed(error);
      }
      const sink = await deps.explainSink.begin(`${vscode.l10n.t("Explanation")}: ${fileName}`);
      const parts: string[] = [];
      try {
        for (const [i, request] of requests.entries()) {
          step(i);
          if (i > 0) sink.append("\n\n---\n\n");
          parts.push(await ask(request, (piece) => sink.append(piece), (result) => sink.answeredBy?.(result)));
        }
      } catch (error) {
        return failed(error);
      } finally {
        await sink.end();
      }
      return { status: "explained", text: parts.join("\n\n---\n\n") };
    }

    async function newDocument(): Promise<EditOutcome> {
      const bodies: string[] = [];
      try {
        const requests = await prepare(abort.signal);
        for (const [i, request] of requests.entries()) {
          step(i);
          bodies.push(fencedBody(await ask(request, () => undefined)).replace(/\s+$/, ""));
        }
      } catch (error) {
        return failed(error);
      }
      const language = kind === "translateCode" ? (choices.codeLanguage?.languageId ?? "plaintext") : document.languageId;
      const created = await vscode.workspace.openTextDocument({ language, content: `${bodies.join("\n\n")}\n` });
      await vscode.window.showTextDocument(created, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      return { status: "opened", documentUri: created.uri };
    }

    async function diff(): Promise<EditOutcome> {
      let requests: GatewayRequest[];
      try {
        requests = await prepare(abort.signal);
      } catch (error) {
        return failed(error);
      }
      const sessionTargets: SessionTarget[] = targets.map((t) => {
        const lineStart = text.lastIndexOf("\n", t.start - 1) + 1;
        return { start: t.start, end: t.end, original: text.slice(t.start, t.end), firstLinePrefix: text.slice(lineStart, t.start), replacement: undefined };
      });
      const proposalUri = deps.documents.create(fileName, text);
      const session = new EditSession(kind, document.uri, version, text, sessionTargets, proposalUri, rerun);
      deps.controller.add(session);
      const throttle = new Throttle(UPDATE_MS, () => deps.controller.refresh(session));
      // The proposal's language follows its file name; an untitled file's has none, so match the original's.
      const proposalDocument = await vscode.workspace.openTextDocument(proposalUri);
      if (proposalDocument.languageId !== document.languageId) await vscode.languages.setTextDocumentLanguage(proposalDocument, document.languageId);
      await vscode.commands.executeCommand("vscode.diff", document.uri, proposalUri, `${fileName} ↔ ${vscode.l10n.t("Hearth proposal")}`, { preview: false });
      try {
        for (const [i, request] of requests.entries()) {
          step(i);
          const slot = sessionTargets[i];
          let answer = "";
          const fit = (): string => extractReplacement(answer, { original: slot.original, firstLinePrefix: slot.firstLinePrefix });
          answer = await ask(request, (piece) => {
            answer += piece;
            // Words before the block ("Sure, here it is:") are not the proposal; show the block as it grows.
            if (!hasOpeningFence(answer)) return;
            slot.replacement = fit();
            throttle.poke();
          });
          slot.replacement = fit();
          if (slot.replacement.trim() === "" && slot.original.trim() !== "") throw new Error(vscode.l10n.t("The model returned no text for {0}. Try again, or choose a larger model with Hearth: Choose Model.", fileName));
        }
      } catch (error) {
        throttle.dispose();
        await deps.controller.close(session);
        return failed(error);
      }
      throttle.dispose();
      session.reports = mergeReports(
        sessionTargets.map((slot, i) =>
          runGuards({ kind, languageId: document.languageId, original: slot.original, proposal: slot.replacement ?? slot.original, targetLanguage: choices.language?.english, glossary }).map((report) =>
            shiftLines(report, session.originalStartLine(i), session.proposalStartLine(i)),
          ),
        ).flat(),
      );
      if (session.reports.length > 0) deps.log.info(guardReportMarkdown(fileName, session.reports));
      await deps.controller.ready(session);
      return { status: "proposed", proposalUri, reports: session.reports, targets: targets.length };
    }

    function failed(error: unknown): EditOutcome {
      if (abort.signal.aborted || (isProviderError(error) && error.kind === "cancelled")) return { status: "cancelled" };
      deps.notify(error);
      return { status: "failed", message: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** The diagnostics on a target (or its first line when the target is one point), for Fix. */
function diagnosticsFor(document: vscode.TextDocument, target: EditTarget): string[] {
  const range = new vscode.Range(document.positionAt(target.start), document.positionAt(target.end));
  const severity = ["error", "warning", "info", "hint"];
  return vscode.languages
    .getDiagnostics(document.uri)
    .filter((d) => d.range.intersection(range) !== undefined)
    .map((d) => `line ${d.range.start.line - range.start.line + 1}: ${severity[d.severity] ?? "problem"}: ${d.message}${d.source !== undefined ? ` (${d.source})` : ""}`);
}

const SHAPES: ReadonlyMap<vscode.SymbolKind, SymbolShape> = new Map([
  [vscode.SymbolKind.Function, "function"],
  [vscode.SymbolKind.Method, "method"],
  [vscode.SymbolKind.Constructor, "constructor"],
  [vscode.SymbolKind.Class, "class"],
  [vscode.SymbolKind.Struct, "class"],
  [vscode.SymbolKind.Interface, "class"],
  [vscode.SymbolKind.Enum, "class"],
]);

/** The document's symbols as offsets; none when no provider answers within a few seconds. */
async function documentSymbols(document: vscode.TextDocument): Promise<SymbolNode[] | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000));
  const symbols = await Promise.race([
    Promise.resolve(vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>("vscode.executeDocumentSymbolProvider", document.uri)).catch(() => undefined),
    timeout,
  ]);
  if (symbols === undefined) return undefined;
  const convert = (symbol: vscode.DocumentSymbol | vscode.SymbolInformation): SymbolNode => {
    const range = "range" in symbol ? symbol.range : symbol.location.range;
    return {
      name: symbol.name,
      shape: SHAPES.get(symbol.kind) ?? "other",
      start: document.offsetAt(range.start),
      end: document.offsetAt(range.end),
      children: "children" in symbol ? symbol.children.map(convert) : [],
    };
  };
  return symbols.map(convert);
}
