import assert from "node:assert/strict";
import { AdaptiveDebounce } from "../../../../src/core/complete/adaptiveDebounce";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionResult, type CompletionSettings, type CompletionTrace } from "../../../../src/core/complete/completionEngine";
import { ContextRing } from "../../../../src/core/complete/contextRing";
import { linesOfText } from "../../../../src/core/complete/documentLines";
import { TokenEstimator } from "../../../../src/core/complete/tokenEstimate";
import { GatewayRefusal } from "../../../../src/core/gateway";
import { CLOUD_TARGET, DEMO_SCOPE, EXTERNAL_TARGET, FakeClient, FakeClock, HEARTH_NO_FIM, HEARTH_TARGET, demoFile, inputAt, settle } from "./completionFakes";

interface Harness {
  engine: CompletionEngine;
  client: FakeClient;
  clock: FakeClock;
  ring: ContextRing;
  traces: CompletionTrace[];
  settings: { value: CompletionSettings };
}

function harness(answer: string | ((prompt: string) => string) = "", settings: Partial<CompletionSettings> = {}): Harness {
  const client = new FakeClient((request) => (typeof answer === "string" ? answer : answer(request.kind === "text" ? request.prompt : request.messages[1]!.content)));
  const clock = new FakeClock();
  const estimator = new TokenEstimator();
  const ring = new ContextRing(estimator);
  const traces: CompletionTrace[] = [];
  const holder = { value: { ...DEFAULT_COMPLETION_SETTINGS, ...settings } };
  const engine = new CompletionEngine({ port: client, ring, estimator, clock, settings: () => holder.value, onTrace: (t) => traces.push(t) });
  return { engine, client, clock, ring, traces, settings: holder };
}

/** Runs one automatic completion to the end, moving virtual time through the debounce. */
async function run(h: Harness, marked: string, signal = new AbortController().signal, manual = false): Promise<CompletionResult | undefined> {
  const pending = h.engine.complete(inputAt(marked, { manual }), HEARTH_TARGET, signal);
  await settle();
  h.clock.advance(1000);
  return pending;
}

const CODE = "function area(r: number): number {\n  return Math.PI * |\n}\n";

