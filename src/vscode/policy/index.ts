// The privacy policy's VS Code side. extension.ts calls registerPolicy once.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import { PolicyService } from "./policyService.js";
import { PolicyStatusBar } from "./policyStatusBar.js";

export { PolicyService, type PolicyServiceOptions } from "./policyService.js";
export type { PolicySnapshot, PolicyChangeEvent, PolicyFileState, PolicyConsentState } from "./policySnapshot.js";
export { POLICY_FILE } from "./folderPolicyFile.js";
export { POLICY_SETTING } from "./userPolicySetting.js";
export { DIAGNOSTICS_NAME } from "./policyDiagnostics.js";
export { ConsentStore, type ConsentDecision } from "./consentStore.js";
export { describePolicy, PolicyStatusBar, POLICY_STATUS_ID, type PolicyView } from "./policyStatusBar.js";
export { openPolicyFile, POLICY_TEMPLATE } from "./openPolicy.js";
export { requestFolders, urisOfRequest } from "./requestFolders.js";
export { NeverSendFiles, type NeverSendFilesOptions, type NeverSendPolicySource } from "./neverSendFiles.js";
export { ALLOW_ACTION, KEEP_ACTION, OPEN_POLICY_ACTION, NotificationPolicyPrompts, type PolicyPrompts } from "./policyPrompts.js";

/** Builds the policy service and its status bar item; both are disposed with the extension. */
export function registerPolicy(context: vscode.ExtensionContext, log: Logger): PolicyService {
  const service = new PolicyService({ state: context.globalState, log });
  context.subscriptions.push(service, new PolicyStatusBar(service));
  return service;
}
