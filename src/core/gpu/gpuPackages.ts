// GPU support on demand: the .vsix carries node-llama-cpp's CPU binary only. When this
// machine has a GPU driver that binary cannot use, Hearth fetches the matching prebuilt
// package (`@node-llama-cpp/<platform>-cuda` with its `-cuda-ext` companion, or `-vulkan`)
// from the registry npm is configured for, at exactly the installed node-llama-cpp's
// version, checks it against the registry's `dist.integrity`, and unpacks it into global
// storage as `<root>/node_modules/@node-llama-cpp/<name>/`. The server then resolves
// node-llama-cpp's `import("@node-llama-cpp/<name>")` there (see src/server/gpuPackageResolve.ts).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { httpGet, readBody, type ProxySettings } from "./httpGet.js";
import type { NpmSettings } from "./npmConfig.js";
import { extractTgz } from "./tarExtract.js";

export type GpuPackageBackend = "cuda" | "vulkan";

export interface GpuPackageSpec {
  /** Full npm name, e.g. "@node-llama-cpp/linux-x64-cuda". */
  name: string;
  version: string;
}

export interface GpuPackageInfo extends GpuPackageSpec {
  tarball: string;
  /** SRI string from the registry, e.g. "sha512-…". */
  integrity: string;
  unpackedSize?: number;
}

export type GpuPackageErrorCode = "busy" | "unsupported" | "not_found" | "http" | "network" | "truncated" | "integrity" | "corrupt" | "cancelled";

