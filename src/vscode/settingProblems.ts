import * as vscode from "vscode";
import type { Logger } from "../core/logger.js";

/**
 * Reports a setting with an invalid value once per value, naming the setting and the
 * fallback used, with a button that opens it; returns the fallback so readers can go on.
 */
export class SettingProblems {
  private readonly reported = new Set<string>();

  constructor(private readonly log: Logger) {}

  /**
   * `why`: what is wrong, when the value alone does not say (e.g. one bad entry of an object);
   * `using`: what is used instead, when it is not the default.
   */
  fallback<T>(setting: string, value: unknown, fallback: T, why?: string, using = "the default"): T {
    const key = `${setting}=${JSON.stringify(value)}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      const message = why === undefined ? `Hearth: ${setting} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}.` : `Hearth: ${setting}: ${why}; using ${using}.`;
      this.log.warn(message);
      // A map entry such as hearth.completion.languages.markdown opens its map setting.
      const openable = setting.split(".").slice(0, 3).join(".");
      void vscode.window.showWarningMessage(message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", openable);
      });
    }
    return fallback;
  }
}
