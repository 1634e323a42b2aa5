import {
  type Env,
  EnvReader,
  numberInRange,
  type OtlpCredentials,
  type Parser,
  parseHttpUrl,
  resolveTracingConfig,
} from '@autobot/tracing';

/** The frontend's service name (also `service.name` of the page's spans). */
export const SERVICE_NAME = 'autobot-frontend';

/** Where and how the server relays the page's OTLP/HTTP export (`POST /v1/traces`). */
export interface RelayConfig {
  /** The collector's OTLP/HTTP traces URL the relay posts to. */
  targetUrl: string;
  /**
   * Headers (`authorization`, …) and TLS material (CA, client certificate) of the relay's own
   * requests, as `@autobot/tracing` resolves them from `OTEL_EXPORTER_OTLP_*`. Never sent to the page.
   */
  credentials: OtlpCredentials;
  /** Largest body accepted, in bytes, as received and (gzip/deflate) decompressed. */
  maxBodyBytes: number;
  /** Requests per minute per client address (0 = no limit). */
  rateLimitPerMinute: number;
  /** Time for the collector to answer one relayed request, in milliseconds. */
  timeoutMs: number;
}

/** Effective configuration of the frontend server and of the page it serves. */
export interface FrontendConfig {
  host: string;
  port: number;
  /** Backend URL as the browser reaches it. */
  backendUrl: string;
  /**
   * OTLP/HTTP traces URL the browser exports to: by default `/v1/traces` on the page's own
   * origin, i.e. this server's relay. An absolute URL sends the page's spans straight there
   * (a collector that allows the page's origin with CORS and needs no credential).
   */
  otlpUrl: string;
  /** Viewer base URL for "view trace" links (`<viewer>/trace/<id>`). */
  viewerUrl: string;
  /**
   * `service.version` of the page's spans (`AUTOBOT_SERVICE_VERSION`, default `2.0.0`, the AutoBot
   * release the other services report): served in `/config.json`, not built into the bundle.
   */
  serviceVersion: string;
  /** Root sampling ratio of the page (`AUTOBOT_TRACE_SAMPLE_RATE`, then `OTEL_TRACES_SAMPLER_ARG`; default 1). */
  sampleRate: number;
  /** Directory with the built page (`dist/web`). */
  webDir: string;
  relay: RelayConfig;
  warnings: string[];
}

/** Default of `AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES`: 1 MiB, far above a page's 500 ms batch. */
export const DEFAULT_RELAY_MAX_BODY_BYTES = 1024 * 1024;
/** Default of `AUTOBOT_FRONTEND_RELAY_RATE_LIMIT`: a page exports about twice a second at most. */
export const DEFAULT_RELAY_RATE_LIMIT_PER_MINUTE = 300;
/** Default of `AUTOBOT_FRONTEND_RELAY_TIMEOUT_MS`. */
export const DEFAULT_RELAY_TIMEOUT_MS = 10_000;

/** A path on the page's origin (`/v1/traces`) or an absolute http(s) URL; no trailing slash. */
const parsePageUrl: Parser<string> = (raw) => {
  const value = raw.trim();
  if (/^\/(?!\/)/.test(value)) return { ok: true, value: value.replace(/(.)\/+$/, '$1') };
  const parsed = parseHttpUrl(value);
  return parsed.ok
    ? { ok: true, value: parsed.value.href.replace(/\/+$/, '') }
    : { ok: false, expected: 'a path on the page origin such as /v1/traces, or an http:// or https:// URL' };
};

/**
 * Resolve the configuration from the environment; invalid values warn and fall back.
 *
 * The relay's target and credentials come from `@autobot/tracing`'s own resolution (the same
 * `AUTOBOT_JAEGER_ENDPOINT` / `OTEL_EXPORTER_OTLP_*` variables every service reads), so the relay
 * writes with the frontend's credentials exactly as a traced service would.
 * `AUTOBOT_FRONTEND_RELAY_URL` overrides the endpoint; a gRPC endpoint (`…:4317`) is mapped to
 * the OTLP/HTTP port beside it (`…:4318/v1/traces`, Jaeger's port pair).
 */
export function resolveFrontendConfig(webDir: string, env: Env = process.env): FrontendConfig {
  const read = new EnvReader(env);
  const config = {
    host: read.text('AUTOBOT_FRONTEND_HOST', '127.0.0.1'),
    port: read.port('AUTOBOT_FRONTEND_PORT', 5173),
    backendUrl: read.url('AUTOBOT_BACKEND_PUBLIC_URL', 'http://127.0.0.1:8001'),
    otlpUrl: read.layered(['AUTOBOT_BROWSER_OTLP_URL'], parsePageUrl, '/v1/traces'),
    viewerUrl: read.url('AUTOBOT_VIEWER_URL', 'http://127.0.0.1:16686'),
    serviceVersion: read.text('AUTOBOT_SERVICE_VERSION', '2.0.0'),
    // The page samples as every service does: AUTOBOT_TRACE_SAMPLE_RATE, then OTEL_TRACES_SAMPLER_ARG.
    sampleRate: read.layered(
      ['AUTOBOT_TRACE_SAMPLE_RATE', 'OTEL_TRACES_SAMPLER_ARG'],
      numberInRange(0, 1),
      1,
    ),
    webDir: read.text('AUTOBOT_FRONTEND_DIR', webDir),
  };
  const relayUrl = read.layered<URL | undefined>(
    ['AUTOBOT_FRONTEND_RELAY_URL'],
    parseHttpUrl,
    undefined,
    (url) => url?.href ?? 'the tracing endpoint (AUTOBOT_JAEGER_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT)',
  );
  const tracing = resolveTracingConfig(
    {
      serviceName: SERVICE_NAME,
      ...(relayUrl ? { endpoint: relayUrl.href, protocol: 'http/protobuf' as const } : {}),
    },
    env,
  );
  const relay: RelayConfig = {
    targetUrl: tracing.protocol === 'grpc' ? httpTracesUrlBeside(tracing.endpoint) : tracing.endpoint,
    credentials: tracing.credentials,
    maxBodyBytes: read.integer(
      'AUTOBOT_FRONTEND_RELAY_MAX_BODY_BYTES',
      DEFAULT_RELAY_MAX_BODY_BYTES,
      1024,
      64 * 1024 * 1024,
    ),
    rateLimitPerMinute: read.integer(
      'AUTOBOT_FRONTEND_RELAY_RATE_LIMIT',
      DEFAULT_RELAY_RATE_LIMIT_PER_MINUTE,
      0,
      1_000_000,
    ),
    timeoutMs: read.integer('AUTOBOT_FRONTEND_RELAY_TIMEOUT_MS', DEFAULT_RELAY_TIMEOUT_MS, 100, 600_000),
  };
  // The tracing resolution re-reads the sample rate the page uses: one warning per bad value.
  const warnings = [...new Set([...read.warnings, ...tracing.warnings])];
  return { ...config, relay, warnings };
}

/** `http(s)://host:4317` (OTLP/gRPC) → `http(s)://host:4318/v1/traces`. */
function httpTracesUrlBeside(grpcEndpoint: string): string {
  const url = new URL(grpcEndpoint);
  url.port = '4318';
  return `${url.origin}/v1/traces`;
}
