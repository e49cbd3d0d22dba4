// The user's `hearth.policy` setting, checked: any value a settings file can hold comes in,
// the user's defaults and the setting's problems come out. A setting with errors is
// ignored (Hearth's built-in defaults apply) rather than half-applied.
import { parsePolicy } from "./parsePolicy";
import type { PolicyDiagnostic } from "./policyDiagnostic";
import { BUILTIN_USER_DEFAULTS, type UserPolicyDefaults } from "./policyModel";
import { policyProblem } from "./folderPolicyRead";
import { applyUserOverrides } from "./userPolicyDefaults";

export interface UserPolicySettingValue {
  readonly defaults: UserPolicyDefaults;
  readonly problems: readonly PolicyDiagnostic[];
  /** The setting was ignored because of its problems: the built-in defaults apply. */
  readonly ignored: boolean;
}

/** `setting`: the setting's name, for messages (`hearth.policy`). */
export function parseUserPolicySetting(value: unknown, setting: string): UserPolicySettingValue {
  let defaults = BUILTIN_USER_DEFAULTS;
  let problems: readonly PolicyDiagnostic[] = [];
  if (value !== undefined && value !== null) {
    if (typeof value !== "object" || Array.isArray(value)) {
      problems = policyProblem(setting, "not-an-object", `must be an object like a .hearth/policy.json file, not ${JSON.stringify(value)}`).diagnostics;
    } else {
      let text: string;
      try {
        text = JSON.stringify(value, null, 2);
      } catch (error) {
        text = "";
        problems = policyProblem(setting, "unreadable", `cannot be read (${error instanceof Error ? error.message : String(error)})`).diagnostics;
      }
      if (text !== "") {
        const parsed = parsePolicy(text, `settings: ${setting}`);
        problems = parsed.diagnostics;
        if (parsed.policy) defaults = applyUserOverrides(parsed.policy);
      }
    }
  }
  return { defaults, problems, ignored: defaults === BUILTIN_USER_DEFAULTS };
}
