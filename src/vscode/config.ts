import * as vscode from "vscode";
import type { Logger } from "../core/logger.js";

export interface HearthConfig {
  model: string;
  serverUrl: string;
  contextSize: number | "auto";
  gpu: "auto" | "cpu";
  idleShutdownSeconds: number;
}

const DEFAULTS: HearthConfig = {
  model: "hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M",
  serverUrl: "",
  contextSize: "auto",
  gpu: "auto",
  idleShutdownSeconds: 300,
};

/**
 * The one typed view of `hearth.*` settings. A wrong value is reported once, naming the
 * setting, and the default is used; `onDidChange` fires once per relevant change.
 */
export class Config implements vscode.Disposable {
  private current: HearthConfig;
  private readonly reported = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<{ previous: HearthConfig; current: HearthConfig }>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: Logger) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration("hearth")) return;
      const previous = this.current;
      this.current = this.read();
      if (JSON.stringify(previous) !== JSON.stringify(this.current)) this.emitter.fire({ previous, current: this.current });
    });
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
    const model = section.get<unknown>("model");
    const serverUrl = section.get<unknown>("server.url");
    const contextSize = section.get<unknown>("server.contextSize");
    const gpu = section.get<unknown>("server.gpu");
    const idle = section.get<unknown>("server.idleShutdownSeconds");
    return {
      model: typeof model === "string" && model.trim() !== "" ? model.trim() : this.invalid("hearth.model", model, DEFAULTS.model),
      serverUrl: typeof serverUrl === "string" ? this.checkUrl(serverUrl.trim()) : this.invalid("hearth.server.url", serverUrl, ""),
      contextSize:
        contextSize === "auto" || (typeof contextSize === "number" && Number.isInteger(contextSize) && contextSize >= 256)
          ? contextSize
          : typeof contextSize === "string" && /^\d+$/.test(contextSize) && Number(contextSize) >= 256
            ? Number(contextSize)
            : this.invalid("hearth.server.contextSize", contextSize, DEFAULTS.contextSize),
      gpu: gpu === "auto" || gpu === "cpu" ? gpu : this.invalid("hearth.server.gpu", gpu, DEFAULTS.gpu),
      idleShutdownSeconds: typeof idle === "number" && idle >= 10 ? idle : this.invalid("hearth.server.idleShutdownSeconds", idle, DEFAULTS.idleShutdownSeconds),
    };
  }

  private checkUrl(url: string): string {
    if (url === "") return "";
    try {
      const parsed = new URL(url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return url.replace(/\/+$/, "");
    } catch {
      // Reported below.
    }
    return this.invalid("hearth.server.url", url, "");
  }

  private invalid<T>(setting: string, value: unknown, fallback: T): T {
    const key = `${setting}=${JSON.stringify(value)}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      const message = `Hearth: ${setting} has an invalid value ${JSON.stringify(value)}; using ${JSON.stringify(fallback)}.`;
      this.log.warn(message);
      void vscode.window.showWarningMessage(message, "Open Settings").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.action.openSettings", setting);
      });
    }
    return fallback;
  }
}
