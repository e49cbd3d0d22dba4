import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import * as vscode from "vscode";
import type { Logger } from "../core/logger.js";

interface DownloadEvent {
  event: "size" | "progress" | "done" | "error";
  totalSize?: number;
  downloadedSize?: number;
  speed?: number;
  secondsLeft?: number;
  path?: string;
  message?: string;
}

export class ModelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelUnavailableError";
  }
}

/**
 * Turns `hearth.model` into a file on disk: a path is checked; an `hf:` URI is looked up
 * in the models folder of global storage and, with the user's consent, downloaded there
 * with a cancellable progress notification (the download resumes after a cancel).
 */
export class ModelResolver {
  private readonly modelsDir: string;
  private readonly indexPath: string;

  constructor(
    private readonly storageDir: string,
    private readonly serverScript: string,
    private readonly log: Logger,
  ) {
    this.modelsDir = join(storageDir, "models");
    this.indexPath = join(this.modelsDir, "index.json");
  }

  /** `onDownload` hears the percentage and a description while a download runs. */
  async resolve(model: string, onDownload?: (percent: number, detail: string) => void): Promise<string> {
    if (!isRemote(model)) {
      const path = expandHome(model);
      if (!existsSync(path)) throw new ModelUnavailableError(`Model file not found: ${path}. Set hearth.model to a .gguf file or an hf: URI, or run "Hearth: Choose Model".`);
      return path;
    }
    const known = (await this.index())[model];
    if (known && existsSync(known)) return known;
    const choice = await vscode.window.showInformationMessage(
      `Hearth needs the model ${model}. Download it now into Hearth's storage? (Qwen3.5-9B Q4_K_M is about 5.6 GB; a cancelled download resumes later.)`,
      { modal: true },
      "Download",
      "Choose a File…",
    );
    if (choice === "Choose a File…") {
      await vscode.commands.executeCommand("hearth.chooseModel");
      throw new ModelUnavailableError("Choose a model file, then Hearth starts again.");
    }
    if (choice !== "Download") throw new ModelUnavailableError(`The model ${model} is not downloaded. Run "Hearth: Restart Model Server" to be asked again, or set hearth.model to a .gguf file.`);
    const path = await this.download(model, onDownload);
    await this.remember(model, path);
    return path;
  }

  private download(uri: string, onDownload?: (percent: number, detail: string) => void): Promise<string> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${uri}`, cancellable: true }, async (progress, token) => {
        await mkdir(this.modelsDir, { recursive: true });
        const child = spawn(process.execPath, [this.serverScript, "download", "--model", uri, "--dir", this.modelsDir], {
          env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
          stdio: ["ignore", "pipe", "pipe"],
        });
        token.onCancellationRequested(() => child.kill("SIGTERM"));
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        let reported = 0;
        let result: string | undefined;
        let failure: string | undefined;
        for await (const line of createInterface({ input: child.stdout })) {
          let event: DownloadEvent;
          try {
            event = JSON.parse(line) as DownloadEvent;
          } catch {
            continue;
          }
          if (event.event === "progress" && event.totalSize) {
            const percent = (100 * (event.downloadedSize ?? 0)) / event.totalSize;
            progress.report({ increment: percent - reported, message: describeProgress(event) });
            onDownload?.(percent, describeProgress(event));
            reported = percent;
          } else if (event.event === "done") {
            result = event.path;
          } else if (event.event === "error") {
            failure = event.message;
          }
        }
        await new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once("exit", done)));
        if (token.isCancellationRequested) throw new ModelUnavailableError("Model download cancelled; it resumes where it stopped next time.");
        if (!result) {
          this.log.error(`model download failed: ${failure ?? "no result"}\n${stderr}`);
          throw new ModelUnavailableError(failure ?? `Could not download ${uri}. See Hearth's log.`);
        }
        this.log.info(`downloaded ${uri} to ${result}`);
        return result;
      }),
    );
  }

  private async index(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.indexPath, "utf8")) as Record<string, string>;
    } catch {
      return {};
    }
  }

  private async remember(uri: string, path: string): Promise<void> {
    const index = await this.index();
    index[uri] = path;
    await mkdir(this.modelsDir, { recursive: true });
    await writeFile(this.indexPath, JSON.stringify(index, null, 2));
  }
}

function isRemote(model: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(model);
}

function expandHome(path: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}

function describeProgress(event: DownloadEvent): string {
  const gb = (bytes: number): string => (bytes / 1e9).toFixed(2);
  const percent = Math.floor((100 * (event.downloadedSize ?? 0)) / (event.totalSize ?? 1));
  const speed = event.speed ? `${(event.speed / 1e6).toFixed(1)} MB/s` : "";
  const left = event.secondsLeft && Number.isFinite(event.secondsLeft) ? `${Math.ceil(event.secondsLeft / 60)} min left` : "";
  return [`${percent}%`, `${gb(event.downloadedSize ?? 0)} / ${gb(event.totalSize ?? 0)} GB`, speed, left].filter(Boolean).join(" · ");
}
