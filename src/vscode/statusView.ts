import * as vscode from "vscode";
import { describeRolePlan, PLAN_ROLES, planModels, referenceCpuSample, ROLE_NAMES, type ModelPlan } from "../core/hardware/planner.js";
import { describeProbe, probeHardware, type HardwareProbe } from "../core/hardware/probe.js";
import type { ModelService, ModelServiceState } from "./modelService.js";
import { describe } from "./statusBar.js";

interface Row {
  label: string;
  description?: string;
  tooltip?: string;
  icon: string;
  command?: vscode.Command;
  /** Shown folded under this row (the plan under Machine), so the actions stay in sight in a short view. */
  children?: Row[];
}

/**
 * The "Model" view in Hearth's activity-bar container: what runs, where, and the actions
 * that change it, reachable by keyboard and screen reader (a tree, not a picture).
 */
export class StatusViewProvider implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;
  private machine?: { probe: HardwareProbe; plan: ModelPlan };

  constructor(private readonly service: ModelService) {
    this.subscription = service.onDidChangeState(() => this.emitter.fire());
    // CPU, memory and OS only: GPUs need the engine, which never loads in the extension host.
    void probeHardware().then(
      (probe) => {
        const reference = referenceCpuSample();
        this.machine = { probe, plan: planModels({ probe, speeds: reference ? [reference] : [] }) };
        this.emitter.fire();
      },
      () => undefined,
    );
  }

  getTreeItem(row: Row): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, row.children !== undefined ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.command = row.command;
    return item;
  }

  getChildren(row?: Row): Row[] {
    if (row !== undefined) return row.children ?? [];
    return [...stateRows(this.service.state), ...machineRows(this.machine), ...ACTIONS];
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

/** What this machine has and the model plan Hearth would pick for it (not applied: a suggestion). */
function machineRows(machine: { probe: HardwareProbe; plan: ModelPlan } | undefined): Row[] {
  if (!machine) return [];
  const { probe, plan } = machine;
  const note = plan.estimated ? "Speeds are estimates until Hearth measures this machine." : "Speeds measured on this machine.";
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
      }),
    },
  ];
}

const ACTIONS: Row[] = [
  { label: "Restart Model Server", icon: "debug-restart", command: { command: "hearth.restartServer", title: "Restart Model Server" } },
  { label: "Choose Model…", icon: "folder-opened", command: { command: "hearth.chooseModel", title: "Choose Model" } },
  { label: "Open Privacy Policy", icon: "shield", command: { command: "hearth.openPolicy", title: "Open Privacy Policy" } },
  { label: "Show Logs", icon: "output", command: { command: "hearth.showLogs", title: "Show Logs" } },
];