describe("CompletionEngine", () => {
  it("answers from the model once, then from the cache for the same spot without a request", async () => {
    const h = harness("r * r;");
    assert.deepEqual(await run(h, CODE), { text: "r * r;", source: "model" });
    assert.deepEqual(await run(h, CODE), { text: "r * r;", source: "cache" });
    assert.equal(h.client.requests.length, 1);
  });

  it("returns the rest of a shown suggestion while the user types its first characters, without a request", async () => {
    const h = harness("r * r;");
    await run(h, CODE);
    const typed = await run(h, CODE.replace("|", "r |"));
    assert.deepEqual(typed, { text: "* r;", source: "typing" });
    assert.equal(h.client.requests.length, 1);
    assert.equal(h.traces.at(-1)?.outcome, "typing");
  });

  it("asks the model again when the typed character departs from the suggestion", async () => {
    const h = harness("r * r;");
    await run(h, CODE);
    await run(h, CODE.replace("|", "2|"));
    assert.equal(h.client.requests.length, 2);
  });

  it("remembers that a spot has no suggestion, so backspacing over it asks nothing", async () => {
    const h = harness("   ");
    assert.equal(await run(h, CODE), undefined);
    await run(h, CODE.replace("|", "x|"));
    assert.equal(await run(h, CODE), undefined);
    assert.equal(h.client.requests.length, 2);
    assert.equal(h.traces.at(-1)?.outcome, "empty");
  });

  it("post-processes the answer: one line where the cursor opens no block", async () => {
    const h = harness("r * r;\n}\nconsole.log(1);");
    assert.deepEqual(await run(h, CODE), { text: "r * r;", source: "model" });
    const request = h.client.requests[0]!.request;
    assert.equal(request.kind, "text");
    assert.deepEqual(request.stop, ["\n"], "a single-line spot stops generating at the line's end");
    assert.equal(request.maxTokens, DEFAULT_COMPLETION_SETTINGS.lineMaxTokens);
  });

  it("lets a multi-line answer through where the cursor opens a block", async () => {
    const h = harness("\n  const x = 1;\n  return x;\n}");
    const result = await run(h, "function f() {|\n");
    assert.equal(result?.text, "\n  const x = 1;\n  return x;\n}");
    const request = h.client.requests[0]!.request;
    assert.deepEqual(request.stop, []);
    assert.equal(request.maxTokens, DEFAULT_COMPLETION_SETTINGS.blockMaxTokens);
  });

  it("a new keystroke cancels the request in flight, and the abort reaches the client's signal", async () => {
    const h = harness("r * r;");
    h.client.hold = true;
    const first = h.engine.complete(inputAt(CODE), HEARTH_TARGET, new AbortController().signal);
    await settle();
    h.clock.advance(1000);
    await settle();
    assert.equal(h.client.requests.length, 1);
    const second = h.engine.complete(inputAt(CODE.replace("|", "r|")), HEARTH_TARGET, new AbortController().signal);
    assert.equal(h.client.requests[0]!.signal.aborted, true, "the first request's HTTP signal is aborted");
    assert.equal(await first, undefined);
    await settle();
    h.clock.advance(1000);
    await settle();
    h.client.hold = false;
    h.client.release();
    assert.equal((await second)?.source, "model");
    assert.deepEqual(
      h.traces.map((t) => t.outcome),
      ["cancelled", "model"],
    );
  });

  it("a keystroke during the debounce wait cancels the wait, so no request is sent for it", async () => {
    const h = harness("r * r;");
    const first = h.engine.complete(inputAt(CODE), HEARTH_TARGET, new AbortController().signal);
    await settle();
    assert.equal(h.clock.waiting, 1);
    const second = h.engine.complete(inputAt(CODE.replace("|", "r|")), HEARTH_TARGET, new AbortController().signal);
    assert.equal(await first, undefined);
    await settle();
    h.clock.advance(1000);
    await second;
    assert.equal(h.client.requests.length, 1);
    assert.equal(h.traces[0]!.outcome, "cancelled");
  });

  it("the caller's AbortSignal (VS Code's CancellationToken) cancels the HTTP request", async () => {
    const h = harness("r * r;");
    h.client.hold = true;
    const controller = new AbortController();
    const pending = h.engine.complete(inputAt(CODE), HEARTH_TARGET, controller.signal);
    await settle();
    h.clock.advance(1000);
    await settle();
    controller.abort();
    assert.equal(await pending, undefined);
    assert.equal(h.client.requests[0]!.signal.aborted, true);
  });

  it("a manual trigger asks at once, without the debounce", async () => {
    const h = harness("r * r;");
    const result = await h.engine.complete(inputAt(CODE, { manual: true }), HEARTH_TARGET, new AbortController().signal);
    assert.equal(result?.source, "model");
    assert.equal(h.traces[0]!.debounceMs, 0);
  });

  it("reports a failed request once in its trace and shows nothing", async () => {
    const h = harness("r * r;");
    h.client.failWith = new Error("HTTP 500: boom");
    assert.equal(await run(h, CODE), undefined);
    assert.equal(h.traces[0]!.outcome, "error");
    assert.match(h.traces[0]!.error ?? "", /boom/);
  });

  it("measures the time spent outside the debounce and the model call", async () => {
    const h = harness("r * r;");
    await run(h, CODE);
    const trace = h.traces[0]!;
    assert.equal(trace.totalMs, trace.debounceMs + trace.modelMs + trace.overheadMs);
    assert.ok(trace.debounceMs > 0);
  });

  describe("prompt modes", () => {
    it("auto: repo-level FIM with checkpoints on Hearth's server when the model has FIM tokens", async () => {
      const h = harness("r;");
      await run(h, CODE);
      const request = h.client.requests[0]!.request;
      assert.equal(request.kind, "text");
      assert.ok(request.kind === "text" && request.prompt.startsWith("<|repo_name|>demo\n"));
      assert.ok(request.kind === "text" && request.checkpoints !== undefined && request.checkpoints.length >= 2);
      assert.equal(request.kind === "text" && request.suffix, undefined);
      assert.equal(h.traces[0]!.kind, "fim");
    });

    it("auto: a ChatML prompt with thinking off (and checkpoints) when the model has no FIM tokens", async () => {
      const h = harness("r;");
      await h.engine.complete(inputAt(CODE, { manual: true }), HEARTH_NO_FIM, new AbortController().signal);
      const request = h.client.requests[0]!.request;
      assert.ok(request.kind === "text");
      assert.ok(request.prompt.startsWith("<|im_start|>system\n"));
      assert.ok(request.prompt.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
      assert.ok((request.checkpoints ?? []).length >= 2);
      assert.equal(h.traces[0]!.kind, "chat");
    });

    it("auto: chat messages on an external server, whose FIM support is unknown", async () => {
      const h = harness("r;");
      await h.engine.complete(inputAt(CODE, { manual: true }), EXTERNAL_TARGET, new AbortController().signal);
      const request = h.client.requests[0]!.request;
      assert.equal(request.kind, "chat");
      assert.ok(request.kind === "chat" && request.messages[1]!.content.includes("Math.PI *"));
      assert.equal(h.traces[0]!.kind, "chat-messages");
    });

    it("fim on an external server: prefix and suffix for the server's own FIM template, no checkpoints", async () => {
      const h = harness("r;", { mode: "fim" });
      await h.engine.complete(inputAt(CODE, { manual: true }), EXTERNAL_TARGET, new AbortController().signal);
      const request = h.client.requests[0]!.request;
      assert.ok(request.kind === "text");
      assert.equal(request.prompt, "function area(r: number): number {\n  return Math.PI * ");
      assert.equal(request.suffix, "\n}\n");
      assert.equal(request.checkpoints, undefined);
    });

    it("a cloud route takes only conversations: chat messages even in fim mode, naming the files for neverSend", async () => {
      const h = harness("r;", { mode: "fim" });
      await h.engine.complete(inputAt(CODE, { manual: true }), CLOUD_TARGET, new AbortController().signal);
      const request = h.client.requests[0]!.request;
      assert.equal(request.kind, "chat");
      assert.equal(h.traces[0]!.kind, "chat-messages");
      assert.equal(request.files[0]!.path, "src/main.ts");
      assert.ok(request.files[0]!.content.includes("Math.PI *"));
    });

    it("a policy refusal is no suggestion, traced as refused", async () => {
      const h = harness("r;");
      h.client.failWith = new GatewayRefusal("consentNeeded", "the policy says to ask");
      assert.equal(await h.engine.complete(inputAt(CODE, { manual: true }), CLOUD_TARGET, new AbortController().signal), undefined);
      assert.equal(h.traces[0]!.outcome, "refused");
      assert.match(h.traces[0]!.error ?? "", /ask/);
    });

    it("fim asked for a model without FIM tokens falls back to chat and says so once", async () => {
      const h = harness("r;", { mode: "fim" });
      const warnings: string[] = [];
      const engine = new CompletionEngine({ port: h.client, ring: h.ring, clock: h.clock, settings: () => h.settings.value, log: { trace() {}, debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} } });
      await engine.complete(inputAt(CODE, { manual: true }), HEARTH_NO_FIM, new AbortController().signal);
      await engine.complete(inputAt(CODE.replace("|", "x|"), { manual: true }), HEARTH_NO_FIM, new AbortController().signal);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /hearth\.completion\.mode/);
    });

    it("without checkpoints when the settings turn them off (the benchmark's baseline)", async () => {
      const h = harness("r;", { checkpoints: false });
      await run(h, CODE);
      const request = h.client.requests[0]!.request;
      assert.ok(request.kind === "text" && request.checkpoints === undefined);
    });
  });

  it("brings queued context chunks into the prompt when the current file changes, not while typing in it", async () => {
    const h = harness("r;");
    await run(h, CODE);
    h.ring.offer(demoFile("src/util.ts"), linesOfText("export function square(x: number): number {\n  return x * x;\n}\n"), 1);
    await run(h, CODE.replace("|", "s|"));
    const typing = h.client.requests.at(-1)!.request;
    assert.ok(typing.kind === "text" && !typing.prompt.includes("square"), "the ring is unchanged while typing");
    const other = h.engine.complete(inputAt(CODE, { path: "src/other.ts", manual: true }), HEARTH_TARGET, new AbortController().signal);
    await other;
    const switched = h.client.requests.at(-1)!.request;
    assert.ok(switched.kind === "text" && switched.prompt.includes("<|file_sep|>src/util.ts\nexport function square"));
  });
});

