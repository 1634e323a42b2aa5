#!/usr/bin/env node
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../auth/bind-policy.js';
import { startCollector } from '../collector.js';
import { CollectorError } from '../errors.js';
import {
  MAX_QUERY_WORKERS,
  parseQueryWorkersFlag,
  resolveQueryWorkers,
  resolveSpanMetrics,
} from '../serve-env.js';
import { DEFAULT_DB_PATH } from '../store/store.js';
import { type Output, runQuery, runServices, runShow } from './client-commands.js';
import {
  CLIENT_READ_TOKEN_FILE_ENV,
  CredentialFileError,
  loadTls,
  READ_TOKEN_FILE_ENV,
  readTokenFile,
  tokenFileFrom,
  WRITE_TOKEN_FILE_ENV,
} from './credentials.js';
import { runDoctor } from './doctor.js';
import { MAX_QUERY_TIMEOUT_MS, parseQueryTimeoutFlag, resolveQueryTimeoutMs } from './query-timeout.js';
import { formatBytes, parseAgeMs, parseSizeBytes } from './sizes.js';

const USAGE = `usage: autobot-trace <command> [options]

commands:
  serve      run the collector: OTLP gRPC :4317, OTLP HTTP :4318, query API + UI :16686
             --host 127.0.0.1  --grpc-port 4317  --http-port 4318  --query-port 16686
             --db .autobot/traces.db (or :memory:)  --retention-age 7d  --retention-size 1GiB
             --cors-origin <origin> (repeatable, * = any)  --ui-dir <dir>  --max-body 16MiB
             --query-timeout-ms 10000 (or AUTOBOT_COLLECTOR_QUERY_TIMEOUT_MS)
             --query-workers 2 (or AUTOBOT_COLLECTOR_QUERY_WORKERS; 0 = search on the main thread, no budget)
             --no-span-metrics (or AUTOBOT_COLLECTOR_SPAN_METRICS=false)  no RED/LLM figures kept at ingest
             --write-token-file <file> (or AUTOBOT_COLLECTOR_WRITE_TOKEN_FILE)  OTLP exporters send it as a bearer token
             --read-token-file <file> (or AUTOBOT_COLLECTOR_READ_TOKEN_FILE)    query API, /status and viewer sign-in
             --tls-cert <pem> --tls-key <pem> [--tls-client-ca <pem>]  TLS on every port; client certificates
                                            from that CA may write without the token (mutual TLS)
             --rate-limit 500 (requests/s per client, 0 = off)  --rate-burst 1000  --max-concurrent 128
             --insecure  allow a non-loopback --host without credentials (warns at every start)
  query      query '<expr>' [--json] [--limit 20] [--since 1h] [--url http://127.0.0.1:16686]
             [--token-file <file>] (or AUTOBOT_TRACE_READ_TOKEN_FILE) also for show and services;
             an https URL signed by our CA needs NODE_EXTRA_CA_CERTS=<ca.crt>
             e.g. 'llm.duration_ms > 5000', 'ssh.target_vm = frontend', 'service = autobot-ai-stack and duration > 2s',
             'name = ssh.distribute_certificates and status = error'
  show       show <traceId> [--json] [--url ...]   span tree with durations, services, errors
  services   services [--json] [--url ...]
  doctor     doctor [--endpoint <url>]  check the configured OTLP endpoint and tracing settings
`;

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function fail(message: string): never {
  io.err(`autobot-trace: ${message}`);
  process.exit(2);
}

function portFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    fail(`--${name} must be a port number 0-65535, got "${value}"`);
  return n;
}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
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
    },
    strict: true,
  });
  const maxAgeMs = values['retention-age'] === undefined ? undefined : parseAgeMs(values['retention-age']);
  if (values['retention-age'] !== undefined && maxAgeMs === undefined) {
    fail(`--retention-age must be a duration like 7d, 12h or 0 (off), got "${values['retention-age']}"`);
  }
  const maxBytes =
    values['retention-size'] === undefined ? undefined : parseSizeBytes(values['retention-size']);
  if (values['retention-size'] !== undefined && maxBytes === undefined) {
    fail(`--retention-size must be a size like 500MB or 1GiB, got "${values['retention-size']}"`);
  }
  const maxBody = values['max-body'] === undefined ? undefined : parseSizeBytes(values['max-body']);
  if (values['max-body'] !== undefined && (maxBody === undefined || maxBody <= 0)) {
    fail(`--max-body must be a size like 16MiB, got "${values['max-body']}"`);
  }
  const timeoutFlag = values['query-timeout-ms'];
  const timeoutFlagMs = timeoutFlag === undefined ? undefined : parseQueryTimeoutFlag(timeoutFlag);
  if (timeoutFlag !== undefined && timeoutFlagMs === undefined) {
    fail(
      `--query-timeout-ms must be a whole number of ms from 1 to ${MAX_QUERY_TIMEOUT_MS}, got "${timeoutFlag}"`,
    );
  }
  const warnings: string[] = [];
  const queryTimeoutMs = resolveQueryTimeoutMs(timeoutFlagMs, process.env, warnings);
  const workersFlag = values['query-workers'];
  const workersFlagValue = workersFlag === undefined ? undefined : parseQueryWorkersFlag(workersFlag);
  if (workersFlag !== undefined && workersFlagValue === undefined) {
    fail(`--query-workers must be a whole number from 0 to ${MAX_QUERY_WORKERS}, got "${workersFlag}"`);
  }
  const queryWorkers = resolveQueryWorkers(workersFlagValue, process.env, warnings);
  const spanMetrics = resolveSpanMetrics(values['no-span-metrics'], process.env, warnings);
  const countFlag = (name: string): number | undefined => {
    const raw = values[name as 'rate-limit'];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
      fail(`--${name} must be a whole number ≥ 0, got "${raw}"`);
    return n;
  };
  const receiverLimits = {
    ...(countFlag('rate-limit') === undefined ? {} : { requestsPerSecond: countFlag('rate-limit') }),
    ...(countFlag('rate-burst') === undefined ? {} : { burst: countFlag('rate-burst') }),
    ...(countFlag('max-concurrent') === undefined ? {} : { maxConcurrent: countFlag('max-concurrent') }),
  };
  let writeToken: string | undefined;
  let readToken: string | undefined;
  let tls: ReturnType<typeof loadTls>;
  try {
    const writeFile = tokenFileFrom(
      'write-token-file',
      values['write-token-file'],
      process.env,
      WRITE_TOKEN_FILE_ENV,
    );
    const readFile = tokenFileFrom(
      'read-token-file',
      values['read-token-file'],
      process.env,
      READ_TOKEN_FILE_ENV,
    );
    writeToken = writeFile && readTokenFile(writeFile.path, writeFile.source, warnings);
    readToken = readFile && readTokenFile(readFile.path, readFile.source, warnings);
    tls = loadTls(values['tls-cert'], values['tls-key'], values['tls-client-ca']);
  } catch (error) {
    if (error instanceof CredentialFileError) fail(error.message);
    throw error;
  }
  const bindHost = values.host ?? '127.0.0.1';
  if (!isLoopbackHost(bindHost)) {
    if (values.insecure && (writeToken === undefined || readToken === undefined)) {
      warnings.push(
        `--insecure: listening on ${bindHost} with ${writeToken === undefined && !tls?.clientCa ? 'open writes' : ''}` +
          `${writeToken === undefined && !tls?.clientCa && readToken === undefined ? ' and ' : ''}` +
          `${readToken === undefined ? 'open reads' : ''}: anyone who reaches this address can use them`,
      );
    }
    if (tls === undefined) {
      warnings.push(
        `listening on ${bindHost} without TLS: tokens and spans cross the network in clear text (add --tls-cert and --tls-key)`,
      );
    }
  }
  for (const warning of warnings) io.err(`autobot-trace: warning: ${warning}`);
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  if (dbPath !== ':memory:' && existsSync(dbPath)) {
    // Opening a large store (recovery, retention sweep) can take a while: say what is happening.
    process.stderr.write(`opening ${dbPath} (${formatBytes(statSync(dbPath).size)})…\n`);
  }
  const start = startCollector({
    host: values.host,
    grpcPort: portFlag('grpc-port', values['grpc-port'], 4317),
    httpPort: portFlag('http-port', values['http-port'], 4318),
    queryPort: portFlag('query-port', values['query-port'], 16686),
    dbPath,
    retention: { maxAgeMs, maxBytes },
    corsOrigins: values['cors-origin'],
    uiDir: values['no-ui'] ? null : values['ui-dir'],
    maxBodyBytes: maxBody,
    queryTimeoutMs,
    queryWorkers,
    spanMetrics,
    writeToken,
    readToken,
    tls,
    insecure: values.insecure ?? false,
    receiverLimits,
  });
  const collector = await start.catch((error: unknown) => {
    // Bad credentials or an unprotected bind are configuration errors: exit 2 with the reason.
    if (error instanceof CollectorError && error.code !== 'AUTOBOT_ERR_COLLECTOR_INTERNAL') {
      fail(`${error.message} [${error.code}]`);
    }
    throw error;
  });
  // One machine-readable line on stdout: tests and scripts parse it.
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

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'serve') {
    await serve(rest);
    return -1;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
      limit: { type: 'string' },
      since: { type: 'string' },
      endpoint: { type: 'string' },
      'token-file': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const url = (values.url ?? process.env.AUTOBOT_TRACE_URL ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
  const clientTokenFile = tokenFileFrom(
    'token-file',
    values['token-file'],
    process.env,
    CLIENT_READ_TOKEN_FILE_ENV,
  );
  let token: string | undefined;
  if (clientTokenFile !== undefined && command !== 'doctor') {
    const warnings: string[] = [];
    try {
      token = readTokenFile(clientTokenFile.path, clientTokenFile.source, warnings);
    } catch (error) {
      if (error instanceof CredentialFileError) fail(error.message);
      throw error;
    }
    for (const warning of warnings) io.err(`autobot-trace: warning: ${warning}`);
  }
  const client = { url, token };
  switch (command) {
    case 'query': {
      const expr = positionals.join(' ');
      if (expr.trim() === '')
        fail("query needs an expression, e.g. autobot-trace query 'llm.duration_ms > 5000'");
      return runQuery(
        client,
        expr,
        { json: values.json ?? false, limit: values.limit, since: values.since },
        io,
      );
    }
    case 'show':
      if (positionals.length !== 1) fail('show needs exactly one trace id');
      return runShow(client, positionals[0] as string, { json: values.json ?? false }, io);
    case 'services':
      return runServices(client, { json: values.json ?? false }, io);
    case 'doctor':
      return runDoctor(process.env, values.endpoint, io);
    default:
      io.err(USAGE);
      fail(`unknown command "${command}"`);
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    io.err(`autobot-trace: ${(error as Error)?.message ?? String(error)}`);
    process.exit(1);
  },
);
