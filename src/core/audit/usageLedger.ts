// Token counts per provider and model, local and cloud, for the usage view. Inline
// completion calls the local model on most keystrokes, so calls are summed in memory and
// appended as one line per day, provider, model and route at each flush: the file stays
// small, windows sharing it never overwrite each other (append-only, summed on read), and
// an unflushed minute lost in a crash costs a few counts, not the audit trail.
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Route } from "../policy";
import type { ProviderId } from "../model";
import { costUsd, DEFAULT_AVOIDED_AT, DEFAULT_PRICES, priceFor, type PriceTable } from "./prices";

export interface UsageEvent {
  readonly provider: ProviderId;
  /** The model asked for: the policy's id for clouds, the configured one for local and self-hosted. */
  readonly model: string;
  readonly route: Route;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** What the gateway writes to. */
export interface UsageSink {
  add(event: UsageEvent): void;
}

export interface UsageBucket {
  readonly provider: ProviderId;
  readonly model: string;
  readonly route: Route;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** What these tokens cost (cloud) or would have cost at the reference model (local); undefined without a price. */
  readonly costUsd?: number;
}

export interface UsageTotals {
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface UsageTally {
  readonly buckets: readonly UsageBucket[];
  readonly local: UsageTotals;
  readonly selfHosted: UsageTotals;
  readonly cloud: UsageTotals;
  /** Cloud calls at the configured prices. */
  readonly cloudCostUsd: number;
  /** Local tokens priced at `avoidedAt`: what running locally saved. */
  readonly costAvoidedUsd: number;
  readonly avoidedAt: string;
  /** Cloud models used that have no price, so their cost is missing from `cloudCostUsd`. */
  readonly unpriced: readonly string[];
}

export interface TallyOptions {
  readonly prices?: PriceTable;
  readonly avoidedAt?: string;
  /** Only days on or after this one (UTC), e.g. the first of the month. */
  readonly since?: Date;
}

export interface UsageLedgerOptions {
  readonly dir: string;
  readonly fileName?: string;
  readonly now?: () => Date;
  /** Flush this long after the first unflushed call; 0 = only on flush()/dispose(). */
  readonly flushAfterMs?: number;
}

interface UsageLine {
  readonly type: "usage";
  readonly day: string;
  readonly provider: ProviderId;
  readonly model: string;
  readonly route: Route;
  readonly calls: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export const USAGE_FILE_NAME = "usage.jsonl";

export class UsageLedger implements UsageSink {
  readonly path: string;
  private readonly now: () => Date;
  private pending = new Map<string, UsageLine>();
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: UsageLedgerOptions) {
    this.path = join(options.dir, options.fileName ?? USAGE_FILE_NAME);
    this.now = options.now ?? (() => new Date());
  }

  add(event: UsageEvent): void {
    const day = this.now().toISOString().slice(0, 10);
    const key = [day, event.provider, event.model, event.route].join("\u0000");
    const line = this.pending.get(key);
    this.pending.set(key, {
      type: "usage",
      day,
      provider: event.provider,
      model: event.model,
      route: event.route,
      calls: (line?.calls ?? 0) + 1,
      promptTokens: (line?.promptTokens ?? 0) + nonNegative(event.promptTokens),
      completionTokens: (line?.completionTokens ?? 0) + nonNegative(event.completionTokens),
    });
    const after = this.options.flushAfterMs ?? 60_000;
    if (after > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), after);
      this.timer.unref();
    }
  }

  /** Appends what was counted since the last flush. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = [...this.pending.values()];
    this.pending = new Map();
    if (lines.length === 0) return this.queue.then(() => undefined);
    const text = lines.map((l) => `${JSON.stringify(l)}\n`).join("");
    const write = this.queue.then(async () => {
      await mkdir(this.options.dir, { recursive: true });
      await appendFile(this.path, text, { encoding: "utf8", mode: 0o600 });
    });
    this.queue = write.catch(() => undefined);
    return write;
  }

  async dispose(): Promise<void> {
    await this.flush();
  }

  /** Everything flushed, by any window, plus this window's unflushed counts. */
  async tally(options: TallyOptions = {}): Promise<UsageTally> {
    const prices = options.prices ?? DEFAULT_PRICES;
    const avoidedAt = options.avoidedAt ?? DEFAULT_AVOIDED_AT;
    const sinceDay = options.since?.toISOString().slice(0, 10);
    const lines = [...(await this.readLines()), ...this.pending.values()].filter((l) => sinceDay === undefined || l.day >= sinceDay);

    const sums = new Map<string, { provider: ProviderId; model: string; route: Route; calls: number; promptTokens: number; completionTokens: number }>();
    for (const line of lines) {
      const key = [line.provider, line.model, line.route].join("\u0000");
      const sum = sums.get(key) ?? { provider: line.provider, model: line.model, route: line.route, calls: 0, promptTokens: 0, completionTokens: 0 };
      sum.calls += line.calls;
      sum.promptTokens += line.promptTokens;
      sum.completionTokens += line.completionTokens;
      sums.set(key, sum);
    }

    const avoidedPrice = priceFor(prices, avoidedAt);
    const unpriced = new Set<string>();
    let cloudCostUsd = 0;
    let costAvoidedUsd = 0;
    const buckets: UsageBucket[] = [...sums.values()].map((sum) => {
      if (sum.route === "cloud") {
        const modelKey = `${sum.provider}:${sum.model}`;
        const price = priceFor(prices, modelKey);
        if (price === undefined) {
          unpriced.add(modelKey);
          return sum;
        }
        const cost = costUsd(price, sum.promptTokens, sum.completionTokens);
        cloudCostUsd += cost;
        return { ...sum, costUsd: cost };
      }
      if (sum.route === "local" && avoidedPrice !== undefined) {
        const avoided = costUsd(avoidedPrice, sum.promptTokens, sum.completionTokens);
        costAvoidedUsd += avoided;
        return { ...sum, costUsd: avoided };
      }
      return sum;
    });
    return {
      buckets,
      local: totals(buckets, "local"),
      selfHosted: totals(buckets, "selfHosted"),
      cloud: totals(buckets, "cloud"),
      cloudCostUsd,
      costAvoidedUsd,
      avoidedAt,
      unpriced: [...unpriced],
    };
  }

  private async readLines(): Promise<UsageLine[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    return text.split("\n").flatMap((line) => {
      const parsed = parseUsageLine(line);
      return parsed === undefined ? [] : [parsed];
    });
  }
}

function totals(buckets: readonly UsageBucket[], route: Route): UsageTotals {
  return buckets
    .filter((b) => b.route === route)
    .reduce((t, b) => ({ calls: t.calls + b.calls, promptTokens: t.promptTokens + b.promptTokens, completionTokens: t.completionTokens + b.completionTokens }), { calls: 0, promptTokens: 0, completionTokens: 0 });
}

function parseUsageLine(line: string): UsageLine | undefined {
  if (line.trim() === "") return undefined;
  try {
    const value = JSON.parse(line) as Partial<UsageLine>;
    const numbers = [value.calls, value.promptTokens, value.completionTokens];
    if (value.type !== "usage" || typeof value.day !== "string" || typeof value.provider !== "string" || typeof value.model !== "string" || typeof value.route !== "string") return undefined;
    if (!numbers.every((n) => typeof n === "number" && Number.isFinite(n) && n >= 0)) return undefined;
    return value as UsageLine;
  } catch {
    return undefined;
  }
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