export class GpuPackageError extends Error {
  constructor(readonly code: GpuPackageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface DownloadProgress {
  name: string;
  phase: "metadata" | "download" | "verify" | "unpack" | "done";
  receivedBytes: number;
  totalBytes?: number;
}

const PLATFORM_PREFIX: Record<string, string> = { linux: "linux", win32: "win" };

/**
 * The packages that give node-llama-cpp `backend` on this platform, at the versions the
 * installed node-llama-cpp names in its optionalDependencies (it refuses any other version).
 */
export function gpuPackagesFor(platform: string, arch: string, backend: GpuPackageBackend, optionalDependencies: Record<string, string>): GpuPackageSpec[] {
  const prefix = PLATFORM_PREFIX[platform];
  if (!prefix || arch !== "x64") {
    throw new GpuPackageError("unsupported", `node-llama-cpp publishes no ${backend} binary for ${platform}-${arch}; Hearth runs on the CPU (or Metal on Apple silicon, which is built in).`);
  }
  const names = backend === "cuda" ? [`@node-llama-cpp/${prefix}-x64-cuda`, `@node-llama-cpp/${prefix}-x64-cuda-ext`] : [`@node-llama-cpp/${prefix}-x64-vulkan`];
  return names.flatMap((name) => {
    const version = optionalDependencies[name];
    if (version === undefined) {
      if (name.endsWith("-ext")) return [];
      throw new GpuPackageError("unsupported", `The installed node-llama-cpp does not list ${name}; it cannot use a ${backend} binary here.`);
    }
    return [{ name, version: version.replace(/^[\^~=]/, "") }];
  });
}

/** The folder in global storage (`stateDir`) that holds downloaded binary packages. */
export function gpuPackagesRoot(stateDir: string): string {
  return path.join(stateDir, "gpu-packages");
}

/** Where `spec` is unpacked below `root` (the folder whose node_modules the server resolves from). */
export function packageDir(root: string, name: string): string {
  return path.join(root, "node_modules", ...name.split("/"));
}

/** Whether `spec` is already unpacked and complete below `root`. */
export async function isInstalled(root: string, spec: GpuPackageSpec): Promise<boolean> {
  try {
    const manifest = JSON.parse(await readFile(path.join(packageDir(root, spec.name), "package.json"), "utf8")) as { name?: string; version?: string };
    return manifest.name === spec.name && manifest.version === spec.version;
  } catch {
    return false;
  }
}

function packumentUrl(registry: string, name: string): string {
  return new URL(name.replace("/", "%2f"), registry).href;
}

function networkError(what: string, error: unknown, signal: AbortSignal | undefined): GpuPackageError {
  if (signal?.aborted) return new GpuPackageError("cancelled", `${what}: cancelled.`, { cause: error });
  const detail = error instanceof Error ? error.message : String(error);
  return new GpuPackageError("network", `${what} failed (${detail}). Check the network, or the registry and proxy in ~/.npmrc.`, { cause: error });
}

/** Reads the registry's packument for `spec` and returns the tarball, integrity and size. */
export async function fetchPackageInfo(spec: GpuPackageSpec, settings: NpmSettings, signal?: AbortSignal): Promise<GpuPackageInfo> {
  const url = packumentUrl(settings.registry, spec.name);
  let body: Buffer;
  try {
    const { response } = await httpGet(url, { proxy: settings, signal, headers: { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" } });
    if (response.statusCode === 404) {
      response.resume();
      throw new GpuPackageError("not_found", `${spec.name} is not on the registry ${settings.registry} (from ${settings.registryFrom}). Point \`registry\` in ~/.npmrc at a registry that mirrors it.`);
    }
    if (response.statusCode === 401 || response.statusCode === 403) {
      response.resume();
      throw new GpuPackageError("http", `The registry ${settings.registry} refused ${spec.name} (HTTP ${response.statusCode}). Log in with \`npm login --registry ${settings.registry}\` so ~/.npmrc holds its token.`);
    }
    if (response.statusCode !== 200) {
      response.resume();
      throw new GpuPackageError("http", `The registry ${settings.registry} answered HTTP ${response.statusCode} for ${spec.name}.`);
    }
    body = await readBody(response, 64 << 20);
  } catch (error) {
    if (error instanceof GpuPackageError) throw error;
    throw networkError(`Fetching ${spec.name}'s metadata from ${settings.registry}`, error, signal);
  }
  let packument: { versions?: Record<string, { dist?: { tarball?: string; integrity?: string; unpackedSize?: number } }> };
  try {
    packument = JSON.parse(body.toString("utf8")) as typeof packument;
  } catch (error) {
    throw new GpuPackageError("corrupt", `The registry's metadata for ${spec.name} is not JSON.`, { cause: error });
  }
  const dist = packument.versions?.[spec.version]?.dist;
  if (!dist?.tarball) throw new GpuPackageError("not_found", `${spec.name}@${spec.version} (the version the installed node-llama-cpp needs) is not on ${settings.registry}.`);
  if (!dist.integrity || !/(^|\s)sha512-/.test(dist.integrity)) throw new GpuPackageError("integrity", `The registry gives no sha512 integrity for ${spec.name}@${spec.version}; Hearth does not install native code it cannot check.`);
  return { ...spec, tarball: dist.tarball, integrity: dist.integrity, ...(typeof dist.unpackedSize === "number" ? { unpackedSize: dist.unpackedSize } : {}) };
}

function sha512Digests(integrity: string): string[] {
  return integrity.split(/\s+/).filter((entry) => entry.startsWith("sha512-")).map((entry) => entry.slice("sha512-".length).split("?")[0]!);
}

async function hashFile(file: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * One download per package at a time across windows (each window is its own extension host):
 * a lock file holding the owner's pid; a lock whose process is gone is taken over.
 */
async function lockDownload(lockPath: string, name: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockPath, String(process.pid), { flag: "wx" });
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(await readFile(lockPath, "utf8").catch(() => ""));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) {
        throw new GpuPackageError("busy", `Another Hearth window (process ${owner}) is downloading ${name}; wait for it to finish.`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new GpuPackageError("busy", `Could not lock the download of ${name}; run the command again.`);
}

export interface DownloadOptions {
  /** Folder in global storage that holds `node_modules/@node-llama-cpp/...` and partial downloads. */
  root: string;
  settings: ProxySettings;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Refuse tarballs (and unpacked content) larger than this; default 4 GiB. */
  maxBytes?: number;
}

/**
 * Downloads `info.tarball` into `<root>/downloads/`, resuming a partial file with an HTTP
 * Range request, checks its sha512 against `info.integrity`, and unpacks it (safely) into
 * `<root>/node_modules/<name>`. A cancelled or interrupted download keeps its partial file
 * for the next attempt; a file that fails the check is deleted.
 */
export async function downloadAndInstall(info: GpuPackageInfo, options: DownloadOptions): Promise<string> {
  const downloads = path.join(options.root, "downloads");
  await mkdir(downloads, { recursive: true });
  const baseName = `${info.name.replace(/^@/, "").replace("/", "-")}-${info.version}.tgz`;
  const unlock = await lockDownload(path.join(downloads, `${baseName}.lock`), info.name);
  try {
    return await downloadLocked(info, options, path.join(downloads, `${baseName}.part`));
  } finally {
    await unlock();
  }
}

async function downloadLocked(info: GpuPackageInfo, options: DownloadOptions, partPath: string): Promise<string> {
  const { root, signal, onProgress } = options;
  const maxBytes = options.maxBytes ?? 4 * 1024 ** 3;
  let offset = (await stat(partPath).catch(() => undefined))?.size ?? 0;

  const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
  let response;
  try {
    ({ response } = await httpGet(info.tarball, { proxy: options.settings, signal, headers }));
  } catch (error) {
    throw networkError(`Downloading ${info.name}`, error, signal);
  }
  const status = response.statusCode ?? 0;
  let total: number | undefined;
  const length = Number(response.headers["content-length"]);
  if (status === 404) {
    response.resume();
    throw new GpuPackageError("not_found", `The registry has no tarball for ${info.name}@${info.version} at ${info.tarball}.`);
  }
  if (status === 416 && offset > 0) {
    // The partial file is already whole: go straight to the check.
    response.resume();
    total = offset;
  } else if (status === 206 && offset > 0) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(response.headers["content-range"] ?? ""));
    if (!range || Number(range[1]) !== offset) {
      response.resume();
      throw new GpuPackageError("http", `The registry answered a resumed download of ${info.name} with the wrong range (${String(response.headers["content-range"])}). Run the command again to start over.`);
    }
    total = range[3] === "*" ? undefined : Number(range[3]);
  } else if (status === 200) {
    offset = 0; // The server ignored the Range header: start over.
    total = Number.isFinite(length) ? length : undefined;
  } else {
    response.resume();
    throw new GpuPackageError("http", `Downloading ${info.name} failed: HTTP ${status} from ${new URL(info.tarball).host}.`);
  }
  if (total !== undefined && total > maxBytes) {
    response.destroy();
    throw new GpuPackageError("corrupt", `${info.name}'s tarball is ${total} bytes, over the ${maxBytes}-byte limit.`);
  }

  const hash = createHash("sha512");
  if (offset > 0) await hashFile(partPath, hash);
  let received = offset;
  if (status !== 416) {
    const file = await open(partPath, offset > 0 ? "a" : "w");
    try {
      onProgress?.({ name: info.name, phase: "download", receivedBytes: received, totalBytes: total });
      for await (const chunk of response) {
        const bytes = chunk as Buffer;
        received += bytes.length;
        if (received > maxBytes) throw new GpuPackageError("corrupt", `${info.name}'s tarball exceeds the ${maxBytes}-byte limit.`);
        hash.update(bytes);
        await file.write(bytes);
        onProgress?.({ name: info.name, phase: "download", receivedBytes: received, totalBytes: total });
      }
    } catch (error) {
      if (error instanceof GpuPackageError) throw error;
      if (signal?.aborted) throw new GpuPackageError("cancelled", `Download of ${info.name} cancelled at ${received} bytes; run the command again to resume.`, { cause: error });
      throw new GpuPackageError("truncated", `Download of ${info.name} was cut off at ${received}${total ? ` of ${total}` : ""} bytes; run the command again to resume.`, { cause: error });
    } finally {
      await file.close();
    }
    if (signal?.aborted) throw new GpuPackageError("cancelled", `Download of ${info.name} cancelled at ${received} bytes; run the command again to resume.`);
    if (total !== undefined && received < total) {
      throw new GpuPackageError("truncated", `Download of ${info.name} was cut off at ${received} of ${total} bytes; run the command again to resume.`);
    }
  }

  onProgress?.({ name: info.name, phase: "verify", receivedBytes: received, totalBytes: total });
  const digest = hash.digest("base64");
  if (!sha512Digests(info.integrity).includes(digest)) {
    await rm(partPath, { force: true });
    throw new GpuPackageError("integrity", `${info.name}'s download does not match the registry's integrity (sha512); it was deleted. Run the command again; if it fails again, the registry or a proxy is altering the file.`);
  }

  onProgress?.({ name: info.name, phase: "unpack", receivedBytes: received, totalBytes: total });
  const target = packageDir(root, info.name);
  const staging = `${target}.unpacking`;
  await rm(staging, { recursive: true, force: true });
  try {
    const cap = info.unpackedSize !== undefined ? Math.min(maxBytes, Math.ceil(info.unpackedSize * 1.05) + 65_536) : maxBytes;
    await extractTgz(partPath, staging, { maxBytes: cap, stripPrefix: "package" });
    const manifest = JSON.parse(await readFile(path.join(staging, "package.json"), "utf8")) as { name?: string; version?: string };
    if (manifest.name !== info.name || manifest.version !== info.version) {
      throw new Error(`it holds ${String(manifest.name)}@${String(manifest.version)}, not ${info.name}@${info.version}`);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    await rm(partPath, { force: true });
    const detail = error instanceof Error ? error.message : String(error);
    throw new GpuPackageError("corrupt", `${info.name}'s tarball could not be unpacked (${detail}); it was deleted. Run the command again.`, { cause: error });
  }
  await rm(target, { recursive: true, force: true });
  await rename(staging, target);
  await rm(partPath, { force: true });
  onProgress?.({ name: info.name, phase: "done", receivedBytes: received, totalBytes: total });
  return target;
}
