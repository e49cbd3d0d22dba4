import * as vscode from "vscode";
import { SettingProblems } from "../settingProblems.js";
import type { CompletionMode } from "../../core/complete/completionEngine.js";
import type { FimLayout } from "../../core/complete/completionPrompt.js";
import type { Logger } from "../../core/logger.js";

export interface CompletionConfigValue {
  enabled: boolean;
  /** Language id → whether automatic suggestions run there; `*` is the default. */
  languages: Readonly<Record<string, boolean>>;
  mode: CompletionMode;
  fimLayout: FimLayout;
}

export const COMPLETION_DEFAULTS: CompletionConfigValue = {
  enabled: true,
  languages: { "*": true, plaintext: false, scminput: false },
  mode: "auto",
  fimLayout: "spm",
};

/**
 * The typed view of `hearth.completion.*` (the rest of `hearth.*` is config.ts). A wrong
 * value is reported once, naming the setting, and the default is used.
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
    const section = vscode.workspace.getConfiguration("hearth.completion");
    const enabled = section.get<unknown>("enabled");
    const languages = section.get<unknown>("languages");
    const mode = section.get<unknown>("mode");
    const layout = section.get<unknown>("fimLayout");
    return {
      enabled: typeof enabled === "boolean" ? enabled : this.problems.fallback("hearth.completion.enabled", enabled, COMPLETION_DEFAULTS.enabled),
      languages: this.readLanguages(languages),
      mode: mode === "auto" || mode === "fim" || mode === "chat" ? mode : this.problems.fallback("hearth.completion.mode", mode, COMPLETION_DEFAULTS.mode),
      fimLayout: layout === "spm" || layout === "psm" ? layout : this.problems.fallback("hearth.completion.fimLayout", layout, COMPLETION_DEFAULTS.fimLayout),
    };
  }

  private readLanguages(value: unknown): Record<string, boolean> {
    if (value === undefined || value === null) return { ...COMPLETION_DEFAULTS.languages };
    if (typeof value !== "object" || Array.isArray(value)) return this.problems.fallback("hearth.completion.languages", value, { ...COMPLETION_DEFAULTS.languages });
    const result: Record<string, boolean> = {};
    for (const [language, on] of Object.entries(value as Record<string, unknown>)) {
      if (typeof on === "boolean") result[language] = on;
      else this.problems.fallback(`hearth.completion.languages.${language}`, on, true);
    }
    return result;
  }
}
