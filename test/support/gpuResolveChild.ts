// Child process for the GPU package resolution test: registers the server's resolve hook for
// the folder in argv[2], loads node-llama-cpp's CPU binary, and prints which llama-addon.node
// the process mapped (from /proc/self/maps) as one JSON line.
import { readFile } from "node:fs/promises";
import { useDownloadedGpuPackages } from "../../src/server/gpuPackageResolve";

async function main(): Promise<void> {
  useDownloadedGpuPackages(process.argv[2]);
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, progressLogs: false, logLevel: LlamaLogLevel.error });
  const maps = await readFile("/proc/self/maps", "utf8");
  const addons = [...new Set(maps.split("\n").filter((line) => line.includes("llama-addon.node")).map((line) => line.slice(line.indexOf("/"))))];
  await llama.dispose();
  process.stdout.write(`${JSON.stringify({ addons, gpu: llama.gpu })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
