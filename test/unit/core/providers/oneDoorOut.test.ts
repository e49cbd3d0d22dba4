// House rule 2: one door out. No module outside src/core/providers may construct an SDK
// client or import an SDK's runtime (type-only imports are harmless: they vanish at build).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = join(__dirname, "..", "..", "..", "..");
const SRC = join(ROOT, "src");
const PROVIDERS = "src/core/providers/";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(m|c)?tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("one door out (src/ outside src/core/providers)", () => {
  const offenders = (pattern: RegExp): string[] =>
    sourceFiles(SRC)
      .map((path) => relative(ROOT, path).split("\\").join("/"))
      .filter((file) => !file.startsWith(PROVIDERS))
      .filter((file) => pattern.test(readFileSync(join(ROOT, file), "utf8")));

  it("constructs no OpenAI or Anthropic client", () => {
    assert.deepEqual(offenders(/new\s+(OpenAI|Anthropic)(\.\w+)?\s*\(/), []);
  });

  it("imports neither SDK's runtime (type-only imports are allowed)", () => {
    assert.deepEqual(offenders(/^\s*import\s+(?!type\b)[^;]*from\s+["'](openai|@anthropic-ai\/sdk)(\/[^"']*)?["']/m), []);
    assert.deepEqual(offenders(/require\(\s*["'](openai|@anthropic-ai\/sdk)/), []);
  });
});
