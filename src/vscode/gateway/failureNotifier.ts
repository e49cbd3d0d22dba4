// Gateway refusals and provider failures, told to the user: one notification per distinct
// failure (a repeat while it is still on screen is only logged), with a button for the one
// thing the message says to do: set a key, restart the server, open the policy or a setting.
import * as vscode from "vscode";
import { isGatewayRefusal } from "../../core/gateway";
import type { Logger } from "../../core/logger";
import { isProviderError, SET_KEY_COMMANDS } from "../../core/providers";

export interface FailureAction {
  /** Button text. */
  readonly title: string;
  /** Shown when the message contains this text. */
  readonly when: string | RegExp;
  readonly command: string;
  readonly args?: readonly unknown[];
}

export const SET_KEY_COMMAND_IDS = {
  openai: "hearth.setOpenAiKey",
  anthropic: "hearth.setAnthropicKey",
  selfHosted: "hearth.setSelfHostedKey",
} as const;

/** Actions in the order they are offered; at most two buttons per notification. */
export const FAILURE_ACTIONS: readonly FailureAction[] = [
  { title: "Set OpenAI API key", when: SET_KEY_COMMANDS.openai, command: SET_KEY_COMMAND_IDS.openai },
  { title: "Set Anthropic API key", when: SET_KEY_COMMANDS.anthropic, command: SET_KEY_COMMAND_IDS.anthropic },
  { title: "Set Self-Hosted API key", when: SET_KEY_COMMANDS.selfHosted, command: SET_KEY_COMMAND_IDS.selfHosted },
  { title: "Set API Key for External Server", when: "Set API Key for External Server", command: "hearth.setServerApiKey" },
  { title: "Restart Model Server", when: "Restart Model Server", command: "hearth.restartServer" },
  { title: "Open Self-Hosted Setting", when: "hearth.selfHosted.url", command: "workbench.action.openSettings", args: ["hearth.selfHosted.url"] },
  { title: "Open Server URL Setting", when: "hearth.server.url", command: "workbench.action.openSettings", args: ["hearth.server.url"] },
  { title: "Open Privacy Policy", when: /policy|neverSend|keep it on this machine/i, command: "hearth.openPolicy" },
  { title: "Show Logs", when: /Show Logs|audit log/, command: "hearth.showLogs" },
];

export class FailureNotifier {
  private readonly showing = new Set<string>();

  constructor(private readonly log: Logger) {}

  /**
   * Shows a GatewayRefusal or ProviderError (anything else as an unexpected error). Resolves
   * when the notification is dismissed or its action has run. Cancellation shows nothing.
   */
  async notify(error: unknown): Promise<void> {
    if (isProviderError(error) && error.kind === "cancelled") return;
    const message = error instanceof Error ? error.message : String(error);
    const kind = isGatewayRefusal(error) ? `refusal:${error.code}` : isProviderError(error) ? `${error.provider}:${error.kind}` : "unexpected";
    this.log.error(error instanceof Error ? error : `${kind}: ${message}`);
    const key = `${kind}\u0000${message}`;
    if (this.showing.has(key)) return;
    this.showing.add(key);
    try {
      const actions = actionsFor(message);
      const show = isGatewayRefusal(error) ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
      const choice = await show(`Hearth: ${message}`, ...actions.map((a) => a.title));
      const action = actions.find((a) => a.title === choice);
      if (action !== undefined) await vscode.commands.executeCommand(action.command, ...(action.args ?? []));
    } finally {
      this.showing.delete(key);
    }
  }
}

export function actionsFor(message: string): FailureAction[] {
  return FAILURE_ACTIONS.filter((a) => (typeof a.when === "string" ? message.includes(a.when) : a.when.test(message))).slice(0, 2);
}
