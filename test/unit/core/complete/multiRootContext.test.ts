// Multi-root workspaces: a completion request is judged by its document's folder policy alone
// (it names that folder), so context chunks from another folder must never ride in it, and a
// path names a file only within its folder. The real engine and ring, the real gateway and
// providers against loopback fakes (test/unit/core/gateway/gatewayHarness), and per-folder
// policies with neverSend rooted in real folders on disk.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionInput, type CompletionTarget, type CompletionTargetFor, type CompletionTrace } from "../../../../src/core/complete/completionEngine";
import { ContextRing } from "../../../../src/core/complete/contextRing";
import { linesOfText } from "../../../../src/core/complete/documentLines";
import { TokenEstimator } from "../../../../src/core/complete/tokenEstimate";
import type { Gateway, GatewayRequest } from "../../../../src/core/gateway";
import { applyUserOverrides, resolveEffectivePolicy, strictestPolicy, type EffectivePolicy } from "../../../../src/core/policy";
import { GPT, models, startHarness, type Harness } from "../gateway/gatewayHarness";
import { FakeClient, HEARTH_TARGET, demoFile, inputAt } from "./completionFakes";

/** What only folder A's config/prod.yml holds; A's policy says config/** never leaves. */
const A_ONLY = "replicas_in_prod_for_folder_a: 17";
/** What only folder B's src/util.ts holds. */
const B_ONLY = "export function folderBHelper(input: number): number";

const PROD_YML = Array.from({ length: 40 }, (_, i) => (i === 3 ? A_ONLY : `setting_${i}: value number ${i} of the production config`)).join("\n");
const B_UTIL = Array.from({ length: 60 }, (_, i) => (i === 40 ? `${B_ONLY} {` : `// line ${i} of folder B's helpers, with enough text to count`)).join("\n");
const CODE = "export function area(r: number): number {\n  return Math.PI * ";

/** As inlineProvider's completionTarget: the cloud takes conversations only. */
const targetFor: CompletionTargetFor = (plan): CompletionTarget =>
  plan.route === "cloud" ? { key: `cloud:${plan.model}`, model: plan.model, hearth: false, fim: undefined, rawPrompts: false } : { key: "local", model: "tiny", hearth: true, fim: true, rawPrompts: true };

describe("completion context in a multi-root workspace", function () {
  this.timeout(30_000);
  let h: Harness;
  let root: string;
  let folderA: string;
  let folderB: string;
  let gateway: Gateway;

  before(async () => {
    h = await startHarness();
    root = await mkdtemp(join(tmpdir(), "hearth-multiroot-"));
    folderA = join(root, "a");
    folderB = join(root, "b");
    await mkdir(join(folderA, "config"), { recursive: true });
    await mkdir(join(folderB, "src"), { recursive: true });
    await writeFile(join(folderA, "config", "prod.yml"), PROD_YML);
    await writeFile(join(folderB, "src", "util.ts"), B_UTIL);
  });

  after(async () => {
    await h.stop();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await h.reset();
    // Both folders allow completion in the cloud; only A keeps config/** on this machine.
    const cloud = { completion: { route: "cloud" as const, cloudAccess: "allow" as const, cloudModels: models(GPT) } };
    const policies = new Map<string, EffectivePolicy>([
      [uriOf(folderA), folderPolicy(folderA, ["config/**"], cloud)],
      [uriOf(folderB), folderPolicy(folderB, [], cloud)],
    ]);
    // As the editor's PolicyService: the named folders' policies, the stricter of all when none is named.
    const policy = (request: GatewayRequest): EffectivePolicy => {
      const named = (request.folders ?? []).map((folder) => policies.get(folder) ?? assert.fail(`no folder ${folder}`));
      return strictestPolicy(named.length > 0 ? named : [...policies.values()])!;
    };
    gateway = h.gateway({ policy });
    // The local model is down: the cloud is the only route the policy leaves.
    h.state.localKnownDown = true;
  });

  /** A ring holding a chunk of A's config/prod.yml and one of B's src/util.ts. */
  function ringWithBothFolders(): ContextRing {
    const ring = new ContextRing(new TokenEstimator());
    ring.offer({ scope: scopeOf(folderA), path: "config/prod.yml" }, linesOfText(PROD_YML), 3);
    ring.offer({ scope: scopeOf(folderB), path: "src/util.ts" }, linesOfText(B_UTIL), 40);
    return ring;
  }

  async function complete(ring: ContextRing, folder: string | undefined, path: string): Promise<CompletionTrace> {
    const traces: CompletionTrace[] = [];
    const engine = new CompletionEngine({ port: gateway.port("completion"), ring, settings: () => DEFAULT_COMPLETION_SETTINGS, onTrace: (trace) => traces.push(trace) });
    const lines = CODE.split("\n");
    await engine.complete(
      {
        document: linesOfText(CODE),
        path,
        scope: folder === undefined ? undefined : scopeOf(folder),
        languageId: "typescript",
        position: { line: lines.length - 1, character: lines.at(-1)!.length },
        repoName: "multi",
        manual: true,
        ...(folder !== undefined ? { folders: [uriOf(folder)] } : {}),
      },
      targetFor,
      new AbortController().signal,
    );
    assert.equal(traces.length, 1);
    return traces[0]!;
  }

  it("a request for a file of folder B carries B's chunks, never A's (judged by B's policy, A's neverSend would not apply)", async () => {
    const trace = await complete(ringWithBothFolders(), folderB, "src/app.ts");
    assert.equal(trace.outcome, "model", trace.error);
    assert.equal(h.openai.requests.length, 1, "B's policy sends it to the cloud");
    const body = h.openai.requests[0]!.body;
    assert.ok(body.includes(B_ONLY), "B's own recent code is context");
    assert.ok(!body.includes(A_ONLY), "folder A's config/prod.yml left the machine under folder B's policy");
    assert.ok(!body.includes("config/prod.yml"));
  });

  it("a request for a file of folder A carries A's chunks, judged by A's neverSend: config/prod.yml keeps it off the cloud", async () => {
    const trace = await complete(ringWithBothFolders(), folderA, "src/main.ts");
    assert.equal(trace.outcome, "refused", "A's neverSend pins the prompt to this machine, and the local model is down");
    assert.match(trace.error ?? "", /config\/prod\.yml/);
    assert.equal(h.egressRequests(), 0);

    h.state.localKnownDown = false;
    const local = await complete(ringWithBothFolders(), folderA, "src/main.ts");
    assert.equal(local.outcome, "model", local.error);
    assert.equal(h.egressRequests(), 0);
    const prompt = String((h.local.requests.at(-1)!.json as { prompt: unknown }).prompt);
    assert.ok(prompt.includes(A_ONLY), "A's own recent code is context on this machine");
    assert.ok(!prompt.includes(B_ONLY), "B's code is not A's context");
  });

  it("a document that shares context with no folder (an unsaved buffer) gets no chunks", async () => {
    const trace = await complete(ringWithBothFolders(), undefined, "Untitled-1");
    assert.equal(trace.outcome, "model", trace.error);
    const body = h.openai.requests[0]!.body;
    assert.ok(!body.includes(A_ONLY) && !body.includes(B_ONLY));
  });
});

