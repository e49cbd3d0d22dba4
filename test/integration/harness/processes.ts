// Finding and ending every process a run started: the VS Code server and its extension
// host, Chromium, and whatever they start (Hearth's model server may detach itself).
// Three nets: the server runs in its own process group; every process started for the
// run inherits an environment marker (HEARTH_IT_RUN_ID=<id>) that /proc shows; and the
// descendants of the server are recorded while they live, so one that dropped the marker
// and was re-parented is still known. Linux /proc is used where present; elsewhere only
// the process group is ended (on Windows, the process tree, through taskkill).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import * as fs from "node:fs";

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Start time in clock ticks since boot: tells a process from a later one with the same pid. */
  startTime: string;
  state: string;
}

const HAS_PROC = fs.existsSync("/proc/self/stat");
const WINDOWS = process.platform === "win32";

function readStat(pid: number): ProcInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pid, state: rest[0], ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime: rest[19] };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  if (!HAS_PROC) return [];
  return fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
}

/** Whether the process's environment has `marker` (NAME=value), or a value that extends it ("<value>/..."). */
function hasMarker(pid: number, marker: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "latin1").split("\0").some((entry) => entry === marker || entry.startsWith(`${marker}/`));
  } catch {
    return false;
  }
}

function alive(pid: number): boolean {
  if (HAS_PROC) {
    const info = readStat(pid);
    return info !== undefined && info.state !== "Z" && info.state !== "X";
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone, or not ours.
  }
}

export class ProcessTracker {
  /** pid -> start time of processes seen as part of this run. */
  private readonly known = new Map<number, string>();
  private readonly groups = new Set<number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /**
   * `runId` may be hierarchical: a tracker for "<id>" also finds processes marked
   * "<id>/<part>" (a pass's server, the browser), so one sweep ends a whole run.
   */
  constructor(readonly runId: string, private readonly markerName: string) {}

  /** The NAME=value pair the processes this tracker starts carry. */
  get marker(): string {
    return `${this.markerName}=${this.runId}`;
  }

  /** Starts a program in its own process group, marked and tracked. */
  spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
    const child = spawn(command, args, { ...options, detached: !WINDOWS, env: { ...(options.env ?? process.env), [this.markerName]: this.runId } });
    if (child.pid !== undefined) {
      this.groups.add(child.pid);
      this.remember(child.pid);
    }
    return child;
  }

  /** Records the descendants of the tracked groups now, then every `intervalMs`. */
  watch(intervalMs = 500): void {
    this.snapshot();
    this.timer ??= setInterval(() => this.snapshot(), intervalMs);
    this.timer.unref();
  }

  snapshot(): void {
    if (!HAS_PROC) return;
    const infos = allPids().map(readStat).filter((info): info is ProcInfo => info !== undefined);
    const byParent = new Map<number, ProcInfo[]>();
    for (const info of infos) {
      const siblings = byParent.get(info.ppid) ?? [];
      siblings.push(info);
      byParent.set(info.ppid, siblings);
    }
    const queue = infos.filter((info) => this.groups.has(info.pgrp) || this.known.get(info.pid) === info.startTime || hasMarker(info.pid, this.marker));
    const seen = new Set<number>();
    for (let info = queue.pop(); info !== undefined; info = queue.pop()) {
      if (seen.has(info.pid) || info.pid === process.pid) continue;
      seen.add(info.pid);
      this.known.set(info.pid, info.startTime);
      queue.push(...(byParent.get(info.pid) ?? []));
    }
  }

  private remember(pid: number): void {
    const info = readStat(pid);
    if (info) this.known.set(pid, info.startTime);
  }

  /** The live processes of this run (never this process). */
  livePids(): number[] {
    this.snapshot();
    const pids = new Set<number>();
    for (const [pid, startTime] of this.known) {
      const info = readStat(pid);
      if (info && info.startTime === startTime && alive(pid)) pids.add(pid);
    }
    for (const pid of allPids()) if (hasMarker(pid, this.marker) && alive(pid)) pids.add(pid);
    pids.delete(process.pid);
    return [...pids];
  }

  /** SIGTERM to every group and process of the run, SIGKILL to what is left after `graceMs`. */
  async killAll(graceMs = 3000): Promise<number[]> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (WINDOWS) {
      for (const pid of this.groups) spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore" });
      this.groups.clear();
      return [];
    }
    const victims = this.livePids();
    for (const group of this.groups) signal(-group, "SIGTERM");
    for (const pid of victims) signal(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && (victims.some(alive) || [...this.groups].some(groupAlive))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const left = [...new Set([...victims.filter(alive), ...this.livePids()])];
    for (const group of this.groups) signal(-group, "SIGKILL");
    for (const pid of left) signal(pid, "SIGKILL");
    this.groups.clear();
    return left;
  }
}

function groupAlive(pgid: number): boolean {
  if (HAS_PROC) return allPids().some((pid) => { const info = readStat(pid); return info !== undefined && info.pgrp === pgid && info.state !== "Z"; });
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
