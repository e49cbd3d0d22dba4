// A cloned repository is someone else's file system. A corpus of hostile layouts, each put
// into the real workspace folder and read by a real PolicyService in the extension host:
// a FIFO as .hearth/policy.json, links to /dev/zero and /dev/urandom, a link out of the
// workspace, a huge file, 50,000 patterns, odd Unicode names. For each: Hearth stays
// responsive (a Hearth command answers while and after the file is read), the folder is
// local-only and refuses the cloud, and the diagnostic says why in a few words.
//
// The user's own settings (handed to the service) allow chat in the cloud, so "local-only"
// is the hostile file's doing, not the defaults'.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { decideRoute, parsePolicy, type EffectivePolicy } from "../../../src/core/policy/index";
import { PolicyService, type PolicyPrompts, type PolicySnapshot } from "../../../src/vscode/policy/index";
import { note, waitFor } from "../harness/host";
import { MemoryMemento } from "../harness/memento";

const USER = { features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } };
const posix = process.platform !== "win32";

const quietPrompts: PolicyPrompts = {
  invalidFile: () => undefined,
  invalidSetting: () => undefined,
  askConsent: async () => undefined,
};
const log = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function folder(): vscode.WorkspaceFolder {
  const first = vscode.workspace.workspaceFolders?.[0];
  assert.ok(first, "the test workspace has no folder");
  return first;
}

const hearthDir = (): string => path.join(folder().uri.fsPath, ".hearth");
const policyPath = (): string => path.join(hearthDir(), "policy.json");

function removePolicy(): void {
  fs.rmSync(policyPath(), { recursive: true, force: true });
}

/** Whether chat, asked for the cloud, could go there under `effective`. */
function cloudAllowed(effective: EffectivePolicy): boolean {
  const decision = decideRoute(effective, "chat", { files: [], preferred: { route: "cloud", model: "gpt-4o-mini" }, localAvailable: true, fitsLocalContext: true, cloudProviders: ["openai"] });
  return decision.ok && decision.route === "cloud";
}

interface Layout {
  readonly name: string;
  readonly posixOnly?: boolean;
  readonly make: (outside: string) => void;
  /** The diagnostic code expected. */
  readonly code: RegExp;
  /** What the message must say. */
  readonly says: RegExp;
}

const LAYOUTS: readonly Layout[] = [
  { name: "a FIFO", posixOnly: true, make: () => execFileSync("mkfifo", [policyPath()]), code: /not-a-regular-file/, says: /named pipe/ },
  { name: "a link to /dev/zero", posixOnly: true, make: () => fs.symlinkSync("/dev/zero", policyPath()), code: /link-outside-workspace/, says: /out of the workspace/ },
  { name: "a link to /dev/urandom", posixOnly: true, make: () => fs.symlinkSync("/dev/urandom", policyPath()), code: /link-outside-workspace/, says: /out of the workspace/ },
  {
    name: "a link to a permissive policy outside the workspace",
    posixOnly: true,
    make: (outside) => {
      const target = path.join(outside, "policy.json");
      fs.writeFileSync(target, JSON.stringify({ features: { chat: { route: "cloud", cloudAccess: "allow", cloudModels: ["gpt-4o-mini"] } } }));
      fs.symlinkSync(target, policyPath());
    },
    code: /link-outside-workspace/,
    says: /out of the workspace/,
  },
  {
    name: "a link to a FIFO inside the workspace",
    posixOnly: true,
    make: () => {
      execFileSync("mkfifo", [path.join(hearthDir(), "pipe")]);
      fs.symlinkSync(path.join(hearthDir(), "pipe"), policyPath());
    },
    code: /not-a-regular-file/,
    says: /named pipe/,
  },
  { name: "a socket", posixOnly: true, make: () => undefined, code: /not-a-regular-file/, says: /socket/ },
  { name: "a folder", make: () => fs.mkdirSync(policyPath()), code: /not-a-regular-file/, says: /folder/ },
  { name: "a 3 MB file", make: () => fs.writeFileSync(policyPath(), `{ "neverSend": ["${"a".repeat(3 * 1024 * 1024)}"] }`), code: /file-too-large/, says: /larger than 256 KB/ },
  {
    name: "a sparse 2 GB file",
    make: () => {
      fs.writeFileSync(policyPath(), "{");
      fs.truncateSync(policyPath(), 2 * 1024 ** 3);
    },
    code: /file-too-large/,
    says: /larger than/,
  },
  {
    name: "50,000 short patterns (under the size cap)",
    make: () => fs.writeFileSync(policyPath(), JSON.stringify({ neverSend: Array.from({ length: 50_000 }, (_, i) => String(i % 10)) })),
    code: /too-many/,
    says: /more than 1000 patterns/,
  },
  {
    name: "50,000 long patterns",
    make: () => fs.writeFileSync(policyPath(), JSON.stringify({ neverSend: Array.from({ length: 50_000 }, (_, i) => `generated/${i}/**/*.secret`) })),
    code: /file-too-large/,
    says: /larger than/,
  },
  {
    name: "a right-to-left override and an NFD name in the values",
    make: () => fs.writeFileSync(policyPath(), `{ "features": { "chat": { "route": "lo\u202Ecal" } }, "${"cafe\u0301".normalize("NFD")}": 1 }`),
    code: /bad-enum|unknown-key/,
    says: /\\u202e/,
  },
];

