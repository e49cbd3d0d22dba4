// Hearth's settings, read here and nowhere else (a unit test holds src/ to that): the typed
// view of `hearth.*` that the model server and the usage view follow, one typed accessor per
// other group of settings, the writes (Choose Model, Apply Model Plan), and which settings
// restart the server.
import * as vscode from "vscode";
import { isLoopbackUrl } from "../shared/loopback.js";
import { SettingProblems } from "./settingProblems.js";
import type { Logger } from "../core/logger.js";
import { DEFAULT_AVOIDED_AT, DEFAULT_PRICES, parsePriceTable, type PriceTable } from "../core/audit/index.js";
import type { CompletionMode } from "../core/complete/completionEngine.js";
import type { FimLayout } from "../core/complete/completionPrompt.js";
import { naturalLanguage, type NaturalLanguage } from "../core/edit/languages.js";
import type { RepoSettings } from "../core/repo/index.js";
import { HEARTH_ROLES, type HearthRole } from "../core/model/index.js";
import type { PlanSettingKey } from "../core/models/planSettings.js";

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
  /** hearth.model.lora: adapters for the local model server (checked there). */
  lora: LoraAdapterSetting[];
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
  lora: [],
};

/**
 * The settings whose change restarts the model server, with the HearthConfig field each is
 * read into: what the server process is started with (the README's settings table marks the
 * same ones). Every other setting applies to the next request, no restart.
 */
export const SERVER_RESTART_SETTINGS = {
  "hearth.model": "model",
  "hearth.completion.model": "completionModel",
  "hearth.server.url": "serverUrl",
  "hearth.server.contextSize": "contextSize",
  "hearth.server.gpu": "gpu",
  "hearth.server.idleShutdownSeconds": "idleShutdownSeconds",
  "hearth.model.lora": "lora",
} as const satisfies Readonly<Record<string, keyof HearthConfig>>;

