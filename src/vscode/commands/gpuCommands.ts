// Hearth: Download GPU Support — fetches node-llama-cpp's CUDA or Vulkan binary package when
// this machine has a driver the shipped CPU binary cannot use, then restarts the server on it.
// The work is in src/core/gpu; this file asks, shows progress and reports.
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import { detectGpuDrivers } from "../../core/gpu/gpuDrivers.js";
import { downloadAndInstall, fetchPackageInfo, GpuPackageError, gpuPackagesFor, gpuPackagesRoot, isInstalled, type GpuPackageBackend, type GpuPackageInfo, type GpuPackageSpec } from "../../core/gpu/gpuPackages.js";
import { readNpmSettings } from "../../core/gpu/npmConfig.js";
import type { Config } from "../config.js";
import type { ModelService } from "../modelService.js";

export const DOWNLOAD_GPU_COMMAND = "hearth.downloadGpuSupport";
const OFFERED_KEY = "hearth.gpuSupportOffered";

interface Deps {
  service: ModelService;
  config: Config;
  log: vscode.LogOutputChannel;
  extensionPath: string;
  stateDir: string;
  globalState: vscode.Memento;
}

const BACKEND_LABEL: Record<GpuPackageBackend, string> = { cuda: "CUDA (NVIDIA)", vulkan: "Vulkan" };

function megabytes(bytes: number): string {
  return `${Math.max(1, Math.round(bytes / 1e6))} MB`;
}

/** The GPU packages this machine's driver calls for (undefined: no CUDA or Vulkan driver found). */
export async function wantedPackages(deps: Pick<Deps, "extensionPath">): Promise<{ backend: GpuPackageBackend; specs: GpuPackageSpec[]; evidence: string } | undefined> {
  const [driver] = await detectGpuDrivers();
  if (!driver) return undefined;
  const manifest = JSON.parse(await readFile(path.join(deps.extensionPath, "node_modules", "node-llama-cpp", "package.json"), "utf8")) as { optionalDependencies?: Record<string, string> };
  return { backend: driver.backend, specs: gpuPackagesFor(process.platform, process.arch, driver.backend, manifest.optionalDependencies ?? {}), evidence: driver.evidence };
}

async function install(deps: Deps, backend: GpuPackageBackend, specs: GpuPackageSpec[], ask: boolean): Promise<void> {
  const root = gpuPackagesRoot(deps.stateDir);
  const missing: GpuPackageSpec[] = [];
  for (const spec of specs) if (!(await isInstalled(root, spec))) missing.push(spec);
  if (missing.length > 0) {
    const settings = await readNpmSettings();
    const infos: GpuPackageInfo[] = [];
    for (const spec of missing) infos.push(await fetchPackageInfo(spec, settings));
    const size = infos.reduce((sum, info) => sum + (info.unpackedSize ?? 0), 0);
    if (ask) {
      const download = vscode.l10n.t("Download ({0})", size > 0 ? megabytes(size) : vscode.l10n.t("size unknown"));
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t("Hearth found a {0} GPU that its built-in binary cannot use. Download node-llama-cpp's {0} binary from {1}?", BACKEND_LABEL[backend], settings.registry),
        download,
        vscode.l10n.t("Not Now"),
      );
      if (choice !== download) return;
    }
    deps.log.info(`downloading ${infos.map((info) => `${info.name}@${info.version}`).join(", ")} from ${settings.registry} (registry from ${settings.registryFrom})`);
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: downloading GPU support"), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          const totalSize = size || undefined;
          let done = 0;
          let reported = 0;
          for (const info of infos) {
            await downloadAndInstall(info, {
              root,
              settings,
              signal: controller.signal,
              onProgress: (event) => {
                const overall = done + event.receivedBytes;
                const percent = totalSize ? Math.min(99, (overall / totalSize) * 100) : 0;
                const increment = percent - reported;
                if (increment >= 1 || event.phase !== "download") {
                  reported = Math.max(reported, percent);
                  progress.report({ increment: Math.max(0, increment), message: `${info.name.split("/")[1]}: ${event.phase === "download" ? `${megabytes(event.receivedBytes)}${event.totalBytes ? ` / ${megabytes(event.totalBytes)}` : ""}` : event.phase}` });
                }
              },
            });
            done += info.unpackedSize ?? 0;
          }
        } finally {
          subscription.dispose();
        }
      },
    );
  }
  deps.log.info(`GPU packages ready in ${root}; restarting the model server`);
  await deps.service.restart();
  const state = deps.service.state;
  if (deps.config.value.gpu === "cpu") {
    void vscode.window.showInformationMessage(vscode.l10n.t("GPU support is installed, but `hearth.gpu` is set to \"cpu\". Set it to \"auto\" to use the GPU."));
  } else if (state.kind === "ready" && state.info.onGpu === false) {
    void vscode.window.showWarningMessage(vscode.l10n.t("The {0} binary did not load on this machine, so Hearth runs on the CPU. Update the GPU driver, then run Hearth: Restart Model Server; details are in Hearth: Show Logs.", BACKEND_LABEL[backend]));
  } else if (state.kind === "ready" && state.info.onGpu) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Hearth now runs the model on the {0} GPU.", BACKEND_LABEL[backend]));
  }
}

function report(deps: Deps, error: unknown): void {
  if (error instanceof GpuPackageError && error.code === "cancelled") {
    void vscode.window.showInformationMessage(vscode.l10n.t("GPU support download cancelled. Run Hearth: Download GPU Support again to resume it."));
    return;
  }
  deps.log.error(error instanceof Error ? error : String(error));
  const message = error instanceof Error ? error.message : String(error);
  void vscode.window.showErrorMessage(vscode.l10n.t("Hearth could not install GPU support: {0} Hearth keeps running on the CPU.", message));
}

/** Runs the download (asking first) and restarts; never throws. */
async function run(deps: Deps, ask: boolean): Promise<void> {
  try {
    const wanted = await wantedPackages(deps);
    if (!wanted) {
      if (ask) void vscode.window.showInformationMessage(vscode.l10n.t("Hearth found no NVIDIA (CUDA) or Vulkan GPU driver on this machine; it runs on the CPU (on Apple silicon, Metal is built in)."));
      return;
    }
    deps.log.info(`GPU driver found (${wanted.backend}: ${wanted.evidence})`);
    await install(deps, wanted.backend, wanted.specs, true);
  } catch (error) {
    report(deps, error);
  }
}

export function registerGpuCommands(deps: Deps): vscode.Disposable[] {
  return [vscode.commands.registerCommand(DOWNLOAD_GPU_COMMAND, () => run(deps, true))];
}

/**
 * Offers GPU support once per installation when the server came up on the CPU although a GPU
 * driver is present. Quiet when nothing is found, when the user chose `hearth.gpu: cpu`, or
 * when the offer was already made (the command stays available).
 */
export function offerGpuSupportOnce(deps: Deps): vscode.Disposable {
  const subscription = deps.service.onDidChangeState((state) => {
    if (state.kind !== "ready" || state.info.onGpu !== false || deps.config.value.gpu === "cpu") return;
    if (deps.globalState.get<boolean>(OFFERED_KEY)) return;
    subscription.dispose();
    void (async () => {
      const wanted = await wantedPackages(deps).catch(() => undefined);
      if (!wanted) return;
      if (await isInstalled(gpuPackagesRoot(deps.stateDir), wanted.specs[0]!)) return;
      await deps.globalState.update(OFFERED_KEY, true);
      await install(deps, wanted.backend, wanted.specs, true).catch((error: unknown) => report(deps, error));
    })();
  });
  return subscription;
}
