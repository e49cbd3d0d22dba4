// Per-token prices, for two numbers in the usage view: what the cloud calls cost, and what
// the local ones would have cost in the cloud. Prices change and differ by contract, so
// these are defaults the user overrides in settings (hearth.usage.prices), not facts.

/** US dollars per million tokens. */
export interface TokenPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

/** Keyed by `provider:model`, as the policy spells cloud models ("openai:gpt-4o-mini"). */
export type PriceTable = Readonly<Record<string, TokenPrice>>;

/** List prices per million tokens as published by the vendors (checked 2025). */
export const DEFAULT_PRICES: PriceTable = {
  "openai:gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  "anthropic:claude-haiku-4-5": { inputPerMillion: 1, outputPerMillion: 5 },
};

/** The cloud model local tokens are priced at for "cost avoided": the cheaper default, so the claim is modest. */
export const DEFAULT_AVOIDED_AT = "openai:gpt-4o-mini";

/**
 * The price of a model: its own key, else the longest priced key it extends, so a dated
 * snapshot ("gpt-4o-mini-2024-07-18") costs what its family does.
 */
export function priceFor(prices: PriceTable, modelKey: string): TokenPrice | undefined {
  if (prices[modelKey] !== undefined) return prices[modelKey];
  let best: string | undefined;
  for (const key of Object.keys(prices)) {
    if (modelKey.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : prices[best];
}

export function costUsd(price: TokenPrice, promptTokens: number, completionTokens: number): number {
  return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}

const MODEL_KEY = /^(openai|anthropic|selfHosted|local):[A-Za-z0-9][A-Za-z0-9._\-/@:]{0,127}$/;

export type PriceTableParse = { readonly ok: true; readonly table: PriceTable } | { readonly ok: false; readonly message: string };

/**
 * Reads `hearth.usage.prices`: `{"provider:model": {"inputPerMillion": n, "outputPerMillion": n}}`.
 * The user's entries replace the defaults of the same key; the rest of the defaults stay.
 */
export function parsePriceTable(value: unknown): PriceTableParse {
  if (value === undefined || value === null) return { ok: true, table: DEFAULT_PRICES };
  if (typeof value !== "object" || Array.isArray(value)) return { ok: false, message: "must be an object keyed by \"provider:model\"" };
  const table: Record<string, TokenPrice> = { ...DEFAULT_PRICES };
  for (const [key, price] of Object.entries(value as Record<string, unknown>)) {
    if (!MODEL_KEY.test(key)) return { ok: false, message: `"${key}" is not "provider:model" (e.g. "openai:gpt-4o-mini")` };
    const fields = typeof price === "object" && price !== null ? (price as Record<string, unknown>) : {};
    const input = fields.inputPerMillion;
    const output = fields.outputPerMillion;
    if (typeof input !== "number" || typeof output !== "number" || !(input >= 0) || !(output >= 0) || !Number.isFinite(input) || !Number.isFinite(output)) {
      return { ok: false, message: `"${key}" needs "inputPerMillion" and "outputPerMillion" as non-negative numbers (US dollars per million tokens)` };
    }
    table[key] = { inputPerMillion: input, outputPerMillion: output };
  }
  return { ok: true, table };
}
