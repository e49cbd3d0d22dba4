// Multi-root workspaces: every request is decided by the policy of the folder(s) it is about,
// never by the folder of whichever editor happens to be active, and a request about files of
// two folders gets the stricter of their policies.
//
// Runs in the harness's multiRoot pass (two folders, trusted), which `npm test` includes; alone:
//   npx tsx test/integration/harness/run.ts --suite multiRoot --mode multiRoot
//
// A real PolicyService reads the real files; a real gateway (createGateway, as the extension
// builds it, with the extension's own model service) previews each request. Preview decides
// the route and builds the payload exactly as a send would, without sending.
//
// Inline completion's context (the recent-files ring) stays in its folder: a file viewed in
// folder one never rides in a completion prompt for folder two, which folder two's policy
// judges. Checked twice: through the extension itself, with hearth.server.url on a loopback
// scripted server (what that "local" server receives is the prompt), and on the cloud route,
// where the extension's OpenAI endpoint cannot be redirected: the same provider, feeder,
// ring and engine, wired as registerInlineCompletion wires them, over a gateway sending to a
// loopback OpenAI, with the local model down as the cloud needs it; there the audit entry is
// checked too.
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionTrace } from "../../../src/core/complete/completionEngine";
import { ContextRing } from "../../../src/core/complete/contextRing";
import { TokenEstimator } from "../../../src/core/complete/tokenEstimate";
import type { GatewayPreview, GatewayRequest } from "../../../src/core/gateway/index";
import { SECRET_KEYS } from "../../../src/core/providers/index";
import type { HearthApi } from "../../../src/extension";
import { CompletionConfig } from "../../../src/vscode/completion/completionConfig";
import { HearthInlineCompletionProvider, TRIGGER_COMPLETION_COMMAND } from "../../../src/vscode/completion/inlineProvider";
import { RecentFilesFeeder } from "../../../src/vscode/completion/recentFiles";
import type { ModelService } from "../../../src/vscode/modelService";
import { createGateway, type GatewayServices } from "../../../src/vscode/gateway/createGateway";
import { PolicyService, requestFolders, type PolicyPrompts } from "../../../src/vscode/policy/index";
import { FakeOpenAi, type RecordedRequest } from "../../support/fakeCloud/index";
import { describeIn, note, waitFor } from "../harness/host";
import { MemoryMemento } from "../harness/memento";

const EXTENSION_ID = "hearth.hearth";

const quietPrompts: PolicyPrompts = {
  invalidFile: () => undefined,
  invalidSetting: () => undefined,
  askConsent: async () => undefined,
};
const log = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// The user lets chat go to the cloud without asking; folder "one" keeps that, folder "two" keeps chat local.
const USER = { features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini", "claude-haiku-4-5"] } } };
const POLICY_ONE = '{ "neverSend": ["one-secret/"] }\n';
const POLICY_TWO = '{ "features": { "chat": { "route": "local" } }, "neverSend": ["two-secret/"] }\n';

function policyFile(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, ".hearth", "policy.json");
}

