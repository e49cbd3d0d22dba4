// Reads `.hearth/policy.json` from a local disk without trusting what is there. The file
// comes with a cloned repository, so it may be anything a repository can hold: a FIFO (a
// plain read waits forever for a writer), a link to /dev/zero or /dev/urandom (never ends),
// a socket, a link out of the workspace, a file of gigabytes. Rules:
// - only a regular file is read, or a symbolic link whose real path is a regular file inside
//   the workspace folder; the check is repeated on the open descriptor (fstat), so swapping
//   the file between the check and the open gains nothing;
// - the open is O_NONBLOCK | O_NOFOLLOW, so neither a FIFO nor a late link can make it wait
//   or wander;
// - the size cap is enforced while reading (core/fs's readUpTo: a file that grows, or lies in
//   stat, still stops at the cap), and a read that stalls (a hung network share) gives up after `timeoutMs`.
// Never throws; every refusal says why, in words for the diagnostic.
import { constants as FS, promises as fsp, type Stats } from "node:fs";
import * as nodePath from "node:path";
import { readUpTo } from "../fs/readRegular";

export type PolicyFileRead =
  | { readonly kind: "absent" }
  | { readonly kind: "text"; readonly text: string; readonly bytes: number }
  | { readonly kind: "refused"; readonly code: PolicyReadRefusal; readonly message: string };

export type PolicyReadRefusal = "not-a-regular-file" | "link-outside-workspace" | "file-too-large" | "read-timeout" | "unreadable";

export interface ReadPolicyFileOptions {
  /** The workspace folder the file belongs to: a link must stay inside it. */
  readonly root: string;
  /** Bytes read at most; one more means "too large". */
  readonly maxBytes: number;
  /** Gives up on a read that takes longer (default 5 s). */
  readonly timeoutMs?: number;
}

const STALL_MS = 5_000;

export async function readPolicyFile(file: string, options: ReadPolicyFileOptions): Promise<PolicyFileRead> {
  const timeoutMs = options.timeoutMs ?? STALL_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const controller = new AbortController();
  const stalled = new Promise<PolicyFileRead>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ kind: "refused", code: "read-timeout", message: `reading the policy file took longer than ${Math.round(timeoutMs / 1000)} s (a FIFO, a device or a hung network share?), so it was not used; Hearth stays local-only in this folder` });
    }, timeoutMs);
  });
  try {
    return await Promise.race([readChecked(file, options, controller.signal), stalled]);
  } catch (error) {
    return { kind: "refused", code: "unreadable", message: `could not read the policy file (${describeError(error)}); Hearth stays local-only in this folder` };
  } finally {
    clearTimeout(timer);
  }
}

async function readChecked(file: string, options: ReadPolicyFileOptions, signal: AbortSignal): Promise<PolicyFileRead> {
  let link: Stats;
  try {
    link = await fsp.lstat(file);
  } catch (error) {
    if (isNotFound(error)) return { kind: "absent" };
    throw error;
  }
  let target = file;
  let expected = link;
  if (link.isSymbolicLink()) {
    const real = await fsp.realpath(file);
    const root = await fsp.realpath(options.root);
    if (!isInside(real, root)) {
      return { kind: "refused", code: "link-outside-workspace", message: "is a symbolic link that leads out of the workspace folder, so it was not read; Hearth stays local-only in this folder until it is a regular file" };
    }
    target = real;
    expected = await fsp.lstat(real);
  } else {
    // The .hearth folder itself may be a link out of the workspace.
    const real = await fsp.realpath(nodePath.dirname(file));
    const root = await fsp.realpath(options.root);
    if (!isInside(real, root)) {
      return { kind: "refused", code: "link-outside-workspace", message: "lies in a folder that links out of the workspace folder, so it was not read; Hearth stays local-only in this folder" };
    }
  }
  if (!expected.isFile()) {
    return { kind: "refused", code: "not-a-regular-file", message: `is ${describeKind(expected)}, not a regular file, so it was not read; Hearth stays local-only in this folder until it is a JSON file` };
  }

  // O_NOFOLLOW is absent on Windows; O_NONBLOCK makes a FIFO swapped in after the check open without waiting.
  const flags = FS.O_RDONLY | (FS.O_NONBLOCK ?? 0) | (FS.O_NOFOLLOW ?? 0);
  const handle = await fsp.open(target, flags);
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.ino !== expected.ino || opened.dev !== expected.dev) {
      return { kind: "refused", code: "not-a-regular-file", message: "changed while it was being opened, so it was not read; save it again" };
    }
    const read = await readUpTo(handle, options.maxBytes, { signal });
    if (read.kind === "over") {
      return {
        kind: "refused",
        code: "file-too-large",
        message: `policy file is larger than ${Math.round(options.maxBytes / 1024)} KB, the limit, so it was not read; the workspace stays local-only until it is smaller`,
      };
    }
    if (read.kind !== "data") return { kind: "refused", code: "read-timeout", message: "reading the policy file stalled, so it was not used; Hearth stays local-only in this folder" };
    // As the editor shows it: UTF-8, a byte-order mark dropped, so that positions line up.
    return { kind: "text", text: new TextDecoder("utf-8").decode(read.data), bytes: read.data.length };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function isInside(real: string, root: string): boolean {
  const relative = nodePath.relative(root, real);
  return relative !== "" && !relative.startsWith("..") && !nodePath.isAbsolute(relative);
}

function describeKind(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a named pipe (FIFO)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a regular file";
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function describeError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : error instanceof Error ? error.message.slice(0, 120) : "unknown error";
}
