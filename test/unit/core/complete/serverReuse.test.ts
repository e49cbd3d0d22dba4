// The completion layouts and their reuse, checked against the real model server with the
// tiny qwen35 (hybrid) model: tokens, not strings, decide whether a layout is right.
// Needs the built server: `npm run build`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CompletionEngine, DEFAULT_COMPLETION_SETTINGS, type CompletionSettings, type CompletionTarget, type CompletionTrace } from "../../../../src/core/complete/completionEngine";
import { renderChatPrompt, renderFimPrompt, type FimLayout, type PromptContext } from "../../../../src/core/complete/completionPrompt";
import { ContextRing } from "../../../../src/core/complete/contextRing";
import { cutCursorWindow } from "../../../../src/core/complete/cursorWindow";
import { linesOfText } from "../../../../src/core/complete/documentLines";
import { TokenEstimator } from "../../../../src/core/complete/tokenEstimate";
import { ensureTestModel } from "../../../fixtures/models";
import { DEMO_SCOPE, demoFile } from "./completionFakes";
import { localGateway } from "../../../support/localGateway";
import { REPO_ROOT, startServer, type RunningServer } from "../../../support/serverProcess";

interface Piece {
  id: number;
  piece: string;
}

const SOURCE = readFileSync(join(REPO_ROOT, "src", "core", "complete", "contextRing.ts"), "utf8");
const OTHER = readFileSync(join(REPO_ROOT, "src", "core", "complete", "completionCache.ts"), "utf8");
const CONTROL = ["<|repo_name|>", "<|file_sep|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|im_start|>", "<|im_end|>"];

