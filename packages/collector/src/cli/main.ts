#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { Env } from '@autobot/tracing';
import { resolveClientEnv } from './cli-env.js';
import { type ApiClient, type Output, runQuery, runServices, runShow } from './client-commands.js';
import {
  CLIENT_READ_TOKEN_FILE_ENV,
  CredentialFileError,
  readTokenFile,
  tokenFileFrom,
} from './credentials.js';
import { runDoctor } from './doctor.js';
import { serve } from './serve.js';
import { CliUsageError } from './usage-error.js';

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

/**
 * Runs `autobot-trace`. Resolves with the exit code, or -1 for `serve` (which keeps running).
 * @throws CliUsageError for bad usage or configuration (exit code 2).
 */
async function main(argv: readonly string[], env: Env): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') {
    await serve(rest, env, io);
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
  const json = values.json ?? false;
  switch (command) {
    case 'query': {
      const expr = positionals.join(' ');
      if (expr.trim() === '')
        throw new CliUsageError(
          "query needs an expression, e.g. autobot-trace query 'llm.duration_ms > 5000'",
        );
      return runQuery(apiClient(values, env), expr, { json, limit: values.limit, since: values.since }, io);
    }
    case 'show':
      if (positionals.length !== 1) throw new CliUsageError('show needs exactly one trace id');
      return runShow(apiClient(values, env), positionals[0] as string, { json }, io);
    case 'services':
      return runServices(apiClient(values, env), { json }, io);
    case 'doctor':
      return runDoctor(env, values.endpoint, io);
    default:
      io.err(USAGE);
      throw new CliUsageError(`unknown command "${command}"`);
  }
}

/** The query API client of `query`, `show` and `services`: URL and read token from flags, else the environment. */
function apiClient(
  values: { url?: string | undefined; 'token-file'?: string | undefined },
  env: Env,
): ApiClient {
  const settings = resolveClientEnv(env, { url: values.url, tokenFile: values['token-file'] });
  const warnings = [...settings.warnings];
  const tokenFile = tokenFileFrom(
    'token-file',
    values['token-file'],
    CLIENT_READ_TOKEN_FILE_ENV,
    settings.tokenFile,
  );
  let token: string | undefined;
  try {
    token = tokenFile && readTokenFile(tokenFile.path, tokenFile.source, warnings);
  } catch (error) {
    if (error instanceof CredentialFileError) throw new CliUsageError(error.message);
    throw error;
  }
  for (const warning of warnings) io.err(`autobot-trace: warning: ${warning}`);
  return { url: settings.url, token };
}

// The one place the CLI reads the process environment; everything below takes it as a parameter.
main(process.argv.slice(2), process.env).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CliUsageError) {
      io.err(`autobot-trace: ${error.message}`);
      process.exit(2);
    }
    io.err(`autobot-trace: ${(error as Error)?.message ?? String(error)}`);
    process.exit(1);
  },
);
