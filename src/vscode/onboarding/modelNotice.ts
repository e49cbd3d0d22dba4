// What replaces the modal "download 5.6 GB?" dialog on first start: nothing blocks the
// window. A model the settings name that is not on disk gets one non-modal notification per
// window: a copy found in another tool's folder (Use It), else the plan for this machine
// (Accept and Download) or the download itself; Choose Model always. The walkthrough opens
// beside it on the first start after installing.
import { homedir } from "node:os";
import * as vscode from "vscode";
import type { Logger } from "../../core/logger.js";
import { defaultModelStores, findModelFiles, matchModel, SOURCE_NAMES, type ModelMatch } from "../../core/models/existingModels.js";
import { formatGigabytes } from "../../core/models/diskSpace.js";
import { rememberModel } from "../../core/models/modelIndex.js";
import { planSettings } from "../../core/models/planSettings.js";
import type { ModelSupply } from "../modelResolver.js";
import { modelBytes, modelLabel, type DownloadCenter } from "./downloadCenter.js";
import type { MachinePlanService } from "./machinePlan.js";

export interface ModelNoticeDeps {
  readonly center: DownloadCenter;
  readonly plans: MachinePlanService;
  readonly modelsDir: string;
  readonly log: Logger;
  /** Opens the walkthrough if it never was (first start after installing). */
  readonly openWalkthroughOnce: () => Promise<void>;
  /** The models the settings name now (main, then completion when set). */
  readonly configuredModels: () => string[];
  readonly applyPlan: () => Promise<unknown>;
  readonly startModels: () => void;
  readonly home?: string;
}

export class ModelNotice implements ModelSupply {
  private readonly announced = new Set<string>();
  /** The last notice's text, for tests and the log. */
  lastMessage: string | undefined;

  constructor(private readonly deps: ModelNoticeDeps) {}

  whenDownloaded(uri: string, onProgress?: (percent: number, detail: string) => void): Promise<string> | undefined {
    return this.deps.center.whenDownloaded(uri, onProgress);
  }

  modelMissing(uri: string): void {
    if (this.announced.has(uri)) return;
    this.announced.add(uri);
    void this.announce(uri).catch((error: unknown) => this.deps.log.error(error instanceof Error ? error : String(error)));
  }

  /** Copies of `uri` in Hearth's storage and the other tools' folders, best first. */
  async copiesOf(uri: string): Promise<ModelMatch[]> {
    const stores = defaultModelStores({ home: this.deps.home ?? homedir(), hearthModelsDir: this.deps.modelsDir });
    return matchModel(uri, await findModelFiles(stores));
  }

  /** Takes a copy found on disk for `uri` (recorded in Hearth's index; the file stays where it is). */
  async useCopy(uri: string, path: string): Promise<void> {
    await rememberModel(this.deps.modelsDir, uri, path);
    this.deps.log.info(`using ${path} for ${uri}`);
    this.deps.startModels();
  }

  /**
   * Offers a copy of `uri` found on disk instead of a download: "used" when the user took it,
   * "download" when they want the download all the same, "other" when they chose another file
   * or dismissed the offer, "none" when there is no copy.
   */
  async offerCopy(uri: string): Promise<"used" | "download" | "other" | "none"> {
    const copy = (await this.copiesOf(uri))[0];
    if (!copy || this.deps.center.isQueued(uri)) return "none";
    const use = vscode.l10n.t("Use It");
    const download = vscode.l10n.t("Download Anyway");
    const choose = vscode.l10n.t("Choose Model…");
    const choice = await this.show(vscode.l10n.t("Hearth found {0} in {1} ({2}). Use it instead of downloading it again?", modelLabel(uri), SOURCE_NAMES[copy.file.source], copy.file.path), use, download, choose);
    if (choice === use) {
      await this.useCopy(uri, copy.file.path);
      return "used";
    }
    if (choice === choose) await vscode.commands.executeCommand("hearth.chooseModel");
    return choice === download ? "download" : "other";
  }

  private async announce(uri: string): Promise<void> {
    await this.deps.openWalkthroughOnce();
    const offered = await this.offerCopy(uri);
    if (offered === "used" || offered === "other" || this.deps.center.isQueued(uri)) return;
    if (offered === "download") {
      await this.deps.center.download(this.deps.configuredModels());
      return;
    }
    const choose = vscode.l10n.t("Choose Model…");
    // When the user has not chosen the models, offer the plan for this machine rather than the default.
    const { plan } = await this.deps.plans.get();
    const decision = planSettings(plan, this.deps.plans.settingsNow());
    const modelWrites = decision.writes.filter((write) => write.key !== "hearth.server.contextSize");
    if (modelWrites.length > 0) {
      const accept = vscode.l10n.t("Accept and Download");
      const review = vscode.l10n.t("Review…");
      const size = plan.downloads.reduce((sum, entry) => sum + entry.bytes, 0);
      const choice = await this.show(vscode.l10n.t("Hearth runs its models on this machine. For this one it suggests {0} ({1} to download).", plan.summary, formatGigabytes(size)), accept, review, choose);
      if (choice === accept) {
        await this.deps.applyPlan();
        await this.deps.center.download(this.deps.configuredModels());
      }
      if (choice === review) await vscode.commands.executeCommand("hearth.openWalkthrough");
      if (choice === choose) await vscode.commands.executeCommand("hearth.chooseModel");
      return;
    }
    const download = vscode.l10n.t("Download");
    const setUp = vscode.l10n.t("Set Up…");
    const bytes = modelBytes(uri);
    const choice = await this.show(vscode.l10n.t("Hearth needs the model {0} ({1}) before it can run; it downloads into Hearth's storage, and a cancelled download resumes.", modelLabel(uri), bytes !== undefined ? formatGigabytes(bytes) : vscode.l10n.t("size unknown")), download, setUp, choose);
    if (choice === download) await this.deps.center.download(this.deps.configuredModels());
    if (choice === setUp) await vscode.commands.executeCommand("hearth.openWalkthrough");
    if (choice === choose) await vscode.commands.executeCommand("hearth.chooseModel");
  }

  private show(message: string, ...buttons: string[]): Thenable<string | undefined> {
    this.lastMessage = message;
    this.deps.log.info(`notice: ${message}`);
    return vscode.window.showInformationMessage(message, ...buttons);
  }
}
