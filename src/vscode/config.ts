import * as vscode from "vscode";
import { SettingProblems } from "./settingProblems.js";
import type { Logger } from "../core/logger.js";
import { DEFAULT_AVOIDED_AT, DEFAULT_PRICES, parsePriceTable, type PriceTable } from "../core/audit/index.js";

export interface HearthConfig {
  model: string;
  /** Empty: completion uses `model`. */
  completionModel: string;
  serverUrl: string;
  contextSize: number | "auto";
  gpu: "auto" | "cpu";
  idleShutdownSeconds: number;
  /** Per-token prices for the usage view (defaults merged with hearth.usage.prices). */
  usagePrices: PriceTable;
  /** The cloud model local tokens are priced at for "cost avoided". */
  usageAvoidedAt: string;
}

const DEFAULTS: HearthConfig = {
  model: "hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M",
  completionModel: "",
  serverUrl: "",
  contextSize: "auto",
  gpu: "auto",
  idleShutdownSeconds: 300,
  usagePrices: DEFAULT_PRICES,
  usageAvoidedAt: DEFAULT_AVOIDED_AT,
};

/**
 * The one typed view of `hearth.*` settings. A wrong value is reported once, naming the
 * setting, and the default is used; `onDidChange` fires once per relevant change.
 */
export class Config implements vscode.Disposable {
  private current: HearthConfig;
  private readonly problems: SettingProblems;
  private readonly emitter = new vscode.EventEmitter<{ previous: HearthConfig; current: HearthConfig }>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(log: Logger) {
    this.problems = new SettingProblems(log);
    this.current = this.read();
    const reread = (): void => {
      const previous = this.current;
      this.current = this.read();
      if (JSON.stringify(previous) !== JSON.stringify(this.current)) this.emitter.fire({ previous, current: this.current });
    };
    this.subscription = vscode.Disposable.from(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("hearth")) reread();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(reread),
    );
  }

  get value(): HearthConfig {
    return this.current;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }

  private read(): HearthConfig {
    const section = vscode.workspace.getConfiguration("hearth");
    const model = this.trustedValue(section, "model");
    const serverUrl = this.trustedValue(section, "server.url");
    const completionModel = this.trustedValue(section, "completion.model");
    const contextSize = section.get<unknown>("server.contextSize");
    const gpu = section.get<unknown>("server.gpu");
    const idle = section.get<unknown>("server.idleShutdownSeconds");
    const prices = parsePriceTable(section.get<unknown>("usage.prices"));
    const avoidedAt = section.get<unknown>("usage.avoidedAt");
    return {
      model: typeof model === "string" && model.trim() !== "" ? model.trim() : this.problems.fallback("hearth.model", model, DEFAULTS.model),
      completionModel: typeof completionModel === "string" ? completionModel.trim() : this.problems.fallback("hearth.completion.model", completionModel, ""),
      serverUrl: typeof serverUrl === "string" ? this.checkUrl(serverUrl.trim()) : this.problems.fallback("hearth.server.url", serverUrl, ""),
      contextSize:
        contextSize === "auto" || (typeof contextSize === "number" && Number.isInteger(contextSize) && contextSize >= 256)
          ? contextSize
          : typeof contextSize === "string" && /^\d+$/.test(contextSize) && Number(contextSize) >= 256
            ? Number(contextSize)
            : this.problems.fallback("hearth.server.contextSize", contextSize, DEFAULTS.contextSize),
      gpu: gpu === "auto" || gpu === "cpu" ? gpu : this.problems.fallback("hearth.server.gpu", gpu, DEFAULTS.gpu),
      idleShutdownSeconds: typeof idle === "number" && idle >= 10 ? idle : this.problems.fallback("hearth.server.idleShutdownSeconds", idle, DEFAULTS.idleShutdownSeconds),
      usagePrices: prices.ok ? prices.table : this.problems.fallback("hearth.usage.prices", section.get<unknown>("usage.prices"), DEFAULTS.usagePrices, prices.message),
      usageAvoidedAt: typeof avoidedAt === "string" && /^[A-Za-z]+:\S+$/.test(avoidedAt) ? avoidedAt : this.problems.fallback("hearth.usage.avoidedAt", avoidedAt, DEFAULTS.usageAvoidedAt),
    };
  }

  /**
   * In Restricted Mode a workspace must not choose which model runs or where prompts go:
   * only the user's own values count. (VS Code drops these workspace values itself through
   * `restrictedConfigurations`; this keeps the rule true whatever the host does.)
   */
  private trustedValue(section: vscode.WorkspaceConfiguration, key: string): unknown {
    if (vscode.workspace.isTrusted) return section.get<unknown>(key);
    const inspected = section.inspect<unknown>(key);
    return inspected?.globalValue ?? inspected?.defaultValue;
  }

  private checkUrl(url: string): string {
    if (url === "") return "";
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return url.replace(/\/+$/, "");
    } catch {
      // Reported below.
    }
    return this.problems.fallback("hearth.server.url", url, "");
  }
}
