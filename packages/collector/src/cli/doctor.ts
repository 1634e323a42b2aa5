import * as grpc from '@grpc/grpc-js';
import { OTLP_TRACE_EXPORT_PATH } from '../otlp/schema.js';
import type { Output } from './client-commands.js';

type Env = Record<string, string | undefined>;

interface Setting {
  name: string;
  value: string;
  source: string;
  problem?: string;
}

function pick(env: Env, names: string[], fallback: string): { value: string; source: string } {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v !== '') return { value: v, source: name };
  }
  return { value: fallback, source: 'default' };
}

function boolSetting(env: Env, label: string, names: string[], fallback: string): Setting {
  const { value, source } = pick(env, names, fallback);
  const ok = /^(true|false|1|0|yes|no|on|off)$/i.test(value);
  return {
    name: label,
    value,
    source,
    problem: ok ? undefined : `${source}="${value}" is not a boolean; fallback ${fallback} is used`,
  };
}

/** The endpoint's protocol per DESIGN.md: port 4318 or a `/v1/traces` path means OTLP/HTTP, else gRPC. */
export function endpointProtocol(endpoint: URL): 'http' | 'grpc' {
  return endpoint.port === '4318' || endpoint.pathname.endsWith('/v1/traces') ? 'http' : 'grpc';
}

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
        (error) => resolve(error ? `gRPC Export to ${target} failed: ${error.message}` : null),
      );
    });
  } finally {
    client.close();
  }
}

/**
 * `autobot-trace doctor`: prints the effective tracing configuration from the environment,
 * sends an empty OTLP export to the configured endpoint, and lists what is wrong.
 * Returns 0 when everything is fine, 1 otherwise.
 */
export async function runDoctor(env: Env, endpointFlag: string | undefined, io: Output): Promise<number> {
  const problems: string[] = [];
  const ep = endpointFlag
    ? { value: endpointFlag, source: '--endpoint' }
    : pick(
        env,
        ['AUTOBOT_JAEGER_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'],
        'http://127.0.0.1:4317',
      );
  const rate = pick(env, ['AUTOBOT_TRACE_SAMPLE_RATE', 'OTEL_TRACES_SAMPLER_ARG'], '1.0');
  const rateNum = Number(rate.value);
  const settings: Setting[] = [
    { name: 'endpoint', ...ep },
    {
      name: 'sample rate',
      ...rate,
      problem:
        Number.isFinite(rateNum) && rateNum >= 0 && rateNum <= 1
          ? undefined
          : `${rate.source}="${rate.value}" is not a number between 0.0 and 1.0; fallback 1.0 is used`,
    },
    boolSetting(env, 'console export', ['AUTOBOT_TRACE_CONSOLE'], 'false'),
    boolSetting(env, 'enabled', ['AUTOBOT_TRACE_ENABLED'], 'true'),
    boolSetting(env, 'capture LLM content', ['AUTOBOT_TRACE_CAPTURE_CONTENT'], 'false'),
    { name: 'environment', ...pick(env, ['AUTOBOT_ENV'], 'development') },
    { name: 'service name', ...pick(env, ['OTEL_SERVICE_NAME'], '(set by each service)') },
  ];
  if (env.OTEL_SDK_DISABLED === 'true') problems.push('OTEL_SDK_DISABLED=true: tracing is off');
  if (/^(false|0|no|off)$/i.test(settings[3]?.value ?? ''))
    problems.push('AUTOBOT_TRACE_ENABLED is false: tracing is off');
  if (rateNum === 0) problems.push('sample rate is 0: no new traces are recorded');
  io.out('effective tracing configuration:');
  for (const s of settings) {
    io.out(`  ${s.name.padEnd(20)} ${s.value}  (${s.source})`);
    if (s.problem) problems.push(s.problem);
  }
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(ep.value);
    if (endpoint.username || endpoint.password)
      problems.push('the endpoint URL contains credentials; use headers instead');
  } catch {
    problems.push(`${ep.source}="${ep.value}" is not a URL (expected e.g. http://127.0.0.1:4317)`);
  }
  if (endpoint !== undefined) {
    const protocol = endpointProtocol(endpoint);
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
