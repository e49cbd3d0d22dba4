// The Markdown of a repo answer document and of the pack report: the question, the answer
// as it streams, and what the model read — included files and parts with their token
// counts and why, what was left out, and, when the context is smaller than the repository,
// how much that was.
import * as vscode from "vscode";
import type { PackReport, SkipReason } from "../../core/repo/index.js";

/** Lists longer than this are cut, with a line saying how many more there are. */
const MAX_LISTED = 200;

function n(value: number): string {
  return value.toLocaleString(vscode.env.language);
}

function skipReasonText(reason: SkipReason): string {
  switch (reason) {
    case "gitignore":
      return ".gitignore";
    case "excluded":
      return vscode.l10n.t("excluded (files.exclude, hearth.repo.exclude)");
    case "vendored":
      return vscode.l10n.t("dependencies or build output");
    case "lockFile":
      return vscode.l10n.t("lock file");
    case "generated":
      return vscode.l10n.t("generated or minified");
    case "binary":
      return vscode.l10n.t("binary file");
    case "tooLarge":
      return vscode.l10n.t("larger than hearth.repo.maxFileKB");
    case "dropped":
      return vscode.l10n.t("neverSend (the route leaves this machine)");
    case "unreadable":
      return vscode.l10n.t("unreadable");
    case "symlink":
      return vscode.l10n.t("symbolic link (never followed)");
    case "special":
      return vscode.l10n.t("not a regular file (device, FIFO, socket or system folder)");
    case "outside":
      return vscode.l10n.t("outside the folder");
    case "overBudget":
      return vscode.l10n.t("past the total Hearth reads from one folder");
  }
}

export interface ReportContext {
  readonly contextTokens: number;
  readonly route: string;
  /** Disk use of the server's saved repo states, when it says. */
  readonly savedState?: { readonly bytes: number; readonly limitBytes: number };
}

export function reportMarkdown(report: PackReport, context: ReportContext): string {
  const lines: string[] = [];
  lines.push(`## ${vscode.l10n.t("What the model read")}`, "");
  const layout = report.layout === "qwenRepo" ? vscode.l10n.t("Qwen repo format") : vscode.l10n.t("plain path headers");
  lines.push(
    vscode.l10n.t("Pack: {0} tokens of {1} (the whole repository) · context {2} tokens · route {3} · {4}", n(report.packTokens), `${report.repoTokensExact ? "" : "~"}${n(report.repoTokens)}`, n(context.contextTokens), context.route, layout),
    "",
  );
  if (report.whole) lines.push(vscode.l10n.t("The whole repository fits: every file below is included whole."), "");
  else {
    const leftTokens = report.leftOut.reduce((sum, f) => sum + f.tokens, 0);
    lines.push(
      vscode.l10n.t(
        "The context is smaller than the repository: {0} files ({1} tokens) were left out. Included: the project docs and the most imported files, then the parts that match the question.",
        n(report.leftOut.length),
        n(leftTokens),
      ),
      "",
    );
  }
  if (!report.exactCounts) lines.push(vscode.l10n.t("Token counts are estimates: the local model server could not count them."), "");
  if (!report.orderedByGit) lines.push(vscode.l10n.t("No git history: files are ordered docs, config, code, tests."), "");
  if (report.truncated) lines.push(vscode.l10n.t("The folder has more files than Hearth reads; the rest were not looked at."), "");
  if (context.savedState !== undefined) {
    lines.push(vscode.l10n.t("Saved repository state on disk: {0} MB of {1} MB (Hearth: Clear saved repository state).", n(Math.round(context.savedState.bytes / 1e6)), n(Math.round(context.savedState.limitBytes / 1e6))), "");
  }

  lines.push(`### ${vscode.l10n.t("Included ({0})", n(report.included.length))}`, "");
  for (const entry of report.included.slice(0, MAX_LISTED)) {
    const where = entry.lines === undefined ? entry.path : `${entry.path}#L${entry.lines.start}-L${entry.lines.end}`;
    lines.push(`- ${where} — ${vscode.l10n.t("{0} tokens", n(entry.tokens))} — ${entry.why}`);
  }
  if (report.included.length > MAX_LISTED) lines.push(`- … ${vscode.l10n.t("{0} more", n(report.included.length - MAX_LISTED))}`);
  lines.push("");
  if (report.leftOut.length > 0) {
    lines.push(`### ${vscode.l10n.t("Left out ({0})", n(report.leftOut.length))}`, "");
    for (const entry of report.leftOut.slice(0, MAX_LISTED)) {
      lines.push(`- ${entry.path} — ${vscode.l10n.t("{0} tokens", n(entry.tokens))}${entry.partly ? ` — ${vscode.l10n.t("parts included above")}` : ""}`);
    }
    if (report.leftOut.length > MAX_LISTED) lines.push(`- … ${vscode.l10n.t("{0} more", n(report.leftOut.length - MAX_LISTED))}`);
    lines.push("");
  }
  if (report.skipped.length > 0) {
    lines.push(`### ${vscode.l10n.t("Not considered ({0})", n(report.skipped.length))}`, "");
    for (const entry of report.skipped.slice(0, MAX_LISTED)) lines.push(`- ${entry.path} — ${skipReasonText(entry.reason)}`);
    if (report.skipped.length > MAX_LISTED) lines.push(`- … ${vscode.l10n.t("{0} more", n(report.skipped.length - MAX_LISTED))}`);
    lines.push("");
  }
  return lines.join("\n");
}

export function answerMarkdown(question: string, answer: string, footer: string): string {
  return [`# ${question.replace(/\s+/g, " ").trim()}`, "", answer === "" ? `_${vscode.l10n.t("Waiting for the answer…")}_` : answer, "", "---", "", footer].join("\n");
}
