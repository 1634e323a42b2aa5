import { existsSync, statSync } from 'node:fs';
import type { Env } from '@autobot/tracing';
import { isLoopbackHost } from '../auth/bind-policy.js';
import type { TlsMaterial } from '../auth/tls.js';
import { type RunningCollector, startCollector } from '../collector.js';
import type { CollectorErrorCode } from '../error-codes.js';
import { CollectorError } from '../errors.js';
import { DEFAULT_DB_PATH } from '../store/store.js';
import { resolveServeEnv } from './cli-env.js';
import type { Output } from './client-commands.js';
import {
  CredentialFileError,
  loadTls,
  READ_TOKEN_FILE_ENV,
  readTokenFile,
  tokenFileFrom,
  WRITE_TOKEN_FILE_ENV,
} from './credentials.js';
import { parseServeFlags, type ServeValues } from './serve-flags.js';
import { formatBytes } from './sizes.js';
import { CliUsageError } from './usage-error.js';

/** Tokens and TLS material of `serve`, read from their files. */
interface Credentials {
  readonly writeToken: string | undefined;
  readonly readToken: string | undefined;
  readonly tls: TlsMaterial | undefined;
}

/**
 * `autobot-trace serve`: validates flags and environment, loads credentials, starts the collector,
 * prints the `listening` line and shuts down on SIGTERM/SIGINT.
 * @throws CliUsageError for bad flags, credentials or an unprotected bind (exit code 2).
 */
export async function serve(argv: string[], env: Env, io: Output): Promise<void> {
  const flags = parseServeFlags(argv);
  const { values } = flags;
  const settings = resolveServeEnv(env, {
    queryTimeoutMs: flags.queryTimeoutMs,
    queryWorkers: flags.queryWorkers,
    noSpanMetrics: values['no-span-metrics'],
    writeTokenFile: values['write-token-file'],
    readTokenFile: values['read-token-file'],
  });
  const warnings = [...settings.warnings];
  const credentials = loadCredentials(values, settings, warnings);
  warnings.push(...bindWarnings(values, credentials));
  for (const warning of warnings) io.err(`autobot-trace: warning: ${warning}`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  if (dbPath !== ':memory:' && existsSync(dbPath)) {
    // Opening a large store (recovery, retention sweep) can take a while: say what is happening.
    process.stderr.write(`opening ${dbPath} (${formatBytes(statSync(dbPath).size)})…\n`);
  }
  const start = startCollector({
    host: values.host,
    grpcPort: flags.ports.grpc,
    httpPort: flags.ports.http,
    queryPort: flags.ports.query,
    dbPath,
    retention: { maxAgeMs: flags.maxAgeMs, maxBytes: flags.maxBytes },
    corsOrigins: values['cors-origin'],
    uiDir: values['no-ui'] ? null : values['ui-dir'],
    maxBodyBytes: flags.maxBodyBytes,
    queryTimeoutMs: settings.queryTimeoutMs,
    queryWorkers: settings.queryWorkers,
    spanMetrics: settings.spanMetrics,
    ...credentials,
    insecure: values.insecure ?? false,
    receiverLimits: flags.receiverLimits,
  });
  const collector = await start.catch((error: unknown) => {
    // Bad credentials or an unprotected bind are configuration errors: exit 2 with the reason.
    if (
      error instanceof CollectorError &&
      error.code !== ('AUTOBOT_ERR_COLLECTOR_INTERNAL' satisfies CollectorErrorCode)
    ) {
      throw new CliUsageError(`${error.message} [${error.code}]`);
    }
    throw error;
  });
  announce(collector, credentials, io);
  stopOnSignals(collector, io);
}

function loadCredentials(
  values: ServeValues,
  settings: { writeTokenFile?: string; readTokenFile?: string },
  warnings: string[],
): Credentials {
  try {
    const writeFile = tokenFileFrom(
      'write-token-file',
      values['write-token-file'],
      WRITE_TOKEN_FILE_ENV,
      settings.writeTokenFile,
    );
    const readFile = tokenFileFrom(
      'read-token-file',
      values['read-token-file'],
      READ_TOKEN_FILE_ENV,
      settings.readTokenFile,
    );
    return {
      writeToken: writeFile && readTokenFile(writeFile.path, writeFile.source, warnings),
      readToken: readFile && readTokenFile(readFile.path, readFile.source, warnings),
      tls: loadTls(values['tls-cert'], values['tls-key'], values['tls-client-ca']),
    };
  } catch (error) {
    if (error instanceof CredentialFileError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** Warnings for a non-loopback bind: open access under `--insecure`, no TLS. */
function bindWarnings(values: ServeValues, { writeToken, readToken, tls }: Credentials): string[] {
  const bindHost = values.host ?? '127.0.0.1';
  if (isLoopbackHost(bindHost)) return [];
  const warnings: string[] = [];
  if (values.insecure && (writeToken === undefined || readToken === undefined)) {
    const openWrites = writeToken === undefined && !tls?.clientCa;
    const open = [...(openWrites ? ['open writes'] : []), ...(readToken === undefined ? ['open reads'] : [])];
    warnings.push(
      `--insecure: listening on ${bindHost} with ${open.join(' and ')}: anyone who reaches this address can use them`,
    );
  }
  if (tls === undefined) {
    warnings.push(
      `listening on ${bindHost} without TLS: tokens and spans cross the network in clear text (add --tls-cert and --tls-key)`,
    );
  }
  return warnings;
}

/** One machine-readable `listening` line on stdout (tests and scripts parse it), then a summary on stderr. */
function announce(
  collector: RunningCollector,
  { writeToken, readToken, tls }: Credentials,
  io: Output,
): void {
  io.out(
    JSON.stringify({
      event: 'listening',
      host: collector.host,
      grpcPort: collector.grpcPort,
      httpPort: collector.httpPort,
      queryPort: collector.queryPort,
      db: collector.store.path,
      tls: collector.tls,
    }),
  );
  const host = collector.host.includes(':') ? `[${collector.host}]` : collector.host;
  const scheme = collector.tls ? 'https' : 'http';
  io.err(
    `autobot-trace: OTLP gRPC ${host}:${collector.grpcPort}${collector.tls ? ' (TLS)' : ''}, OTLP HTTP ${scheme}://${host}:${collector.httpPort}/v1/traces`,
  );
  io.err(
    `autobot-trace: query API and UI ${scheme}://${host}:${collector.queryPort}/  (database ${collector.store.path})`,
  );
  io.err(
    `autobot-trace: writes ${writeToken !== undefined || tls?.clientCa ? 'need credentials' : 'are open'}, reads ${readToken !== undefined ? 'need the read token' : 'are open'}`,
  );
}

/** SIGTERM/SIGINT close the collector (flushing the store) and exit; a stuck close exits 1 after 5 s. */
function stopOnSignals(collector: RunningCollector, io: Output): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    io.err(`autobot-trace: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    void collector.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