describeIn(["multiRoot"], "multi-root workspace: each request gets its own folder's policy", function () {
  this.timeout(90_000);
  let one: vscode.WorkspaceFolder;
  let two: vscode.WorkspaceFolder;
  let service: PolicyService | undefined;
  let services: GatewayServices | undefined;
  let storageDir: string | undefined;

  before(async function () {
    const folders = vscode.workspace.workspaceFolders ?? [];
    // The multiRoot pass opens two folders; fewer means the harness is broken, not a reason to pass.
    assert.ok(folders.length >= 2, `the multiRoot pass opened ${folders.length} folder(s), not two`);
    [one, two] = folders;
    await vscode.workspace.fs.writeFile(policyFile(one), Buffer.from(POLICY_ONE));
    await vscode.workspace.fs.writeFile(policyFile(two), Buffer.from(POLICY_TWO));
    service = new PolicyService({ state: new MemoryMemento(), log, prompts: quietPrompts, diagnostics: vscode.languages.createDiagnosticCollection("Hearth policy (multi-root test)"), userSetting: () => USER });
    await service.ready;
    const s = service;
    await waitFor("both files read", () => s.describe(one.uri).fileState === "valid" && s.describe(two.uri).fileState === "valid");

    const extension = vscode.extensions.getExtension<{ modelService: ModelService }>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-multiroot-"));
    services = createGateway(
      // A key for OpenAI, so that the cloud route is open wherever the policy allows it.
      { secrets: { get: async (key: string) => (key === SECRET_KEYS.openai ? "sk-test-not-a-real-key" : undefined) }, workspaceState: new MemoryMemento(), storageDir },
      { log, policy: service, modelService: api.modelService },
    );
  });

  // The watcher may report the files written above a while later, and a re-read is local-only
  // while it runs (by design): each test starts once both folders' files are read again.
  beforeEach(async () => {
    const s = service;
    assert.ok(s);
    await waitFor("both files read", () => s.describe(one.uri).fileState === "valid" && s.describe(two.uri).fileState === "valid");
  });

  after(async () => {
    services?.dispose();
    service?.dispose();
    if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
    for (const folder of [one, two]) {
      if (folder) await vscode.workspace.fs.delete(policyFile(folder)).then(undefined, () => undefined);
    }
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  const ask = (request: Partial<GatewayRequest>): Promise<GatewayPreview> => {
    assert.ok(services);
    return services.gateway.preview({ feature: "chat", messages: [{ role: "user", content: "What does greet do?" }], preferred: { route: "cloud", model: "gpt-4o-mini" }, ...request });
  };
  const wentToCloud = (p: GatewayPreview): boolean => p.ok && p.route === "cloud";
  const stateOf = (folder: vscode.WorkspaceFolder): string => {
    const d = service?.describe(folder.uri);
    return d === undefined ? "no service" : `${folder.name}: file ${d.fileState}, chat ${d.effective.features.chat.route}${d.effective.localOnlyReason ? ` (local-only: ${d.effective.localOnlyReason})` : ""}`;
  };
  /**
   * A request the policy lets go to the cloud. A watcher event can start a re-read at any moment
   * (VS Code may report the files written in `before` seconds later), and a folder is local-only
   * while its file is read (by design), so this asks again until the answer is the cloud; it fails
   * with both folders' state when the cloud never comes.
   */
  async function cloudEventually(request: Partial<GatewayRequest>, label: string): Promise<GatewayPreview> {
    let last: GatewayPreview | undefined;
    let asks = 0;
    try {
      await waitFor(label, async () => {
        asks += 1;
        last = await ask(request);
        return wentToCloud(last);
      }, { timeoutMs: 15_000 });
    } catch {
      assert.fail(`${label}, but after ${asks} asks: ${JSON.stringify(last).slice(0, 300)}; ${stateOf(one)}; ${stateOf(two)}`);
    }
    if (asks > 1) note(`${label}: the cloud came at ask ${asks} (a re-read was under way before)`);
    assert.ok(last);
    return last;
  }

  async function activate(folder: vscode.WorkspaceFolder): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, "src", "greet.ts"));
    await waitFor("the editor", () => vscode.window.activeTextEditor?.document.uri.toString() === vscode.Uri.joinPath(folder.uri, "src", "greet.ts").toString());
  }

  it("the folders have different policies", () => {
    assert.ok(service);
    assert.equal(service.getEffectivePolicy(one.uri).features.chat.route, "cloud");
    assert.equal(service.getEffectivePolicy(two.uri).features.chat.route, "local");
  });

  it("a request about folder two while an editor of folder one is active gets folder two's policy", async () => {
    await activate(one);
    const aboutTwo = await ask({ folders: requestFolders(vscode.Uri.joinPath(two.uri, "src", "greet.ts")) });
    assert.ok(!wentToCloud(aboutTwo), `folder two keeps chat local, but: ${JSON.stringify(aboutTwo).slice(0, 300)}`);
    if (!aboutTwo.ok) assert.match(aboutTwo.reason, /keeps chat on this machine/);
    const aboutOne = await cloudEventually({ folders: requestFolders(vscode.Uri.joinPath(one.uri, "src", "greet.ts")) }, "folder one allows the cloud");
    note(`editor in "one": request about "two" → ${aboutTwo.ok ? aboutTwo.route : `refused (${aboutTwo.reason.slice(0, 80)}…)`}; about "one" → ${aboutOne.ok ? aboutOne.route : "refused"}`);
  });

  it("and the other way round: the active editor does not lend its policy", async () => {
    await activate(two);
    await cloudEventually({ folders: [one.uri.toString()] }, "folder one allows the cloud while folder two's editor is active");
  });

  it("a file named by its absolute path names its folder", async () => {
    await activate(one);
    const file = path.join(two.uri.fsPath, "src", "greet.ts");
    const p = await ask({ files: [{ path: file, content: "export const x = 1;", origin: "file" }] });
    assert.ok(!wentToCloud(p), JSON.stringify(p).slice(0, 300));
  });

  it("a request with files from both folders gets the stricter policy, and both folders' neverSend", async () => {
    await activate(one);
    const both = await ask({ folders: [one.uri.toString(), two.uri.toString()] });
    assert.ok(!wentToCloud(both), JSON.stringify(both).slice(0, 300));
    assert.ok(service);
    const s = service;
    // While a file is re-read its folder is local-only without its neverSend; wait for both read.
    await waitFor("both files read", () => s.describe(one.uri).fileState === "valid" && s.describe(two.uri).fileState === "valid");
    const stricter = s.getPolicyForRequest([one.uri, two.uri]);
    assert.equal(stricter.features.chat.route, "local");
    assert.ok(stricter.neverSend.matches(path.join(one.uri.fsPath, "one-secret", "k")), `folder one's neverSend is missing; ${stateOf(one)}; ${stateOf(two)}`);
    assert.ok(stricter.neverSend.matches(path.join(two.uri.fsPath, "two-secret", "k")), `folder two's neverSend is missing; ${stateOf(one)}; ${stateOf(two)}`);
  });

  it("a request that names no folder gets the stricter of all folders, whichever editor is active", async () => {
    await activate(one);
    const p = await ask({});
    assert.ok(!wentToCloud(p), JSON.stringify(p).slice(0, 300));
  });

  it("folder one's neverSend keeps its secret file out of a cloud request, folder two's rules do not leak into it", async () => {
    await activate(two);
    const secret = path.join(one.uri.fsPath, "one-secret", "token.txt");
    const pinned = await ask({ folders: [one.uri.toString()], files: [{ path: secret, content: "t0ken", origin: "file", embedded: true }] });
    assert.ok(!wentToCloud(pinned), JSON.stringify(pinned).slice(0, 300));
    const other = path.join(one.uri.fsPath, "two-secret", "x.txt");
    await cloudEventually({ folders: [one.uri.toString()], files: [{ path: other, content: "fine", origin: "file", embedded: true }] }, `"two-secret/" is folder two's rule, so folder one's file there may leave`);
  });
});

