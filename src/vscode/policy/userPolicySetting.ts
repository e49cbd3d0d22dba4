// The user's own policy defaults, from their `hearth.policy` setting (the user's value
// only: a workspace must not widen its own limits through settings), kept current. Its
// problems are logged and shown once per distinct set.
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import { BUILTIN_USER_DEFAULTS, parseUserPolicySetting, type PolicyDiagnostic, type UserPolicyDefaults } from "../../core/policy/index.js";
import type { PolicyPrompts } from "./policyPrompts.js";

export const POLICY_SETTING = "hearth.policy";

export interface UserPolicySettingOptions {
  readonly log: Logger;
  readonly prompts: PolicyPrompts;
  /** The setting's user (global) value. */
  readonly value: () => unknown;
  /** The setting changed and has been read again. */
  readonly changed: () => void;
}

export class UserPolicySetting implements vscode.Disposable {
  private current: { readonly defaults: UserPolicyDefaults; readonly problems: readonly PolicyDiagnostic[] } = { defaults: BUILTIN_USER_DEFAULTS, problems: [] };
  private readonly reportedProblems = new Set<string>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly options: UserPolicySettingOptions) {
    this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(POLICY_SETTING)) return;
      this.read();
      options.changed();
    });
  }

  get defaults(): UserPolicyDefaults {
    return this.current.defaults;
  }

  get problems(): readonly PolicyDiagnostic[] {
    return this.current.problems;
  }

  /** Reads the setting again (without telling `changed`). */
  read(): void {
    const { defaults, problems, ignored } = parseUserPolicySetting(this.options.value(), POLICY_SETTING);
    this.current = { defaults, problems };
    if (problems.length === 0) return;
    const key = problems.map((p) => `${p.code}|${p.path}|${p.message}`).join("\n");
    if (this.reportedProblems.has(key)) return;
    this.reportedProblems.add(key);
    for (const p of problems) this.options.log.warn(`Hearth policy: ${POLICY_SETTING}: ${p.path === "" ? "" : `${p.path}: `}${p.message}`);
    this.options.prompts.invalidSetting(problems, ignored);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
