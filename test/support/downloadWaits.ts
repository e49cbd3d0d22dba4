// Waits the download tests share: on a queue's state, and on what node-llama-cpp's downloader
// has recorded in its partial file (events alone can arrive before the record is written).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DownloadItem, DownloadQueue } from "../../src/core/models/downloadQueue";

/** Resolves once `probe` holds for the queue's items (checked on every change). */
export function whenQueue(queue: DownloadQueue, probe: (items: readonly DownloadItem[]) => boolean): Promise<void> {
  if (probe(queue.items)) return Promise.resolve();
  return new Promise((resolve) => {
    const subscription = queue.onDidChange((items) => {
      if (!probe(items)) return;
      subscription.dispose();
      resolve();
    });
  });
}

/**
 * Whether the partial file `<dir>/<modelFile>.ipull` records chunk `index` as done: the
 * downloader appends its JSON record (chunk states, 2 = done) after the file's `totalSize` bytes.
 */
export async function partialRecordsChunk(dir: string, modelFile: string, totalSize: number, index: number): Promise<boolean> {
  const bytes = await readFile(join(dir, `${modelFile}.ipull`)).catch(() => undefined);
  if (bytes === undefined || bytes.length <= totalSize) return false;
  try {
    const record = JSON.parse(bytes.subarray(totalSize).toString("utf8")) as { chunks?: number[] };
    return record.chunks?.[index] === 2;
  } catch {
    return false; // Caught mid-write; the write's own change event brings another look.
  }
}
