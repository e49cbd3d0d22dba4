// Hearth's models for VS Code's language-model API: the model watch and the provider, wired.
import type * as vscode from "vscode";
import type { Gateway } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import type { ModelService } from "../modelService";
import type { PolicyService } from "../policy";
import { registerHearthChatProvider } from "./hearthChatProvider";
import { LmModelWatch } from "./lmModelWatch";

export { HEARTH_VENDOR } from "./hearthChatProvider";

export function registerLanguageModels(deps: { readonly gateway: Gateway; readonly modelService: ModelService; readonly policy: PolicyService; readonly secrets: vscode.SecretStorage; readonly log: Logger }): vscode.Disposable[] {
  const watch = new LmModelWatch(deps.modelService, deps.policy, deps.secrets);
  const provider = registerHearthChatProvider({ port: deps.gateway.port("languageModel"), watch, log: deps.log });
  return provider === undefined ? [watch] : [provider, watch];
}
