// The context keys the walkthrough's steps complete on (package.json `completionEvents`:
// `onContext:<key>`). They are set from the code paths where the thing happened, since a
// command an extension runs itself never reaches the walkthrough's `onCommand:` events.
import * as vscode from "vscode";

export const ONBOARDING_KEYS = {
  /** The model plan was accepted or the settings opened to change it. */
  planDecided: "hearth.onboarding.planDecided",
  /** Every model the settings name is on disk. */
  modelsReady: "hearth.onboarding.modelsReady",
  /** An inline suggestion was accepted (Tab). */
  suggestionAccepted: "hearth.onboarding.suggestionAccepted",
  /** A chat message went to a model. */
  chatSent: "hearth.onboarding.chatSent",
  /** An edit's proposal was applied. */
  editApplied: "hearth.onboarding.editApplied",
  /** A question about the repository went to a model. */
  repoAsked: "hearth.onboarding.repoAsked",
} as const;

export type OnboardingKey = keyof typeof ONBOARDING_KEYS;

/** Sets the key (once per window is enough: VS Code keeps a completed step completed). */
export class OnboardingProgress {
  private readonly done = new Set<OnboardingKey>();

  mark(key: OnboardingKey): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    void vscode.commands.executeCommand("setContext", ONBOARDING_KEYS[key], true);
  }

  has(key: OnboardingKey): boolean {
    return this.done.has(key);
  }
}
