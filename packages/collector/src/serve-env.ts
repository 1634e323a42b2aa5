import { type Env, integerInRange, parseBoolean, resolveLayers } from '@autobot/tracing';

/** Environment variable that turns the span metrics (RED and LLM figures) off: `false`. */
export const SPAN_METRICS_ENV = 'AUTOBOT_COLLECTOR_SPAN_METRICS';

/** Environment variable of the number of search worker threads (0 = the collector's thread). */
export const QUERY_WORKERS_ENV = 'AUTOBOT_COLLECTOR_QUERY_WORKERS';

/** Default number of search worker threads. */
export const DEFAULT_QUERY_WORKERS = 2;

/** Largest accepted number of search worker threads. */
export const MAX_QUERY_WORKERS = 64;

/** Parses `--query-workers`: a whole number 0–64, or undefined when invalid. */
export function parseQueryWorkersFlag(raw: string): number | undefined {
  const parsed = integerInRange(0, MAX_QUERY_WORKERS)(raw);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * Whether `serve` maintains span metrics: `false` when `--no-span-metrics` was given, else
 * `AUTOBOT_COLLECTOR_SPAN_METRICS` (true/false, 1/0, yes/no, on/off), else true. An invalid
 * variable adds one warning naming it, its value, what was expected and the fallback, and is
 * ignored.
 */
export function resolveSpanMetrics(noFlag: boolean | undefined, env: Env, warnings: string[]): boolean {
  if (noFlag === true) return false;
  return resolveLayers(env, [{ variable: SPAN_METRICS_ENV, parse: parseBoolean }], true, warnings);
}

/**
 * The search worker threads of `serve`: the flag when given (already validated), else
 * `AUTOBOT_COLLECTOR_QUERY_WORKERS`, else 2. An invalid variable adds one warning naming it, its
 * value, what was expected and the fallback, and is ignored.
 */
export function resolveQueryWorkers(flag: number | undefined, env: Env, warnings: string[]): number {
  if (flag !== undefined) return flag;
  return resolveLayers(
    env,
    [{ variable: QUERY_WORKERS_ENV, parse: integerInRange(0, MAX_QUERY_WORKERS) }],
    DEFAULT_QUERY_WORKERS,
    warnings,
    (n) => `${n} worker${n === 1 ? '' : 's'}`,
  );
}
