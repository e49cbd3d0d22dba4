import * as vscode from "vscode";
import type { ModelService, ModelServiceState } from "./modelService.js";

/**
 * One status bar item for Hearth: downloading / loading / ready · model · context / error.
 * Clicking it opens Hearth's menu.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscription: vscode.Disposable;

  constructor(service: ModelService) {
    this.item = vscode.window.createStatusBarItem("hearth.status", vscode.StatusBarAlignment.Right, 100);
    this.item.name = "Hearth";
    this.item.command = "hearth.showMenu";
    this.render(service.state);
    this.item.show();
    this.subscription = service.onDidChangeState((state) => this.render(state));
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private render(state: ModelServiceState): void {
    const { text, tooltip, error } = describe(state);
    this.item.text = text;
    this.item.tooltip = new vscode.MarkdownString(`${tooltip}\n\n_Click for Hearth's menu._`);
    this.item.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    this.item.accessibilityInformation = { label: `Hearth: ${tooltip}`, role: "button" };
  }
}

export function describe(state: ModelServiceState): { text: string; tooltip: string; error: boolean } {
  switch (state.kind) {
    case "stopped":
      return { text: "$(circle-slash) Hearth", tooltip: "Model server stopped", error: false };
    case "resolving":
      return { text: "$(loading~spin) Hearth", tooltip: state.detail, error: false };
    case "downloading":
      return { text: `$(cloud-download) Hearth: downloading ${Math.floor(state.percent)}%`, tooltip: `Downloading the model: ${state.detail}`, error: false };
    case "starting":
      return { text: "$(loading~spin) Hearth: loading", tooltip: `Loading: ${state.detail}`, error: false };
    case "restarting":
      return { text: "$(sync~spin) Hearth: restarting", tooltip: `Restarting (attempt ${state.attempt}) in ${Math.round(state.delayMs / 1000)} s: ${state.reason}`, error: false };
    case "ready":
      return {
        text: `$(check) Hearth · ${shortModel(state.info.model)} · ${formatTokens(state.info.contextSize)}`,
        tooltip: `Ready: ${state.info.model}, context ${state.info.contextSize} tokens, pid ${state.info.pid}${state.info.shared ? " (reused: started earlier by this or another window)" : ""}`,
        error: false,
      };
    case "external":
      return state.reachable
        ? { text: `$(globe) Hearth · ${shortModel(state.model ?? "external")}`, tooltip: `Using ${state.url}${state.model ? ` (${state.model})` : ""}`, error: false }
        : { text: "$(error) Hearth: unreachable", tooltip: state.message ?? `Cannot reach ${state.url}`, error: true };
    case "error":
      // Not yet downloaded is where every first start begins: an offer is out, nothing failed.
      if (state.code === "model_not_downloaded") return { text: "$(cloud-download) Hearth: model needed", tooltip: state.message, error: false };
      return { text: "$(error) Hearth: error", tooltip: state.message, error: true };
  }
}

function shortModel(model: string): string {
  return model.length > 28 ? `${model.slice(0, 27)}…` : model;
}

function formatTokens(tokens: number): string {
  return tokens >= 1024 ? `${Math.round(tokens / 1024)}K` : String(tokens);
}
