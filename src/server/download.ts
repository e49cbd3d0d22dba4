import { createHash } from "node:crypto";
import { access, mkdir, rename, stat, statfs } from "node:fs/promises";
import type { ModelDownloader, ModelDownloaderOptions } from "node-llama-cpp";
import { acquireDownloadLock } from "./downloadLock.js";
import { fetchExpectedDigest } from "./modelDigest.js";
import { verifyModelFile } from "./modelVerify.js";
import { StartupError } from "./startupErrors.js";

export interface DownloadArgs {
  uri: string;
  dir: string;
  /** Overrides the Hugging Face endpoint (a mirror, or a loopback server in tests). */
  endpoint?: string;
}

export type DownloadEvent =
  | { event: "size"; totalSize: number; path: string }
  | { event: "progress"; downloadedSize: number; totalSize: number; speed: number; secondsLeft: number }
  | { event: "done"; path: string }
  /** The finished file is being hashed to compare with the hub's SHA-256. */
  | { event: "verifying"; path: string; totalSize: number }
  /** The file matches the hub's SHA-256 (`hashed`: false when its sidecar vouched for it unchanged). */
  | { event: "verified"; path: string; sha256: string; hashed: boolean }
  /** No digest to compare with (offline, a mirror without one, a split model); the file is used as it is. */
  | { event: "unverified"; path: string; reason: string }
  /** Another process (another VS Code window) holds the model's download lock; this one waits for it. */
  | { event: "waiting"; reason: "another_download"; path: string; message: string }
  | { event: "error"; code: string; permanent: boolean; message: string };

/**
 * The file a model URL is saved as: `url-<hash of the URL>-<the URL's last path segment>`.
 * Without a name of our own, the downloader takes the one the server's Content-Disposition
 * gives; with the bare last segment, the URL itself could name another model in the folder
 * (`…/hf_owner_file.gguf` is what an `hf:` URI's file is called). Either way that model was
 * overwritten, or kept and then deleted by the failed digest check. The hash gives each URL a
 * name no other URL and no `hf:` download can have. Hugging Face URIs (`hf:`) are named by
 * node-llama-cpp (`hf_<owner>_<file>`).
 */
export function urlModelFileName(uri: string): string | undefined {
  if (!/^https?:\/\//i.test(uri)) return undefined;
  let last = "";
  try {
    last = decodeURIComponent(new URL(uri).pathname.split("/").pop() ?? "");
  } catch {
    // An undecodable or unparsable path names nothing: the fallback below.
  }
  const safe = last.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "").slice(0, 160);
  return `url-${createHash("sha256").update(uri).digest("hex").slice(0, 12)}-${safe === "" ? "model.gguf" : safe}`;
}

/** Room to leave on the disk beyond the file itself. */
const DISK_MARGIN_BYTES = 512 * 1024 * 1024;

/**
 * Downloads a model (`hf:user/repo:quant`, `hf:user/repo/file.gguf` or a URL) into `dir`,
 * resuming a partial download, after checking the disk has room. Runs in the server
 * bundle's process, not in the extension host, so node-llama-cpp's native code and a
 * multi-gigabyte transfer stay out of the editor's process.
 */
export async function downloadModel(args: DownloadArgs, emit: (event: DownloadEvent) => void, signal: AbortSignal): Promise<string> {
  const { createModelDownloader } = await import("node-llama-cpp");
  signal.throwIfAborted();
  await mkdir(args.dir, { recursive: true });
  const endpoints = args.endpoint ? { huggingFace: args.endpoint.endsWith("/") ? args.endpoint : `${args.endpoint}/` } : undefined;
  // Resolved once for the file name the lock is named after (two URIs can name one file);
  // the downloader that downloads is made under the lock, so that it sees the files as the
  // previous holder left them (finished, or partial to resume), not as they were before.
  const fileName = urlModelFileName(args.uri);
  const options: ModelDownloaderOptions = {
    modelUri: args.uri,
    dirPath: args.dir,
    ...(fileName !== undefined ? { fileName } : {}),
    skipExisting: true,
    // Keep the partial file on cancel so the next attempt resumes.
    deleteTempFileOnCancel: false,
    showCliProgress: false,
    endpoints,
  };
  const modelPath = (await createModelDownloader(options)).entrypointFilePath;
  const lock = await acquireDownloadLock(modelPath, signal, () =>
    emit({ event: "waiting", reason: "another_download", path: modelPath, message: "Another Hearth window is downloading this model; this one uses that download once it ends." }),
  );
  try {
    return await downloadHoldingLock(options, args.dir, emit, signal);
  } finally {
    await lock.release();
  }
}

