// Adds node-llama-cpp's platform binary packages that `npm install` could not resolve to
// package-lock.json, so that `npm ci` accepts the lock on every machine.
//
// Why: the npm registry mirror these machines use lacks the macOS, Windows and riscv64
// binary packages of node-llama-cpp 3.22.1. `npm install` skips them (they are optional)
// and leaves them out of the lock, and `npm ci` then refuses the lock as out of sync.
// Their entries name platforms that never match this one, so npm ci never fetches them.
// Run after anything rewrites package-lock.json: `node scripts/lock-platform-entries.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const llama = lock.packages["node_modules/node-llama-cpp"];
if (!llama) throw new Error("node-llama-cpp is not in package-lock.json");
const platforms = {
  "linux-riscv64": ["linux", "riscv64"],
  "mac-arm64-metal": ["darwin", "arm64"],
  "mac-x64": ["darwin", "x64"],
  "win-arm64": ["win32", "arm64"],
  "win-x64": ["win32", "x64"],
  "win-x64-cuda": ["win32", "x64"],
  "win-x64-cuda-ext": ["win32", "x64"],
  "win-x64-vulkan": ["win32", "x64"],
};
let added = 0;
for (const [name, [os, cpu]] of Object.entries(platforms)) {
  const key = `node_modules/@node-llama-cpp/${name}`;
  const version = llama.optionalDependencies?.[`@node-llama-cpp/${name}`];
  if (!version || lock.packages[key]) continue;
  lock.packages[key] = { version, cpu: [cpu], license: "MIT", optional: true, os: [os] };
  added++;
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
