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