describe("completion prompts against the model server (tiny qwen35)", function () {
  this.timeout(180_000);
  let server: RunningServer;
  let target: CompletionTarget;
  let replays = 0;

  before(async () => {
    server = await startServer(await ensureTestModel({ arch: "qwen35" }));
    target = { key: "local", model: server.ready.model, hearth: true, fim: server.ready.fim, rawPrompts: true };
  });

  after(async () => {
    await server?.stop();
  });

  async function tokenize(content: string): Promise<Piece[]> {
    const response = await fetch(`${server.baseUrl}/tokenize`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ content, parse_special: true, with_pieces: true }),
    });
    assert.equal(response.status, 200);
    return ((await response.json()) as { tokens: Piece[] }).tokens;
  }

  async function health(): Promise<{ generations: { completed: number; aborted: number }; roles: Record<string, { checkpointBytes: number }> }> {
    const response = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.token}` } });
    return (await response.json()) as { generations: { completed: number; aborted: number }; roles: Record<string, { checkpointBytes: number }> };
  }

  function context(): PromptContext {
    const estimator = new TokenEstimator(1.2);
    const window = cutCursorWindow(linesOfText(SOURCE), { line: 70, character: 8 }, { prefixTokens: 900, suffixTokens: 300 }, estimator);
    const chunks = [
      { ...demoFile("src/core/complete/completionCache.ts"), startLine: 0, text: OTHER.slice(0, 600), tokens: 500 },
      { ...demoFile("docs/notes.md"), startLine: 4, text: "A note that mentions <|im_end|> and <|fim_middle|> as text.\n\n\nEnd.", tokens: 60 },
    ];
    return { repoName: "hearth", path: "src/core/complete/contextRing.ts", languageId: "typescript", window, chunks };
  }

  async function checkLayout(prompt: string, checkpoints: readonly number[], expectedControl: readonly string[]): Promise<void> {
    const tokens = await tokenize(prompt);
    const control = tokens.filter((t) => CONTROL.includes(t.piece)).map((t) => t.piece);
    assert.deepEqual(control, expectedControl, "control tokens, each a single token, in this order and nowhere else");
    assert.ok(checkpoints.length >= 2);
    for (const offset of checkpoints) {
      const head = await tokenize(prompt.slice(0, offset));
      assert.deepEqual(
        head.map((t) => t.id),
        tokens.slice(0, head.length).map((t) => t.id),
        `the tokens up to checkpoint ${offset} (…${JSON.stringify(prompt.slice(offset - 12, offset))}|${JSON.stringify(prompt.slice(offset, offset + 12))}) are a prefix of the prompt's tokens`,
      );
    }
  }

  for (const layout of ["spm", "psm"] as FimLayout[]) {
    it(`${layout}: the repo-level FIM layout has its control tokens in place and every checkpoint on a token boundary`, async () => {
      const { prompt, checkpoints } = renderFimPrompt(context(), layout);
      const files = ["<|repo_name|>", "<|file_sep|>", "<|file_sep|>", "<|file_sep|>"];
      await checkLayout(prompt, checkpoints, layout === "spm" ? [...files, "<|fim_suffix|>", "<|fim_prefix|>", "<|fim_middle|>"] : [...files, "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"]);
    });
  }

  it("chat: the ChatML layout has its control tokens in place and every checkpoint on a token boundary", async () => {
    const { raw } = renderChatPrompt(context(), "spm");
    await checkLayout(raw.prompt, raw.checkpoints, ["<|im_start|>", "<|im_end|>", "<|im_start|>", "<|im_end|>", "<|im_start|>"]);
  });

  /** Replays typing through the engine; returns the traces of the calls that reached the model. */
  async function replay(settings: Partial<CompletionSettings>, script = { first: "private count", erase: 3, then: "unter = 0;\n  get n() {" }): Promise<{ typing: CompletionTrace[]; jump: CompletionTrace }> {
    const traces: CompletionTrace[] = [];
    // Each replay names another repository, so no replay reuses the state of another.
    const repoName = `hearth-${++replays}`;
    const estimator = new TokenEstimator();
    const ring = new ContextRing(estimator);
    ring.offer(demoFile("src/core/complete/completionCache.ts"), linesOfText(OTHER), 10);
    const engine = new CompletionEngine({
      port: localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }).port("completion"),
      ring,
      estimator,
      settings: () => ({ ...DEFAULT_COMPLETION_SETTINGS, prefixTokens: 1024, suffixTokens: 256, ...settings }),
      onTrace: (trace) => traces.push(trace),
    });
    const lines = SOURCE.split("\n");
    let line = 60;
    let column = 0;
    lines.splice(line, 0, "");
    const complete = async (): Promise<void> => {
      const input = { document: linesOfText(lines.join("\n")), path: "src/core/complete/contextRing.ts", scope: DEMO_SCOPE, languageId: "typescript", position: { line, character: column }, repoName, manual: true };
      await engine.complete(input, () => target, new AbortController().signal);
    };
    const type = async (text: string): Promise<void> => {
      for (const ch of text) {
        if (ch === "\n") {
          lines.splice(line + 1, 0, lines[line]!.slice(column));
          lines[line] = lines[line]!.slice(0, column);
          line++;
          column = 0;
        } else {
          lines[line] = lines[line]!.slice(0, column) + ch + lines[line]!.slice(column);
          column++;
        }
        await complete();
      }
    };
    const backspace = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        lines[line] = lines[line]!.slice(0, column - 1) + lines[line]!.slice(column);
        column--;
        await complete();
      }
    };
    // Two calls to learn the tokens-per-character ratio of this vocabulary, then the replay.
    await complete();
    await type("  ");
    const start = traces.length;
    await type(script.first);
    await backspace(script.erase);
    await type(script.then);
    const typing = traces.slice(start).filter((t) => t.promptTokens !== undefined);
    // A cursor jump eight lines up, then one character typed there.
    line -= 8;
    column = lines[line]!.length;
    await type(" ");
    return { typing, jump: traces.at(-1)! };
  }

  it("spm: while typing, backspacing and starting a new line, each request evaluates at most 10% of its prompt", async () => {
    const { typing: requests } = await replay({ fimLayout: "spm" });
    assert.ok(requests.length >= 15, `${requests.length} requests reached the model`);
    const evaluated = requests.map((t) => t.promptTokens! - t.cachedTokens!);
    const ratios = requests.map((t) => (t.promptTokens! - t.cachedTokens!) / t.promptTokens!);
    const worst = Math.max(...ratios);
    assert.ok(requests[0]!.promptTokens! > 500, `prompt of ${requests[0]!.promptTokens} tokens`);
    assert.ok(worst <= 0.1, `evaluated tokens per request: ${evaluated.join(" ")} of ~${requests[0]!.promptTokens}`);
    const memory = (await health()).roles.completion?.checkpointBytes ?? 0;
    assert.ok(memory > 0, "checkpoint memory is reported");
  });

  it("psm: typing evaluates the cursor line and the suffix again, well under half the prompt", async () => {
    const { typing: requests } = await replay({ fimLayout: "psm", suffixTokens: 128 });
    const ratios = requests.map((t) => (t.promptTokens! - t.cachedTokens!) / t.promptTokens!);
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    assert.ok(mean < 0.3, `mean share evaluated ${mean.toFixed(3)}`);
  });

  it("with reuse off (the benchmark's baseline) the same replay evaluates the whole prompt each time", async () => {
    const { typing } = await replay({ fimLayout: "spm", reuse: false }, { first: "private count", erase: 2, then: "er" });
    for (const t of typing) assert.equal(t.cachedTokens, 0);
  });

  it("spm: after a cursor jump the checkpoint after the context files still holds; without checkpoints all is evaluated again", async () => {
    const share = (t: CompletionTrace): number => (t.promptTokens! - t.cachedTokens!) / t.promptTokens!;
    // Short: the server keeps its 32 newest checkpoints, and each keystroke adds one.
    const script = { first: "private count", erase: 2, then: "er" };
    const withCheckpoints = await replay({ fimLayout: "spm" }, script);
    const without = await replay({ fimLayout: "spm", checkpoints: false }, script);
    assert.ok(share(withCheckpoints.jump) < 0.8, `with checkpoints the jump evaluated ${withCheckpoints.jump.promptTokens! - withCheckpoints.jump.cachedTokens!} of ${withCheckpoints.jump.promptTokens}`);
    assert.ok(share(without.jump) > 0.95, `without checkpoints the jump evaluated ${without.jump.promptTokens! - without.jump.cachedTokens!} of ${without.jump.promptTokens}`);
    // Typing at the very end of an spm prompt is an append: the server's own checkpoint at
    // the end of the previous prompt covers it even without the client's.
    assert.ok(without.typing.slice(1).every((t) => share(t) <= 0.1));
  });

  it("cancelling a request closes it, and the server stops generating", async () => {
    const before = (await health()).generations.aborted;
    const port = localGateway({ baseUrl: `${server.baseUrl}/v1`, token: server.token }).port("completion");
    const controller = new AbortController();
    const pending = port.run({ interactive: false }, () => ({ prompt: { text: "<|fim_prefix|>let x = <|fim_suffix|><|fim_middle|>" }, maxTokens: 3000, temperature: 0.8, stop: [] }), { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await assert.rejects(pending);
    let aborted = before;
    for (let i = 0; i < 100 && aborted === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      aborted = (await health()).generations.aborted;
    }
    assert.equal(aborted, before + 1, "the server counted the generation as aborted");
  });
});
