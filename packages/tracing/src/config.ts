import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { B3InjectMode } from './b3.js';
import {
  type Env,
  integerInRange,
  numberInRange,
  oneOf,
  type Parser,
  parseBoolean,
  parseHttpUrl,
  parseText,
  resolveLayers,
} from './env.js';
import { TracingConfigError } from './errors.js';
import { type OtlpCredentials, resolveOtlpCredentials } from './otlp-credentials.js';

/** How spans leave the process. */
export type ExportProtocol = 'grpc' | 'http/protobuf';

/** Compression of OTLP export requests. */
export type ExportCompression = 'gzip' | 'none';

/** Options a service passes in code; each wins over the environment. */
export interface TracingOptions {
  /** `service.name`; falls back to `OTEL_SERVICE_NAME`, then `unknown_service:node`. */
  serviceName?: string;
  /** `service.version`; falls back to `AUTOBOT_SERVICE_VERSION`, then `0.0.0`. */
  serviceVersion?: string;
  /** OTLP endpoint URL. Port 4318 or a `/v1/traces` path means OTLP/HTTP, otherwise gRPC. */
  endpoint?: string;
  /** Force the export protocol instead of inferring it from the endpoint. */
  protocol?: ExportProtocol;
  /** Root sampling ratio, 0.0–1.0. Children follow their parent's decision. */
  sampleRate?: number;
  /** Also print finished spans to stdout. */
  console?: boolean;
  /** `false` turns every tracing call into a cheap no-op. */
  enabled?: boolean;
  /** `deployment.environment.name`. */
  environment?: string;
  /** Record LLM prompt/completion text (off: lengths and counts only). */
  captureContent?: boolean;
  /** Spans held in memory waiting for export; past this, new spans are dropped and counted. */
  maxQueueSize?: number;
  /** Spans per export request. */
  maxExportBatchSize?: number;
  /** Delay between two scheduled exports, in milliseconds. */
  scheduledDelayMs?: number;
  /** Time allowed for one export request, in milliseconds. */
  exportTimeoutMs?: number;
  /** Time allowed for the final flush on shutdown, in milliseconds. */
  shutdownTimeoutMs?: number;
  /** Flush on SIGTERM/SIGINT/beforeExit. Set `false` when the app installs its own handlers. */
  handleSignals?: boolean;
  /** Interval of the "spans dropped / export failed" summary line, in milliseconds (0 = never). */
  reportIntervalMs?: number;
  /** Use this exporter instead of OTLP (tests, custom backends). */
  spanExporter?: SpanExporter;
  /**
   * B3 encodings written on outgoing requests: `single` (`b3: …`, default), `multi`
   * (`X-B3-*`, for peers that only read those) or `both`. Extraction always reads both.
   */
  b3Inject?: B3InjectMode;
  /** Compression of OTLP export requests (default `none`: see README, "Export compression"). */
  compression?: ExportCompression;
  /** Trace Redis commands that run outside any span as root traces (default false). */
  redisRootSpans?: boolean;
}

/** The effective configuration: resolved once, validated, frozen. */
export interface TracingConfig {
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly endpoint: string;
  readonly protocol: ExportProtocol;
  readonly sampleRate: number;
  readonly console: boolean;
  readonly enabled: boolean;
  readonly environment: string;
  readonly captureContent: boolean;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly handleSignals: boolean;
  readonly reportIntervalMs: number;
  readonly b3Inject: B3InjectMode;
  readonly compression: ExportCompression;
  readonly redisRootSpans: boolean;
  /**
   * Headers and TLS material of the OTLP exporter (`OTEL_EXPORTER_OTLP_HEADERS`, `…_CERTIFICATE`,
   * `…_CLIENT_CERTIFICATE`, `…_CLIENT_KEY`). Never printed: its JSON form lists header names only.
   */
  readonly credentials: OtlpCredentials;
  /** One line per invalid environment value, each naming the variable, value and fallback. */
  readonly warnings: readonly string[];
}

/**
 * Where spans go when neither the code nor `AUTOBOT_JAEGER_ENDPOINT` / `OTEL_EXPORTER_OTLP_*`
 * names an endpoint: a local collector's OTLP gRPC port.
 */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4317';
const B3_INJECT_MODES: readonly B3InjectMode[] = ['single', 'multi', 'both'];
const MAX_DURATION_MS = 600_000;

