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
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import * as vscode from "vscode";
import type { GatewayPreview, GatewayRequest } from "../../../src/core/gateway/index";
import { SECRET_KEYS } from "../../../src/core/providers/index";
import type { ModelService } from "../../../src/vscode/modelService";
import { createGateway, type GatewayServices } from "../../../src/vscode/gateway/createGateway";
import { PolicyService, requestFolders, type PolicyPrompts } from "../../../src/vscode/policy/index";
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
