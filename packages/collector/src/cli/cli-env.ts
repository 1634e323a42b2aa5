import { type Env, EnvReader } from '@autobot/tracing';
import { resolveQueryWorkers, resolveSpanMetrics } from '../serve-env.js';
import { CLIENT_READ_TOKEN_FILE_ENV, READ_TOKEN_FILE_ENV, WRITE_TOKEN_FILE_ENV } from './credentials.js';
import { resolveQueryTimeoutMs } from './query-timeout.js';

/** Query API base URL of `query`, `show` and `services` when neither `--url` nor the variable is set. */
export const DEFAULT_TRACE_URL = 'http://127.0.0.1:16686';
/** Environment variable of the query API base URL (the `--url` flag wins). */
export const TRACE_URL_ENV = 'AUTOBOT_TRACE_URL';

/** What `serve` takes from the environment. Variables are read only where no flag is given. */
export interface ServeEnv {
  readonly queryTimeoutMs: number;
  /** Search worker threads (0 = searches on the collector's thread, without a time budget). */
  readonly queryWorkers: number;
  /** Whether span metrics (RED and LLM figures) are kept at ingest. */
  readonly spanMetrics: boolean;
  /** Path from `AUTOBOT_COLLECTOR_WRITE_TOKEN_FILE`, when set. */
  readonly writeTokenFile?: string;
  /** Path from `AUTOBOT_COLLECTOR_READ_TOKEN_FILE`, when set. */
  readonly readTokenFile?: string;
  /** One line per invalid value: variable, value, what was expected, the fallback used. */
  readonly warnings: readonly string[];
}

/** What `query`, `show` and `services` take from the environment. */
export interface ClientEnv {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** Path from `AUTOBOT_TRACE_READ_TOKEN_FILE`, when set. */
  readonly tokenFile?: string;
  readonly warnings: readonly string[];
}

/**
 * Resolves the environment settings of `serve` with the tracing package's {@link EnvReader}: a flag
 * wins (its variable is then not read), an invalid variable warns and falls back. Never throws.
 */
export function resolveServeEnv(
  env: Env,
  flags: {
    queryTimeoutMs?: number | undefined;
    queryWorkers?: number | undefined;
    noSpanMetrics?: boolean | undefined;
    writeTokenFile?: string | undefined;
    readTokenFile?: string | undefined;
  },
): ServeEnv {
  const reader = new EnvReader(env);
  const queryTimeoutMs = resolveQueryTimeoutMs(flags.queryTimeoutMs, env, reader.warnings);
  const queryWorkers = resolveQueryWorkers(flags.queryWorkers, env, reader.warnings);
  const spanMetrics = resolveSpanMetrics(flags.noSpanMetrics, env, reader.warnings);
  const writeTokenFile = flags.writeTokenFile === undefined ? reader.text(WRITE_TOKEN_FILE_ENV, '') : '';
  const readTokenFile = flags.readTokenFile === undefined ? reader.text(READ_TOKEN_FILE_ENV, '') : '';
  return Object.freeze({
    queryTimeoutMs,
    queryWorkers,
    spanMetrics,
    ...(writeTokenFile === '' ? {} : { writeTokenFile }),
    ...(readTokenFile === '' ? {} : { readTokenFile }),
    warnings: Object.freeze([...reader.warnings]),
  });
}

/**
 * Resolves the environment settings of the client commands: `AUTOBOT_TRACE_URL` (an http(s) URL;
 * invalid → one warning, then {@link DEFAULT_TRACE_URL}) unless `--url` is given, and
 * `AUTOBOT_TRACE_READ_TOKEN_FILE` unless `--token-file` is given. Never throws.
 */
export function resolveClientEnv(
  env: Env,
  flags: { url?: string | undefined; tokenFile?: string | undefined },
): ClientEnv {
  const reader = new EnvReader(env);
  const url = (flags.url ?? reader.url(TRACE_URL_ENV, DEFAULT_TRACE_URL)).replace(/\/$/, '');
  const tokenFile = flags.tokenFile === undefined ? reader.text(CLIENT_READ_TOKEN_FILE_ENV, '') : '';
  return Object.freeze({
    url,
    ...(tokenFile === '' ? {} : { tokenFile }),
    warnings: Object.freeze([...reader.warnings]),
  });
}
