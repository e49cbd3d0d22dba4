// VS Code's LanguageModelChatProvider API, finalised in VS Code 1.104, declared here for the
// parts Hearth uses. Hearth still runs on VS Code 1.100 (engines.vscode, @types/vscode 1.100):
// a newer @types/vscode would let the code call 1.104 API unchecked, and vsce refuses to
// package an extension whose @types/vscode is newer than its engines. So the types are local
// and the API is looked for at run time; on an older VS Code, Hearth's models are not offered.
import type * as vscode from "vscode";

/** The first VS Code whose `vscode.lm.registerLanguageModelChatProvider` is finalised. */
export const CHAT_PROVIDER_MIN_VSCODE = "1.104.0";

export interface LanguageModelChatInformation {
  readonly id: string;
  readonly name: string;
  readonly family: string;
  readonly tooltip?: string;
  readonly detail?: string;
  readonly version: string;
  readonly maxInputTokens: number;
  readonly maxOutputTokens: number;
  readonly capabilities: { readonly imageInput?: boolean; readonly toolCalling?: boolean | number };
}

export interface LanguageModelChatRequestMessage {
  readonly role: vscode.LanguageModelChatMessageRole;
  readonly content: ReadonlyArray<vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart | vscode.LanguageModelToolCallPart | unknown>;
  readonly name: string | undefined;
}

/**
 * What VS Code passes with a request. There is no field naming the extension that made it:
 * the finalised API carries the model options, the tools and the tool mode only.
 */
export interface ProvideLanguageModelChatResponseOptions {
  readonly modelOptions?: { readonly [name: string]: unknown };
  readonly tools?: readonly vscode.LanguageModelChatTool[];
  readonly toolMode: vscode.LanguageModelChatToolMode;
}

export type LanguageModelResponsePart = vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart | vscode.LanguageModelToolCallPart;

export interface PrepareLanguageModelChatModelOptions {
  readonly silent: boolean;
}

export interface LanguageModelChatProvider<T extends LanguageModelChatInformation = LanguageModelChatInformation> {
  readonly onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: PrepareLanguageModelChatModelOptions, token: vscode.CancellationToken): vscode.ProviderResult<T[]>;
  provideLanguageModelChatResponse(
    model: T,
    messages: readonly LanguageModelChatRequestMessage[],
    options: ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Thenable<void>;
  provideTokenCount(model: T, text: string | LanguageModelChatRequestMessage, token: vscode.CancellationToken): Thenable<number>;
}

export type RegisterChatProvider = <T extends LanguageModelChatInformation>(vendor: string, provider: LanguageModelChatProvider<T>) => vscode.Disposable;

/**
 * `vscode.lm.registerLanguageModelChatProvider` where this VS Code has it finalised; else
 * undefined. Before 1.104 a proposed function of that name may exist that throws for
 * extensions without the proposal, so the version is checked too.
 */
export function chatProviderRegistration(api: { readonly version: string; readonly lm: object }): RegisterChatProvider | undefined {
  if (!atLeast(api.version, CHAT_PROVIDER_MIN_VSCODE)) return undefined;
  const register = (api.lm as { registerLanguageModelChatProvider?: unknown }).registerLanguageModelChatProvider;
  return typeof register === "function" ? (register.bind(api.lm) as RegisterChatProvider) : undefined;
}

/** `1.104.0`, `1.105.0-insider`: compared as numbers, major then minor then patch. */
export function atLeast(version: string, minimum: string): boolean {
  const parts = (v: string): number[] => v.split(/[.-]/, 3).map((p) => Number.parseInt(p, 10) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}