// Folder one keeps its production config on this machine; what only that file holds, and
// its path, must never appear in a completion request about folder two.
const PROD_MARKER = "replicas_for_folder_one_prod_7c41e9: 17";
const PROD_PATH = "config/prod.yml";
const PROD_YML = ["# Production settings of folder one.", "service: checkout", "region: eu-west-1", PROD_MARKER, "database_pool: 24", "log_level: warn", "feature_flags: [fast_lane, new_cart]", "timeout_seconds: 30"].join("\n") + "\n";
/** What only folder two's src/util.ts holds: its chunk may ride (same folder), and must, or the test proves nothing. */
const UTIL_MARKER = "export function folderTwoHelperRatio_5d2a";
const UTIL_TS = ["// Folder two's helpers.", `${UTIL_MARKER}(total: number, count: number): number {`, "  return count === 0 ? 0 : total / count;", "}", "", "export const FOLDER_TWO_DEFAULT_COUNT = 12;"].join("\n") + "\n";
const APP_MARKER = "folderTwoAppEntry_91b3";
const APP_TS = ["// Folder two's app.", 'import { folderTwoHelperRatio_5d2a } from "./util";', "", `export function ${APP_MARKER}(total: number): number {`, "  return folderTwoHelperRatio_5d2a(total, 3);", "}", ""].join("\n");
const COMPLETION_ANSWER = "folderTwoHelperRatio_5d2a(total, 4);";
const FAKE_KEY = "sk-hearth-multiroot-fake";
/** The user lets completion go to OpenAI without asking; folder one's file adds only neverSend (stricter, so no consent). */
const USER_CLOUD_COMPLETION = { features: { completion: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } };
const POLICY_ONE_CONFIG = '{ "neverSend": ["config/**"] }\n';

async function hearth(): Promise<HearthApi> {
  const extension = vscode.extensions.getExtension<HearthApi>(EXTENSION_ID);
  assert.ok(extension);
  return extension.activate();
}

async function showAndWait(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
  await waitFor(`${uri.path} to be the active editor`, () => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString());
  return editor;
}

