// The audit log: append-only JSON Lines in a directory the caller owns (the extension's
// global storage, so it is outside every workspace and survives them). One `egress` line is
// written before a prompt leaves and one `outcome` line when the call ends; reading joins
// them. Appends are single writes with O_APPEND, so several VS Code windows can share the
// file; a torn or foreign line is skipped and counted, never fatal.
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { AuditEntry, AuditSink, EgressOutcome, EgressRecord } from "./auditEntry";

export interface AuditLogOptions {
  readonly dir: string;
  readonly fileName?: string;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

export interface AuditReadResult {
  /** Oldest first. */
  readonly entries: readonly AuditEntry[];
  /** Lines that could not be read (torn by a crash, edited by hand). */
  readonly skippedLines: number;
}

type AuditLine = ({ type: "egress" } & EgressRecord) | ({ type: "outcome" } & EgressOutcome);

export const AUDIT_FILE_NAME = "egress-audit.jsonl";

export class AuditLog implements AuditSink {
  readonly path: string;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private ready: Promise<unknown> | undefined;
  /** Keeps this window's own lines in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: AuditLogOptions) {
    this.path = join(options.dir, options.fileName ?? AUDIT_FILE_NAME);
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  /** Resolves once the line is in the file; rejects if it could not be written (the gateway then sends nothing). */
  async recordEgress(record: Omit<EgressRecord, "id" | "time">): Promise<EgressRecord> {
    const full: EgressRecord = { id: this.newId(), time: this.now().toISOString(), ...record };
    await this.append({ type: "egress", ...full });
    return full;
  }

  async recordOutcome(id: string, outcome: Omit<EgressOutcome, "id" | "time">): Promise<void> {
    await this.append({ type: "outcome", id, time: this.now().toISOString(), ...outcome });
  }

  async read(): Promise<AuditReadResult> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], skippedLines: 0 };
      throw error;
    }
    const records: EgressRecord[] = [];
    const outcomes = new Map<string, Omit<EgressOutcome, "id">>();
    let skippedLines = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      const parsed = parseLine(line);
      if (parsed === undefined) {
        skippedLines++;
      } else if (parsed.type === "egress") {
        const { type: _type, ...record } = parsed;
        records.push(record);
      } else {
        const { type: _type, id, ...outcome } = parsed;
        outcomes.set(id, outcome);
      }
    }
    return { entries: records.map((r) => (outcomes.has(r.id) ? { ...r, outcome: outcomes.get(r.id) } : r)), skippedLines };
  }

  private append(line: AuditLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    const write = this.queue.then(async () => {
      this.ready ??= mkdir(this.options.dir, { recursive: true }).catch((error: unknown) => {
        this.ready = undefined;
        throw error;
      });
      await this.ready;
      // 0o600: the log names files and models; it is the user's business only.
      await appendFile(this.path, text, { encoding: "utf8", mode: 0o600 });
    });
    // A failed write must not block the lines after it; the caller still sees the failure.
    this.queue = write.catch(() => undefined);
    return write;
  }
}

function parseLine(line: string): AuditLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (typeof id !== "string" || (type !== "egress" && type !== "outcome")) return undefined;
  return value as AuditLine;
}
