import * as vscode from "vscode";
import { SettingProblems } from "../settingProblems.js";
import { readCompletionSettings, type CompletionConfigValue } from "../config.js";
import type { Logger } from "../../core/logger.js";

/**
 * `hearth.completion.*` (read by config.ts), kept current. A wrong value is reported once,
 * naming the setting, and the default is used.
 */
export class CompletionConfig implements vscode.Disposable {
  private current: CompletionConfigValue;
  private readonly problems: SettingProblems;
  private readonly emitter = new vscode.EventEmitter<CompletionConfigValue>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(log: Logger) {
    this.problems = new SettingProblems(log);
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration("hearth.completion")) return;
      const previous = this.current;
      this.current = this.read();
      if (JSON.stringify(previous) !== JSON.stringify(this.current)) this.emitter.fire(this.current);
    });
  }

  get value(): CompletionConfigValue {
    return this.current;
  }

  /** Whether automatic suggestions run in `languageId`. */
  languageEnabled(languageId: string): boolean {
    const languages = this.current.languages;
    return languages[languageId] ?? languages["*"] ?? true;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private read(): CompletionConfigValue {
    return readCompletionSettings(this.problems);
  }
}