async function typeSlowly(text: string): Promise<void> {
  for (const ch of text) {
    await vscode.commands.executeCommand("type", { text: ch });
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

/** What a leak would put in a request: the file's content or its name. */
function leaksOf(text: string): string[] {
  return [PROD_MARKER, PROD_PATH].filter((needle) => text.includes(needle));
}

describeIn(["multiRoot"], "multi-root workspace: completion context stays in its folder", function () {
  this.timeout(180_000);
  let one: vscode.WorkspaceFolder;
  let two: vscode.WorkspaceFolder;
  let prodYml: vscode.Uri;
  let utilTs: vscode.Uri;
  let appTs: vscode.Uri;
  let api: HearthApi;
  /**
   * The extension's "local" model for the whole block (hearth.server.url): a scripted loopback
   * server, which records each prompt. It answers the extension's own provider in both tests,
   * so the tiny model's server does not compete for the CPU meanwhile.
   */
  let server: FakeOpenAi | undefined;
  const workspaceTarget = vscode.ConfigurationTarget.Workspace;

  before(async () => {
    api = await hearth();
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.ok(folders.length >= 2, `the multiRoot pass opened ${folders.length} folder(s), not two`);
    [one, two] = folders;
    prodYml = vscode.Uri.joinPath(one.uri, ...PROD_PATH.split("/"));
    utilTs = vscode.Uri.joinPath(two.uri, "src", "util.ts");
    appTs = vscode.Uri.joinPath(two.uri, "src", "app.ts");
    await vscode.workspace.fs.writeFile(policyFile(one), Buffer.from(POLICY_ONE_CONFIG));
    await vscode.workspace.fs.writeFile(prodYml, Buffer.from(PROD_YML));
    await vscode.workspace.fs.writeFile(utilTs, Buffer.from(UTIL_TS));
    await vscode.workspace.fs.writeFile(appTs, Buffer.from(APP_TS));
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const started = await new FakeOpenAi().start();
    server = started;
    started.answer = COMPLETION_ANSWER;
    await vscode.workspace.getConfiguration("hearth").update("server.url", started.baseUrl, workspaceTarget);
    await waitFor("Hearth to use the scripted server", () => api.modelService.state.kind === "external", { timeoutMs: 30_000 });
  });

  afterEach(async () => {
    await vscode.commands.executeCommand("workbench.action.files.revert");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  after(async () => {
    await vscode.workspace.getConfiguration("hearth").update("server.url", undefined, workspaceTarget);
    await server?.stop();
    for (const uri of [policyFile(one), prodYml, utilTs, appTs]) {
      if (uri) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    }
  });

  /**
   * What the user does: looks at folder one's production config (the feeder offers the part in
   * view to the ring), then at folder two's helpers, then types in folder two's app and asks
   * for a suggestion (Alt+\\). Asks again until `arrived` says the request came.
   */
  async function viewConfigThenCompleteInTwo<T>(arrived: () => T | undefined): Promise<T> {
    await showAndWait(prodYml);
    await showAndWait(utilTs);
    const editor = await showAndWait(appTs);
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(end, end);
    await typeSlowly("export const ratio = ");
    return waitFor(
      "a completion request about two/src/app.ts",
      async () => {
        const found = arrived();
        if (found === undefined) await vscode.commands.executeCommand(TRIGGER_COMPLETION_COMMAND);
        return found;
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
  }

  const aboutApp = (requests: readonly RecordedRequest[]): RecordedRequest | undefined => requests.find((r) => r.path.endsWith("/completions") && r.body.includes(APP_MARKER));

  it("the extension's completion prompt for folder two carries folder two's context and none of folder one's", async () => {
    // The extension's own provider, feeder and gateway; the prompt is what the scripted "local"
    // server received (the extension's cloud endpoint cannot be pointed at a fake).
    assert.ok(server);
    const scripted = server;
    const tracesBefore = api.completion.traces.length;
    const request = await viewConfigThenCompleteInTwo(() => aboutApp(scripted.requests));
    const trace = await waitFor("the completion's trace", () => api.completion.traces.slice(tracesBefore).find((t) => t.outcome !== "cancelled" && t.outcome !== "typing"));
    note(`extension → scripted local server: ${request.path}, ${request.body.length} bytes; trace ${trace.outcome} (${trace.kind ?? "?"}/${trace.layout}, ${trace.promptChars ?? "?"} chars)`);
    assert.ok(request.body.includes(UTIL_MARKER), `folder two's own recent file src/util.ts should ride in the prompt (else this test proves nothing): ${request.body.slice(0, 600)}`);
    for (const recorded of scripted.requests) {
      assert.deepEqual(leaksOf(recorded.body), [], `folder one's ${PROD_PATH} rode in a completion request about folder two: ${recorded.body.slice(0, 600)}`);
    }
  });

  it("on the cloud route, neither the request to OpenAI nor its audit entry names or holds folder one's config", async () => {
    const cloud = await new FakeOpenAi().start();
    cloud.apiKey = FAKE_KEY;
    cloud.answer = COMPLETION_ANSWER;
    const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-multiroot-completion-"));
    const disposables: vscode.Disposable[] = [];
    let services: GatewayServices | undefined;
    try {
      const policy = new PolicyService({ state: new MemoryMemento(), log, prompts: quietPrompts, diagnostics: vscode.languages.createDiagnosticCollection("Hearth policy (multi-root completion test)"), userSetting: () => USER_CLOUD_COMPLETION });
      disposables.push(policy);
      await policy.ready;
      await waitFor("folder one's policy file read", () => policy.describe(one.uri).fileState === "valid" && policy.describe(two.uri).fileState === "absent", { timeoutMs: 15_000 });
      assert.ok(policy.getEffectivePolicy(one.uri).neverSend.matches(prodYml.fsPath), "folder one keeps config/** on this machine");
      assert.equal(policy.getEffectivePolicy(two.uri).features.completion.route, "cloud");
      // The local model is down (a permanent failure): completion plans local first, so the cloud
      // is the route left, as when the user's machine cannot run the model.
      const downModel = {
        state: { kind: "error", code: "test_local_down", message: "the local model is down in this test", permanent: true },
        onDidChangeState: () => ({ dispose: () => undefined }),
        withEndpoint: () => Promise.reject(new Error("the local model is down in this test")),
      } as const;
      // A stand-in with the members createGateway and the provider read (state, withEndpoint); the class has many more.
      const modelService = downModel as unknown as ModelService;
      services = createGateway(
        { secrets: { get: async (key: string) => (key === SECRET_KEYS.openai ? FAKE_KEY : undefined) }, workspaceState: new MemoryMemento(), storageDir },
        { log, policy, modelService },
        { openAiBaseUrl: cloud.baseUrl },
      );
      // As registerInlineCompletion wires them (its command is the extension's already).
      const estimator = new TokenEstimator();
      const ring = new ContextRing(estimator);
      const config = new CompletionConfig(log);
      const traces: CompletionTrace[] = [];
      const engine = new CompletionEngine({
        port: services.gateway.port("completion"),
        ring,
        estimator,
        log,
        settings: () => ({ ...DEFAULT_COMPLETION_SETTINGS, mode: config.value.mode, fimLayout: config.value.fimLayout }),
        onTrace: (trace) => traces.push(trace),
      });
      const provider = new HearthInlineCompletionProvider(engine, config, { modelService, log });
      disposables.push(config, new RecentFilesFeeder(ring), vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider), { dispose: () => engine.cancel() });

      const request = await viewConfigThenCompleteInTwo(() => aboutApp(cloud.requests));
      const gateway = services;
      const [entry] = await waitFor("the audit entry's outcome", async () => {
        const entries = (await gateway.audit.read()).entries;
        return entries.length > 0 && entries.every((e) => e.outcome !== undefined) ? entries : undefined;
      });
      note(`cloud completion: ${request.path}, ${request.body.length} bytes; audit files ${JSON.stringify(entry.files.map((f) => f.path))}; traces ${traces.map((t) => t.outcome).join(",")}`);
      assert.equal(entry.feature, "completion");
      assert.equal(entry.route, "cloud");
      assert.ok(request.body.includes(UTIL_MARKER), `folder two's own recent file src/util.ts should ride in the prompt (else this test proves nothing): ${request.body.slice(0, 600)}`);
      for (const recorded of cloud.requests) {
        assert.deepEqual(leaksOf(recorded.body), [], `folder one's ${PROD_PATH} reached the cloud in a completion request about folder two: ${recorded.body.slice(0, 600)}`);
      }
      for (const audited of (await gateway.audit.read()).entries) {
        const named = [...audited.files.map((f) => f.path), ...audited.dropped];
        assert.ok(named.includes("src/util.ts"), `the audit entry should list folder two's src/util.ts: ${JSON.stringify(named)}`);
        assert.deepEqual(named.flatMap(leaksOf), [], `the audit entry names folder one's ${PROD_PATH}: ${JSON.stringify(named)}`);
      }
    } finally {
      for (const disposable of disposables.reverse()) disposable.dispose();
      services?.dispose();
      await services?.usage.flush();
      await cloud.stop();
      fs.rmSync(storageDir, { recursive: true, force: true });
    }
  });
});
