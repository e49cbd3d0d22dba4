import * as vscode from "vscode";
import { describeRolePlan, PLAN_ROLES, ROLE_NAMES } from "../core/hardware/planner.js";
import { describeProbe } from "../core/hardware/probe.js";
import type { DownloadItem } from "../core/models/downloadQueue.js";
import type { ModelService, ModelServiceState } from "./modelService.js";
import { describeItem, describeQueue, type DownloadCenter } from "./onboarding/downloadCenter.js";
import type { MachinePlan, MachinePlanService } from "./onboarding/machinePlan.js";
import { describePlanSpeeds } from "./onboarding/planCommands.js";
import { describe } from "./statusBar.js";

interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  command?: vscode.Command;
  /** Shown folded under this row (the plan under Machine), so the actions stay in sight in a short view. */
  children?: Row[];
  /** Shown unfolded (the downloads, while there are any). */
  expanded?: boolean;
  /**
   * VS Code remembers a row's folding by its id: a new id shows it as `expanded` says again
   * (the downloads fold away once done, so the actions below them stay in sight).
   */
  id?: string;
}

/**
 * The "Model" view in Hearth's activity-bar container: what runs, where, and the actions
 * that change it, reachable by keyboard and screen reader (a tree, not a picture).
 */
export class StatusViewProvider implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly service: ModelService,
    /** The machine's model plan (with the user's settings as overrides) and the download queue. */
    private readonly onboarding: { plans: MachinePlanService; downloads: DownloadCenter },
  ) {
    this.subscription = vscode.Disposable.from(
      service.onDidChangeState(() => this.emitter.fire()),
      onboarding.plans.onDidChange(() => this.emitter.fire()),
      onboarding.downloads.onDidChange(() => this.emitter.fire()),
    );
    // CPU, memory and OS at once; GPUs and speeds once the engine has measured this machine (in a child process).
    void onboarding.plans.get().catch(() => undefined);
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, row.children === undefined ? vscode.TreeItemCollapsibleState.None : row.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.command = row.command;
    if (row.id !== undefined) item.id = row.id;
    return item;
  }

  getChildren(row?: Row): Row[] {
    if (row !== undefined) return row.children ?? [];
    const state = this.service.state;
    // The model is not on disk and nothing is downloading it: the one action that matters first.
    const download: Row[] =
      state.kind === "error" && state.code === "model_not_downloaded" && !this.onboarding.downloads.busy
        ? [{ label: "Download Models", tooltip: "Downloads the models the settings name (or takes a copy already on disk).", icon: "cloud-download", command: { command: "hearth.downloadModels", title: "Download Models" } }]
        : [];
    return [...stateRows(state), ...downloadRows(this.onboarding.downloads), ...machineRows(this.onboarding.plans.current, this.onboarding.plans.isMeasuring), ...download, ...ACTIONS];
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}

function stateRows(state: ModelServiceState): Row[] {
  const summary = describe(state);
  const rows: Row[] = [{ label: "Server", description: summary.text.replace(/\$\([^)]*\)\s*/g, ""), tooltip: summary.tooltip, icon: summary.error ? "error" : "server-process" }];
  if (state.kind === "ready") {
    rows.push(
      { label: "Model", description: state.info.model, icon: "file-binary" },
      { label: "Context", description: `${state.info.contextSize} tokens`, icon: "symbol-ruler" },
      { label: "Process", description: `pid ${state.info.pid}${state.info.shared ? " (reused)" : ""}`, icon: "pulse" },
    );
  } else if (state.kind === "external") {
    rows.push({ label: "Endpoint", description: state.url, icon: "globe" }, { label: "Model", description: state.model ?? "unknown", icon: "file-binary" });
  }
  return rows;
}

