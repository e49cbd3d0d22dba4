// The privacy policy in a real VS Code: `.hearth/policy.json` is read, watched and
// diagnosed with exact ranges; a broken file makes its folder local-only; a file that
// loosens the user's defaults is asked about once per content and applies only after
// consent; Restricted Mode is local-only whatever the file says.
//
// Most cases build their own PolicyService with fakes for the prompts and the consent
// store (notifications cannot be clicked from the extension host; the browser-driven
// test ui/policy.ui.ts clicks the real one) and their own diagnostic collection, so they
// do not depend on the extension's instance. The last block checks the extension's own.
import assert from "node:assert/strict";
import * as vscode from "vscode";
import { BUILTIN_USER_DEFAULTS, parsePolicy, resolveEffectivePolicy, type Loosening, type PolicyDiagnostic } from "../../../src/core/policy/index";
import { describePolicy, POLICY_TEMPLATE, PolicyService, type ConsentDecision, type PolicyPrompts, type PolicySnapshot } from "../../../src/vscode/policy/index";
import { describeIn, note, waitFor } from "../harness/host";
import { MemoryMemento } from "../harness/memento";

const EXTENSION_ID = "hearth.hearth";

/** Records what the service would have said to the user; answers consent questions with `answer`. */
class FakePrompts implements PolicyPrompts {
  readonly invalidFiles: { label: string; errors: readonly PolicyDiagnostic[] }[] = [];
  readonly invalidSettings: { problems: readonly PolicyDiagnostic[]; usingBuiltIn: boolean }[] = [];
  readonly consentQuestions: { label: string; loosenings: readonly Loosening[] }[] = [];
  answer: ConsentDecision | undefined = undefined;

  invalidFile(_file: vscode.Uri, label: string, errors: readonly PolicyDiagnostic[]): void {
    this.invalidFiles.push({ label, errors });
  }
  invalidSetting(problems: readonly PolicyDiagnostic[], usingBuiltIn: boolean): void {
    this.invalidSettings.push({ problems, usingBuiltIn });
  }
  async askConsent(_file: vscode.Uri, label: string, loosenings: readonly Loosening[]): Promise<ConsentDecision | undefined> {
    this.consentQuestions.push({ label, loosenings });
    return this.answer;
  }
}

function folder(): vscode.WorkspaceFolder {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, "the test workspace has no folder");
  return first;
}

const policyUri = (): vscode.Uri => vscode.Uri.joinPath(folder().uri, ".hearth", "policy.json");

async function writePolicy(text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(policyUri(), Buffer.from(text, "utf8"));
}

async function deletePolicy(): Promise<void> {
  try {
    await vscode.workspace.fs.delete(policyUri());
  } catch {
    // Already gone.
  }
}

interface Harness {
  service: PolicyService;
  prompts: FakePrompts;
  state: MemoryMemento;
  diagnostics: vscode.DiagnosticCollection;
  dispose(): void;
}

let counter = 0;
function build(options: { state?: MemoryMemento; userSetting?: () => unknown } = {}): Harness {
  const prompts = new FakePrompts();
  const state = options.state ?? new MemoryMemento();
  const diagnostics = vscode.languages.createDiagnosticCollection(`Hearth policy (test ${++counter})`);
  const lines: string[] = [];
  const log = { trace: () => undefined, debug: () => undefined, info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string | Error) => lines.push(String(m)) };
  const service = new PolicyService({ state, log, prompts, diagnostics, announceDelayMs: 50, liveDelayMs: 20, ...(options.userSetting ? { userSetting: options.userSetting } : {}) });
  return {
    service,
    prompts,
    state,
    diagnostics,
    dispose() {
      service.dispose();
      diagnostics.dispose();
    },
  };
}

