// What applying a model plan changes in the settings: the plan's model per role and context,
// written only where the user has not chosen a value (a value Hearth wrote by an earlier
// apply is Hearth's to replace). Pure: the editor reads the settings, this decides, the editor
// writes.
import { describeRolePlan, type ModelPlan } from "../hardware/planner.js";

export type PlanSettingKey = "hearth.model" | "hearth.completion.model" | "hearth.server.contextSize";
export const PLAN_SETTING_KEYS: readonly PlanSettingKey[] = ["hearth.model", "hearth.completion.model", "hearth.server.contextSize"];

export interface PlanSettingNow {
  /** The value in effect (the default when nobody set one). */
  readonly value: unknown;
  /** Set by the user (in any scope), not by an earlier apply of a plan. */
  readonly userSet: boolean;
}

export interface PlanSettingWrite {
  readonly key: PlanSettingKey;
  readonly value: string | number;
  /** What the value gives, in words ("chat 9B Q4_K_M, ~14 tok/s"). */
  readonly why: string;
}

export interface PlanSettingsDecision {
  readonly writes: readonly PlanSettingWrite[];
  /** Settings the user chose, left as they are (they override the plan). */
  readonly kept: readonly { key: PlanSettingKey; value: unknown }[];
  /** Settings the plan has no single value for, and why. */
  readonly notApplied: readonly { key: PlanSettingKey; why: string }[];
}

export function planSettings(plan: ModelPlan, now: Readonly<Record<PlanSettingKey, PlanSettingNow>>): PlanSettingsDecision {
  const writes: PlanSettingWrite[] = [];
  const kept: { key: PlanSettingKey; value: unknown }[] = [];
  const notApplied: { key: PlanSettingKey; why: string }[] = [];
  const propose = (key: PlanSettingKey, value: string | number, why: string): void => {
    if (now[key].userSet) kept.push({ key, value: now[key].value });
    else if (now[key].value !== value) writes.push({ key, value, why });
  };
  const { chat, completion, repo } = plan.roles;
  if (chat.model) propose("hearth.model", chat.model.uri, `chat, edit and repository questions: ${describeRolePlan(chat)}`);
  else notApplied.push({ key: "hearth.model", why: plan.problems[0] ?? "no model fits this machine" });
  if (completion.model) {
    // The same model for suggestions is the empty setting: the server loads it once.
    const same = completion.model === chat.model || completion.model.uri === chat.model?.uri;
    propose("hearth.completion.model", same ? "" : completion.model.uri, `inline suggestions: ${describeRolePlan(completion)}${same ? " (the chat model)" : ""}`);
  }
  if (chat.model) {
    // One setting sizes the chat context and, by default, the repository one: it takes a
    // number only when the plan gives both the same; otherwise "auto" lets the server size
    // each to free memory.
    if (chat.contextSize === repo.contextSize) propose("hearth.server.contextSize", chat.contextSize, `a ${chat.contextSize.toLocaleString("en-US")}-token context for chat and repository questions`);
    else if (!now["hearth.server.contextSize"].userSet) {
      notApplied.push({ key: "hearth.server.contextSize", why: `the plan sizes chat to ${chat.contextSize.toLocaleString("en-US")} tokens and repository questions to ${repo.contextSize.toLocaleString("en-US")}; one setting cannot say both, so it stays "auto" and the server sizes each to free memory` });
    } else kept.push({ key: "hearth.server.contextSize", value: now["hearth.server.contextSize"].value });
  }
  return { writes, kept, notApplied };
}
