// Which GPU driver this machine has, without loading any GPU binary: the signs a CUDA or
// Vulkan driver leaves on disk. The extension host uses it to decide whether to offer the
// GPU package; node-llama-cpp itself decides, when the server starts, whether it really loads.
import { access } from "node:fs/promises";
import * as path from "node:path";
import type { GpuPackageBackend } from "./gpuPackages.js";

export interface DriverSources {
  platform: string;
  env: NodeJS.ProcessEnv;
  exists(file: string): Promise<boolean>;
}

const SYSTEM: DriverSources = {
  platform: process.platform,
  env: process.env,
  exists: (file) => access(file).then(() => true, () => false),
};

async function any(sources: DriverSources, files: string[]): Promise<string | undefined> {
  for (const file of files) if (await sources.exists(file)) return file;
  return undefined;
}

export interface DriverFinding {
  backend: GpuPackageBackend;
  /** The file that showed the driver, for the log. */
  evidence: string;
}

/** The GPU backends whose drivers are present, best first (CUDA before Vulkan). */
export async function detectGpuDrivers(overrides: Partial<DriverSources> = {}): Promise<DriverFinding[]> {
  const sources = { ...SYSTEM, ...overrides };
  const found: DriverFinding[] = [];
  if (sources.platform === "linux") {
    const nvidia = await any(sources, ["/proc/driver/nvidia/version", "/dev/nvidia0"]);
    if (nvidia) found.push({ backend: "cuda", evidence: nvidia });
    // The Vulkan loader alone is common (browsers pull it in); a render node means a real GPU.
    const loader = await any(sources, ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib64/libvulkan.so.1", "/usr/lib/libvulkan.so.1"]);
    const render = await any(sources, ["/dev/dri/renderD128", "/dev/dri/renderD129"]);
    if (loader && render) found.push({ backend: "vulkan", evidence: `${loader} and ${render}` });
  } else if (sources.platform === "win32") {
    const system32 = path.win32.join(sources.env.SystemRoot ?? sources.env.SYSTEMROOT ?? "C:\\Windows", "System32");
    const nvcuda = await any(sources, [path.win32.join(system32, "nvcuda.dll")]);
    if (nvcuda) found.push({ backend: "cuda", evidence: nvcuda });
    const vulkan = await any(sources, [path.win32.join(system32, "vulkan-1.dll")]);
    if (vulkan) found.push({ backend: "vulkan", evidence: vulkan });
  }
  return found;
}
