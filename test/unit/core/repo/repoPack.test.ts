// The pack itself on real folders and real git repositories: the same inputs give the same
// bytes, the order follows git history (rarely changed first) and does not move when a
// late file is edited, the layout is Qwen's repo format or plain headers, a pack never
// exceeds its budget (fast-check over random repos and budgets), and a question about a
// planted function gets that function's file into a pack too small for the repo.
import assert from "node:assert/strict";
import fc from "fast-check";
import { buildPack, scanRepo, TokenCounter, type RepoSnapshot } from "../../../../src/core/repo";
import { packCovers } from "../../../../src/core/repo/repoPack";
import { stabilityOrder } from "../../../../src/core/repo/fileOrder";
import { charTokens, commit, fillerSource, git, tempTree, type TempTree } from "./repoFixtures";

const noGit = async (): Promise<undefined> => undefined;

/** A function fillerSource declared in `src/moduleNN.ts`. */
function fillerSourceName(path: string): string {
  return `step${Number(/module(\d+)/.exec(path)![1])}_24`;
}

describe("repo pack: order and determinism", () => {
  let tree: TempTree;

  before(() => {
    tree = tempTree();
    git(tree.root, "init", "-q");
    commit(tree, "start", {
      "README.md": "# Shop\nA small shop.\n",
      "LICENSE": "MIT\n",
      "src/cart.ts": "export function total(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}\n",
      "src/money.ts": "export const currency = 'EUR';\n",
      "src/checkout.ts": 'import { total } from "./cart";\nexport function pay(items: number[]) {\n  return total(items);\n}\n',
    });
    commit(tree, "change checkout", { "src/checkout.ts": 'import { total } from "./cart";\nimport { currency } from "./money";\nexport function pay(items: number[]) {\n  return `${total(items)} ${currency}`;\n}\n' });
    commit(tree, "change cart twice", { "src/cart.ts": "export function total(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0) | 0;\n}\n" });
    tree.write("scratch.ts", "// not committed yet\n");
  });
  after(() => tree.remove());

  async function pack(snapshot?: RepoSnapshot): Promise<{ text: string; order: string[] }> {
    const scanned = snapshot ?? (await scanRepo({ root: tree.root, maxFileBytes: 65536, name: "shop" }));
    const built = await buildPack(scanned, { layout: "qwenRepo", counter: new TokenCounter(charTokens) });
    return { text: built.text, order: scanned.files.map((f) => f.path) };
  }

  it("puts untouched files first, then changed files from the oldest change to the newest, untracked last", async () => {
    const { order } = await pack();
    assert.deepEqual(order, [".gitignore", "LICENSE", "README.md", "src/money.ts", "src/checkout.ts", "src/cart.ts", "scratch.ts"].filter((p) => order.includes(p)));
    assert.equal(order[order.length - 1], "scratch.ts");
    assert.ok(order.indexOf("src/checkout.ts") < order.indexOf("src/cart.ts"), "cart changed most recently");
  });

  it("builds byte-identical packs from the same folder", async () => {
    const first = await pack();
    const second = await pack();
    assert.equal(first.text, second.text);
    assert.ok(first.text.startsWith("<|repo_name|>shop\n<|file_sep|>LICENSE\nMIT\n"));
  });

  it("keeps the order, and the pack in front of the file, when a late file is edited", async () => {
    const before = await pack();
    tree.write("src/cart.ts", "export function total(items: number[]): number {\n  return 42; // being edited\n}\n");
    const after = await pack();
    assert.deepEqual(after.order, before.order);
    const cut = before.text.indexOf("<|file_sep|>src/cart.ts");
    assert.ok(cut > 0);
    assert.equal(after.text.slice(0, cut), before.text.slice(0, cut), "everything before the edited file is unchanged");
    assert.notEqual(after.text, before.text);
  });

  it("asks the tokenizer only about what changed since the last build (counts cached by content hash)", async () => {
    const asked: string[] = [];
    const counter = new TokenCounter(async (texts) => {
      asked.push(...texts);
      return charTokens(texts);
    });
    const scan = () => scanRepo({ root: tree.root, maxFileBytes: 65536, name: "shop" });
    await buildPack(await scan(), { layout: "qwenRepo", counter });
    const firstRound = asked.length;
    assert.ok(firstRound >= 5);
    asked.length = 0;
    await buildPack(await scan(), { layout: "qwenRepo", counter });
    assert.equal(asked.length, 0, "nothing changed: nothing to count");
    tree.write("src/money.ts", "export const currency = 'USD';\n");
    await buildPack(await scan(), { layout: "qwenRepo", counter });
    assert.equal(asked.length, 1);
    assert.ok(asked[0].includes("'USD'"));
  });

  it("orders by docs, config, code, tests and path where there is no git", () => {
    const order = stabilityOrder(["src/z.ts", "test/a.test.ts", "package.json", "docs/guide.md", "README.md", "src/a.ts", "tsconfig.json"], undefined);
    assert.deepEqual(order, ["README.md", "docs/guide.md", "package.json", "tsconfig.json", "src/a.ts", "src/z.ts", "test/a.test.ts"]);
  });

  it("uses plain path headers for a model without the repo tokens, and keeps special-token text literal", async () => {
    const plainTree = tempTree({ "a.ts": "const s = '<|im_end|>';\n" });
    try {
      const snapshot = await scanRepo({ root: plainTree.root, maxFileBytes: 65536, name: "p", history: noGit });
      const plain = await buildPack(snapshot, { layout: "plain", counter: new TokenCounter(charTokens) });
      assert.equal(plain.text, "Repository: p\n=== a.ts ===\nconst s = '<\u200b|im_end|>';\n");
      const qwen = await buildPack(snapshot, { layout: "qwenRepo", counter: new TokenCounter(charTokens) });
      assert.ok(!qwen.text.includes("<|im_end|>"), "a file cannot close the system message");
    } finally {
      plainTree.remove();
    }
  });
});