/** Whether going from `previous` to `current` changed a setting of SERVER_RESTART_SETTINGS. */
export function serverSettingsChanged(previous: HearthConfig, current: HearthConfig): boolean {
  // By value: lists (hearth.model.lora) are read afresh each time.
  return Object.values(SERVER_RESTART_SETTINGS).some((field) => JSON.stringify(previous[field]) !== JSON.stringify(current[field]));
}

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
    const serverUrl = this.serverUrlValue(section);
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
      lora: readLoraAdapters(this.problems, this.trustedValue(section, "model.lora")),
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

  /**
   * hearth.server.url, where a workspace may name only this machine. The URL receives every
   * local-route prompt and, with it, the key set by "Set API Key for External Server", and a
   * remote one becomes the selfHosted route: another machine is chosen in the user's own
   * settings, never by a repository's .vscode/settings.json.
   */
  private serverUrlValue(section: vscode.WorkspaceConfiguration): unknown {
    const value = this.trustedValue(section, "server.url");
    const inspected = section.inspect<unknown>("server.url");
    const fromWorkspace = vscode.workspace.isTrusted && (inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined);
    if (!fromWorkspace || typeof value !== "string" || value.trim() === "" || isLoopbackUrl(value.trim())) return value;
    const user = inspected?.globalValue ?? inspected?.defaultValue;
    let host = value.trim();
    try {
      host = new URL(host).host;
    } catch {
      // The whole value names it.
    }
    return this.problems.fallback("hearth.server.url", value, user, `this workspace's settings point it at another machine (${host}), and a workspace may only name a server on this machine. Set a remote server in your User settings if you meant it`, "your User setting");
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

/** Chooses the model in the user's settings (Hearth: Choose Model); the change restarts the server. */
export async function setUserModel(model: string): Promise<void> {
  await vscode.workspace.getConfiguration("hearth").update("model", model, vscode.ConfigurationTarget.Global);
}

// ---- hearth.completion.* ------------------------------------------------------------------

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

/** `hearth.completion.*` but the model (HearthConfig's); a wrong value is reported through `problems` and its default used. */
export function readCompletionSettings(problems: SettingProblems): CompletionConfigValue {
  const section = vscode.workspace.getConfiguration("hearth.completion");
  const enabled = section.get<unknown>("enabled");
  const mode = section.get<unknown>("mode");
  const layout = section.get<unknown>("fimLayout");
  return {
    enabled: typeof enabled === "boolean" ? enabled : problems.fallback("hearth.completion.enabled", enabled, COMPLETION_DEFAULTS.enabled),
    languages: completionLanguages(problems, section.get<unknown>("languages")),
    mode: mode === "auto" || mode === "fim" || mode === "chat" ? mode : problems.fallback("hearth.completion.mode", mode, COMPLETION_DEFAULTS.mode),
    fimLayout: layout === "spm" || layout === "psm" ? layout : problems.fallback("hearth.completion.fimLayout", layout, COMPLETION_DEFAULTS.fimLayout),
  };
}

function completionLanguages(problems: SettingProblems, value: unknown): Record<string, boolean> {
  if (value === undefined || value === null) return { ...COMPLETION_DEFAULTS.languages };
  if (typeof value !== "object" || Array.isArray(value)) return problems.fallback("hearth.completion.languages", value, { ...COMPLETION_DEFAULTS.languages });
  const result: Record<string, boolean> = {};
  for (const [language, on] of Object.entries(value as Record<string, unknown>)) {
    if (typeof on === "boolean") result[language] = on;
    else problems.fallback(`hearth.completion.languages.${language}`, on, true);
  }
  return result;
}

// ---- hearth.repo.* and files.exclude ------------------------------------------------------

export const REPO_DEFAULTS = { maxFileKB: 256, exclude: [] as string[], answerTokens: 2048 };

/** `hearth.repo.*` plus VS Code's own `files.exclude`, as they apply to `folder`; a wrong value is reported through `problems` and its default used. */
export function readRepoSettings(problems: SettingProblems, folder: vscode.Uri | undefined): RepoSettings {
  const section = vscode.workspace.getConfiguration("hearth.repo", folder);
  const maxFileKB = section.get<unknown>("maxFileKB");
  const answerTokens = section.get<unknown>("answerTokens");
  const exclude = section.get<unknown>("exclude");
  const kb = typeof maxFileKB === "number" && Number.isFinite(maxFileKB) && maxFileKB > 0 ? maxFileKB : problems.fallback("hearth.repo.maxFileKB", maxFileKB, REPO_DEFAULTS.maxFileKB);
  return {
    maxFileBytes: Math.round(kb * 1024),
    answerTokens:
      typeof answerTokens === "number" && Number.isInteger(answerTokens) && answerTokens >= 16 ? answerTokens : problems.fallback("hearth.repo.answerTokens", answerTokens, REPO_DEFAULTS.answerTokens),
    exclude: [...repoExcludeGlobs(problems, exclude), ...filesExclude(folder)],
  };
}

function repoExcludeGlobs(problems: SettingProblems, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((g) => typeof g !== "string")) return problems.fallback("hearth.repo.exclude", value, REPO_DEFAULTS.exclude);
  return value as string[];
}

/** The enabled patterns of `files.exclude` (a `when` clause counts as enabled: leaving out too much is the safe side). */
function filesExclude(folder: vscode.Uri | undefined): string[] {
  const value = vscode.workspace.getConfiguration("files", folder).get<Record<string, unknown>>("exclude") ?? {};
  return Object.entries(value)
    .filter(([, on]) => on === true || (typeof on === "object" && on !== null))
    .map(([glob]) => glob)
    .sort();
}

// ---- hearth.translate.defaultLanguage -----------------------------------------------------

