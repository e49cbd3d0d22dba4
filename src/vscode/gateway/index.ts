// The gateway's VS Code side: providers, policy, consent, audit and usage wired together,
// plus its commands. extension.ts calls registerGateway once and pushes the disposables.
import type * as vscode from "vscode";
import type { AuditLog, UsageLedger } from "../../core/audit";
import type { Gateway } from "../../core/gateway";
import { createGateway, type GatewayDeps, type GatewayServices } from "./createGateway";
import type { FailureNotifier } from "./failureNotifier";
import { registerGatewayCommands } from "./gatewayCommands";

export { createGateway, policyUri, type GatewayDeps, type GatewayHost, type GatewayOverrides, type GatewayServices } from "./createGateway";
export { registerGatewayCommands, dryRunRequest, GATEWAY_COMMANDS, DRY_RUN_QUESTION } from "./gatewayCommands";
export { ModalConsentPrompt, consentMessage, consentDetail, SEND_ONCE, ALWAYS_FOR_WORKSPACE, KEEP_LOCAL, SHOW_PAYLOAD } from "./consentDialog";
export { FailureNotifier, actionsFor, FAILURE_ACTIONS, SET_KEY_COMMAND_IDS, type FailureAction } from "./failureNotifier";
export { WorkspaceConsentMemory } from "./workspaceConsentMemory";
export { isLoopbackUrl } from "./loopback";
export { payloadDocument, previewDocument } from "./payloadDocument";
export { usageMarkdown } from "./usageReport";

export interface RegisteredGateway {
  readonly gateway: Gateway;
  readonly audit: AuditLog;
  readonly usage: UsageLedger;
  /** Shows a GatewayRefusal or ProviderError once, with the button its message names. */
  readonly notifier: FailureNotifier;
  readonly services: GatewayServices;
  /** For context.subscriptions. */
  readonly disposables: readonly vscode.Disposable[];
}

export function registerGateway(context: vscode.ExtensionContext, deps: GatewayDeps): RegisteredGateway {
  const services = createGateway({ secrets: context.secrets, workspaceState: context.workspaceState, storageDir: context.globalStorageUri.fsPath }, deps);
  return {
    gateway: services.gateway,
    audit: services.audit,
    usage: services.usage,
    notifier: services.notifier,
    services,
    disposables: [services, ...registerGatewayCommands(context.secrets, services, deps.log, deps.pricing)],
  };
}
