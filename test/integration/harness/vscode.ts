// The VS Code builds a run can use (vscodeVersions.json, installed by
// scripts/install-test-vscode.sh): "min", the oldest VS Code Hearth supports, on this
// machine's Node; "latest", the newest code-server when last pinned, on the Node it
// needs from .vscode-test/node-<version>/.
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "./setup";
import pins from "./vscodeVersions.json";

export type VsCodeTargetName = "min" | "latest";
export const VSCODE_TARGET_NAMES: readonly VsCodeTargetName[] = ["min", "latest"];

export interface VsCodeTarget {
  name: VsCodeTargetName;
  codeServerVersion: string;
  vscodeVersion: string;
  /** The Node that runs the server (and so the extension host), and its version. */
  node: string;
  nodeVersion: string;
  serverMain: string;
  /** Why it is not installed (and how to install it), or undefined. */
  missing?: string;
}

const CACHE_DIR = process.env.HEARTH_VSCODE_TEST_DIR ?? path.join(REPO_ROOT, ".vscode-test");

export function vscodeTarget(name: VsCodeTargetName): VsCodeTarget {
  const pin = pins[name];
  const dir = path.join(CACHE_DIR, `code-server-${pin.codeServer}`);
  const node = pin.node === "system" ? process.execPath : path.join(CACHE_DIR, `node-${pin.node}`, "bin", process.platform === "win32" ? "node.exe" : "node");
  const serverMain = path.join(dir, "node_modules/code-server/lib/vscode/out/server-main.js");
  const install = `run \`bash scripts/install-test-vscode.sh ${name}\` first`;
  let missing: string | undefined;
  if (!fs.existsSync(serverMain) || !fs.existsSync(path.join(dir, ".hearth-installed"))) missing = `VS Code ${pin.vscode} (code-server ${pin.codeServer}) is not installed: ${install}.`;
  else if (!fs.existsSync(node)) missing = `Node ${pin.node} for code-server ${pin.codeServer} is not installed: ${install}.`;
  else if (pin.node === "system" && Number(process.versions.node.split(".")[0]) !== pin.nodeMajor) {
    missing = `code-server ${pin.codeServer} runs on Node ${pin.nodeMajor}; this is Node ${process.versions.node}.`;
  }
  const nodeVersion = pin.node === "system" ? process.versions.node : pin.node;
  return { name, codeServerVersion: pin.codeServer, vscodeVersion: pin.vscode, node, nodeVersion, serverMain, missing };
}