/** The configured default target language, or undefined when unset or not one Hearth knows. */
export function defaultTranslationLanguage(): NaturalLanguage | undefined {
  const value = vscode.workspace.getConfiguration("hearth").get<unknown>("translate.defaultLanguage");
  return typeof value === "string" ? naturalLanguage(value) : undefined;
}

// ---- application-scope settings: the user's own value, never a workspace's ----------------

/** `hearth.policy` as the user set it (checked by the policy service). */
export function userPolicySetting(): unknown {
  return vscode.workspace.getConfiguration("hearth").inspect<unknown>("policy")?.globalValue;
}

/** `hearth.selfHosted.*`: trimmed, undefined when unset or empty. */
export function globalString(key: "selfHosted.url" | "selfHosted.model"): string | undefined {
  const value = vscode.workspace.getConfiguration("hearth").inspect<unknown>(key)?.globalValue;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

// ---- hearth.model.lora --------------------------------------------------------------------

/** One LoRA adapter on the local model, for the roles it applies to. */
export interface LoraAdapterSetting {
  path: string;
  scale: number;
  roles: HearthRole[];
}

/**
 * `hearth.model.lora` (machine scope; in Restricted Mode, like hearth.model, only the user's
 * own value counts): entries that are not `{path, scale?, roles?}` are reported and left out.
 * The server checks the files themselves and runs without any it cannot use.
 */
export function readLoraAdapters(problems: SettingProblems, value: unknown): LoraAdapterSetting[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return problems.fallback("hearth.model.lora", value, []);
  const adapters: LoraAdapterSetting[] = [];
  value.forEach((entry: unknown, index) => {
    const { path, scale = 1, roles = HEARTH_ROLES } = (typeof entry === "object" && entry !== null ? entry : {}) as { path?: unknown; scale?: unknown; roles?: unknown };
    const why =
      typeof path !== "string" || path.trim() === "" ? "has no path"
        : typeof scale !== "number" || !Number.isFinite(scale) ? "has a scale that is not a number"
          : !Array.isArray(roles) || roles.length === 0 || roles.some((role) => !HEARTH_ROLES.includes(role as HearthRole)) ? `has roles that are not a list of ${HEARTH_ROLES.join(", ")}`
            : undefined;
    if (why !== undefined) problems.fallback(`hearth.model.lora.${index}`, entry, undefined, `entry ${index + 1} ${why} and is left out`);
    else adapters.push({ path: (path as string).trim(), scale: scale as number, roles: [...new Set(roles as HearthRole[])] });
  });
  return adapters;
}

// ---- the model plan's settings (Hearth: Apply Model Plan) ---------------------------------

/** A setting the model plan may write, as it stands: the value in effect and whether anyone set it. */
export interface PlanSettingState {
  readonly value: unknown;
  /** A value in some scope Hearth honours (in Restricted Mode, the user's own only). */
  readonly set: boolean;
  /** The user settings' value, where an apply writes. */
  readonly userValue: unknown;
}

/** hearth.model, hearth.completion.model and hearth.server.contextSize as the plan sees them. */
export function planSettingStates(): Record<PlanSettingKey, PlanSettingState> {
  const section = vscode.workspace.getConfiguration();
  const state = (key: PlanSettingKey): PlanSettingState => {
    const inspected = section.inspect<unknown>(key);
    const scoped = vscode.workspace.isTrusted ? [inspected?.globalValue, inspected?.workspaceValue, inspected?.workspaceFolderValue] : [inspected?.globalValue];
    const set = scoped.some((value) => value !== undefined);
    return { value: set ? scoped.filter((value) => value !== undefined).pop() : inspected?.defaultValue, set, userValue: inspected?.globalValue };
  };
  return { "hearth.model": state("hearth.model"), "hearth.completion.model": state("hearth.completion.model"), "hearth.server.contextSize": state("hearth.server.contextSize") };
}

/** Writes one of the plan's settings in the user settings (a change of any restarts the server). */
export async function writePlanSetting(key: PlanSettingKey, value: string | number): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
}