/** Invert a boolean parser, for `OTEL_SDK_DISABLED` standing in for "enabled". */
const parseNegatedBoolean = (raw: string) => {
  const parsed = parseBoolean(raw);
  return parsed.ok ? { ok: true as const, value: !parsed.value } : parsed;
};

/**
 * Resolve the tracing configuration, field by field: code `options`, then `AUTOBOT_*`, then
 * `OTEL_*`, then defaults.
 *
 * Never throws for environment values: an invalid one adds a line to `warnings` and falls back.
 * Throws {@link TracingConfigError} for an invalid code option (a programmer error).
 */
export function resolveTracingConfig(options: TracingOptions = {}, env: Env = process.env): TracingConfig {
  validateOptions(options);
  const warnings: string[] = [];
  const layer = <T>(sources: [string, Parser<T>][], fallback: T) =>
    resolveLayers<T>(
      env,
      sources.map(([variable, parse]) => ({ variable, parse })),
      fallback,
      warnings,
    );

  const endpointUrl =
    options.endpoint !== undefined
      ? new URL(options.endpoint)
      : resolveLayers(
          env,
          [
            { variable: 'AUTOBOT_JAEGER_ENDPOINT', parse: parseHttpUrl },
            { variable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', parse: parseHttpUrl },
            { variable: 'OTEL_EXPORTER_OTLP_ENDPOINT', parse: parseHttpUrl },
          ],
          new URL(DEFAULT_ENDPOINT),
          warnings,
          (url) => url.href,
        );
  const protocol =
    options.protocol ??
    resolveLayers<ExportProtocol | undefined>(
      env,
      [
        { variable: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', parse: parseProtocol },
        { variable: 'OTEL_EXPORTER_OTLP_PROTOCOL', parse: parseProtocol },
      ],
      undefined,
      warnings,
      (value) => value ?? 'the protocol implied by the endpoint',
    ) ??
    inferProtocol(endpointUrl);

  const config: TracingConfig = {
    serviceName: options.serviceName ?? layer([['OTEL_SERVICE_NAME', parseText]], 'unknown_service:node'),
    serviceVersion: options.serviceVersion ?? layer([['AUTOBOT_SERVICE_VERSION', parseText]], '0.0.0'),
    endpoint: endpointFor(endpointUrl, protocol),
    protocol,
    sampleRate:
      options.sampleRate ??
      layer(
        [
          ['AUTOBOT_TRACE_SAMPLE_RATE', numberInRange(0, 1)],
          ['OTEL_TRACES_SAMPLER_ARG', numberInRange(0, 1)],
        ],
        1,
      ),
    console: options.console ?? layer([['AUTOBOT_TRACE_CONSOLE', parseBoolean]], false),
    enabled:
      options.enabled ??
      layer(
        [
          ['AUTOBOT_TRACE_ENABLED', parseBoolean],
          ['OTEL_SDK_DISABLED', parseNegatedBoolean],
        ],
        true,
      ),
    environment: options.environment ?? layer([['AUTOBOT_ENV', parseText]], 'development'),
    captureContent: options.captureContent ?? layer([['AUTOBOT_TRACE_CAPTURE_CONTENT', parseBoolean]], false),
    maxQueueSize:
      options.maxQueueSize ??
      layer(
        [
          ['AUTOBOT_TRACE_MAX_QUEUE_SIZE', integerInRange(1, 1_000_000)],
          ['OTEL_BSP_MAX_QUEUE_SIZE', integerInRange(1, 1_000_000)],
        ],
        2048,
      ),
    maxExportBatchSize:
      options.maxExportBatchSize ??
      layer(
        [
          ['AUTOBOT_TRACE_MAX_EXPORT_BATCH_SIZE', integerInRange(1, 100_000)],
          ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', integerInRange(1, 100_000)],
        ],
        512,
      ),
    scheduledDelayMs:
      options.scheduledDelayMs ??
      layer(
        [
          ['AUTOBOT_TRACE_SCHEDULE_DELAY_MS', integerInRange(0, MAX_DURATION_MS)],
          ['OTEL_BSP_SCHEDULE_DELAY', integerInRange(0, MAX_DURATION_MS)],
        ],
        1000,
      ),
    exportTimeoutMs:
      options.exportTimeoutMs ??
      layer(
        [
          ['AUTOBOT_TRACE_EXPORT_TIMEOUT_MS', integerInRange(1, MAX_DURATION_MS)],
          ['OTEL_BSP_EXPORT_TIMEOUT', integerInRange(1, MAX_DURATION_MS)],
        ],
        10_000,
      ),
    shutdownTimeoutMs:
      options.shutdownTimeoutMs ??
      layer([['AUTOBOT_TRACE_SHUTDOWN_TIMEOUT_MS', integerInRange(1, MAX_DURATION_MS)]], 5000),
    handleSignals: options.handleSignals ?? layer([['AUTOBOT_TRACE_HANDLE_SIGNALS', parseBoolean]], true),
    reportIntervalMs:
      options.reportIntervalMs ??
      layer([['AUTOBOT_TRACE_REPORT_INTERVAL_MS', integerInRange(0, 86_400_000)]], 30_000),
    b3Inject: options.b3Inject ?? layer([['AUTOBOT_TRACE_B3_INJECT', oneOf(B3_INJECT_MODES)]], 'single'),
    // Default none, like stock OpenTelemetry: gzip costs the traced process CPU per span
    // (measured in bench/overhead/breakdown.mjs, `export gzip` vs `export none`).
    compression:
      options.compression ??
      layer(
        [
          ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', parseCompression],
          ['OTEL_EXPORTER_OTLP_COMPRESSION', parseCompression],
        ],
        'none',
      ),
    redisRootSpans:
      options.redisRootSpans ?? layer([['AUTOBOT_TRACE_REDIS_ROOT_SPANS', parseBoolean]], false),
    credentials: resolveOtlpCredentials(env, warnings),
    warnings,
  };
  const files = Object.entries(config.credentials.files);
  if (files.length > 0 && !config.endpoint.startsWith('https://')) {
    warnings.push(
      `TLS files are set (${files.map(([k]) => k).join(', ')}) but the endpoint ${endpointUrl.origin} is not https://; they are not used`,
    );
  }
  return Object.freeze({ ...config, warnings: Object.freeze([...warnings]) });
}

function parseProtocol(raw: string) {
  const value = raw.trim().toLowerCase();
  if (value === 'grpc' || value === 'http/protobuf')
    return { ok: true as const, value: value as ExportProtocol };
  return { ok: false as const, expected: 'grpc or http/protobuf' };
}

function parseCompression(raw: string) {
  const value = raw.trim().toLowerCase();
  if (value === 'gzip' || value === 'none') return { ok: true as const, value: value as ExportCompression };
  return { ok: false as const, expected: 'gzip or none' };
}

/** Jaeger's ports: 4318 (or a `/v1/traces` path) is OTLP/HTTP, anything else gRPC. */
function inferProtocol(url: URL): ExportProtocol {
  return url.port === '4318' || url.pathname.endsWith('/v1/traces') ? 'http/protobuf' : 'grpc';
}

/** OTLP/HTTP posts to `/v1/traces`; gRPC takes the bare origin. */
function endpointFor(url: URL, protocol: ExportProtocol): string {
  if (protocol === 'grpc') return url.origin;
  if (url.pathname.endsWith('/v1/traces')) return url.href;
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}/v1/traces`;
}

function validateOptions(options: TracingOptions): void {
  const fail = (field: string, expected: string, value: unknown) => {
    throw new TracingConfigError(`option ${field}=${JSON.stringify(value)} is invalid: expected ${expected}`);
  };
  if (options.sampleRate !== undefined && !(options.sampleRate >= 0 && options.sampleRate <= 1)) {
    fail('sampleRate', 'a number from 0 to 1', options.sampleRate);
  }
  if (options.endpoint !== undefined && !parseHttpUrl(options.endpoint).ok) {
    fail('endpoint', 'an http:// or https:// URL with a host', options.endpoint);
  }
  if (options.b3Inject !== undefined && !B3_INJECT_MODES.includes(options.b3Inject)) {
    fail('b3Inject', B3_INJECT_MODES.join(', '), options.b3Inject);
  }
  if (options.compression !== undefined && options.compression !== 'gzip' && options.compression !== 'none') {
    fail('compression', "'gzip' or 'none'", options.compression);
  }
  if (options.serviceName !== undefined && options.serviceName.trim() === '') {
    fail('serviceName', 'a non-empty string', options.serviceName);
  }
  for (const field of [
    'maxQueueSize',
    'maxExportBatchSize',
    'scheduledDelayMs',
    'exportTimeoutMs',
    'shutdownTimeoutMs',
    'reportIntervalMs',
  ] as const) {
    const value = options[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      fail(field, 'a non-negative whole number', value);
    }
  }
}
