// Packages a platform-specific .vsix: the bundles from dist/, node-llama-cpp with its
// runtime dependencies, and only this platform's CPU binary package. The GPU binaries
// (CUDA over 500 MB) are left out; see README "GPU acceleration".
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const targets = {
  "linux-x64": "linux-x64",
  "linux-arm64": "linux-arm64",
  "darwin-arm64": "mac-arm64-metal",
  "darwin-x64": "mac-x64",
  "win32-x64": "win-x64",
  "win32-arm64": "win-arm64",
};
const target = process.env.HEARTH_TARGET ?? `${process.platform}-${process.arch}`;
const binaryPackage = targets[target];
if (!binaryPackage) {
  console.error(`No node-llama-cpp prebuilt binary for ${target}. Supported: ${Object.keys(targets).join(", ")}`);
  process.exit(1);
}

const base = readFileSync(".vscodeignore", "utf8");
const ignoreDir = mkdtempSync(join(tmpdir(), "hearth-package-"));
const ignoreFile = join(ignoreDir, ".vscodeignore");
writeFileSync(
  ignoreFile,
  `${base}
# Every node-llama-cpp binary package but this platform's CPU one.
node_modules/@node-llama-cpp/**
!node_modules/@node-llama-cpp/${binaryPackage}/**
`,
);
const version = JSON.parse(readFileSync("package.json", "utf8")).version;
const out = process.env.HEARTH_VSIX ?? `hearth-${target}-${version}.vsix`;
try {
  execFileSync(process.execPath, ["node_modules/@vscode/vsce/vsce", "package", "--target", target, "--ignoreFile", ignoreFile, "--out", out, "--skip-license", "--allow-missing-repository", "--no-rewrite-relative-links"], { stdio: "inherit" });
} finally {
  rmSync(ignoreDir, { recursive: true, force: true });
}
console.log(out);
