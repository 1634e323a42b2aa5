#!/usr/bin/env node
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Output, runQuery, runServices, runShow } from './cli/client-commands.js';
import { runDoctor } from './cli/doctor.js';
import { formatBytes, parseAgeMs, parseSizeBytes } from './cli/sizes.js';
import { startCollector } from './collector.js';
import { DEFAULT_DB_PATH } from './store/store.js';

const USAGE = `usage: autobot-trace <command> [options]

commands:
  serve      run the collector: OTLP gRPC :4317, OTLP HTTP :4318, query API + UI :16686
             --host 127.0.0.1  --grpc-port 4317  --http-port 4318  --query-port 16686
             --db .autobot/traces.db (or :memory:)  --retention-age 7d  --retention-size 1GiB
             --cors-origin <origin> (repeatable, * = any)  --ui-dir <dir>  --max-body 16MiB
  query      query '<expr>' [--json] [--limit 20] [--since 1h] [--url http://127.0.0.1:16686]
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
  const dbPath = values.db ?? DEFAULT_DB_PATH;
  if (dbPath !== ':memory:' && existsSync(dbPath)) {
    // Opening a large store (recovery, retention sweep) can take a while: say what is happening.
    process.stderr.write(`opening ${dbPath} (${formatBytes(statSync(dbPath).size)})…\n`);
  }
  const collector = await startCollector({
    host: values.host,
    grpcPort: portFlag('grpc-port', values['grpc-port'], 4317),
    httpPort: portFlag('http-port', values['http-port'], 4318),
    queryPort: portFlag('query-port', values['query-port'], 16686),
    dbPath,
    retention: { maxAgeMs, maxBytes },
    corsOrigins: values['cors-origin'],
    uiDir: values['no-ui'] ? null : values['ui-dir'],
    maxBodyBytes: maxBody,
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
    }),
  );
  const host = collector.host.includes(':') ? `[${collector.host}]` : collector.host;
  io.err(
    `autobot-trace: OTLP gRPC ${host}:${collector.grpcPort}, OTLP HTTP http://${host}:${collector.httpPort}/v1/traces`,
  );
  io.err(
    `autobot-trace: query API and UI http://${host}:${collector.queryPort}/  (database ${collector.store.path})`,
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
    },
    allowPositionals: true,
    strict: true,
  });
  const url = (values.url ?? process.env.AUTOBOT_TRACE_URL ?? 'http://127.0.0.1:16686').replace(/\/$/, '');
  switch (command) {
    case 'query': {
      const expr = positionals.join(' ');
      if (expr.trim() === '')
        fail("query needs an expression, e.g. autobot-trace query 'llm.duration_ms > 5000'");
      return runQuery(
        url,
        expr,
        { json: values.json ?? false, limit: values.limit, since: values.since },
        io,
      );
    }
    case 'show':
      if (positionals.length !== 1) fail('show needs exactly one trace id');
      return runShow(url, positionals[0] as string, { json: values.json ?? false }, io);
    case 'services':
      return runServices(url, { json: values.json ?? false }, io);
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
