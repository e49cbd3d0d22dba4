// Free disk space before a download starts, so a queue of several gigabytes is refused with a
// message that names the folder and the sizes, instead of failing half way with ENOSPC.
import { statfs as nodeStatfs } from "node:fs/promises";
import { dirname } from "node:path";

/** `fs.statfs` as the check uses it; tests pass their own. */
export type StatFs = (path: string) => Promise<{ readonly bavail: number | bigint; readonly bsize: number | bigint }>;

/** Room left on the disk beyond the files themselves (the model server asks the same). */
export const DISK_MARGIN_BYTES = 512 * 1024 * 1024;

export class DiskSpaceError extends Error {
  constructor(
    readonly folder: string,
    readonly neededBytes: number,
    readonly freeBytes: number,
  ) {
    super(`Not enough disk space in ${folder}: the downloads need ${formatGigabytes(neededBytes)} and ${formatGigabytes(freeBytes)} are free. Free some space there, or choose a model file you already have (Hearth: Choose Model).`);
    this.name = "DiskSpaceError";
  }
}

/** "5.6 GB" (decimal, as download sizes are published). */
export function formatGigabytes(bytes: number): string {
  if (bytes < 1e9) return `${Math.max(1, Math.round(bytes / 1e6))} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Free bytes in the file system that holds `folder`; a folder not created yet is looked up
 * through its nearest existing parent.
 */
export async function freeBytes(folder: string, statfs: StatFs = nodeStatfs): Promise<number> {
  let path = folder;
  for (;;) {
    try {
      const stats = await statfs(path);
      return Number(stats.bavail) * Number(stats.bsize);
    } catch (error) {
      const parent = dirname(path);
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || parent === path) throw error;
      path = parent;
    }
  }
}

/** Throws DiskSpaceError unless `folder` has `neededBytes` plus the margin free. */
export async function checkDiskSpace(folder: string, neededBytes: number, options: { statfs?: StatFs; marginBytes?: number } = {}): Promise<void> {
  if (neededBytes <= 0) return;
  const free = await freeBytes(folder, options.statfs);
  const needed = neededBytes + (options.marginBytes ?? DISK_MARGIN_BYTES);
  if (free < needed) throw new DiskSpaceError(folder, needed, free);
}
