import { readFileSync } from 'node:fs';
import { type Env, warnOnce } from '@autobot/tracing';
import type { LlmLogger } from './config.js';
import { LlmConfigError } from './errors.js';
import type { OllamaTimings, TokenUsage } from './types.js';

/** One price: per million tokens (input, cached input, output) and/or per GPU-second. */
export interface ModelPrice {
  provider: string;
  /** Model name; a dated variant (`gpt-4o-mini-2024-07-18`) matches its base; `*` matches any model. */
  model: string;
  inputPerMTok?: number;
  /** Price of cached input tokens; default the input price. */
  cachedInputPerMTok?: number;
  outputPerMTok?: number;
  /** Cost of one second of server time (Ollama `total_duration`), for local models. */
  usdPerGpuSecond?: number;
}

/** A versioned price table. */
export interface PriceTable {
  version: string;
  source: string;
  models: ModelPrice[];
}

const BUNDLED_URL = new URL('../prices.json', import.meta.url);

const PRICE_FIELDS = ['inputPerMTok', 'cachedInputPerMTok', 'outputPerMTok', 'usdPerGpuSecond'] as const;

/** Checks a parsed table; returns the reason it is invalid, or `undefined`. */
export function priceTableProblem(table: unknown): string | undefined {
  const t = table as Partial<PriceTable> | null;
  if (typeof t !== 'object' || t === null) return 'not a JSON object';
  if (typeof t.version !== 'string' || t.version === '') return '"version" must be a non-empty string';
  if (!Array.isArray(t.models)) return '"models" must be an array';
  for (const [i, m] of t.models.entries()) {
    if (typeof m?.provider !== 'string' || typeof m?.model !== 'string') {
      return `models[${i}] needs string "provider" and "model"`;
    }
    for (const f of PRICE_FIELDS) {
      const v = m[f];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
        return `models[${i}].${f} must be a non-negative number`;
      }
    }
  }
  return undefined;
}

function readTable(path: string | URL): PriceTable {
  const table = JSON.parse(readFileSync(path, 'utf8')) as PriceTable;
  const problem = priceTableProblem(table);
  if (problem !== undefined) throw new LlmConfigError(problem);
  return table;
}

let bundled: PriceTable | undefined;
/** The price table shipped with the package (`prices.json`). */
export function bundledPriceTable(): PriceTable {
  bundled ??= readTable(BUNDLED_URL);
  return bundled;
}

const cache = new Map<string, PriceTable>();

/**
 * The price table: the file named by `AUTOBOT_LLM_PRICES_FILE` when set and valid, else the
 * bundled one. A missing, unreadable or invalid file is operator input: one warning naming the
 * variable, the path, the reason and the fallback, never a throw.
 */
export function resolvePriceTable(env: Env = process.env, logger?: LlmLogger): PriceTable {
  const path = env.AUTOBOT_LLM_PRICES_FILE?.trim();
  if (!path) return bundledPriceTable();
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  try {
    const table = readTable(path);
    cache.set(path, table);
    return table;
  } catch (error) {
    warnOnce(
      `AUTOBOT_LLM_PRICES_FILE=${path} is not usable (${(error as Error).message}); using the bundled price table ${bundledPriceTable().version}`,
      logger,
    );
    return bundledPriceTable();
  }
}

/** The price of a model: exact name, else the longest `name-…` base, else the provider's `*`. */
export function findPrice(table: PriceTable, provider: string, model: string): ModelPrice | undefined {
  let best: ModelPrice | undefined;
  for (const p of table.models) {
    if (p.provider !== provider) continue;
    if (p.model === model) return p;
    if (
      model.startsWith(`${p.model}-`) &&
      (best === undefined || best.model === '*' || p.model.length > best.model.length)
    ) {
      best = p;
    } else if (p.model === '*' && best === undefined) {
      best = p;
    }
  }
  return best;
}

/**
 * Estimated cost of one call in USD, or `undefined` when the table has no price for the model.
 * Cached input tokens are billed at the cached price (they are part of the prompt tokens);
 * reasoning tokens are part of the output tokens. GPU time is Ollama's `total_duration`.
 */
export function estimateCostUsd(
  price: ModelPrice,
  usage: TokenUsage | undefined,
  timings: OllamaTimings | undefined,
): number {
  let usd = 0;
  if (usage !== undefined) {
    const cached = Math.min(usage.cachedInputTokens ?? 0, usage.promptTokens);
    const input = price.inputPerMTok ?? 0;
    usd += ((usage.promptTokens - cached) * input + cached * (price.cachedInputPerMTok ?? input)) / 1e6;
    usd += (usage.completionTokens * (price.outputPerMTok ?? 0)) / 1e6;
  }
  if (timings !== undefined && price.usdPerGpuSecond !== undefined) {
    usd += (timings.totalDurationMs / 1000) * price.usdPerGpuSecond;
  }
  return usd;
}