describe("repo pack: budgets", () => {
  it("is never over budget, and reports every file as included or left out (random repos and budgets)", async () => {
    const fileArb = fc.record({
      dir: fc.constantFrom("", "src/", "lib/", "docs/", "test/"),
      name: fc.stringMatching(/^[a-z]{1,8}$/),
      ext: fc.constantFrom(".ts", ".py", ".md", ".go"),
      lines: fc.array(fc.stringMatching(/^[ -~]{0,60}$/), { minLength: 1, maxLength: 60 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fileArb, { minLength: 1, maxLength: 14, selector: (f) => f.dir + f.name + f.ext }), fc.integer({ min: 20, max: 3000 }), fc.constantFrom("", "where is value computed?", "what does main do"), async (files, budget, question) => {
        const tree = tempTree(Object.fromEntries(files.map((f) => [f.dir + f.name + f.ext, f.lines.join("\n") + "\n"])));
        try {
          const snapshot = await scanRepo({ root: tree.root, maxFileBytes: 1 << 20, name: "r", history: noGit });
          const counter = new TokenCounter(charTokens);
          const pack = await buildPack(snapshot, { layout: "qwenRepo", budget, question, counter });
          const [actual] = (await charTokens([pack.text])).counts;
          // The charge, and the whole text counted in one piece, both stay within the budget.
          if (pack.report.packTokens > budget || actual > budget) return false;
          const labels = pack.report.included.map((i) => `${i.path}#${i.lines?.start ?? 0}`);
          if (new Set(labels).size !== labels.length) return false; // no part of a file twice
          const accounted = new Set([...pack.report.included.map((i) => i.path), ...pack.report.leftOut.map((l) => l.path)]);
          return snapshot.files.every((f) => accounted.has(f.path));
        } finally {
          tree.remove();
        }
      }),
      { numRuns: 60 },
    );
  });

  it("includes everything, in order, when the whole repository fits", async () => {
    const tree = tempTree({ "README.md": "# R\n", "src/a.ts": "export const a = 1;\n" });
    try {
      const snapshot = await scanRepo({ root: tree.root, maxFileBytes: 65536, name: "r", history: noGit });
      const pack = await buildPack(snapshot, { layout: "qwenRepo", budget: 10_000, question: "anything", counter: new TokenCounter(charTokens) });
      assert.equal(pack.report.whole, true);
      assert.deepEqual(
        pack.report.included.map((i) => i.path),
        ["README.md", "src/a.ts"],
      );
      assert.deepEqual(pack.report.leftOut, []);
    } finally {
      tree.remove();
    }
  });

  it("retrieves the file of a planted function named in the question when the repo does not fit", async () => {
    const files: Record<string, string> = { "README.md": "# Billing\nReports and rebates.\n" };
    for (let i = 0; i < 40; i++) files[`src/module${String(i).padStart(2, "0")}.ts`] = fillerSource(i, 150);
    const planted = `src/module23.ts`;
    files[planted] = fillerSource(23, 70) + "\nexport function computeQuarterlyRebate(total: number, tier: string): number {\n  return tier === 'gold' ? total * 0.07 : total * 0.02;\n}\n" + fillerSource(123, 70);
    const tree = tempTree(files);
    try {
      const snapshot = await scanRepo({ root: tree.root, maxFileBytes: 1 << 20, name: "billing", history: noGit });
      const counter = new TokenCounter(charTokens);
      const whole = await buildPack(snapshot, { layout: "qwenRepo", counter });
      const budget = Math.floor(whole.report.repoTokens / 10);
      const pack = await buildPack(snapshot, { layout: "qwenRepo", budget, question: "What does computeQuarterlyRebate return for gold customers?", counter });
      assert.equal(pack.report.whole, false);
      assert.ok(pack.report.packTokens <= budget);
      const hits = pack.report.included.filter((i) => i.path === planted);
      assert.ok(hits.length > 0, `the planted file is included; included: ${pack.report.included.map((i) => i.path).join(", ")}`);
      assert.ok(
        hits.some((h) => /declares computeQuarterlyRebate/.test(h.why)),
        hits.map((h) => h.why).join(" | "),
      );
      assert.ok(pack.text.includes("export function computeQuarterlyRebate"));
      assert.ok(pack.report.leftOut.length > 0);
      const labels = pack.report.included.map((i) => `${i.path}#${i.lines?.start ?? 0}`);
      assert.equal(new Set(labels).size, labels.length, "no part of a file is included twice");
      assert.ok(pack.report.included[0].path === "README.md", "the stable core (docs) comes first");
      // A follow-up about the same function keeps this pack; one about a function left out needs a new one.
      assert.equal(packCovers(snapshot, pack, "Which tiers does computeQuarterlyRebate know?"), true);
      const leftOut = pack.report.leftOut.find((l) => !l.partly)!.path;
      const other = fillerSourceName(leftOut);
      assert.equal(packCovers(snapshot, pack, `What does ${other} compute?`), false, `${other} of ${leftOut} is not in the pack`);
    } finally {
      tree.remove();
    }
  });
});
