// How the server uses a GPU binary package that Hearth downloaded into global storage.
//
// node-llama-cpp finds its prebuilt binaries with `import("@node-llama-cpp/<platform>-<gpu>")`
// from inside its own dist/ (getPrebuiltBinariesPackageDirectoryForBuildOptions in
// dist/bindings/utils/compileLLamaCpp.js), and uses the package only when its version equals
// node-llama-cpp's. That is ESM resolution: NODE_PATH does not apply, and the only folders
// searched are node_modules above node-llama-cpp itself (inside the installed extension,
// replaced on every update). So the server registers a module resolve hook that answers
// `@node-llama-cpp/<name>` from `<root>/node_modules/@node-llama-cpp/<name>/` when that
// folder exists, and leaves every other import (and absent packages) to Node.
import { register } from "node:module";
import { pathToFileURL } from "node:url";

/** The environment variable through which the extension names the folder (global storage). */
export const GPU_PACKAGES_ENV = "HEARTH_GPU_PACKAGES_DIR";

/** The hook module's source, as a data: URL body; `root` holds node_modules/@node-llama-cpp/... */
export function resolveHookSource(root: string): string {
  const rootUrl = pathToFileURL(root.endsWith("/") || root.endsWith("\\") ? root : `${root}/`).href;
  return `
import { existsSync, readFileSync } from "node:fs";
const root = ${JSON.stringify(rootUrl.endsWith("/") ? rootUrl : `${rootUrl}/`)};
export async function resolve(specifier, context, nextResolve) {
  const match = /^@node-llama-cpp\\/([a-z0-9-]+)$/.exec(specifier);
  if (match) {
    const dir = new URL("node_modules/@node-llama-cpp/" + match[1] + "/", root);
    try {
      const manifest = JSON.parse(readFileSync(new URL("package.json", dir), "utf8"));
      const entry = new URL(typeof manifest.main === "string" ? manifest.main : "dist/index.js", dir);
      if (entry.href.startsWith(dir.href) && existsSync(entry)) return { url: entry.href, format: "module", shortCircuit: true };
    } catch {
      // Not downloaded (or unreadable): Node's own resolution decides.
    }
  }
  return nextResolve(specifier, context);
}
`;
}

/**
 * Makes node-llama-cpp see the packages under `root` (default: $HEARTH_GPU_PACKAGES_DIR).
 * Call before the first getLlama. Returns whether a hook was registered.
 */
export function useDownloadedGpuPackages(root: string | undefined = process.env[GPU_PACKAGES_ENV]): boolean {
  if (!root) return false;
  register(`data:text/javascript,${encodeURIComponent(resolveHookSource(root))}`);
  return true;
}
