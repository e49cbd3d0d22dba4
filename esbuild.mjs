// Bundles the three programs Hearth ships: the extension (CJS, loaded by VS Code),
// the model server (ESM, its own process) and the chat webview (browser IIFE).
// node-llama-cpp is native and ESM-only, so it is never bundled: the server imports it
// from node_modules at run time, and the .vsix carries it (see scripts/package.mjs).
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

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
