// The first hour on a real machine, in a real VS Code: the first start whose model is not on
// disk opens the walkthrough with a notice (never a modal), Hearth: Apply Model Plan writes the
// plan where the user has not set a value, a queued download shows progress per file, is
// cancelled and resumed (a loopback hub stands in for Hugging Face: HF_ENDPOINT), and a model
// downloaded that way is what the server starts on. Trusted pass only: it changes user
// settings, and puts back the harness's own when done. The walkthrough's ticks are checked
// from the browser (ui/walkthrough.ui.ts).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import type { MachineMeasurement } from "../../../src/core/hardware/machineMeasurement";
import { PLAN_ROLES } from "../../../src/core/hardware/planner";
import { OnboardingProgress } from "../../../src/vscode/onboarding/contextKeys";
import { describeIn, note, screenshot, waitFor } from "../harness/host";
import { MemoryMemento } from "../harness/memento";
import { patternedBytes, startFakeModelHub, type FakeModelHub } from "../../support/fakeModelHub";

const MiB = 1024 * 1024;
const DEFAULT_MODEL = "hf:unsloth/Qwen3.5-9B-GGUF:Q4_K_M";

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>("hearth.hearth");
  assert.ok(extension);
  return extension.activate();
}

const settings = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration();
const userValue = (key: string): unknown => settings().inspect(key)?.globalValue;

/** Lets the workbench draw what was just shown before a screenshot (for the picture only: nothing is asserted on it). */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1500));

/** The tabs of every group, by label. */
function tabLabels(): string[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
}

