import { parseArgs } from 'node:util';
import type { ReceiverLimits } from '../auth/rate-limit.js';
import { MAX_QUERY_WORKERS, parseQueryWorkersFlag } from '../serve-env.js';
import { MAX_QUERY_TIMEOUT_MS, parseQueryTimeoutFlag } from './query-timeout.js';
import { parseAgeMs, parseSizeBytes } from './sizes.js';
import { CliUsageError } from './usage-error.js';

/** The flags of `autobot-trace serve`. */
const SERVE_OPTIONS = {
  host: { type: 'string' },
  'grpc-port': { type: 'string' },
  'http-port': { type: 'string' },
  'query-port': { type: 'string' },
  db: { type: 'string' },
  'retention-age': { type: 'string' },
  'retention-size': { type: 'string' },
  'cors-origin': { type: 'string', multiple: true },
  'ui-dir': { type: 'string' },
  'no-ui': { type: 'boolean' },
  'max-body': { type: 'string' },
  'query-timeout-ms': { type: 'string' },
  'query-workers': { type: 'string' },
  'no-span-metrics': { type: 'boolean' },
  'write-token-file': { type: 'string' },
  'read-token-file': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-client-ca': { type: 'string' },
  'rate-limit': { type: 'string' },
  'rate-burst': { type: 'string' },
  'max-concurrent': { type: 'string' },
  insecure: { type: 'boolean' },
} as const;

/** The raw (string) flag values of `serve`. */
export type ServeValues = ReturnType<
  typeof parseArgs<{ options: typeof SERVE_OPTIONS; strict: true }>
>['values'];

/** `serve`'s flags with every number and size parsed; undefined where the flag is absent. */
export interface ServeFlags {
  readonly values: ServeValues;
  readonly ports: { readonly grpc: number; readonly http: number; readonly query: number };
  readonly maxAgeMs: number | undefined;
  readonly maxBytes: number | undefined;
  readonly maxBodyBytes: number | undefined;
  readonly queryTimeoutMs: number | undefined;
  readonly queryWorkers: number | undefined;
  readonly receiverLimits: Partial<ReceiverLimits>;
}

/**
 * Parses and validates `serve`'s flags.
 * @throws CliUsageError naming the flag and the bad value (exit code 2).
 */
export function parseServeFlags(argv: string[]): ServeFlags {
  const { values } = parseArgs({ args: argv, options: SERVE_OPTIONS, strict: true });
  return {
    values,
    maxAgeMs: optional(
      values['retention-age'],
      parseAgeMs,
      '--retention-age must be a duration like 7d, 12h or 0 (off)',
    ),
    maxBytes: optional(
      values['retention-size'],
      parseSizeBytes,
      '--retention-size must be a size like 500MB or 1GiB',
    ),
    maxBodyBytes: optional(
      values['max-body'],
      (raw) => {
        const bytes = parseSizeBytes(raw);
        return bytes !== undefined && bytes > 0 ? bytes : undefined;
      },
      '--max-body must be a size like 16MiB',
    ),
    queryTimeoutMs: optional(
      values['query-timeout-ms'],
      parseQueryTimeoutFlag,
      `--query-timeout-ms must be a whole number of ms from 1 to ${MAX_QUERY_TIMEOUT_MS}`,
    ),
    queryWorkers: optional(
      values['query-workers'],
      parseQueryWorkersFlag,
      `--query-workers must be a whole number from 0 to ${MAX_QUERY_WORKERS}`,
    ),
    receiverLimits: {
      ...countFlag('rate-limit', 'requestsPerSecond', values['rate-limit']),
      ...countFlag('rate-burst', 'burst', values['rate-burst']),
      ...countFlag('max-concurrent', 'maxConcurrent', values['max-concurrent']),
    },
    ports: {
      grpc: portFlag('grpc-port', values['grpc-port'], 4317),
      http: portFlag('http-port', values['http-port'], 4318),
      query: portFlag('query-port', values['query-port'], 16686),
    },
  };
}

function optional<T>(
  raw: string | undefined,
  parse: (raw: string) => T | undefined,
  expected: string,
): T | undefined {
  if (raw === undefined) return undefined;
  const value = parse(raw);
  if (value === undefined) throw new CliUsageError(`${expected}, got "${raw}"`);
  return value;
}

function portFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new CliUsageError(`--${name} must be a port number 0-65535, got "${value}"`);
  return n;
}

function countFlag<K extends keyof ReceiverLimits>(
  name: string,
  key: K,
  raw: string | undefined,
): Pick<ReceiverLimits, K> | Record<string, never> {
  if (raw === undefined) return {};
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw new CliUsageError(`--${name} must be a whole number ≥ 0, got "${raw}"`);
  return { [key]: n } as Pick<ReceiverLimits, K>;
}
