// Started detached by run.ts: if the runner dies without cleaning up (SIGKILL, a crash
// in native code), this ends every process of the run. The runner stops it on a
// normal exit. Usage: watchdog.ts <runner pid> <marker name> <run id> [<folder to remove>...]
import * as fs from "node:fs";
import { ProcessTracker } from "./processes";

const [runnerPid, markerName, runId] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const leftovers = process.argv.slice(5);
if (!Number.isInteger(runnerPid) || !markerName || !runId) {
  console.error("usage: watchdog.ts <runner pid> <marker name> <run id> [<folder to remove>...]");
  process.exit(2);
}

function runnerAlive(): boolean {
  try {
    process.kill(runnerPid, 0);
    return true;
  } catch {
    return false;
  }
}

process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => undefined); // Ctrl-C reaches the whole terminal group; the runner handles it.

const timer = setInterval(() => {
  if (runnerAlive()) return;
  clearInterval(timer);
  new ProcessTracker(runId, markerName)
    .killAll(2000)
    .finally(() => {
      for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
}, 1000);
