import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PRICES, parsePriceTable, priceFor, UsageLedger } from "../../../../src/core/audit";

describe("usage ledger", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hearth-usage-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("counts local and cloud tokens per provider and prices the local ones at the reference cloud model", async () => {
    const ledger = new UsageLedger({ dir, flushAfterMs: 0 });
    for (let i = 0; i < 10; i++) ledger.add({ provider: "local", model: "qwen3.5-9b", route: "local", promptTokens: 100_000, completionTokens: 10_000 });
    ledger.add({ provider: "openai", model: "gpt-4o-mini", route: "cloud", promptTokens: 1_000_000, completionTokens: 1_000_000 });
    ledger.add({ provider: "anthropic", model: "claude-haiku-4-5", route: "cloud", promptTokens: 1_000_000, completionTokens: 0 });
    ledger.add({ provider: "selfHosted", model: "team-coder", route: "selfHosted", promptTokens: 5, completionTokens: 5 });

    const tally = await ledger.tally();
    assert.deepEqual(tally.local, { calls: 10, promptTokens: 1_000_000, completionTokens: 100_000 });
    assert.deepEqual(tally.cloud, { calls: 2, promptTokens: 2_000_000, completionTokens: 1_000_000 });
    assert.deepEqual(tally.selfHosted, { calls: 1, promptTokens: 5, completionTokens: 5 });
    // 1M input × $0.15 + 0.1M output × $0.60 at gpt-4o-mini.
    assert.ok(Math.abs(tally.costAvoidedUsd - 0.21) < 1e-9, String(tally.costAvoidedUsd));
    // gpt-4o-mini: 0.15 + 0.60; claude-haiku-4-5: 1.00.
    assert.ok(Math.abs(tally.cloudCostUsd - 1.75) < 1e-9, String(tally.cloudCostUsd));
    assert.equal(tally.avoidedAt, "openai:gpt-4o-mini");
    assert.deepEqual(tally.unpriced, []);
  });

  it("uses configured prices and reference model, and names cloud models without a price", async () => {
    const ledger = new UsageLedger({ dir, flushAfterMs: 0 });
    ledger.add({ provider: "local", model: "m", route: "local", promptTokens: 1_000_000, completionTokens: 0 });
    ledger.add({ provider: "openai", model: "gpt-5-nano", route: "cloud", promptTokens: 10, completionTokens: 10 });
    const tally = await ledger.tally({ prices: { "anthropic:claude-haiku-4-5": { inputPerMillion: 2, outputPerMillion: 8 } }, avoidedAt: "anthropic:claude-haiku-4-5" });
    assert.equal(tally.costAvoidedUsd, 2);
    assert.equal(tally.cloudCostUsd, 0);
    assert.deepEqual(tally.unpriced, ["openai:gpt-5-nano"]);
  });

  it("flushes one line per day, provider, model and route, and sums what several windows wrote", async () => {
    const a = new UsageLedger({ dir, flushAfterMs: 0 });
    const b = new UsageLedger({ dir, flushAfterMs: 0 });
    for (let i = 0; i < 50; i++) a.add({ provider: "local", model: "m", route: "local", promptTokens: 10, completionTokens: 1 });
    b.add({ provider: "local", model: "m", route: "local", promptTokens: 5, completionTokens: 5 });
    await Promise.all([a.flush(), b.flush()]);
    assert.equal((await readFile(a.path, "utf8")).trim().split("\n").length, 2);
    const tally = await new UsageLedger({ dir }).tally();
    assert.deepEqual(tally.local, { calls: 51, promptTokens: 505, completionTokens: 55 });
  });

  it("counts only days since a date, e.g. this month", async () => {
    let now = new Date("2025-05-31T23:00:00Z");
    const ledger = new UsageLedger({ dir, flushAfterMs: 0, now: () => now });
    ledger.add({ provider: "local", model: "m", route: "local", promptTokens: 100, completionTokens: 0 });
    now = new Date("2025-06-02T09:00:00Z");
    ledger.add({ provider: "local", model: "m", route: "local", promptTokens: 7, completionTokens: 0 });
    await ledger.flush();
    const june = await ledger.tally({ since: new Date("2025-06-01T00:00:00Z") });
    assert.equal(june.local.promptTokens, 7);
  });

  it("prices a dated snapshot like its family", () => {
    assert.equal(priceFor(DEFAULT_PRICES, "openai:gpt-4o-mini-2024-07-18"), DEFAULT_PRICES["openai:gpt-4o-mini"]);
    assert.equal(priceFor(DEFAULT_PRICES, "openai:gpt-4o"), undefined);
  });
});

describe("hearth.usage.prices", () => {
  it("merges the user's prices over the defaults, key by key", () => {
    const parsed = parsePriceTable({ "openai:gpt-4o-mini": { inputPerMillion: 0.1, outputPerMillion: 0.4 }, "selfHosted:team-coder": { inputPerMillion: 0, outputPerMillion: 0 } });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.table["openai:gpt-4o-mini"], { inputPerMillion: 0.1, outputPerMillion: 0.4 });
    assert.deepEqual(parsed.table["anthropic:claude-haiku-4-5"], DEFAULT_PRICES["anthropic:claude-haiku-4-5"]);
    assert.ok("selfHosted:team-coder" in parsed.table);
  });

  it("unset means the defaults", () => {
    assert.deepEqual(parsePriceTable(undefined), { ok: true, table: DEFAULT_PRICES });
  });

  it("names the bad entry: a key without a provider, a negative or missing price, not an object", () => {
    const badKey = parsePriceTable({ "gpt-4o-mini": { inputPerMillion: 1, outputPerMillion: 1 } });
    assert.ok(!badKey.ok && /"gpt-4o-mini" is not "provider:model"/.test(badKey.message));
    const negative = parsePriceTable({ "openai:gpt-4o-mini": { inputPerMillion: -1, outputPerMillion: 1 } });
    assert.ok(!negative.ok && /non-negative/.test(negative.message));
    const missing = parsePriceTable({ "openai:gpt-4o-mini": { inputPerMillion: 1 } });
    assert.ok(!missing.ok && /outputPerMillion/.test(missing.message));
    assert.equal(parsePriceTable([1, 2]).ok, false);
  });

  it("the tally prices cloud calls and the cost avoided with the table it is given", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hearth-prices-"));
    try {
      const ledger = new UsageLedger({ dir, flushAfterMs: 0 });
      ledger.add({ provider: "local", model: "qwen", route: "local", promptTokens: 1_000_000, completionTokens: 0 });
      ledger.add({ provider: "openai", model: "gpt-4o-mini", route: "cloud", promptTokens: 1_000_000, completionTokens: 1_000_000 });
      const parsed = parsePriceTable({ "openai:gpt-4o-mini": { inputPerMillion: 2, outputPerMillion: 3 } });
      assert.ok(parsed.ok);
      const tally = await ledger.tally({ prices: parsed.table });
      assert.equal(tally.cloudCostUsd, 5);
      assert.equal(tally.costAvoidedUsd, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
