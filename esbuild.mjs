// Bundles the three programs Hearth ships: the extension (CJS, loaded by VS Code),
// the model server (ESM, its own process) and the chat webview (browser IIFE).
// node-llama-cpp is native and ESM-only, so it is never bundled: the server imports it
// from node_modules at run time, and the .vsix carries it (see scripts/package.mjs).
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

/** @type {import("esbuild").BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "info",
  target: "node20",
};

const builds = [
  {
    ...common,
    entryPoints: { extension: "src/extension.ts" },
    outdir: "dist",
    platform: "node",
    format: "cjs",
    external: ["vscode", "node-llama-cpp"],
    // jsonc-parser's UMD build loads its parts with a require() esbuild cannot follow;
    // its ESM build bundles cleanly.
    mainFields: ["module", "main"],
  },
  {
    ...common,
    entryPoints: { server: "src/server/main.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    platform: "node",
    format: "esm",
    external: ["node-llama-cpp"],
    // As for the extension: jsonc-parser (reached through src/core/repo) bundles from its ESM build.
    mainFields: ["module", "main"],
    // Bundled CJS dependencies may call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __hearthCreateRequire } from 'node:module'; const require = __hearthCreateRequire(import.meta.url);" },
  },
  {
    ...common,
    entryPoints: { webview: "media/chat/main.ts" },
    outdir: "dist",
    platform: "browser",
    format: "iife",
    target: "es2022",
  },
];

/**
 * VS Code reads one string bundle per language (`"l10n": "./dist/l10n"` in package.json).
 * Each area of the extension keeps its own translations in `l10n/<area>.<lang>.json`
 * (keys: the English text given to vscode.l10n.t), so parallel work never edits one
 * shared file; the build merges them into `dist/l10n/bundle.l10n.<lang>.json`.
 * A key defined twice with different translations stops the build.
 */
function mergeL10nBundles() {
  const bundles = new Map();
  const dir = "l10n";
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir).sort()) {
    const match = /^[\w-]+\.([a-z]{2}(?:-[a-z]+)?)\.json$/i.exec(name);
    if (match === null) continue;
    const lang = match[1];
    const strings = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
    const merged = bundles.get(lang) ?? {};
    for (const [key, value] of Object.entries(strings)) {
      if (key in merged && merged[key] !== value) throw new Error(`l10n/${name}: "${key}" is translated differently in another file`);
      merged[key] = value;
    }
    bundles.set(lang, merged);
  }
  fs.mkdirSync("dist/l10n", { recursive: true });
  for (const [lang, strings] of bundles) fs.writeFileSync(`dist/l10n/bundle.l10n.${lang}.json`, `${JSON.stringify(strings, null, 2)}\n`);
}

mergeL10nBundles();

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
