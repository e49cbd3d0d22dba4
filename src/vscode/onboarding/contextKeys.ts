// How the walkthrough's steps learn that the user did each thing. Two ways, both from the code
// paths where it happened (a command an extension runs itself never reaches the walkthrough's
// `onCommand:` events):
// - the context keys of package.json's `completionEvents` (`onContext:<key>`);
// - VS Code's `welcome.markStepComplete` for the step itself. VS Code creates its walkthrough
//   service lazily, when a walkthrough is first shown, and a context key already true by then
//   never ticks its step; marking the step records it whenever the service comes.
import * as vscode from "vscode";
import { WALKTHROUGH_ID } from "./walkthrough.js";

export const ONBOARDING_KEYS = {
  /** The model plan was accepted or the settings opened to change it. */
  planDecided: "hearth.onboarding.planDecided",
  /** Every model the settings name is on disk (the server became ready). */
  modelsReady: "hearth.onboarding.modelsReady",
  /** An inline suggestion was accepted (Tab). */
  suggestionAccepted: "hearth.onboarding.suggestionAccepted",
  /** A chat message went to a model. */
  chatSent: "hearth.onboarding.chatSent",
  /** A question about the repository went to a model. */
  repoAsked: "hearth.onboarding.repoAsked",
} as const;

export type OnboardingKey = keyof typeof ONBOARDING_KEYS;

/** The walkthrough step each key completes (package.json's step ids). */
const STEP_OF_KEY: Readonly<Record<OnboardingKey, string>> = { planDecided: "plan", modelsReady: "download", suggestionAccepted: "ghostText", chatSent: "chat", repoAsked: "repo" };

/** The steps done in any window so far (globalState), so a done step costs a request nothing. */
const DONE_STATE_KEY = "hearth.onboarding.done";

const isOnboardingKey = (value: unknown): value is OnboardingKey => typeof value === "string" && Object.hasOwn(ONBOARDING_KEYS, value);

export class OnboardingProgress {
  private readonly done: Set<OnboardingKey>;

  constructor(private readonly state?: vscode.Memento) {
    const saved = state?.get<unknown>(DONE_STATE_KEY);
    this.done = new Set(Array.isArray(saved) ? saved.filter(isOnboardingKey) : []);
    // Context keys live as long as the window: those of steps done earlier are set again.
    for (const key of this.done) void vscode.commands.executeCommand("setContext", ONBOARDING_KEYS[key], true);
  }

  /** Once is enough: VS Code keeps a completed step completed. */
  mark(key: OnboardingKey): void {
    if (this.done.has(key)) return;
    this.done.add(key);
    void Promise.resolve(this.state?.update(DONE_STATE_KEY, [...this.done])).catch(() => undefined);
    void vscode.commands.executeCommand("setContext", ONBOARDING_KEYS[key], true);
    // An internal command of VS Code's: where it is missing, or the walkthrough is not registered
    // yet (it records the step all the same), the context key above still counts.
    void Promise.resolve(vscode.commands.executeCommand("welcome.markStepComplete", `${WALKTHROUGH_ID}#${STEP_OF_KEY[key]}`)).catch(() => undefined);
  }

  has(key: OnboardingKey): boolean {
    return this.done.has(key);
  }
}
