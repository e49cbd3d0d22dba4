import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What a window needs to use a server another window started. */
export interface ServerLockRecord {
  pid: number;
  host: string;
  port: number;
  token: string;
  model: string;
  modelPath: string;
  completionModelPath?: string;
  contextSize: number;
  /** Per role, as the server announced them (absent in records of older servers). */
  contexts?: { completion?: number; chat?: number; repo?: number };
  startedAt: number;
}

/**
 * Servers are shared per launch configuration: two windows that want the same model with
 * the same settings share one process; a window that wants another model gets its own.
 */
export function serverKey(config: { modelPath: string; completionModelPath?: string; contextSize: number | "auto"; gpu: string; extraArgs?: readonly string[] }): string {
  // Extra arguments (LoRA adapters) only join the key when present: other servers keep theirs.
  const extra = config.extraArgs !== undefined && config.extraArgs.length > 0 ? [config.extraArgs] : [];
  return createHash("sha256").update(JSON.stringify([config.modelPath, config.completionModelPath ?? "", config.contextSize, config.gpu, ...extra])).digest("hex").slice(0, 16);
}

export class ServerLock {
  readonly path: string;
  private readonly spawnPath: string;

  constructor(
    private readonly directory: string,
    key: string,
  ) {
    this.path = join(directory, `server-${key}.json`);
    this.spawnPath = join(directory, `server-${key}.spawning`);
  }

  async read(): Promise<ServerLockRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(this.path, "utf8")) as Partial<ServerLockRecord>;
      if (typeof record.pid !== "number" || typeof record.port !== "number" || typeof record.token !== "string" || typeof record.host !== "string") return undefined;
      return record as ServerLockRecord;
    } catch {
      return undefined;
    }
  }

  /** Written atomically and readable by this user only: it holds the server's token. */
  async write(record: ServerLockRecord): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(record, null, 2), { mode: 0o600 });
    await rename(temp, this.path);
  }

  async remove(ifPid?: number): Promise<void> {
    if (ifPid !== undefined) {
      const current = await this.read();
      if (current && current.pid !== ifPid) return;
    }
    await rm(this.path, { force: true });
  }

  /**
   * Only one window may spawn a server for a key at a time; the others wait and then use
   * the server it wrote into the lock. A claim older than `staleMs` belongs to a window
   * that died while spawning and is taken over.
   */
  async claimSpawn(staleMs: number): Promise<(() => Promise<void>) | undefined> {
    await mkdir(this.directory, { recursive: true });
    try {
      const handle = await open(this.spawnPath, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const info = await stat(this.spawnPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs < staleMs) return undefined;
      await rm(this.spawnPath, { force: true });
      return this.claimSpawn(staleMs);
    }
    return async () => {
      await rm(this.spawnPath, { force: true });
    };
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
