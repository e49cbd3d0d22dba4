// The labelled corpus (corpus/manifest.json): planted fake secrets of many kinds across
// languages, and look-alikes that must survive. Recall must be 100% and nothing else may be
// touched; the figures are printed on one line so regressions are visible in test output.
import * as assert from "node:assert/strict";
import { formatMeasurement, measureRedaction } from "../../../../src/core/redact/measureRedaction";
import { loadRedactionCorpus } from "./redactionCorpus";

describe("redaction corpus", () => {
  const corpus = loadRedactionCorpus();

  it("is big and varied enough to mean something", () => {
    assert.ok(corpus.secrets.length >= 50, `${corpus.secrets.length} planted secrets`);
    assert.ok(corpus.lookAlikes.length >= 30, `${corpus.lookAlikes.length} look-alikes`);
    assert.ok(new Set(corpus.secrets.map((s) => s.kind)).size >= 40);
    assert.ok(corpus.files.length >= 15);
  });

  it("redacts every planted secret and nothing else", async () => {
    const m = await measureRedaction(corpus);
    console.log(`      ${formatMeasurement(m)}`);
    assert.deepEqual(
      m.missed.map((s) => `${s.file}: ${s.kind}`),
      [],
      "missed secrets",
    );
    assert.deepEqual(
      m.falsePositives.map((l) => `${l.file}: ${l.value} (${l.why})`),
      [],
      "redacted look-alikes",
    );
    assert.deepEqual(
      m.strayFindings.map((s) => `${s.file}: ${s.kind} ${s.text}`),
      [],
      "findings that are no planted secret",
    );
    assert.equal(m.recall, 1);
  });
});
