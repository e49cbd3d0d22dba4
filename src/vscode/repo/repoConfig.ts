import type * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import type { RepoSettings } from "../../core/repo/index.js";
import { readRepoSettings } from "../config.js";
import { SettingProblems } from "../settingProblems.js";

/**
 * `hearth.repo.*` plus VS Code's own `files.exclude` for a folder (read by config.ts). A
 * wrong value is reported once, naming the setting, and the default is used. Read on every
 * question, so a change applies to the next one.
 */
export class RepoConfig {
  private readonly problems: SettingProblems;

  constructor(log: Logger) {
    this.problems = new SettingProblems(log);
  }

  read(folder: vscode.Uri | undefined): RepoSettings {
    return readRepoSettings(this.problems, folder);
  }
}
