/**
 * @module Prices of models in US dollars per million tokens, and the cost of a call. The table is
 * a snapshot of list prices (standard tier, no caching or batch discounts); a campaign file's
 * `prices` overrides or extends it. Local and unknown models cost nothing unless priced there.
 */

/** US dollars per million prompt (`input`) and answer (`output`) tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

/**
 * Built-in list prices, by `provider:model`. A dated snapshot (`gpt-4.1-mini-2025-04-14`,
 * `claude-sonnet-4-20250514`) gets the price of its listed name; other names are unpriced.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'openai:gpt-5.1': { input: 1.25, output: 10 },
  'openai:gpt-5': { input: 1.25, output: 10 },
  'openai:gpt-5-mini': { input: 0.25, output: 2 },
  'openai:gpt-5-nano': { input: 0.05, output: 0.4 },
  'openai:gpt-4.1': { input: 2, output: 8 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'openai:gpt-4o': { input: 2.5, output: 10 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai:o3': { input: 2, output: 8 },
  'openai:o3-mini': { input: 1.1, output: 4.4 },
  'openai:o4-mini': { input: 1.1, output: 4.4 },
  'anthropic:claude-opus-4-5': { input: 5, output: 25 },
  'anthropic:claude-opus-4-1': { input: 15, output: 75 },
  'anthropic:claude-opus-4': { input: 15, output: 75 },
  'anthropic:claude-sonnet-4-5': { input: 3, output: 15 },
  'anthropic:claude-sonnet-4': { input: 3, output: 15 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
  'anthropic:claude-3-7-sonnet': { input: 3, output: 15 },
  'anthropic:claude-3-5-sonnet': { input: 3, output: 15 },
  'anthropic:claude-3-5-haiku': { input: 0.8, output: 4 },
  'anthropic:claude-3-haiku': { input: 0.25, output: 1.25 },
};

/** What may follow a listed name for the price to apply: a snapshot date or `latest`. */
const DATED_SUFFIX = /^(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)$/;

/** A price lookup: campaign overrides first, then the built-in table. */
export interface PriceTable {
  /** The price of `provider:model`, or null when neither the overrides nor the table know it. */
  priceOf(provider: string, model: string): ModelPrice | null;
  /** Cost in US dollars of a call with these token counts (0 for an unpriced model). */
  costOf(provider: string, model: string, tokensIn: number, tokensOut: number): number;
}

/**
 * Builds the lookup. `overrides` keys are `provider:model` or a bare model name (matching any
 * provider); each is matched exactly first, then as the name of a dated snapshot.
 */
export function createPriceTable(overrides: Readonly<Record<string, ModelPrice>> = {}): PriceTable {
  const find = (table: Readonly<Record<string, ModelPrice>>, provider: string, model: string): ModelPrice | null => {
    for (const key of [`${provider}:${model}`, model]) {
      const exact = table[key];
      if (exact) return exact;
    }
    let best: { length: number; price: ModelPrice } | null = null;
    for (const [key, price] of Object.entries(table)) {
      const bare = key.startsWith(`${provider}:`) ? key.slice(provider.length + 1) : key.includes(':') ? null : key;
      if (bare === null) continue;
      const suffix = model.startsWith(`${bare}-`) ? model.slice(bare.length + 1) : null;
      if (suffix !== null && DATED_SUFFIX.test(suffix) && (best === null || bare.length > best.length)) {
        best = { length: bare.length, price };
      }
    }
    return best?.price ?? null;
  };
  const priceOf = (provider: string, model: string): ModelPrice | null =>
    find(overrides, provider, model) ?? find(DEFAULT_PRICES, provider, model);
  return {
    priceOf,
    costOf(provider, model, tokensIn, tokensOut) {
      const price = priceOf(provider, model);
      if (!price) return 0;
      return (tokensIn * price.input + tokensOut * price.output) / 1_000_000;
    },
  };
}