async function snapshotWhere(h: Harness, what: string, predicate: (s: PolicySnapshot) => boolean, timeoutMs = 10_000): Promise<PolicySnapshot> {
  try {
    return await waitFor(what, () => {
      const s = h.service.describe(folder().uri);
      return predicate(s) ? s : undefined;
    }, { timeoutMs });
  } catch (error) {
    const s = h.service.describe(folder().uri);
    throw new Error(`${(error as Error).message}; state: ${JSON.stringify({ fileState: s.fileState, consent: s.consent, reason: s.effective.localOnlyReason, chat: s.effective.features.chat, diagnostics: s.diagnostics.map((d) => d.message) })}`, { cause: error });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A loosening file: the built-in defaults keep chat local, this sends it to the cloud after asking.
const LOOSENING = `{
  "features": {
    "chat": { "route": "cloud", "cloudAccess": "ask", "cloudModels": ["gpt-4o-mini"] }
  }
}
`;

// Line 3 (zero-based 2), the value "clod" starts at character 28.
const MALFORMED = `{
  "features": {
    "chat": { "route": "clod" }
  }
}
`;

describe("privacy policy (workspace file)", function () {
  this.timeout(60_000);
  let h: Harness | undefined;

  beforeEach(async () => {
    await deletePolicy();
  });

  afterEach(async () => {
    h?.dispose();
    h = undefined;
    await deletePolicy();
  });

  after(async () => {
    // The extension's own service may have put up notifications about these files.
    await vscode.commands.executeCommand("notifications.clearAll");
  });

  it("without a policy file uses the user's defaults (all local) and publishes no diagnostics", async () => {
    h = build();
    await h.service.ready;
    const s = h.service.describe(folder().uri);
    assert.equal(s.fileState, "absent");
    assert.equal(s.effective.localOnlyReason, vscode.workspace.isTrusted ? undefined : "untrusted");
    assert.equal(s.effective.features.chat.route, "local");
    assert.equal(h.diagnostics.get(policyUri())?.length ?? 0, 0);
    assert.equal(describePolicy(s).text, vscode.workspace.isTrusted ? "$(shield) Local only" : "$(lock) Restricted");
  });

  it("re-reads that overlap and end in any order leave the folder as its file says, never local-only for good", async () => {
    h = build();
    await h.service.ready;
    const service = h.service;
    // A large policy is parsed in slices (a slow read), a small one at once: a read of the large
    // file that ends after a read of the small one is the order that once left the folder
    // "loading" (local-only) until the file changed again.
    const small = '{ "neverSend": ["small-only/"] }\n';
    for (let round = 0; round < 4; round++) {
      const large = `{ "neverSend": [${Array.from({ length: 1000 }, (_, i) => `"round${round}-dir${i}/"`).join(", ")}] }\n`;
      await writePolicy(large);
      const slow = service.reload();
      await sleep(15);
      await writePolicy(small);
      await Promise.all([slow, service.reload()]);
      // The watcher may start more reads for these writes; a snapshot with none in progress is the one that counts.
      const s = await snapshotWhere(h, `round ${round}: no read in progress`, (x) => x.fileState === "valid");
      assert.notEqual(s.effective.localOnlyReason, "loading", `round ${round}: the reads are over, but the folder is still local-only as if one were in progress`);
      // In Restricted Mode the file's rules do not apply at all: the folder is local-only for that reason alone.
      if (vscode.workspace.isTrusted) assert.ok(s.effective.neverSend.matches(`${folder().uri.fsPath}/small-only/x`), `round ${round}: the small file, written last, is the policy`);
      else assert.equal(s.effective.localOnlyReason, "untrusted", `round ${round}`);
    }
  });

  it("a malformed policy file gets a diagnostic at the exact range, and the folder is local-only", async () => {
    h = build();
    await h.service.ready;
    await writePolicy(MALFORMED);
    const s = await snapshotWhere(h, "the file to be read as invalid", (x) => x.fileState === "invalid");
    const harness = h;
    const published = await waitFor("diagnostics", () => {
      const list = harness.diagnostics.get(policyUri());
      return list !== undefined && list.length > 0 ? list : undefined;
    });
    const error = published.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, JSON.stringify(published));
    assert.deepEqual(
      [error.range.start.line, error.range.start.character, error.range.end.line, error.range.end.character],
      [2, 23, 2, 29],
      `diagnostic "${error.message}" at ${JSON.stringify(error.range)}`,
    );
    assert.equal(MALFORMED.split("\n")[2].slice(23, 29), '"clod"');
    assert.equal(error.source, "Hearth policy");
    assert.match(error.message, /clod/);
    assert.equal(s.effective.localOnlyReason, vscode.workspace.isTrusted ? "invalidPolicy" : "untrusted");
    for (const feature of ["completion", "chat", "edit", "translate", "repoQuestion"] as const) assert.equal(s.effective.features[feature].route, "local");
    assert.equal(describePolicy(s).text, vscode.workspace.isTrusted ? "$(warning) Policy error" : "$(lock) Restricted");
    note(`malformed policy → ${error.range.start.line + 1}:${error.range.start.character + 1} ${error.message}`);
  });

  it("fixing the file clears the diagnostics and lifts local-only", async () => {
    h = build();
    await writePolicy(MALFORMED);
    await h.service.ready;
    await snapshotWhere(h, "the invalid file", (x) => x.fileState === "invalid");
    await writePolicy('{ "features": { "chat": { "route": "local" } } }\n');
    const s = await snapshotWhere(h, "the fixed file", (x) => x.fileState === "valid");
    assert.equal(h.diagnostics.get(policyUri())?.length ?? 0, 0);
    assert.equal(s.effective.localOnlyReason, vscode.workspace.isTrusted ? undefined : "untrusted");
  });

  it("deleting the file goes back to the user's defaults", async () => {
    h = build();
    await writePolicy(MALFORMED);
    await h.service.ready;
    await snapshotWhere(h, "the invalid file", (x) => x.fileState === "invalid");
    await deletePolicy();
    await snapshotWhere(h, "the file to be gone", (x) => x.fileState === "absent");
    assert.equal(h.diagnostics.get(policyUri())?.length ?? 0, 0);
  });

  it("the template for a new policy file parses cleanly and loosens nothing", () => {
    const parsed = parsePolicy(POLICY_TEMPLATE, ".hearth/policy.json");
    assert.deepEqual(parsed.diagnostics, []);
    const effective = resolveEffectivePolicy({ userDefaults: BUILTIN_USER_DEFAULTS, workspace: { policy: parsed.policy, contentHash: "t" }, trusted: true, consents: new Set<string>() });
    assert.deepEqual(effective.loosenings, []);
  });

  it("never throws on hostile files: each one is local-only with a diagnostic", async () => {
    h = build();
    await h.service.ready;
    const hostile = ["", "[]", "{", '{"features": 1}', '{"neverSend": ["**"]}', "\u0000\u0001", "[".repeat(100_000), `{"neverSend": [${'"a",'.repeat(70_000)}"b"]}`];
    for (const [i, text] of hostile.entries()) {
      await writePolicy(`${text}${" ".repeat(i)}`);
      const s = await snapshotWhere(h, `hostile file #${i} to be read`, (x) => x.fileState === "invalid" && x.diagnostics.length > 0);
      assert.ok(s.effective.localOnlyReason !== undefined);
    }
  });
});

describeIn(["trusted"], "privacy policy: notifications and consent (trusted)", function () {
  this.timeout(60_000);
  let h: Harness | undefined;

  beforeEach(async () => {
    await deletePolicy();
  });

  afterEach(async () => {
    h?.dispose();
    h = undefined;
    await deletePolicy();
  });

  after(async () => {
    await vscode.commands.executeCommand("notifications.clearAll");
  });

  it("a broken file is notified once per distinct problem, not per save", async () => {
    h = build();
    await h.service.ready;
    await writePolicy(MALFORMED);
    await snapshotWhere(h, "the invalid file", (x) => x.fileState === "invalid");
    const harness = h;
    await waitFor("a notification", () => harness.prompts.invalidFiles.length === 1);
    assert.equal(h.prompts.invalidFiles[0].label, ".hearth/policy.json");
    // The same problem after an edit elsewhere in the file: no second notification.
    await writePolicy(`// edited\n${MALFORMED}`);
    await snapshotWhere(h, "the re-read", (x) => x.diagnostics[0]?.start.line === 3);
    await sleep(300);
    assert.equal(h.prompts.invalidFiles.length, 1);
    // A different problem: one more.
    await writePolicy('{ "features": { "chat": { "cloudAccess": "maybe" } } }');
    await waitFor("a second notification", () => harness.prompts.invalidFiles.length === 2);
  });

  it("refuses a loosening file until the user allows it, asks once per content, and applies it after consent", async () => {
    h = build();
    await h.service.ready;
    await writePolicy(LOOSENING);
    const pending = await snapshotWhere(h, "a pending consent", (x) => x.consent === "pending");
    assert.equal(pending.effective.features.chat.route, "local", "loosening applied without consent");
    assert.ok(pending.effective.needsConsent);
    assert.equal(describePolicy(pending).text, "$(shield) Local only");
    const harness = h;
    await waitFor("the consent question", () => harness.prompts.consentQuestions.length === 1);
    const asked = h.prompts.consentQuestions[0];
    assert.deepEqual(
      asked.loosenings.map((l) => l.path),
      ["features.chat.route", "features.chat.cloudAccess", "features.chat.cloudModels"],
    );
    assert.ok(asked.loosenings.every((l) => l.description.length > 0));
    // Dismissed (no answer): not asked again for this content in this session.
    await h.service.reload();
    await sleep(300);
    assert.equal(h.prompts.consentQuestions.length, 1);

    // The user allows it (what "Allow for this workspace" does).
    const hash = pending.contentHash;
    assert.ok(hash);
    await h.service.setConsent(folder().uri, hash, "allow");
    const allowed = h.service.describe(folder().uri);
    assert.equal(allowed.consent, "allowed");
    assert.deepEqual(allowed.effective.features.chat, { route: "cloud", cloudAccess: "ask", cloudModels: [{ provider: "openai", model: "gpt-4o-mini" }] });
    assert.equal(h.service.getEffectivePolicy(vscode.Uri.joinPath(folder().uri, "hello.py")).features.chat.route, "cloud");
    assert.equal(describePolicy(allowed).text, "$(shield) Cloud: ask");
    const stored = JSON.stringify(h.state.get("hearth.policy.consents"));
    assert.ok(stored.includes(hash), `consent not in global state: ${stored}`);

    // A changed file is a new question; until answered, the user's defaults apply again.
    await writePolicy(LOOSENING.replace('"ask"', '"allow"'));
    const changed = await snapshotWhere(h, "the changed file to be pending", (x) => x.consent === "pending" && x.contentHash !== hash);
    assert.equal(changed.effective.features.chat.route, "local");
    await waitFor("the second question", () => harness.prompts.consentQuestions.length === 2);
  });

  it("answers from the notification are applied; \"Keep my defaults\" is remembered for that content", async () => {
    const state = new MemoryMemento();
    h = build({ state });
    h.prompts.answer = "keep";
    await writePolicy(LOOSENING);
    await h.service.ready;
    await snapshotWhere(h, "the kept defaults", (x) => x.consent === "kept", 5_000);
    assert.equal(h.service.getEffectivePolicy().features.chat.route, "local");
    h.dispose();

    // A new window (same global state): no question for the same content.
    h = build({ state });
    await h.service.ready;
    await sleep(300);
    assert.equal(h.prompts.consentQuestions.length, 0);
    assert.equal(h.service.describe(folder().uri).consent, "kept");
    h.dispose();

    // An "allow" answer from the prompt loosens the policy.
    h = build();
    h.prompts.answer = "allow";
    await h.service.ready;
    const allowed = await snapshotWhere(h, "the allowed file", (x) => x.consent === "allowed");
    assert.equal(allowed.effective.features.chat.route, "cloud");
  });

  it("a file that only tightens applies without asking", async () => {
    h = build({ userSetting: () => ({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini", "claude-haiku-4-5"] } } }) });
    await writePolicy('{ "features": { "chat": { "cloudAccess": "ask", "cloudModels": ["claude-haiku-4-5"] } }, "neverSend": ["secrets/"] }');
    await h.service.ready;
    const s = await snapshotWhere(h, "the tightening file", (x) => x.fileState === "valid");
    assert.equal(s.consent, "notNeeded");
    assert.deepEqual(s.effective.features.chat, { route: "cloud", cloudAccess: "ask", cloudModels: [{ provider: "anthropic", model: "claude-haiku-4-5" }] });
    assert.equal(s.effective.neverSend.matches("secrets/prod.txt"), true);
    await sleep(200);
    assert.equal(h.prompts.consentQuestions.length, 0);
  });

  it("user defaults come from hearth.policy; a broken value is reported once with the setting's name and ignored", async () => {
    h = build({ userSetting: () => ({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } }) });
    await h.service.ready;
    assert.equal(describePolicy(h.service.describe(folder().uri)).text, "$(shield) Cloud allowed");
    h.dispose();

    h = build({ userSetting: () => ({ features: { chat: { route: "everywhere" } } }) });
    await h.service.ready;
    assert.equal(h.prompts.invalidSettings.length, 1);
    assert.equal(h.prompts.invalidSettings[0].usingBuiltIn, true);
    assert.equal(h.prompts.invalidSettings[0].problems[0].file, "settings: hearth.policy");
    assert.equal(h.service.getEffectivePolicy().features.chat.route, "local");
    await h.service.reload();
    assert.equal(h.prompts.invalidSettings.length, 1, "the same problem was reported twice");
  });

  it("a workspace value of hearth.policy is never read", async () => {
    const settings = vscode.workspace.getConfiguration("hearth");
    let written = false;
    try {
      await settings.update("policy", { features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } }, vscode.ConfigurationTarget.Workspace);
      written = true;
    } catch (error) {
      note(`VS Code refuses a workspace value for hearth.policy: ${(error as Error).message}`);
    }
    try {
      h = build(); // the default reader: only the user's (global) value
      await h.service.ready;
      assert.equal(h.service.getEffectivePolicy().features.chat.route, "local");
    } finally {
      if (written) await settings.update("policy", undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});

describeIn(["restricted"], "privacy policy in Restricted Mode", function () {
  this.timeout(60_000);
  let h: Harness | undefined;

  afterEach(async () => {
    h?.dispose();
    h = undefined;
    await deletePolicy();
  });

  it("is local-only whatever the file says, even with consent, and asks nothing", async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    h = build({ userSetting: () => ({ features: { edit: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } }) });
    await writePolicy(LOOSENING);
    await h.service.ready;
    const s = await snapshotWhere(h, "the file to be read", (x) => x.fileState === "valid");
    assert.ok(s.contentHash);
    await h.service.setConsent(folder().uri, s.contentHash, "allow");
    const after = h.service.describe(folder().uri);
    assert.equal(after.effective.localOnlyReason, "untrusted");
    for (const feature of ["completion", "chat", "edit", "translate", "repoQuestion"] as const) assert.equal(after.effective.features[feature].route, "local");
    assert.equal(describePolicy(after).text, "$(lock) Restricted");
    await writePolicy(MALFORMED);
    await snapshotWhere(h, "the broken file", (x) => x.fileState === "invalid");
    await sleep(300);
    assert.equal(h.prompts.consentQuestions.length, 0);
    assert.equal(h.prompts.invalidFiles.length, 0);
  });
});

describe("privacy policy: the extension's service", function () {
  this.timeout(60_000);

  it("is exposed on Hearth's API and diagnoses the workspace file", async function () {
    const extension = vscode.extensions.getExtension<{ policy?: PolicyService }>(EXTENSION_ID);
    assert.ok(extension);
    const api = await extension.activate();
    assert.ok(api.policy, "HearthApi.policy is wired in extension.ts");
    const service = api.policy;
    await service.ready;
    try {
      await writePolicy(MALFORMED);
      await waitFor("the extension's diagnostics", () => vscode.languages.getDiagnostics(policyUri()).some((d) => d.source === "Hearth policy" && d.range.start.line === 2));
      assert.equal(service.getEffectivePolicy().localOnlyReason, vscode.workspace.isTrusted ? "invalidPolicy" : "untrusted");
      await deletePolicy();
      await waitFor("the diagnostics to clear", () => !vscode.languages.getDiagnostics(policyUri()).some((d) => d.source === "Hearth policy"));
    } finally {
      await deletePolicy();
      await vscode.commands.executeCommand("notifications.clearAll");
    }
  });
});