/** Each file being downloaded (or paused, or failed), under one row with the whole queue's progress. */
function downloadRows(downloads: Pick<DownloadCenter, "items" | "busy">): Row[] {
  const items = downloads.items;
  if (items.length === 0) return [];
  const { percent } = describeQueue(items);
  const busy = downloads.busy;
  const open = items.filter((item) => item.state !== "done");
  const children = items.map((item) => downloadRow(item, busy));
  if (open.length > 0) {
    children.push(
      busy
        ? { label: "Cancel Downloads", icon: "debug-stop", command: { command: "hearth.cancelDownloads", title: "Cancel Downloads" } }
        : { label: "Resume Downloads", icon: "debug-continue", command: { command: "hearth.downloadModels", title: "Resume Downloads" } },
    );
  }
  const description = open.length === 0 ? `${items.length} done` : `${Math.floor(percent)}% of ${items.length} file${items.length === 1 ? "" : "s"}${busy ? "" : " · paused"}`;
  return [{ id: open.length > 0 ? "downloads:open" : "downloads:done", label: "Downloads", description, tooltip: items.map((item) => `${item.label}: ${item.state}${item.error ? ` (${item.error})` : ""}`).join("\n"), icon: busy ? "cloud-download" : open.length === 0 ? "check" : "debug-pause", children, expanded: open.length > 0 }];
}

function downloadRow(item: DownloadItem, busy: boolean): Row {
  const progress = describeItem(item);
  switch (item.state) {
    case "done":
      return { label: item.label, description: "downloaded", tooltip: item.result, icon: "check" };
    case "downloading":
      return { label: item.label, description: progress, icon: "cloud-download" };
    case "queued":
      return { label: item.label, description: busy ? "waiting" : "paused", icon: busy ? "clock" : "debug-pause" };
    case "cancelled":
      return { label: item.label, description: `paused · ${progress}`, tooltip: "Cancelled; it resumes where it stopped.", icon: "debug-pause" };
    case "failed":
      return { label: item.label, description: `failed: ${item.error ?? "unknown"}`, tooltip: item.error, icon: "error" };
  }
}

/** What this machine has and the model plan Hearth would pick for it (applied only when the user accepts it). */
function machineRows(machine: MachinePlan | undefined, measuring: boolean): Row[] {
  if (!machine) return [];
  const { probe, plan, speeds } = machine;
  const note = describePlanSpeeds(speeds);
  const speedRow: Row =
    speeds.kind === "measured"
      ? { label: "Speeds", description: `measured with ${speeds.model}, ${new Date(speeds.measuredAt).toLocaleDateString()}`, tooltip: `${note}\nThe measurement took ${Math.round(speeds.wallMs / 1000)} s; the other models' speeds are scaled from it.`, icon: "pulse" }
      : { label: "Speeds", description: measuring ? "measuring this machine…" : "reference estimates", tooltip: note, icon: measuring ? "loading~spin" : "info" };
  return [
    {
      label: "Machine",
      description: describeProbe(probe),
      tooltip: `${describeProbe(probe)}\nExpand for the models Hearth suggests for this machine.`,
      icon: "vm",
      children: PLAN_ROLES.map((role): Row => {
        const words = describeRolePlan(plan.roles[role]);
        return {
          label: `Suggested for ${ROLE_NAMES[role]}`,
          description: words,
          tooltip: [`${ROLE_NAMES[role]}: ${words}`, plan.roles[role].why, ...plan.problems, note].join("\n"),
          icon: plan.roles[role].meetsTarget === false || !plan.roles[role].model ? "warning" : "lightbulb",
        };
      }).concat([
        speedRow,
        { label: "Measure Speed", tooltip: "Measures the engine on this machine again (a few seconds with the smallest model on disk) and plans with the figures.", icon: "dashboard", command: { command: "hearth.measureMachine", title: "Measure This Machine" } },
        { label: "Apply Model Plan", tooltip: "Writes the plan's models and context to the settings you have not set yourself.", icon: "check-all", command: { command: "hearth.applyModelPlan", title: "Apply Model Plan" } },
        { label: "Change…", tooltip: "Opens the settings the plan writes: yours always win.", icon: "settings-gear", command: { command: "hearth.changeModelPlan", title: "Change Model Plan" } },
      ]),
    },
  ];
}

const ACTIONS: Row[] = [
  { label: "Restart Model Server", icon: "debug-restart", command: { command: "hearth.restartServer", title: "Restart Model Server" } },
  { label: "Choose Model…", icon: "folder-opened", command: { command: "hearth.chooseModel", title: "Choose Model" } },
  { label: "Open Privacy Policy", icon: "shield", command: { command: "hearth.openPolicy", title: "Open Privacy Policy" } },
  { label: "Show Logs", icon: "output", command: { command: "hearth.showLogs", title: "Show Logs" } },
];
