import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import type { RepoSettings } from "../../core/repo/index.js";
import { SettingProblems } from "../settingProblems.js";

export const REPO_DEFAULTS = { maxFileKB: 256, exclude: [] as string[], answerTokens: 2048 };

/**
 * The typed view of `hearth.repo.*` plus VS Code's own `files.exclude` for a folder (the
 * rest of `hearth.*` is config.ts). A wrong value is reported once, naming the setting,
 * and the default is used. Read on every question, so a change applies to the next one.
 */
export class RepoConfig {
  private readonly problems: SettingProblems;

  constructor(log: Logger) {
    this.problems = new SettingProblems(log);
  }

  read(folder: vscode.Uri | undefined): RepoSettings {
    const section = vscode.workspace.getConfiguration("hearth.repo", folder);
    const maxFileKB = section.get<unknown>("maxFileKB");
    const answerTokens = section.get<unknown>("answerTokens");
    const exclude = section.get<unknown>("exclude");
    const kb = typeof maxFileKB === "number" && Number.isFinite(maxFileKB) && maxFileKB > 0 ? maxFileKB : this.problems.fallback("hearth.repo.maxFileKB", maxFileKB, REPO_DEFAULTS.maxFileKB);
    return {
      maxFileBytes: Math.round(kb * 1024),
      answerTokens:
        typeof answerTokens === "number" && Number.isInteger(answerTokens) && answerTokens >= 16 ? answerTokens : this.problems.fallback("hearth.repo.answerTokens", answerTokens, REPO_DEFAULTS.answerTokens),
      exclude: [...this.globs(exclude), ...filesExclude(folder)],
    };
  }

  private globs(value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || value.some((g) => typeof g !== "string")) return this.problems.fallback("hearth.repo.exclude", value, REPO_DEFAULTS.exclude);
    return value as string[];
  }
}

/** The enabled patterns of `files.exclude` (a `when` clause counts as enabled: leaving out too much is the safe side). */
function filesExclude(folder: vscode.Uri | undefined): string[] {
  const value = vscode.workspace.getConfiguration("files", folder).get<Record<string, unknown>>("exclude") ?? {};
  return Object.entries(value)
    .filter(([, on]) => on === true || (typeof on === "object" && on !== null))
    .map(([glob]) => glob)
    .sort();
}