describe("hostile workspaces: the policy file", function () {
  this.timeout(120_000);
  let service: PolicyService | undefined;
  let outside: string;
  let socket: import("node:net").Server | undefined;

  before(async () => {
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-outside-"));
    await vscode.extensions.getExtension("hearth.hearth")?.activate();
  });

  beforeEach(() => {
    removePolicy();
    fs.rmSync(path.join(hearthDir(), "pipe"), { force: true });
    fs.mkdirSync(hearthDir(), { recursive: true });
  });

  afterEach(async () => {
    service?.dispose();
    service = undefined;
    if (socket) await new Promise<void>((resolve) => socket?.close(() => resolve()));
    socket = undefined;
    removePolicy();
    fs.rmSync(path.join(hearthDir(), "pipe"), { force: true });
  });

  after(async () => {
    fs.rmSync(outside, { recursive: true, force: true });
    await vscode.commands.executeCommand("notifications.clearAll");
  });

  for (const layout of LAYOUTS) {
    it(`${layout.name}: Hearth answers, the folder is local-only and refuses the cloud, and the diagnostic says why`, async function () {
      if (layout.posixOnly && !posix) this.skip();
      if (layout.name === "a socket") {
        const net = await import("node:net");
        const server = net.createServer();
        socket = server;
        await new Promise<void>((resolve) => server.listen(policyPath(), resolve));
      } else {
        layout.make(outside);
      }
      const built = new PolicyService({ state: new MemoryMemento(), log, prompts: quietPrompts, diagnostics: vscode.languages.createDiagnosticCollection("Hearth policy (hostile test)"), userSetting: () => USER });
      service = built;
      // While it reads: a Hearth command answers, and the folder is not open to the cloud.
      assert.ok(!cloudAllowed(built.getEffectivePolicy(folder().uri)), "the cloud was open before the file was read");
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes("hearth.openPolicy"));
      await built.ready;
      let snapshot: PolicySnapshot | undefined;
      await waitFor(`${layout.name} to be judged`, () => {
        snapshot = built.describe(folder().uri);
        return snapshot.fileState === "invalid" || (!vscode.workspace.isTrusted && snapshot.fileState !== "loading");
      }, { timeoutMs: 30_000 });
      assert.ok(snapshot);
      assert.ok(snapshot.effective.localOnlyReason !== undefined, `not local-only: ${JSON.stringify(snapshot.effective.features.chat)}`);
      assert.ok(!cloudAllowed(snapshot.effective), "the cloud is open");
      const diagnostic = snapshot.diagnostics.find((d) => layout.code.test(d.code));
      assert.ok(diagnostic, `no ${String(layout.code)} diagnostic: ${JSON.stringify(snapshot.diagnostics.map((d) => [d.code, d.message.slice(0, 100)]))}`);
      assert.match(diagnostic.message, layout.says);
      for (const d of snapshot.diagnostics) assert.ok(d.message.length <= 400 && !/[\u202A-\u202E\u2066-\u2069]/.test(d.message), `an untamed message: ${d.message.slice(0, 120)}`);
      // The host still answers a Hearth command afterwards.
      await vscode.commands.executeCommand("hearth.showLogs");
      note(`${layout.name} → ${diagnostic.code}: ${diagnostic.message.slice(0, 90)}`);
    });
  }

  it("a valid policy of 1000 patterns is parsed in slices: the host keeps answering while it is read", async () => {
    const patterns = Array.from({ length: 1000 }, (_, i) => `generated/${i}/**/*.secret-${i}`);
    fs.writeFileSync(policyPath(), JSON.stringify({ neverSend: patterns }));
    // A timer ticking throughout: the longest gap between its ticks is the longest the host was held.
    let last = performance.now();
    let longest = 0;
    let ticks = 0;
    const sampler = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      ticks++;
    }, 1);
    let readTicks: number;
    try {
      const built = new PolicyService({ state: new MemoryMemento(), log, prompts: quietPrompts, diagnostics: vscode.languages.createDiagnosticCollection("Hearth policy (large test)"), userSetting: () => USER });
      service = built;
      const before = ticks;
      await built.ready;
      // (The folder's file watcher may report the file just written: a second read, local-only meanwhile.)
      const s = await waitFor("the file to be read", () => {
        const x = built.describe(folder().uri);
        return x.fileState === "loading" ? undefined : x;
      });
      readTicks = ticks - before;
      assert.equal(s.fileState, "valid", JSON.stringify(s.diagnostics.slice(0, 3)));
      // In Restricted Mode the workspace's own rules are not used at all (everything is local).
      if (vscode.workspace.isTrusted) assert.equal(s.effective.neverSend.matches("generated/7/a/b.secret-7"), true);
      if (vscode.workspace.isTrusted) assert.ok(cloudAllowed(s.effective), "a valid policy that keeps the user's cloud access");
    } finally {
      clearInterval(sampler);
    }
    // The same text parsed in one go, for comparison (a figure, not a limit).
    const started = performance.now();
    parsePolicy(fs.readFileSync(policyPath(), "utf8"), "p");
    const oneGo = performance.now() - started;
    assert.ok(readTicks > 1, "the timer never ran while the file was read");
    note(`1000 patterns: the host's timer ticked ${readTicks} times during the read; longest hold ${longest.toFixed(1)} ms; the same parse in one go takes ${oneGo.toFixed(1)} ms`);
  });
});

