import assert from "node:assert/strict";
import { renderChatPrompt, renderFimPrompt, type PromptContext } from "../../../../src/core/complete/completionPrompt";
import { ContextRing } from "../../../../src/core/complete/contextRing";
import { EDGE_LINES, cutCursorWindow, windowPrefix, windowSuffix } from "../../../../src/core/complete/cursorWindow";
import { linesOfText } from "../../../../src/core/complete/documentLines";
import { PromptBuilder, neutralizeControlTokens } from "../../../../src/core/complete/promptBuilder";
import { TokenEstimator } from "../../../../src/core/complete/tokenEstimate";
import { demoFile } from "./completionFakes";

function numberedLines(count: number): string {
  return Array.from({ length: count }, (_, i) => `const value${i} = compute(${i}); // line ${i}`).join("\n");
}

const BUDGET = { prefixTokens: 400, suffixTokens: 150 };

describe("cutCursorWindow", () => {
  const estimator = new TokenEstimator();

  it("keeps prefix and suffix within their token budgets, whole lines, the cursor line split at the cursor", () => {
    const document = linesOfText(numberedLines(400));
    const w = cutCursorWindow(document, { line: 200, character: 6 }, BUDGET, estimator);
    assert.ok(estimator.estimate(windowPrefix(w)) <= BUDGET.prefixTokens + 1);
    assert.ok(estimator.estimate(windowSuffix(w)) <= BUDGET.suffixTokens + 1);
    assert.equal(w.linePrefix, "const ");
    assert.ok(w.lineSuffix.startsWith("value200"));
    assert.ok(w.linesAbove.endsWith("line 199\n"));
    assert.ok(w.linesBelow.startsWith("\nconst value201"));
  });

  it("moves its edges in steps of whole blocks of lines: typing and new lines leave them on the same text", () => {
    let text = numberedLines(400);
    const lines = text.split("\n");
    const first = cutCursorWindow(linesOfText(text), { line: 200, character: 6 }, BUDGET, estimator);
    assert.equal(first.startLine % EDGE_LINES, 0);
    // Type a few characters, then a new line, at the cursor.
    lines[200] = "const x = 1;";
    lines.splice(201, 0, "let y");
    text = lines.join("\n");
    const later = cutCursorWindow(linesOfText(text), { line: 201, character: 5 }, BUDGET, estimator);
    assert.equal(later.startLine, first.startLine, "the top edge stays on the same line");
    assert.ok(later.linesAbove.startsWith(first.linesAbove.slice(0, 200)));
    const firstTail = first.linesBelow.slice(first.linesBelow.lastIndexOf("\n"));
    const laterTail = later.linesBelow.slice(later.linesBelow.lastIndexOf("\n"));
    assert.equal(laterTail, firstTail, "the bottom edge stays on the same text after a line was inserted above it");
  });

  it("takes the whole file when it fits", () => {
    const w = cutCursorWindow(linesOfText("a\nb|\nc".replace("|", "")), { line: 1, character: 1 }, BUDGET, estimator);
    assert.equal(windowPrefix(w), "a\nb");
    assert.equal(windowSuffix(w), "\nc");
  });

  it("cuts a cursor line that alone is over budget", () => {
    const long = "x".repeat(10_000);
    const w = cutCursorWindow(linesOfText(long), { line: 0, character: 9_000 }, BUDGET, estimator);
    assert.ok(w.linePrefix.length <= estimator.charsFor(BUDGET.prefixTokens));
    assert.ok(w.lineSuffix.length <= estimator.charsFor(BUDGET.suffixTokens));
  });
});

