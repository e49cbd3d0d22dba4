// `ask` in a policy: the user sees the exact payload before it leaves and answers Send once,
// Always for this workspace, or Keep it local. "Always" is remembered per workspace, for
// one feature and one model: agreeing that chat may go to GPT-4o-mini does not let a
// repository question, or another vendor, go too.
import type { Feature, RouteProvider } from "../policy";
import type { PayloadSummary } from "./gatewayTypes";

export type ConsentAnswer = "once" | "always" | "local";

export interface ConsentPrompt {
  /**
   * Shown before anything leaves. A dismissed prompt should answer "local": the safe side.
   * `signal` aborts when the request is cancelled, so the adapter can close its dialog.
   */
  ask(summary: PayloadSummary, signal?: AbortSignal): Promise<ConsentAnswer>;
}

/** Per-workspace memory of "Always" (VS Code: `context.workspaceState`). */
export interface ConsentMemory {
  isRemembered(key: string): boolean | PromiseLike<boolean>;
  remember(key: string): void | PromiseLike<void>;
}

export function consentKey(feature: Feature, provider: RouteProvider, model: string): string {
  return `hearth.consent:${feature}->${provider}:${model}`;
}

/** A ConsentMemory that lives as long as the object: for tests and for a session without storage. */
export class InMemoryConsentMemory implements ConsentMemory {
  readonly keys = new Set<string>();

  isRemembered(key: string): boolean {
    return this.keys.has(key);
  }

  remember(key: string): void {
    this.keys.add(key);
  }
}
