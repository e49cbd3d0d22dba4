// Hearth's models in VS Code's language-model API (vendor `hearth`): VS Code's chat lists them
// in its model picker, and any extension reaches them with vscode.lm.selectChatModels({
// vendor: "hearth" }). Every request goes through the gateway's port for policy feature
// `languageModel`, so the policy, redaction, consent and the audit log apply as to Hearth's
// own features. VS Code does not say which extension sent a request (the finalised API has no
// such field), so the audit entry names the feature, not the caller.
import * as vscode from "vscode";
import { isCancelled, type ModelPort } from "../../core/gateway";
import { countLmTokens, listLmModels, sendLmRequest, type LmModel } from "../../core/lm";
import type { Logger } from "../../core/logger";
import { chatProviderRegistration, type LanguageModelChatInformation, type LanguageModelChatProvider, type LanguageModelChatRequestMessage, type LanguageModelResponsePart, type ProvideLanguageModelChatResponseOptions } from "./chatProviderApi";
import type { LmModelWatch } from "./lmModelWatch";
import { textPart, toLmMessage, toolCallPart, toToolSpecs } from "./lmParts";

export const HEARTH_VENDOR = "hearth";

interface HearthModelInformation extends LanguageModelChatInformation {
  readonly lm: LmModel;
}

export interface HearthChatProviderDeps {
  /** The gateway's port for feature `languageModel`. */
  readonly port: ModelPort;
  readonly watch: LmModelWatch;
  readonly log: Logger;
}

export class HearthChatProvider implements LanguageModelChatProvider<HearthModelInformation> {
  readonly onDidChangeLanguageModelChatInformation: vscode.Event<void>;

  constructor(private readonly deps: HearthChatProviderDeps) {
    this.onDidChangeLanguageModelChatInformation = deps.watch.onDidChange;
  }

  async provideLanguageModelChatInformation(): Promise<HearthModelInformation[]> {
    const models = await listLmModels(this.deps.port, this.deps.watch.facts());
    return models.map((lm) => ({
      id: lm.id,
      name: lm.name,
      family: lm.family,
      version: lm.version,
      detail: lm.detail,
      tooltip: lm.tooltip,
      maxInputTokens: lm.maxInputTokens,
      maxOutputTokens: lm.maxOutputTokens,
      capabilities: { toolCalling: true, imageInput: false },
      lm,
    }));
  }

  async provideLanguageModelChatResponse(
    model: HearthModelInformation,
    messages: readonly LanguageModelChatRequestMessage[],
    options: ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const controller = new AbortController();
    // Cancelling aborts the HTTP request, and Hearth's server stops generating when its client goes.
    const cancelled = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
      const result = await sendLmRequest(
        this.deps.port,
        model.lm,
        {
          messages: messages.map(toLmMessage),
          tools: toToolSpecs(options.tools),
          toolMode: options.toolMode === vscode.LanguageModelChatToolMode.Required ? "required" : "auto",
          ...(options.modelOptions !== undefined ? { modelOptions: options.modelOptions } : {}),
        },
        { text: (text) => progress.report(textPart(text)), toolCall: (call) => progress.report(toolCallPart(call)) },
        controller.signal,
      );
      this.deps.log.info(`languageModel: ${model.id} answered on ${result.provider} (${result.model})${result.toolCalls !== undefined ? `, ${result.toolCalls.length} tool call(s)` : ""}${result.auditId !== undefined ? `, audit ${result.auditId}` : ""}`);
    } catch (error) {
      if (controller.signal.aborted || isCancelled(error)) throw new vscode.CancellationError();
      this.deps.log.warn(`languageModel: ${model.id}: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      cancelled.dispose();
    }
  }

  async provideTokenCount(_model: HearthModelInformation, text: string | LanguageModelChatRequestMessage, token: vscode.CancellationToken): Promise<number> {
    const controller = new AbortController();
    const cancelled = token.onCancellationRequested(() => controller.abort());
    try {
      return await countLmTokens(this.deps.port, typeof text === "string" ? text : toLmMessage(text), controller.signal);
    } finally {
      cancelled.dispose();
    }
  }
}

/**
 * Registers vendor `hearth` where VS Code has the finalised API (1.104 and later); on an
 * older VS Code, logs why Hearth's models are not offered and registers nothing.
 */
export function registerHearthChatProvider(deps: HearthChatProviderDeps): vscode.Disposable | undefined {
  const register = chatProviderRegistration(vscode);
  if (register === undefined) {
    deps.log.info(`VS Code ${vscode.version} has no finalised language-model provider API (it came in 1.104): Hearth's models are not offered to VS Code's chat or to other extensions.`);
    return undefined;
  }
  try {
    return register(HEARTH_VENDOR, new HearthChatProvider(deps));
  } catch (error) {
    deps.log.warn(`VS Code ${vscode.version} refused Hearth's language-model provider: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
