// The progress notification's line for each phase of a repo question:
//   "Reading the repository: 12,345 / 80,000 tokens · 1,800 tok/s · 40 s left"
import * as vscode from "vscode";
import type { RepoProgress } from "../../core/repo/index.js";

export function progressText(progress: RepoProgress): string {
  const n = (value: number): string => Math.round(value).toLocaleString(vscode.env.language);
  switch (progress.phase) {
    case "packing":
      return vscode.l10n.t("Packing the repository…");
    case "loading": {
      const gb = (bytes: number): string => (bytes / 1024 ** 3).toLocaleString(vscode.env.language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      return progress.step === "checking"
        ? vscode.l10n.t("Checking the saved repository state: {0} / {1} GB", gb(progress.bytes), gb(progress.totalBytes))
        : vscode.l10n.t("Loading the saved repository state ({0} GB)…", gb(progress.totalBytes));
    }
    case "answering":
      return vscode.l10n.t("Answering…");
    case "reading": {
      const parts = [vscode.l10n.t("Reading the repository: {0} / {1} tokens", n(progress.done), n(progress.total))];
      if (progress.rate !== undefined) parts.push(vscode.l10n.t("{0} tok/s", n(progress.rate)));
      if (progress.secondsLeft !== undefined) parts.push(vscode.l10n.t("{0} s left", n(Math.ceil(progress.secondsLeft))));
      if (progress.cached > 0 && progress.done <= progress.cached) parts.push(vscode.l10n.t("{0} tokens reused", n(progress.cached)));
      return parts.join(" · ");
    }
  }
}
