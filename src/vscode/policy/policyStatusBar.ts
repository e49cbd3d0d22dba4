// The workspace's privacy policy at a glance: one status bar item (next to, not inside,
// Hearth's server item) saying how far prompts from the active folder may travel, with a
// per-feature table in the tooltip. Clicking it opens the policy file.
import * as vscode from "vscode";
import { cloudModelKey, FEATURES, type FeatureRule } from "../../core/policy/index.js";
import type { PolicyService } from "./policyService.js";
import type { PolicySnapshot } from "./policySnapshot.js";

export const POLICY_STATUS_ID = "hearth.policy";

export class PolicyStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly service: PolicyService) {
    this.item = vscode.window.createStatusBarItem(POLICY_STATUS_ID, vscode.StatusBarAlignment.Right, 99);
    this.item.name = "Hearth Privacy Policy";
    this.item.command = "hearth.openPolicy";
    this.subscriptions = [service.onDidChange(() => this.render()), vscode.window.onDidChangeActiveTextEditor(() => this.render())];
    this.render();
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private render(): void {
    const snapshot = this.service.describe(vscode.window.activeTextEditor?.document.uri);
    const view = describePolicy(snapshot);
    this.item.text = view.text;
    this.item.tooltip = new vscode.MarkdownString(`${view.tooltip}\n\n_Click to open the policy file._`);
    this.item.backgroundColor = view.warning ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    this.item.accessibilityInformation = { label: `Hearth privacy policy: ${view.summary}`, role: "button" };
  }
}

export interface PolicyView {
  readonly text: string;
  /** Markdown. */
  readonly tooltip: string;
  /** A sentence for screen readers. */
  readonly summary: string;
  readonly warning: boolean;
}

/** How far a feature's prompts can actually travel under a rule. */
function reach(rule: FeatureRule): "local" | "selfHosted" | "cloudAsk" | "cloudAllow" {
  if (rule.route === "cloud" && rule.cloudAccess !== "deny" && rule.cloudModels.length > 0) return rule.cloudAccess === "allow" ? "cloudAllow" : "cloudAsk";
  return rule.route === "local" ? "local" : "selfHosted";
}

function describeRule(rule: FeatureRule): string {
  switch (reach(rule)) {
    case "local":
      return "this machine only";
    case "selfHosted":
      return "this machine, then your self-hosted endpoint";
    case "cloudAsk":
      return `cloud after you confirm: ${rule.cloudModels.map(cloudModelKey).join(", ")}`;
    case "cloudAllow":
      return `cloud: ${rule.cloudModels.map(cloudModelKey).join(", ")}`;
  }
}

export function describePolicy(snapshot: PolicySnapshot): PolicyView {
  const lines: string[] = [];
  const source = describeSource(snapshot);
  if (!snapshot.trusted) {
    const summary = "Restricted Mode: every feature stays on this machine and the workspace policy file is ignored";
    return { text: "$(lock) Restricted", tooltip: `**Hearth privacy policy**\n\n${summary}.`, summary, warning: false };
  }
  if (snapshot.fileState === "invalid") {
    const errors = snapshot.diagnostics.filter((d) => d.severity === "error");
    const first = errors[0];
    const summary = `${snapshot.fileLabel ?? "the policy file"} has ${errors.length === 1 ? "an error" : `${errors.length} errors`}, so every feature stays on this machine until it is fixed`;
    const detail = first ? `\n\nLine ${first.start.line + 1}: ${escapeMarkdown(first.message)}` : "";
    return { text: "$(warning) Policy error", tooltip: `**Hearth privacy policy**\n\n${escapeMarkdown(summary)}.${detail}`, summary, warning: true };
  }

  const reaches = FEATURES.map((feature) => reach(snapshot.effective.features[feature]));
  const text = reaches.includes("cloudAllow")
    ? "$(shield) Cloud allowed"
    : reaches.includes("cloudAsk")
      ? "$(shield) Cloud: ask"
      : reaches.includes("selfHosted")
        ? "$(shield) Self-hosted"
        : snapshot.fileState === "loading"
          ? "$(loading~spin) Policy"
          : "$(shield) Local only";

  lines.push("**Hearth privacy policy**", "", escapeMarkdown(source), "", "| Feature | Prompts may go to |", "|---|---|");
  for (const feature of FEATURES) lines.push(`| ${feature} | ${escapeMarkdown(describeRule(snapshot.effective.features[feature]))} |`);
  lines.push("", `Secrets are ${snapshot.effective.redactSecrets ? "redacted" : "**not** redacted"} before a prompt leaves this machine.`);
  if (snapshot.consent === "pending" || snapshot.consent === "kept") {
    const asked = snapshot.effective.loosenings.map((l) => `- ${escapeMarkdown(l.description)}`).join("\n");
    lines.push("", `The workspace file asks for more than your settings allow (${snapshot.consent === "kept" ? "you kept your defaults" : "not applied until you allow it"}):`, asked);
  }
  if (snapshot.settingProblems.length > 0) lines.push("", "Your `hearth.policy` setting has problems; see Hearth's log.");
  const summary = `${text.replace(/^\$\([^)]*\)\s*/, "")}. ${source}`;
  return { text, tooltip: lines.join("\n"), summary, warning: false };
}

function describeSource(snapshot: PolicySnapshot): string {
  switch (snapshot.fileState) {
    case "loading":
      return "Reading the workspace policy…";
    case "absent":
      return snapshot.folder ? `No ${snapshot.fileLabel ?? ".hearth/policy.json"} in ${snapshot.folder.name}: your settings apply.` : "Your settings apply.";
    case "invalid":
      return `${snapshot.fileLabel ?? "The policy file"} has errors.`;
    case "valid":
      switch (snapshot.consent) {
        case "allowed":
          return `Your settings and ${snapshot.fileLabel}, whose loosenings you allowed.`;
        case "kept":
        case "pending":
          return `Your settings, tightened by ${snapshot.fileLabel} where it is stricter.`;
        case "notNeeded":
          return `Your settings and ${snapshot.fileLabel}.`;
      }
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}