describe("AdaptiveDebounce", () => {
  it("waits the minimum before the first burst is known", () => {
    assert.equal(new AdaptiveDebounce().delay(), 10);
  });

  it("waits a little longer than the typist's usual gap within a burst, up to half the model's latency", () => {
    const debounce = new AdaptiveDebounce();
    debounce.latency(600);
    for (let t = 0; t <= 1000; t += 100) debounce.keystroke(t);
    assert.equal(debounce.delay(), 130);
    const slowModel = new AdaptiveDebounce();
    slowModel.latency(2000);
    for (let t = 0; t <= 5000; t += 500) slowModel.keystroke(t);
    assert.equal(slowModel.delay(), 300, "capped by maxMs");
  });

  it("hardly waits when the model is fast", () => {
    const debounce = new AdaptiveDebounce();
    debounce.latency(30);
    for (let t = 0; t <= 1000; t += 100) debounce.keystroke(t);
    assert.equal(debounce.delay(), 15);
  });

  it("ignores pauses longer than a burst gap when learning the typing speed", () => {
    const debounce = new AdaptiveDebounce();
    debounce.latency(600);
    debounce.keystroke(0);
    debounce.keystroke(5000);
    assert.equal(debounce.delay(), 10);
  });
});

describe("CompletionEngine overhead", () => {
  /** Median of the engine's own time per keystroke over 200 keystrokes at line `lineCount / 2` of a file of `lineCount` lines. */
  async function medianOverhead(lineCount: number): Promise<number> {
    const lines = Array.from({ length: lineCount }, (_, i) => (i % 7 === 0 ? `function step${i}(input: number): number {` : `  const value${i} = input * ${i} + Math.sqrt(${i}); // ${"note ".repeat(i % 5)}`));
    const estimator = new TokenEstimator();
    const ring = new ContextRing(estimator);
    for (let i = 0; i < 4; i++) ring.offer(demoFile(`src/other${i}.ts`), linesOfText(lines.slice(i * 50, i * 50 + 200).join("\n")), 40);
    const traces: CompletionTrace[] = [];
    const client = new FakeClient(() => "value + 1;");
    const engine = new CompletionEngine({ port: client, ring, estimator, settings: () => DEFAULT_COMPLETION_SETTINGS, onTrace: (t) => traces.push(t) });
    const document = { lineCount: lines.length, lineAt: (i: number) => lines[i] ?? "" };
    const at = Math.floor(lineCount / 2);
    for (let k = 0; k < 200; k++) {
      lines[at] = `  const typed = ${"x".repeat(k % 40)}`;
      await engine.complete({ document, path: "src/big.ts", scope: DEMO_SCOPE, languageId: "typescript", position: { line: at, character: lines[at]!.length }, repoName: "demo", manual: true }, HEARTH_TARGET, new AbortController().signal);
    }
    const overheads = traces.map((t) => t.overheadMs).sort((a, b) => a - b);
    return overheads[Math.floor(overheads.length / 2)]!;
  }

  // Not a wall-clock limit (CI machines are loaded): the engine reads a window around the cursor,
  // so a file 10× longer must not cost about 10× per keystroke. Both sizes run twice, interleaved,
  // and the better median of each counts; a cost linear in the file would give a ratio near 10.
  it("costs about the same per keystroke on a 3,000-line file as on a 300-line one (size ratio, not a time limit)", async () => {
    const small: number[] = [];
    const large: number[] = [];
    for (let round = 0; round < 2; round++) {
      small.push(await medianOverhead(300));
      large.push(await medianOverhead(3000));
    }
    const ratio = Math.min(...large) / Math.max(Math.min(...small), 0.05);
    console.log(`      median overhead: ${Math.min(...small).toFixed(2)} ms at 300 lines, ${Math.min(...large).toFixed(2)} ms at 3,000 (ratio ${ratio.toFixed(2)})`);
    assert.ok(ratio < 5, `3,000 lines cost ${ratio.toFixed(1)}× what 300 lines cost per keystroke`);
  });
});