describe("CompletionEngine across folders", () => {
  it("takes src/app.ts of another folder for another file: switching to it brings queued chunks in, and no suggestion of the first is typed through", async () => {
    const ring = new ContextRing(new TokenEstimator());
    const client = new FakeClient(() => "r * r;");
    const engine = new CompletionEngine({ port: client, ring, settings: () => DEFAULT_COMPLETION_SETTINGS });
    const A = "folder:file:///ws/a";
    const B = "folder:file:///ws/b";
    const at = (scope: string, marked: string): CompletionInput => inputAt(marked, { path: "src/app.ts", scope, manual: true });
    await engine.complete(at(A, "const area = Math.PI * |"), HEARTH_TARGET, new AbortController().signal);
    ring.offer({ scope: B, path: "src/util.ts" }, linesOfText(B_UTIL), 40);
    const switched = await engine.complete(at(B, "const area = Math.PI * r|"), HEARTH_TARGET, new AbortController().signal);
    assert.equal(switched?.source, "model", "A's suggestion is not B's to type through");
    const request = client.requests.at(-1)!.request;
    assert.ok(request.kind === "text" && request.prompt.includes(B_ONLY), "B's chunk was committed when B's src/app.ts became the current file");
  });
});

describe("ContextRing scopes", () => {
  const A = "folder:file:///ws/a";
  const B = "folder:file:///ws/b";
  const text = (name: string): ReturnType<typeof linesOfText> => linesOfText(Array.from({ length: 40 }, (_, i) => `export const ${name}${i} = ${i}; // a line of ${name}`).join("\n"));

  it("keeps one path in two folders as two files: neither replaces, hides nor forgets the other", () => {
    const ring = new ContextRing(new TokenEstimator());
    ring.offer({ scope: A, path: "src/util.ts" }, text("fromA"), 10);
    ring.offer({ scope: B, path: "src/util.ts" }, text("fromB"), 10);
    ring.commit();
    assert.equal(ring.size, 2, "the same lines of src/util.ts in B did not replace A's");
    const forB = ring.chunksFor({ scope: B, path: "src/app.ts" });
    assert.deepEqual(
      forB.map((c) => [c.scope, c.path]),
      [[B, "src/util.ts"]],
    );
    assert.ok(forB[0]!.text.includes("fromB"));
    assert.deepEqual(ring.chunksFor({ scope: A, path: "src/util.ts" }), [], "A's current file hides its own chunks only");
    assert.equal(ring.chunksFor({ scope: B, path: "src/main.ts" }).length, 1, "B's chunk is not hidden by A's file of that name");

    ring.forget({ scope: A, path: "src/util.ts" });
    assert.deepEqual(
      ring.chunksFor({ scope: B, path: "src/app.ts" }).map((c) => c.text.includes("fromB")),
      [true],
      "deleting A's src/util.ts leaves B's",
    );
    assert.equal(ring.size, 1);
  });

  it("keeps pending chunks of one path in two folders apart", () => {
    const ring = new ContextRing(new TokenEstimator());
    ring.offer(demoFile("src/util.ts"), text("demo"), 10);
    ring.offer({ scope: A, path: "src/util.ts" }, text("fromA"), 10);
    assert.equal(ring.pendingCount, 2);
    ring.forget({ scope: A, path: "src/util.ts" });
    assert.equal(ring.pendingCount, 1);
  });
});

function uriOf(folder: string): string {
  return pathToFileURL(folder).toString();
}

/** As the editor's contextScope names a workspace folder's files. */
function scopeOf(folder: string): string {
  return `folder:${uriOf(folder)}`;
}

function folderPolicy(root: string, neverSend: string[], features: Parameters<typeof applyUserOverrides>[0]["features"]): EffectivePolicy {
  return resolveEffectivePolicy({ userDefaults: applyUserOverrides({ features, neverSend }), trusted: true, consents: new Set(), root });
}
