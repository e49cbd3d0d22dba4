import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { Logger } from "../core/logger.js";
import { DownloadCancelledError } from "../core/models/downloadQueue.js";
import { readModelIndex } from "../core/models/modelIndex.js";

export class ModelUnavailableError extends Error {
  constructor(
    message: string,
    readonly options: {
      /** "model_not_downloaded" when the model is simply not on this machine yet. */
      readonly code?: "model_unavailable" | "model_not_downloaded";
      /** The user has been told already (a notification with what to do): no error message on top. */
      readonly announced?: boolean;
    } = {},
  ) {
    super(message);
    this.name = "ModelUnavailableError";
  }

  get code(): "model_unavailable" | "model_not_downloaded" {
    return this.options.code ?? "model_unavailable";
  }

  get announced(): boolean {
    return this.options.announced ?? false;
  }
}

/** Where models come from when they are not on disk: the download queue and the first-start notice (src/vscode/onboarding). */
export interface ModelSupply {
  /** The path once `uri`'s queued or running download finishes (progress as it goes); undefined when none is queued. */
  whenDownloaded(uri: string, onProgress?: (percent: number, detail: string) => void): Promise<string> | undefined;
  /** Tells the user, without blocking anything, that `uri` is missing and what they can do. */
  modelMissing(uri: string): void;
}

/**
 * Turns `hearth.model` into a file on disk: a path is checked; an `hf:` URI or URL is looked up
 * in the models folder of global storage (index.json), or waits for its download when one is
 * queued. Nothing here asks or blocks: a model that is not on disk is announced through
 * `supply` (a notification and the walkthrough) and reported as not downloaded.
 */
export class ModelResolver {
  readonly modelsDir: string;

  constructor(
    storageDir: string,
    private readonly log: Logger,
    private readonly supply?: ModelSupply,
  ) {
    this.modelsDir = join(storageDir, "models");
  }

  /** `onDownload` hears the percentage and a description while a queued download runs. */
  async resolve(model: string, onDownload?: (percent: number, detail: string) => void): Promise<string> {
    if (!isRemote(model)) {
      const path = expandHome(model);
      if (!existsSync(path)) throw new ModelUnavailableError(`Model file not found: ${path}. Set hearth.model to a .gguf file or an hf: URI, or run "Hearth: Choose Model".`);
      return path;
    }
    const known = (await readModelIndex(this.modelsDir))[model];
    if (known && existsSync(known)) return known;
    const pending = this.supply?.whenDownloaded(model, onDownload);
    if (pending) {
      try {
        return await pending;
      } catch (error) {
        if (error instanceof DownloadCancelledError) throw new ModelUnavailableError(`Model download cancelled; it resumes where it stopped next time.`, { code: "model_not_downloaded", announced: true });
        // The download's own notification has said what went wrong.
        throw new ModelUnavailableError(error instanceof Error ? error.message : String(error), { code: "model_not_downloaded", announced: true });
      }
    }
    this.log.info(`the model ${model} is not on this machine yet`);
    this.supply?.modelMissing(model);
    throw new ModelUnavailableError(`Hearth's model ${model} is not on this machine yet. Download it (Hearth: Download Models), or choose a model file you already have (Hearth: Choose Model).`, { code: "model_not_downloaded", announced: this.supply !== undefined });
  }
}

export function isRemote(model: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(model);
}

function expandHome(path: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}
