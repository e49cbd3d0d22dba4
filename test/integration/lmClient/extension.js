// @ts-check
// A second extension for Hearth's integration tests (the harness installs it beside Hearth
// in every pass): it finds Hearth's models with vscode.lm.selectChatModels and
// calls them with sendRequest, as any extension would, and returns what came back to the
// test as plain data. Plain JavaScript so that the workbench can load it without a build.
"use strict";
/* global require, module */
// VS Code loads an extension's main with require(): this file is CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const vscode = require("vscode");

/** @param {vscode.ExtensionContext} context */
function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("hearthLmClient.models", models),
    vscode.commands.registerCommand("hearthLmClient.run", run),
  );
}

/** Hearth's models as this extension sees them. */
async function models() {
  const found = await vscode.lm.selectChatModels({ vendor: "hearth" });
  return found.map((m) => ({ id: m.id, name: m.name, vendor: m.vendor, family: m.family, version: m.version, maxInputTokens: m.maxInputTokens }));
}

/**
 * One request. `request.messages` are {role: "user" | "assistant", parts: [{kind: "text", text}
 * | {kind: "toolCall", callId, name, input} | {kind: "toolResult", callId, text}]}.
 * @param {{ modelId: string, messages: Array<{ role: string, parts: Array<Record<string, any>> }>, tools?: vscode.LanguageModelChatTool[], toolMode?: "auto" | "required", modelOptions?: Record<string, unknown>, cancelAfterFirstText?: boolean, countTokensOf?: string }} request
 */
async function run(request) {
  const [model] = await vscode.lm.selectChatModels({ vendor: "hearth", id: request.modelId });
  if (model === undefined) return { parts: [], error: { name: "NotFound", message: `no Hearth model ${request.modelId}` } };
  const messages = request.messages.map((m) => (m.role === "assistant" ? vscode.LanguageModelChatMessage.Assistant(m.parts.map(part)) : vscode.LanguageModelChatMessage.User(m.parts.map(part))));
  const source = new vscode.CancellationTokenSource();
  /** @type {Array<Record<string, unknown>>} */
  const parts = [];
  try {
    const tokens = request.countTokensOf !== undefined ? await model.countTokens(request.countTokensOf) : undefined;
    const response = await model.sendRequest(
      messages,
      {
        justification: "Hearth's integration tests",
        ...(request.tools !== undefined ? { tools: request.tools } : {}),
        ...(request.toolMode === "required" ? { toolMode: vscode.LanguageModelChatToolMode.Required } : {}),
        ...(request.modelOptions !== undefined ? { modelOptions: request.modelOptions } : {}),
      },
      source.token,
    );
    for await (const piece of response.stream) {
      if (piece instanceof vscode.LanguageModelTextPart) {
        parts.push({ kind: "text", value: piece.value });
        if (request.cancelAfterFirstText === true) source.cancel();
      } else if (piece instanceof vscode.LanguageModelToolCallPart) {
        parts.push({ kind: "toolCall", callId: piece.callId, name: piece.name, input: piece.input });
      } else {
        parts.push({ kind: "other" });
      }
    }
    return { parts, tokens, cancelled: source.token.isCancellationRequested };
  } catch (error) {
    const e = /** @type {{ name?: string, message?: string, code?: string }} */ (error);
    return { parts, cancelled: source.token.isCancellationRequested, error: { name: e.name, message: e.message, code: e.code } };
  } finally {
    source.dispose();
  }
}

/** @param {Record<string, any>} p */
function part(p) {
  if (p.kind === "toolCall") return new vscode.LanguageModelToolCallPart(p.callId, p.name, p.input);
  if (p.kind === "toolResult") return new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.text)]);
  return new vscode.LanguageModelTextPart(p.text);
}

module.exports = { activate };
