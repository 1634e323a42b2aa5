import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type OtlpCredentials, resolveTracingConfig } from '@autobot/tracing';
import * as grpc from '@grpc/grpc-js';
import { OTLP_TRACE_EXPORT_PATH } from '../otlp/schema.js';
import type { Output } from './client-commands.js';

type Env = Record<string, string | undefined>;

/** TLS failures as Node reports them (certificate, handshake, protocol). */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;

/** Words of a TLS failure in a gRPC status detail (grpc-js reports handshake failures as UNAVAILABLE). */
const TLS_WORDS = /(certificate|ssl|tls|handshake|self[- ]signed|altname)/i;

function explainHttpStatus(target: string, status: number, body: string): string {
  let reason = body.slice(0, 200);
  try {
    reason = (JSON.parse(body) as { message?: string }).message ?? reason;
  } catch {
    // not JSON: keep the raw text
  }
  if (status === 401)
    return `authentication failed: POST ${target} answered HTTP 401 Unauthorized (${reason}); set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<write token> or a client certificate`;
  if (status === 429) return `rate limited: POST ${target} answered HTTP 429 (${reason})`;
  return `POST ${target} answered HTTP ${status}: ${reason}`;
}

/**
 * grpc-js appends "Resolution note: <text>" to connection errors, with an empty text when it has
 * nothing to add: drop the empty note so the message does not end on a dangling label.
 */
export function grpcMessage(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, '').trimEnd();
}

async function probeHttp(endpoint: URL, credentials: OtlpCredentials): Promise<string | null> {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  const target = `${url.origin}${url.pathname}`;
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    const options = {
      method: 'POST',
      headers: { ...credentials.headers, 'content-type': 'application/x-protobuf', 'content-length': '0' },
      timeout: 5000,
      ...(secure
        ? {
            ca: credentials.rootCertificate,
            cert: credentials.clientCertificate,
            key: credentials.clientKey,
          }
        : {}),
    };
    const req = (secure ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () =>
        resolve(res.statusCode === 200 ? null : explainHttpStatus(target, res.statusCode ?? 0, body)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? '';
      resolve(
        TLS_CODES.test(code)
          ? `TLS failure talking to ${target}: ${code}: ${error.message} (check OTEL_EXPORTER_OTLP_CERTIFICATE and the collector's certificate)`
          : `POST ${target} failed: ${code ? `${code}: ` : ''}${error.message}`,
      );
    });
    req.end();
  });
}

async function probeGrpc(endpoint: URL, credentials: OtlpCredentials): Promise<string | null> {
  const target = endpoint.host || endpoint.pathname;
  const channel =
    endpoint.protocol === 'https:'
      ? grpc.credentials.createSsl(
          credentials.rootCertificate ?? null,
          credentials.clientKey ?? null,
          credentials.clientCertificate ?? null,
        )
      : grpc.credentials.createInsecure();
  const client = new grpc.Client(target, channel);
  const metadata = new grpc.Metadata();
  for (const name of credentials.headerNames) metadata.set(name, credentials.headers[name] as string);
  try {
    return await new Promise<string | null>((resolve) => {
      client.makeUnaryRequest(
        OTLP_TRACE_EXPORT_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        metadata,
        { deadline: Date.now() + 5000 },
        (error) => {
          if (!error) return resolve(null);
          if (error.code === grpc.status.UNAUTHENTICATED)
            return resolve(
              `authentication failed: gRPC Export to ${target} answered UNAUTHENTICATED (${error.details}); set OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<write token> or a client certificate`,
            );
          if (error.code === grpc.status.UNAVAILABLE && TLS_WORDS.test(error.details))
            return resolve(
              `TLS failure talking to ${target}: ${error.details} (check OTEL_EXPORTER_OTLP_CERTIFICATE and the collector's certificate)`,
            );
          resolve(`gRPC Export to ${target} failed: ${grpcMessage(error.message)}`);
        },
      );
    });
  } finally {
    client.close();
  }
}

/**
 * `autobot-trace doctor`: prints the effective tracing configuration a service would get from
 * this environment (resolved by `@autobot/tracing` itself, so it cannot disagree with the
 * services), sends an empty OTLP export to the configured endpoint, and lists what is wrong.
 * Returns 0 when everything is fine, 1 otherwise.
 */
export async function runDoctor(env: Env, endpointFlag: string | undefined, io: Output): Promise<number> {
  let config: ReturnType<typeof resolveTracingConfig>;
  try {
    config = resolveTracingConfig({ endpoint: endpointFlag }, env);
  } catch (error) {
    io.out(`1 problem(s):\n  - --endpoint: ${(error as Error).message}`);
    return 1;
  }
  const problems: string[] = [...config.warnings];
  io.out('effective tracing configuration:');
  const rows: [string, string | number | boolean][] = [
    ['endpoint', config.endpoint],
    ['protocol', config.protocol],
    ['sample rate', config.sampleRate],
    ['console export', config.console],
    ['enabled', config.enabled],
    ['capture LLM content', config.captureContent],
    ['environment', config.environment],
    ['service name', env.OTEL_SERVICE_NAME ? config.serviceName : '(set by each service)'],
    // Header names and file paths only: values are secrets.
    ['headers', config.credentials.headerNames.join(', ') || '(none)'],
    ['CA bundle', config.credentials.files.certificate ?? '(system store)'],
    ['client certificate', config.credentials.files.clientCertificate ?? '(none)'],
  ];
  for (const [name, value] of rows) io.out(`  ${name.padEnd(20)} ${value}`);
  if (!config.enabled)
    problems.push('tracing is disabled (AUTOBOT_TRACE_ENABLED=false or OTEL_SDK_DISABLED=true)');
  if (config.sampleRate === 0) problems.push('sample rate is 0: no new traces are recorded');
  const ep = { value: config.endpoint };
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(ep.value);
    if (endpoint.username || endpoint.password)
      problems.push('the endpoint URL contains credentials; use headers instead');
  } catch {
    problems.push(`${ep.value} is not a URL (expected e.g. http://127.0.0.1:4317)`);
  }
  if (endpoint !== undefined) {
    const protocol = config.protocol === 'grpc' ? 'grpc' : 'http';
    const safe = `${endpoint.protocol}//${endpoint.host}${endpoint.pathname === '/' ? '' : endpoint.pathname}`;
    io.out(`checking ${safe} (OTLP/${protocol === 'http' ? 'HTTP' : 'gRPC'}) with an empty export ...`);
    const failure =
      protocol === 'http'
        ? await probeHttp(endpoint, config.credentials)
        : await probeGrpc(endpoint, config.credentials);
    if (failure) problems.push(failure);
    else io.out('  ok: the endpoint accepts OTLP traces');
  }
  if (problems.length === 0) {
    io.out('no problems found');
    return 0;
  }
  io.out(`${problems.length} problem(s):`);
  for (const p of problems) io.out(`  - ${p}`);
  return 1;
}
