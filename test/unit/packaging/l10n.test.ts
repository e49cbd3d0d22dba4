// The UI follows VS Code's display language (English and Japanese): the manifest's strings
// through package.nls*.json, the extension's own through vscode.l10n.t and l10n/<area>.ja.json.
// A string added in English only shows up here, not as a half-translated screen.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..", "..");
const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, file), "utf8")) as Record<string, unknown>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

describe("localisation (English and Japanese)", () => {
  it("every %key% of package.json has English and Japanese text, and nothing else is left in English", () => {
    const manifest = readFileSync(join(ROOT, "package.json"), "utf8");
    const keys = [...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(keys.length > 50, `only ${keys.length} placeholders: run node scripts/nls.mjs`);
    const english = readJson("package.nls.json");
    const japanese = readJson("package.nls.ja.json");
    for (const key of keys) {
      assert.equal(typeof english[key], "string", `package.nls.json lacks ${key}`);
      assert.equal(typeof japanese[key], "string", `package.nls.ja.json lacks ${key}`);
    }
    assert.deepEqual(Object.keys(japanese).sort(), Object.keys(english).sort(), "the two files name the same strings");
    // A title or description still written in English in package.json itself escapes translation.
    const contributes = (JSON.parse(manifest) as { contributes: unknown }).contributes;
    const raw: string[] = [];
    const walk = (node: unknown, field: string): void => {
      if (typeof node === "string") {
        if (["title", "description", "markdownDescription", "name", "label", "contextualTitle"].includes(field) && !/^%[^%]+%$/.test(node) && node !== "Hearth") raw.push(`${field}: ${node}`);
      } else if (Array.isArray(node)) node.forEach((item) => walk(item, field));
      else if (node !== null && typeof node === "object") for (const [key, value] of Object.entries(node)) walk(value, key);
    };
    walk(contributes, "");
    assert.deepEqual(raw, [], "run node scripts/nls.mjs and translate the new keys");
  });

  it("every vscode.l10n.t string in src/ has a Japanese translation in l10n/", () => {
    const japanese: Record<string, unknown> = {};
    for (const file of readdirSync(join(ROOT, "l10n")).filter((f) => f.endsWith(".ja.json"))) Object.assign(japanese, readJson(join("l10n", file)));
    const missing: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(join(ROOT, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/l10n\.t\(\s*("(?:[^"\\]|\\.)*")/g)) {
        seen++;
        const english = JSON.parse(match[1]) as string;
        if (typeof japanese[english] !== "string" || japanese[english] === "") missing.push(`${file.slice(ROOT.length + 1)}: ${english}`);
      }
    }
    assert.ok(seen > 50, `found only ${seen} vscode.l10n.t calls`);
    assert.deepEqual(missing, []);
  });
});