async function downloadHoldingLock(options: ModelDownloaderOptions, dir: string, emit: (event: DownloadEvent) => void, signal: AbortSignal): Promise<string> {
  const { createModelDownloader } = await import("node-llama-cpp");
  signal.throwIfAborted();
  const downloader = await createModelDownloader({
    ...options,
    onProgress: ({ totalSize, downloadedSize, averageSpeed, estimatedTimeLeft }) =>
      emit({ event: "progress", totalSize, downloadedSize, speed: averageSpeed, secondsLeft: estimatedTimeLeft }),
  });
  emit({ event: "size", totalSize: downloader.totalSize, path: downloader.entrypointFilePath });
  const free = await statfs(dir).then((s) => s.bavail * s.bsize);
  const needed = downloader.totalSize - downloader.downloadedSize + DISK_MARGIN_BYTES;
  if (free < needed) {
    throw new StartupError("insufficient_disk", `Not enough disk space in ${dir}: the model needs ${gib(needed)} GiB more and ${gib(free)} GiB are free. Free some space or set hearth.model to a file you already have.`);
  }
  signal.throwIfAborted();
  // The cancel is waited for before this returns: the process exits right after, and a
  // cancel cut short can leave no partial file to resume from.
  let cancelling: Promise<void> | undefined;
  let stopWaiting: (reason: unknown) => void = () => undefined;
  const cancelled = new Promise<never>((_resolve, reject) => {
    stopWaiting = reject;
  });
  // Observed here so that a cancel arriving after the download ended is not an unhandled rejection.
  cancelled.catch(() => undefined);
  const onAbort = (): void => {
    cancelling = downloader.cancel({ deleteTempFile: false }).catch(() => undefined);
    // ipull's cancel can fail before it aborts its requests (renaming a file it took for
    // finished), and then download() never settles while a connection is stalled: the
    // process would ignore SIGTERM. Once the cancel has run, stop waiting for it.
    void cancelling.then(() => stopWaiting(signal.reason));
  };
  signal.addEventListener("abort", onAbort, { once: true });
  let path: string;
  try {
    path = await Promise.race([downloader.download(), cancelled]);
    signal.throwIfAborted();
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (cancelling) {
      await cancelling;
      if (singleFile(downloader)) await keepResumable(downloader.entrypointFilePath, downloader.totalSize);
    }
  }
  // Still under the lock: a window waiting for this download must not use a file that is about to be deleted.
  await checkIntegrity(downloader, path, emit, signal);
  return path;
}

/**
 * Compares the file with the SHA-256 the hub gives for it: a resume gone wrong or a bad mirror
 * leaves a file whose header is fine and whose weights are garbage. Only a model in one file
 * is checked: a split GGUF is several files (left unchecked), and a binary-split one is joined
 * here from parts whose digests say nothing of the whole. Without a digest (offline, a mirror without one) the file is used as it is, and the log says so.
 */
async function checkIntegrity(downloader: ModelDownloader, path: string, emit: (event: DownloadEvent) => void, signal: AbortSignal): Promise<void> {
  const unverified = (reason: string): void => {
    process.stderr.write(`[warn] ${path} could not be verified: ${reason}; it is used as it is.\n`);
    emit({ event: "unverified", path, reason });
  };
  if (!singleFile(downloader)) return unverified("a model in several parts has no one digest to compare with");
  const url = resolvedUrl(downloader);
  if (url === undefined) return unverified("node-llama-cpp gave no http(s) URL for it to ask the hub about");
  const expected = await fetchExpectedDigest(url, signal, authHeaders(downloader));
  if ("unknown" in expected) return unverified(`no SHA-256 from ${new URL(url).host}: ${expected.unknown}`);
  const { hashed } = await verifyModelFile(path, expected.sha256, {
    signal,
    onHashing: (totalSize) => emit({ event: "verifying", path, totalSize }),
  });
  emit({ event: "verified", path, sha256: expected.sha256, hashed });
}

function singleFile(downloader: ModelDownloader): boolean {
  return downloader.totalFiles === 1 && !downloader.splitBinaryParts;
}

/**
 * The URL node-llama-cpp resolved the URI to and downloaded. It keeps it in an internal field;
 * resolving the URI again ourselves would copy its rules (quantisation tags, manifests,
 * `blob/` links, endpoints) and could name another URL than the one downloaded. Read
 * defensively: a release that renames the field gives no URL, and the file goes unverified.
 */
function resolvedUrl(downloader: ModelDownloader): string | undefined {
  const value: unknown = (downloader as unknown as { _modelUrl?: unknown })._modelUrl;
  return typeof value === "string" && /^https?:\/\//i.test(value) ? value : undefined;
}

/** The headers node-llama-cpp tries when a plain request is refused: the Hugging Face token for a hub URL. */
function authHeaders(downloader: ModelDownloader): Record<string, string>[] {
  const value: unknown = (downloader as unknown as { _tryHeaders?: unknown })._tryHeaders;
  if (!Array.isArray(value)) return [];
  return value.filter((headers): headers is Record<string, string> => typeof headers === "object" && headers !== null && Object.values(headers).every((v) => typeof v === "string"));
}

/**
 * ipull (node-llama-cpp's downloader) counts the file's short last chunk as a whole 5 MiB
 * one, so a download cancelled within its last few megabytes looks finished to it, and it
 * renames the partial file, progress record still appended, to the model's own name. The
 * next attempt would then see a model file of the wrong size and start again from zero.
 * Moving it back to ipull's partial name lets that attempt resume.
 */
async function keepResumable(path: string, totalSize: number): Promise<void> {
  const size = await stat(path).then((s) => s.size, () => undefined);
  if (size === undefined || size <= totalSize) return;
  const partial = `${path}.ipull`;
  const partialExists = await access(partial).then(() => true, () => false);
  if (!partialExists) await rename(path, partial);
}

function gib(bytes: number): string {
  return (bytes / 1024 ** 3).toFixed(1);
}
