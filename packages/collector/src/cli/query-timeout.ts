import { type Env, integerInRange, resolveLayers } from '@autobot/tracing';
import { DEFAULT_QUERY_TIMEOUT_MS } from '../collector.js';

/** Environment variable of the search time budget (ms). */
export const QUERY_TIMEOUT_ENV = 'AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS';

/** Largest accepted search time budget: one hour. */
export const MAX_QUERY_TIMEOUT_MS = 3_600_000;

/** Parses `--query-timeout-ms`: a whole number of ms from 1 to one hour, or undefined when invalid. */
export function parseQueryTimeoutFlag(raw: string): number | undefined {
  const parsed = integerInRange(1, MAX_QUERY_TIMEOUT_MS)(raw);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * The search time budget of `serve`: the flag when given (already validated), else
 * `AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS`, else 10,000 ms. An invalid variable adds one warning naming
 * it, its value, what was expected and the fallback, and is ignored.
 */
export function resolveQueryTimeoutMs(flagMs: number | undefined, env: Env, warnings: string[]): number {
  if (flagMs !== undefined) return flagMs;
  return resolveLayers(
    env,
    [{ variable: QUERY_TIMEOUT_ENV, parse: integerInRange(1, MAX_QUERY_TIMEOUT_MS) }],
    DEFAULT_QUERY_TIMEOUT_MS,
    warnings,
    (ms) => `${ms} ms`,
  );
}