describeIn(["trusted"], "walkthrough: the first start, the plan and the downloads", function () {
  this.timeout(240_000);
  let api: HearthApi;
  let hub: FakeModelHub;
  let tinyModel: Buffer;
  const big = patternedBytes(10 * MiB);
  const saved: Record<string, unknown> = {};

  before(async () => {
    api = await hearth();
    for (const key of ["hearth.model", "hearth.completion.model", "hearth.server.contextSize"]) saved[key] = userValue(key);
    const tinyPath = typeof saved["hearth.model"] === "string" ? saved["hearth.model"] : process.env.HEARTH_IT_MODEL;
    assert.ok(tinyPath && existsSync(tinyPath), `the harness's tiny model: ${String(tinyPath)}`);
    tinyModel = readFileSync(tinyPath);
    hub = await startFakeModelHub([
      { repo: "hearth/Tiny-GGUF", quant: "F32", fileName: "Tiny.F32.gguf", bytes: tinyModel },
      { repo: "hearth/Big-GGUF", quant: "F32", fileName: "Big.F32.gguf", bytes: big },
    ]);
    // The download command runs as a child of this extension host and inherits its environment.
    process.env.HF_ENDPOINT = hub.endpoint;
  });

  after(async () => {
    for (const [key, value] of Object.entries(saved)) await settings().update(key, value, vscode.ConfigurationTarget.Global);
    delete process.env.HF_ENDPOINT;
    await hub?.close();
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    // The harness's own model again, for whatever runs next.
    await waitFor("the server on the harness's model again", () => api.modelService.state.kind === "ready", { timeoutMs: 120_000 }).catch(() => undefined);
  });

  it("opens the walkthrough and a notice, never a modal, when the model is not on disk", async () => {
    assert.ok(!tabLabels().some((label) => /walkthrough|welcome/i.test(label)), `no walkthrough before: ${tabLabels().join(", ")}`);
    // What a fresh install sees: the default model, which nobody has downloaded here. (Named in
    // the settings: code-server keeps the harness's value in the local user settings, which an
    // extension cannot remove; the plan then keeps this model as the user's choice.)
    await settings().update("hearth.model", DEFAULT_MODEL, vscode.ConfigurationTarget.Global);
    await waitFor("the model reported as not downloaded", () => {
      const state = api.modelService.state;
      return state.kind === "error" && state.code === "model_not_downloaded";
    }, { timeoutMs: 60_000 });
    const message = await waitFor("the first-start notice", () => api.onboarding.notice.lastMessage, { timeoutMs: 60_000 });
    note(`notice: ${message}`);
    // The plan keeps the user's 9B and, on a small machine, adds a faster model for suggestions.
    assert.match(message, /^Hearth runs its models on this machine\. For this one it suggests completion .*; chat 9B Q4_K_M.*\(\d+\.\d GB to download\)\.$/);
    // Hearth's own, not another one VS Code had registered first.
    let tabs = "";
    await waitFor("Hearth's walkthrough", () => {
      tabs = tabLabels().join(", ");
      // VS Code names the tab "Welcome" (the browser test reads the page itself); another walkthrough would be named.
      return tabLabels().find((label) => /^Welcome$|^Walkthrough: .*Hearth/.test(label));
    }, { timeoutMs: 30_000 }).catch((error: unknown) => {
      throw new Error(`${String(error)}; tabs: ${tabs}`);
    });
    note(`tabs: ${tabLabels().join(", ")}`);
    await settle();
    await screenshot("first-start");
    assert.equal(api.modelService.state.kind === "error" && api.modelService.state.message.includes(DEFAULT_MODEL), true);
  });

  it("applies the plan only where the user has not set a value", async () => {
    const applied = await vscode.commands.executeCommand<{ plan: { roles: Record<string, { model?: { uri: string } }> }; decision: { writes: { key: string; value: unknown }[]; kept: { key: string }[] } }>("hearth.applyModelPlan");
    const { plan, decision } = applied;
    note(`plan writes: ${decision.writes.map((write) => `${write.key}=${JSON.stringify(write.value)}`).join(", ")}; kept: ${decision.kept.map((kept) => kept.key).join(", ")}`);
    // The model and the context (2048) were set by the user (the harness, then the test): they stay.
    assert.deepEqual(decision.kept.map((kept) => kept.key), ["hearth.model", "hearth.server.contextSize"]);
    assert.equal(userValue("hearth.server.contextSize"), 2048);
    assert.equal(userValue("hearth.model"), DEFAULT_MODEL);
    assert.equal(plan.roles.chat!.model!.uri, DEFAULT_MODEL, "the plan works around the user's model");
    // The 9B is too slow for suggestions on a 2-core machine: the plan adds a smaller model for them.
    const completionUri = plan.roles.completion!.model!.uri;
    assert.notEqual(completionUri, DEFAULT_MODEL, `this machine: ${JSON.stringify(plan.roles.completion)}`);
    assert.deepEqual(decision.writes.map((write) => [write.key, write.value]), [["hearth.completion.model", completionUri]]);
    assert.equal(userValue("hearth.completion.model"), completionUri);
    // Applying again changes nothing, and the value it wrote is Hearth's, not the user's.
    const again = await vscode.commands.executeCommand<{ decision: { writes: unknown[]; kept: { key: string }[] } }>("hearth.applyModelPlan");
    assert.deepEqual(again.decision.writes, []);
    assert.deepEqual(again.decision.kept.map((kept) => kept.key), ["hearth.model", "hearth.server.contextSize"]);
    // For the README: the plan in words (Show Model Plan) beside the Hearth view's Machine rows unfolded.
    await vscode.commands.executeCommand("notifications.clearAll");
    await vscode.commands.executeCommand("hearth.modelView.focus");
    await settle();
    // Server, then Machine: unfold it.
    for (const command of ["list.focusFirst", "list.focusDown", "list.expand"]) await vscode.commands.executeCommand(command);
    void vscode.commands.executeCommand("hearth.showModelPlan");
    await settle();
    await screenshot("plan");
  });

  it("shows a queued download per file, cancels it part way and resumes it with a Range request", async () => {
    const partial = join(api.onboarding.modelsDir, "hf_hearth_Big.F32.gguf.ipull");
    await rm(partial, { force: true });
    // The second 5 MiB chunk comes at once; the first stalls after 1 MiB, so a cancel lands part way.
    hub.stallAfter = MiB;
    hub.stallBelow = 1;
    hub.requests.length = 0;
    await vscode.commands.executeCommand("notifications.clearAll");
    await vscode.commands.executeCommand("workbench.view.extension.hearth");
    const first = api.onboarding.center.download(["hf:hearth/Big-GGUF:F32"], { gpu: false });
    const recorded = async (): Promise<boolean> => {
      const bytes = await readFile(partial).catch(() => undefined);
      if (!bytes || bytes.length <= big.length) return false;
      try {
        return (JSON.parse(bytes.subarray(big.length).toString("utf8")) as { chunks?: number[] }).chunks?.[1] === 2;
      } catch {
        return false;
      }
    };
    await waitFor("6 MiB of 10 downloaded, the second chunk recorded", async () => (api.onboarding.center.queue.item("hf:hearth/Big-GGUF:F32")?.receivedBytes ?? 0) >= 6 * MiB && (await recorded()), { timeoutMs: 60_000 });
    const item = api.onboarding.center.queue.item("hf:hearth/Big-GGUF:F32")!;
    assert.equal(item.state, "downloading");
    assert.equal(item.totalBytes, big.length);
    await screenshot("download");
    api.onboarding.center.cancel();
    const cancelled = await first;
    assert.equal(cancelled?.outcome, "cancelled");
    assert.equal(api.onboarding.center.queue.item("hf:hearth/Big-GGUF:F32")?.state, "cancelled");
    assert.deepEqual((await readdir(api.onboarding.modelsDir)).filter((name) => name.startsWith("hf_hearth_Big")), ["hf_hearth_Big.F32.gguf.ipull"], "the partial file is kept");

    hub.stallAfter = Infinity;
    hub.requests.length = 0;
    const resumed = await api.onboarding.center.run();
    assert.equal(resumed.outcome, "done", String(resumed.error));
    const path = api.onboarding.center.queue.item("hf:hearth/Big-GGUF:F32")!.result!;
    assert.deepEqual(await readFile(path), big);
    const ranges = hub.requests.flatMap((request) => /bytes=(\d+)-(\d*)/.exec(request)?.slice(1, 3) ?? []);
    assert.deepEqual(ranges, ["0", String(5 * MiB - 1)], `only the unfinished chunk again: ${hub.requests.join(" | ")}`);
    note(`resume asked for bytes ${ranges.join("-")} of ${big.length}`);
  });

  it("downloads the model the settings name and starts the server on it", async () => {
    await settings().update("hearth.completion.model", undefined, vscode.ConfigurationTarget.Global);
    await settings().update("hearth.model", "hf:hearth/Tiny-GGUF:F32", vscode.ConfigurationTarget.Global);
    await waitFor("the tiny model reported as not downloaded", () => {
      const state = api.modelService.state;
      return state.kind === "error" && state.code === "model_not_downloaded" && state.message.includes("hf:hearth/Tiny-GGUF:F32");
    }, { timeoutMs: 60_000 });
    const outcome = await vscode.commands.executeCommand<{ outcome: string } | undefined>("hearth.downloadModels");
    assert.equal(outcome?.outcome, "done");
    const ready = await waitFor("the server on the downloaded model", () => (api.modelService.state.kind === "ready" ? api.modelService.state : undefined), { timeoutMs: 120_000 });
    note(`server ready on ${ready.info.model}`);
    const index = JSON.parse(await readFile(join(api.onboarding.modelsDir, "index.json"), "utf8")) as Record<string, string>;
    assert.deepEqual(await readFile(index["hf:hearth/Tiny-GGUF:F32"]!), tinyModel);
    assert.ok(api.onboarding.progress.has("modelsReady"));
    assert.ok(api.onboarding.progress.has("planDecided"));
  });

  it("measures this machine with the downloaded model, and the plan uses the figures (Hearth: Measure This Machine)", async () => {
    // The server bundle's measure command, run as the extension runs it: the editor's own Node (ELECTRON_RUN_AS_NODE).
    const measurement = await vscode.commands.executeCommand<MachineMeasurement | undefined>("hearth.measureMachine");
    assert.ok(measurement, "the measurement failed: see the Hearth log");
    assert.equal(measurement.probe.gpusProbed, true);
    const cpu = measurement.samples.find((sample) => sample.backend === "cpu");
    assert.ok(cpu && cpu.promptTokensPerSecond > 0 && cpu.generationTokensPerSecond > 0, JSON.stringify(measurement.samples));
    const { plan, probe, speeds } = await api.onboarding.plans.refresh();
    assert.equal(speeds.kind, "measured");
    assert.equal(probe.gpusProbed, true);
    // Every figure is scaled from a measured sample (or, for a GPU the engine could not run on, its estimate), none from the reference.
    // (Here the settings name the tiny model, which the plan cannot size: it predicts nothing for it.)
    const measured = new Set(measurement.samples.map((sample) => sample.label));
    const bases = PLAN_ROLES.flatMap((role) => plan.roles[role].expected?.basis ?? []);
    assert.ok(bases.every((basis) => measured.has(basis.label) || (basis.backend === "gpu" && basis.estimated)), plan.summary);
    note(`measured in ${Math.round(measurement.wallMs)} ms with ${measurement.model.name}: ${cpu.label}, prompt ${cpu.promptTokensPerSecond.toFixed(0)} tok/s, generation ${cpu.generationTokensPerSecond.toFixed(0)} tok/s`);
  });

  it("remembers a done step for every later window, and then leaves a feature's port as the gateway made it", async () => {
    const state = new MemoryMemento();
    const first = new OnboardingProgress(state);
    assert.equal(first.has("chatSent"), false);
    first.mark("chatSent");
    // A later window reads the same global state.
    const later = new OnboardingProgress(state);
    assert.equal(later.has("chatSent"), true);
    assert.equal(later.has("repoAsked"), false);
    // Hearth's own: once the step is done (the chat suite has sent messages by now; marking again changes nothing), the chat's port is the gateway's own.
    api.onboarding.progress.mark("chatSent");
    const port = api.gateway.port("chat");
    assert.equal(api.onboarding.observe(port, "chatSent"), port);
  });
});
