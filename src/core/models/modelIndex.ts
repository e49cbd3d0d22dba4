// Which file each remote model URI became: `<models folder>/index.json`, written when a
// download finishes or when the user takes a copy already on disk (another tool's folder).
// The file is Hearth's own, but read as untrusted all the same: only string values count.
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readRegular } from "../fs/readRegular.js";

const INDEX_FILE = "index.json";
/** An index is a handful of lines; anything larger is not one. */
const MAX_INDEX_BYTES = 1024 * 1024;

export async function readModelIndex(modelsDir: string): Promise<Record<string, string>> {
  try {
    const read = await readRegular(join(modelsDir, INDEX_FILE), MAX_INDEX_BYTES);
    if (!("data" in read) || read.over) return {};
    const parsed = JSON.parse(read.data.toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  } catch {
    return {};
  }
}

/** Records `uri` → `path` (written to a temporary file and renamed, so a crash leaves the old index). */
export async function rememberModel(modelsDir: string, uri: string, path: string): Promise<void> {
  const index = await readModelIndex(modelsDir);
  index[uri] = path;
  await mkdir(modelsDir, { recursive: true });
  const temporary = join(modelsDir, `${INDEX_FILE}.${process.pid}.tmp`);
  await writeFile(temporary, JSON.stringify(index, null, 2));
  await rename(temporary, join(modelsDir, INDEX_FILE));
}
