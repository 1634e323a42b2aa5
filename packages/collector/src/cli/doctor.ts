import { resolveTracingConfig } from '@autobot/tracing';
import * as grpc from '@grpc/grpc-js';
import { OTLP_TRACE_EXPORT_PATH } from '../otlp/schema.js';
import type { Output } from './client-commands.js';

type Env = Record<string, string | undefined>;

async function probeHttp(endpoint: URL): Promise<string | null> {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(5000),
    });
    if (res.status !== 200)
      return `POST ${url} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`;
    return null;
  } catch (error) {
    return `POST ${url} failed: ${(error as Error).message}`;
  }
}

/**
 * grpc-js appends "Resolution note: <text>" to connection errors, with an empty text when it has
 * nothing to add: drop the empty note so the message does not end on a dangling label.
 */
export function grpcMessage(message: string): string {
  return message.replace(/\.?\s*Resolution note:\s*$/, '').trimEnd();
}

async function probeGrpc(endpoint: URL): Promise<string | null> {
  const target = endpoint.host || endpoint.pathname;
  const credentials =
    endpoint.protocol === 'https:' ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
  const client = new grpc.Client(target, credentials);
  try {
    return await new Promise<string | null>((resolve) => {
      client.makeUnaryRequest(
        OTLP_TRACE_EXPORT_PATH,
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        new grpc.Metadata(),
        { deadline: Date.now() + 5000 },
        (error) => resolve(error ? `gRPC Export to ${target} failed: ${grpcMessage(error.message)}` : null),
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
    const failure = protocol === 'http' ? await probeHttp(endpoint) : await probeGrpc(endpoint);
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
