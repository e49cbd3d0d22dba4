import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { ServerErrorEvent, ServerReadyEvent } from "../../src/core/server/serverEvents";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const SERVER_SCRIPT = resolve(REPO_ROOT, "dist", "server.mjs");

/** The server's ready and error lines, as the supervisor reads them. */
export type ReadyLine = ServerReadyEvent;
export type ErrorLine = ServerErrorEvent;

export interface RunningServer {
  child: ChildProcess;
  ready: ReadyLine;
  token: string;
  baseUrl: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Requires the built server: `npm run build` (npm test does it first). */
export function assertServerBuilt(): void {
  if (!existsSync(SERVER_SCRIPT)) throw new Error(`${SERVER_SCRIPT} is missing: run "npm run build" first.`);
}

/** Starts `node dist/server.mjs` and resolves with its first stdout line. */
export async function launchServer(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; first: ReadyLine | ErrorLine; stderr: () => string }> {
  assertServerBuilt();
  const child = spawn(process.execPath, [SERVER_SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderrText = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderrText += chunk.toString();
  });
  const first = await new Promise<ReadyLine | ErrorLine>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not print a line within 60 s; stderr:\n${stderrText}`)), 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolvePromise(JSON.parse(line) as ReadyLine | ErrorLine);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before printing; stderr:\n${stderrText}`));
    });
  });
  return { child, first, stderr: () => stderrText };
}

export async function startServer(modelPath: string, extraArgs: string[] = [], token = "test-token-0123456789"): Promise<RunningServer> {
  const { child, first, stderr } = await launchServer(["--model", modelPath, "--port", "0", "--context-size", "4096", "--gpu", "cpu", ...extraArgs], { HEARTH_SERVER_TOKEN: token });
  if (first.event !== "ready") throw new Error(`server failed: ${first.message}`);
  return {
    child,
    ready: first,
    token,
    baseUrl: `http://127.0.0.1:${first.port}`,
    stderr,
    stop: () => stopProcess(child),
  };
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => child.once("exit", () => resolvePromise()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
