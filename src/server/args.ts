import { isAbsolute } from "node:path";
import { StartupError } from "./startupErrors.js";
import { parseLoraArg, type LoraRequest } from "./loraAdapters.js";
import { HEARTH_ROLES } from "../core/model/index.js";

export interface ServerArgs {
  model: string;
  completionModel?: string;
  host: string;
  port: number;
  contextSize: number | "auto";
  gpu: "auto" | "cpu";
  maxBodyBytes: number;
  threads: number | "auto";
  /** Exit after this long with no client lease; 0 keeps the server up until SIGTERM. */
  idleExitSeconds: number;
  /** The repo role's context: defaults to contextSize, then sized to free memory. */
  repoContextSize?: number | "auto";
  repoKvType: "auto" | "q8_0" | "f16";
  /** Where `persist` requests' states are saved; none disables persistence. */
  stateDir?: string;
  stateMaxBytes: number;
  /** Folders below which `hearth.repo` may pack (--repo-root, repeatable); the extension registers its workspace folders too. */
  repoRoots: string[];
  /** LoRA adapters per role (--lora, repeatable), checked when the model is loaded. */
  lora?: LoraRequest[];
}

export const USAGE = `Usage: node dist/server.mjs --model <file.gguf> [--completion-model <file.gguf>] [--host 127.0.0.1] [--port 0]
       [--context-size N|auto] [--gpu auto|cpu] [--threads N|auto] [--max-body-mb 32] [--idle-exit-seconds 0]
       [--repo-context-size N|auto] [--repo-kv-type auto|q8_0|f16] [--state-dir <folder>] [--state-max-gb 8]
       [--repo-root <folder>]...   (hearth.repo packs only folders below these, or below a VS Code window's workspace folders)
       [--lora <completion|chat|repo>=<adapter.gguf>[:<scale>]]...   (a bad adapter is reported and left out)
The bearer token comes from HEARTH_SERVER_TOKEN, or is generated and printed in the ready line.`;

export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const values = new Map<string, string>();
  const repoRoots: string[] = [];
  const lora: LoraRequest[] = [];
  const set = (key: string, value: string): void => {
    if (key === "repo-root") repoRoots.push(value);
    else if (key === "lora") {
      const parsed = parseLoraArg(value, HEARTH_ROLES);
      if (typeof parsed === "string") throw new StartupError("usage", `${parsed}.\n${USAGE}`);
      lora.push(parsed);
    } else values.set(key, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new StartupError("usage", `Unexpected argument "${arg}".\n${USAGE}`);
    const eq = arg.indexOf("=");
    if (eq > 0) {
      set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new StartupError("usage", `Missing value for ${arg}.\n${USAGE}`);
      set(arg.slice(2), value);
      i++;
    }
  }
  for (const root of repoRoots) {
    if (!isAbsolute(root)) throw new StartupError("usage", `--repo-root must be an absolute folder path, not "${root}".`);
  }
  const known = new Set(["model", "completion-model", "host", "port", "context-size", "gpu", "max-body-mb", "idle-exit-seconds", "threads", "repo-context-size", "repo-kv-type", "state-dir", "state-max-gb", "repo-root", "lora"]);
  for (const key of values.keys()) {
    if (!known.has(key)) throw new StartupError("usage", `Unknown option --${key}.\n${USAGE}`);
  }
  const model = values.get("model");
  if (!model) throw new StartupError("usage", `--model is required.\n${USAGE}`);
  const contextSizeText = values.get("context-size") ?? "auto";
  const gpu = values.get("gpu") ?? "auto";
  if (gpu !== "auto" && gpu !== "cpu") throw new StartupError("usage", `--gpu must be "auto" or "cpu", not "${gpu}".`);
  const repoKvType = values.get("repo-kv-type") ?? "auto";
  if (repoKvType !== "auto" && repoKvType !== "q8_0" && repoKvType !== "f16") throw new StartupError("usage", `--repo-kv-type must be "auto", "q8_0" or "f16", not "${repoKvType}".`);
  const repoContextText = values.get("repo-context-size");
  const stateMaxGb = Number(values.get("state-max-gb") ?? "8");
  if (!Number.isFinite(stateMaxGb) || stateMaxGb <= 0 || stateMaxGb > 4096) throw new StartupError("usage", `--state-max-gb must be a number of gigabytes above 0, not "${values.get("state-max-gb")}".`);
  return {
    model,
    repoRoots,
    ...(lora.length > 0 ? { lora } : {}),
    ...(repoContextText !== undefined ? { repoContextSize: repoContextText === "auto" ? ("auto" as const) : integer(repoContextText, "--repo-context-size", 256, 1 << 20) } : {}),
    repoKvType,
    ...(values.get("state-dir") ? { stateDir: values.get("state-dir") } : {}),
    stateMaxBytes: Math.round(stateMaxGb * 1024 ** 3),
    ...(values.get("completion-model") ? { completionModel: values.get("completion-model") } : {}),
    host: values.get("host") ?? "127.0.0.1",
    port: integer(values.get("port") ?? "0", "--port", 0, 65535),
    contextSize: contextSizeText === "auto" ? "auto" : integer(contextSizeText, "--context-size", 256, 1 << 20),
    gpu,
    threads: (values.get("threads") ?? "auto") === "auto" ? "auto" : integer(values.get("threads")!, "--threads", 1, 256),
    maxBodyBytes: integer(values.get("max-body-mb") ?? "32", "--max-body-mb", 1, 1024) * 1024 * 1024,
    idleExitSeconds: integer(values.get("idle-exit-seconds") ?? "0", "--idle-exit-seconds", 0, 7 * 24 * 3600),
  };
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new StartupError("usage", `${name} must be an integer from ${min} to ${max}, not "${text}".`);
  }
  return value;
}