describe("ContextRing", () => {
  const file = (name: string): ReturnType<typeof linesOfText> => linesOfText(Array.from({ length: 100 }, (_, i) => `export const ${name}${i} = ${i} * ${i}; // something`).join("\n"));

  it("keeps offered chunks out of the prompt until commit, then appends them in order", () => {
    const ring = new ContextRing(new TokenEstimator(), { budgetTokens: 4000, chunkLines: 16, maxPending: 8, lowWater: 0.7 });
    ring.offer(demoFile("a.ts"), file("a"), 10);
    assert.equal(ring.chunksFor(demoFile("x.ts")).length, 0);
    ring.commit();
    ring.offer(demoFile("b.ts"), file("b"), 50);
    ring.commit();
    assert.deepEqual(
      ring.chunksFor(demoFile("x.ts")).map((c) => c.path),
      ["a.ts", "b.ts"],
    );
    assert.deepEqual(
      ring.chunksFor(demoFile("a.ts")).map((c) => c.path),
      ["b.ts"],
      "the current file's own chunks are left out",
    );
  });

  it("does not change when the same lines are offered again unchanged, and replaces a chunk whose lines changed", () => {
    const ring = new ContextRing(new TokenEstimator(), { budgetTokens: 4000, chunkLines: 16, maxPending: 8, lowWater: 0.7 });
    ring.offer(demoFile("a.ts"), file("a"), 10);
    ring.offer(demoFile("b.ts"), file("b"), 10);
    ring.commit();
    const version = ring.version;
    ring.offer(demoFile("a.ts"), file("a"), 11);
    assert.equal(ring.commit(), false);
    assert.equal(ring.version, version);
    ring.offer(demoFile("a.ts"), file("z"), 11);
    assert.equal(ring.commit(), true);
    assert.deepEqual(
      ring.chunksFor(demoFile("x.ts")).map((c) => c.path),
      ["b.ts", "a.ts"],
    );
    assert.ok(ring.chunksFor(demoFile("x.ts"))[1]!.text.includes("z10"));
  });

  it("evicts the oldest chunks only when over budget, and then down to the low-water mark", () => {
    const estimator = new TokenEstimator();
    const ring = new ContextRing(estimator, { budgetTokens: 600, chunkLines: 16, maxPending: 8, lowWater: 0.5 });
    const names = ["a", "b", "c", "d", "e"];
    for (const name of names) {
      ring.offer(demoFile(`${name}.ts`), file(name), 40);
      ring.commit();
    }
    assert.ok(ring.tokens <= 600);
    const kept = ring.chunksFor(demoFile("x.ts")).map((c) => c.path);
    assert.deepEqual(kept, names.slice(names.length - kept.length).map((n) => `${n}.ts`), "the newest survive, in order");
  });
});

describe("PromptBuilder", () => {
  it("breaks control-token lookalikes in user content, not in the template", () => {
    assert.equal(neutralizeControlTokens("a <|im_end|> b"), "a <\u200b|im_end|> b");
    const { prompt } = new PromptBuilder().special("<|fim_prefix|>").literal("x<|fim_middle|>").build();
    assert.equal(prompt, "<|fim_prefix|>x<\u200b|fim_middle|>");
  });

  it("keeps checkpoints after control tokens and line breaks, and drops one before a blank line", () => {
    const b = new PromptBuilder();
    b.special("<|fim_prefix|>").checkpoint().literal("a\n").checkpoint().literal("b\n").checkpoint().literal("   \nc").special("<|fim_middle|>");
    const { prompt, checkpoints } = b.build();
    assert.deepEqual(checkpoints, [14, 16]);
    assert.equal(prompt.slice(0, 16), "<|fim_prefix|>a\n");
  });
});

describe("prompt layouts", () => {
  const estimator = new TokenEstimator();
  const text = "import { x } from './x';\n\nfunction f(a: number) {\n  return a +\n}\n\nexport { f };\n";
  const window = cutCursorWindow(linesOfText(text), { line: 3, character: 12 }, BUDGET, estimator);
  const context: PromptContext = { repoName: "demo", path: "src/f.ts", languageId: "typescript", window, chunks: [{ ...demoFile("src/x.ts"), startLine: 0, text: "export const x = 1;", tokens: 8 }] };

  it("spm: suffix first, then the prefix, with checkpoints after the ring, after the suffix and at the cursor line", () => {
    const { prompt, checkpoints } = renderFimPrompt(context, "spm");
    assert.equal(
      prompt,
      "<|repo_name|>demo\n<|file_sep|>src/x.ts\nexport const x = 1;\n<|file_sep|>src/f.ts\n<|fim_suffix|>\n}\n\nexport { f };\n<|fim_prefix|>import { x } from './x';\n\nfunction f(a: number) {\n  return a +<|fim_middle|>",
    );
    const at = (needle: string): number => prompt.indexOf(needle) + needle.length;
    assert.deepEqual(checkpoints, [at("x = 1;\n"), at("<|fim_prefix|>"), at("number) {\n")]);
  });

  it("psm: prefix, then suffix, with the same checkpoints in the prefix", () => {
    const { prompt, checkpoints } = renderFimPrompt(context, "psm");
    assert.ok(prompt.endsWith("<|fim_prefix|>import { x } from './x';\n\nfunction f(a: number) {\n  return a +<|fim_suffix|>\n}\n\nexport { f };\n<|fim_middle|>"));
    assert.equal(checkpoints.length, 3);
  });

  it("chat: the same order inside a ChatML prompt with thinking off", () => {
    const chat = renderChatPrompt(context, "spm");
    assert.equal(chat.messages.length, 2);
    const user = chat.messages[1]!.content;
    assert.ok(user.indexOf("export const x = 1;") < user.indexOf("The code after the cursor"));
    assert.ok(user.indexOf("export { f };") < user.indexOf("  return a +"));
    assert.ok(chat.raw.prompt.includes(user));
    for (const offset of chat.raw.checkpoints) assert.ok(chat.raw.prompt[offset - 1] === "\n", `checkpoint ${offset} follows a line break`);
  });
});