describe("hostile workspaces: odd names and links in the folder", function () {
  this.timeout(60_000);
  const made: string[] = [];
  let outside: string;

  before(() => {
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-outside-"));
  });

  after(() => {
    for (const p of made.reverse()) fs.rmSync(p, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it("neverSend sees NFD names, right-to-left overrides, links to secrets and links out of the workspace as the file system does", async function () {
    const root = folder().uri.fsPath;
    const nfdDir = path.join(root, "cafe\u0301".normalize("NFD"));
    fs.mkdirSync(nfdDir, { recursive: true });
    made.push(nfdDir);
    fs.writeFileSync(path.join(nfdDir, "clé.txt"), "x");
    // Looks like "invoice_txt.pem" reversed on screen; it is a .pem file.
    const rtl = path.join(root, "invoice\u202Etxt.pem");
    fs.writeFileSync(rtl, "-----BEGIN PRIVATE KEY-----");
    made.push(rtl);
    if (posix) {
      fs.writeFileSync(path.join(outside, "credentials"), "aws_secret_access_key = x");
      const out = path.join(root, "notes-link.md");
      fs.symlinkSync(path.join(outside, "credentials"), out);
      made.push(out);
      const env = path.join(root, ".env");
      fs.writeFileSync(env, "API_KEY=x");
      made.push(env);
      const toEnv = path.join(root, "harmless.txt");
      fs.symlinkSync(env, toEnv);
      made.push(toEnv);
    }
    fs.mkdirSync(hearthDir(), { recursive: true });
    fs.writeFileSync(policyPath(), JSON.stringify({ neverSend: ["café/".normalize("NFC")] }));
    const built = new PolicyService({ state: new MemoryMemento(), log, prompts: quietPrompts, diagnostics: vscode.languages.createDiagnosticCollection("Hearth policy (names test)"), userSetting: () => USER });
    try {
      await built.ready;
      const s = await waitFor("the file to be read", () => {
        const x = built.describe(folder().uri);
        return x.fileState === "loading" ? undefined : x;
      });
      assert.equal(s.fileState, "valid");
      const m = s.effective.neverSend;
      if (vscode.workspace.isTrusted) assert.ok(m.matches(path.join(nfdDir, "clé.txt")), "an NFD folder name against an NFC pattern");
      assert.ok(m.matches(rtl));
      assert.ok(m.matches("src/../invoice\u202Etxt.pem"));
      if (posix) {
        assert.ok(m.matches("notes-link.md"), "a link out of the workspace");
        assert.ok(m.matches("harmless.txt"), "a link to .env");
        assert.ok(m.matches(path.join(root, "harmless.txt")));
      }
      assert.ok(!m.matches("src/greet.ts"));
    } finally {
      built.dispose();
      fs.rmSync(policyPath(), { force: true });
    }
  });
});
