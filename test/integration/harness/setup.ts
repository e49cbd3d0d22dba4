// Preparing what a pass needs on disk: the compiled host suites, a copy of the fixture
// workspace (tests never type into the repository), and the user settings.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "../../..");
export const INTEGRATION_DIR = path.join(REPO_ROOT, "test/integration");
export const ARTIFACTS_DIR = path.join(REPO_ROOT, "test-results");
export const DEFAULT_WORKSPACE = path.join(INTEGRATION_DIR, "harness/workspace");

/** Suite files, sorted, optionally only those whose file name contains `filter`. */
function listFiles(dir: string, suffix: string, filter?: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => name.endsWith(suffix) && (!filter || name.includes(filter))).sort().map((name) => path.join(dir, name));
}

export function listUiTestFiles(filter?: string): string[] {
  return listFiles(path.join(INTEGRATION_DIR, "ui"), ".ui.ts", filter);
}

/**
 * Bundles test/integration/index.ts and suites/*.test.ts into `outDir` as CommonJS
 * (vscode and mocha stay external: the extension host provides vscode, mocha is
 * required from the project's node_modules). `outDir` must lie inside the extension
 * folder so that VS Code maps their `require("vscode")` to Hearth's API object.
 * Returns the path of the tests entry.
 */
export async function bundleHostTests(outDir: string, filter?: string): Promise<string> {
  const suites = listFiles(path.join(INTEGRATION_DIR, "suites"), ".test.ts", filter);
  const entryPoints: Record<string, string> = { index: path.join(INTEGRATION_DIR, "index.ts") };
  for (const file of suites) entryPoints[`suites/${path.basename(file, ".ts")}`] = file;
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    external: ["vscode", "mocha"],
    // jsonc-parser's UMD build cannot be bundled; its ESM build can.
    mainFields: ["module", "main"],
    logLevel: "warning",
  });
  fs.writeFileSync(path.join(outDir, "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
  return path.join(outDir, "index.js");
}

/** Copies the fixture workspace to `dest` (a temp folder). */
export function copyWorkspace(fixture: string, dest: string): string {
  fs.cpSync(fixture, dest, { recursive: true });
  return dest;
}

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  fs.mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify(settings, null, 2) + "\n");
}

const sourceMaps = new Map<string, SourceMap | undefined>();

function loadInlineSourceMap(bundle: string): SourceMap | undefined {
  if (!sourceMaps.has(bundle)) {
    let map: SourceMap | undefined;
    try {
      const text = fs.readFileSync(bundle, "utf8");
      const match = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(text);
      if (match) map = new SourceMap(JSON.parse(Buffer.from(match[1], "base64").toString("utf8")) as SourceMapPayload);
    } catch {
      map = undefined;
    }
    sourceMaps.set(bundle, map);
  }
  return sourceMaps.get(bundle);
}

/**
 * Rewrites stack frames that point into the bundled suites (`outDir`) to the .ts
 * sources, using the bundles' inline source maps (the extension host does not: VS Code
 * installs its own Error.prepareStackTrace). Call before `outDir` is removed.
 */
export function mapStack(text: string, outDir: string): string {
  const outName = path.basename(outDir);
  const frame = new RegExp(`([^\\s()]*${outName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/[^\\s():]+\\.js):(\\d+):(\\d+)`, "g");
  return text.replace(frame, (whole, file: string, line: string, column: string) => {
    const bundle = path.join(outDir, file.slice(file.indexOf(outName) + outName.length + 1));
    const entry = loadInlineSourceMap(bundle)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !("originalSource" in entry) || !entry.originalSource) return whole;
    const source = path.relative(REPO_ROOT, path.resolve(path.dirname(bundle), entry.originalSource.replace(/^file:\/\//, "")));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}
