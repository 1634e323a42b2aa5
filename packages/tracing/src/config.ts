import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { B3InjectMode } from './b3.js';
import {
  type Env,
  type EnvSource,
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
   * (`X-B3-*`, for peers that only read those), `both`, or `none` (W3C Trace Context alone on
   * the wire, for a fleet that reads it everywhere). Extraction always reads both.
   */
  b3Inject?: B3InjectMode;
  /** Compression of OTLP export requests (default `none`: see README, "Export compression"). */
  compression?: ExportCompression;
  /** Trace Redis commands that run outside any span as root traces (default false). */
  redisRootSpans?: boolean;
  /**
   * Send the W3C `traceresponse` header (trace id, span id, sampled flag) on every response of
   * an instrumented server (default true). Off for servers whose clients should not learn trace
   * ids, or to save the header on every hop.
   */
  traceResponse?: boolean;
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
  readonly traceResponse: boolean;
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
const B3_INJECT_MODES: readonly B3InjectMode[] = ['single', 'multi', 'both', 'none'];
const MAX_DURATION_MS = 600_000;

/** Invert a boolean parser, for `OTEL_SDK_DISABLED` standing in for "enabled". */
const parseNegatedBoolean = (raw: string) => {
  const parsed = parseBoolean(raw);
  return parsed.ok ? { ok: true as const, value: !parsed.value } : parsed;
};

/** Config fields resolved by the plain rule: code option, then each variable in order, then a default. */
type LayeredField = Exclude<keyof TracingConfig, 'endpoint' | 'protocol' | 'credentials' | 'warnings'>;

/** Where one layered field may come from: environment variables tried in order, then `fallback`. */
interface FieldLayers<T> {
  readonly sources: readonly EnvSource<T>[];
  readonly fallback: T;
}

/** A source that reads `variable` with `parse`. */
const fromEnv = <T>(variable: string, parse: Parser<T>): EnvSource<T> => ({ variable, parse });

/**
 * The environment variables and default of every layered field. Resolved in this order, so
 * warnings come out in it, and the resolved config keeps it.
 */
const FIELD_LAYERS: { readonly [K in LayeredField]: FieldLayers<TracingConfig[K]> } = {
  serviceName: { sources: [fromEnv('OTEL_SERVICE_NAME', parseText)], fallback: 'unknown_service:node' },
  serviceVersion: { sources: [fromEnv('AUTOBOT_SERVICE_VERSION', parseText)], fallback: '0.0.0' },
  sampleRate: {
    sources: [
      fromEnv('AUTOBOT_TRACE_SAMPLE_RATE', numberInRange(0, 1)),
      fromEnv('OTEL_TRACES_SAMPLER_ARG', numberInRange(0, 1)),
    ],
    fallback: 1,
  },
  console: { sources: [fromEnv('AUTOBOT_TRACE_CONSOLE', parseBoolean)], fallback: false },
  enabled: {
    sources: [
      fromEnv('AUTOBOT_TRACE_ENABLED', parseBoolean),
      fromEnv('OTEL_SDK_DISABLED', parseNegatedBoolean),
    ],
    fallback: true,
  },
  environment: { sources: [fromEnv('AUTOBOT_ENV', parseText)], fallback: 'development' },
  captureContent: { sources: [fromEnv('AUTOBOT_TRACE_CAPTURE_CONTENT', parseBoolean)], fallback: false },
  maxQueueSize: {
    sources: [
      fromEnv('AUTOBOT_TRACE_MAX_QUEUE_SIZE', integerInRange(1, 1_000_000)),
      fromEnv('OTEL_BSP_MAX_QUEUE_SIZE', integerInRange(1, 1_000_000)),
    ],
    fallback: 2048,
  },
  maxExportBatchSize: {
    sources: [
      fromEnv('AUTOBOT_TRACE_MAX_EXPORT_BATCH_SIZE', integerInRange(1, 100_000)),
      fromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', integerInRange(1, 100_000)),
    ],
    fallback: 512,
  },
  scheduledDelayMs: {
    sources: [
      fromEnv('AUTOBOT_TRACE_SCHEDULE_DELAY_MS', integerInRange(0, MAX_DURATION_MS)),
      fromEnv('OTEL_BSP_SCHEDULE_DELAY', integerInRange(0, MAX_DURATION_MS)),
    ],
    fallback: 1000,
  },
  exportTimeoutMs: {
    sources: [
      fromEnv('AUTOBOT_TRACE_EXPORT_TIMEOUT_MS', integerInRange(1, MAX_DURATION_MS)),
      fromEnv('OTEL_BSP_EXPORT_TIMEOUT', integerInRange(1, MAX_DURATION_MS)),
    ],
    fallback: 10_000,
  },
  shutdownTimeoutMs: {
    sources: [fromEnv('AUTOBOT_TRACE_SHUTDOWN_TIMEOUT_MS', integerInRange(1, MAX_DURATION_MS))],
    fallback: 5000,
  },
  handleSignals: { sources: [fromEnv('AUTOBOT_TRACE_HANDLE_SIGNALS', parseBoolean)], fallback: true },
  reportIntervalMs: {
    sources: [fromEnv('AUTOBOT_TRACE_REPORT_INTERVAL_MS', integerInRange(0, 86_400_000))],
    fallback: 30_000,
  },
  b3Inject: { sources: [fromEnv('AUTOBOT_TRACE_B3_INJECT', oneOf(B3_INJECT_MODES))], fallback: 'single' },
  // Default none, like stock OpenTelemetry: gzip costs the traced process CPU per span
  // (measured in bench/overhead/breakdown.mjs, `export gzip` vs `export none`).
  compression: {
    sources: [
      fromEnv('OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', parseCompression),
      fromEnv('OTEL_EXPORTER_OTLP_COMPRESSION', parseCompression),
    ],
    fallback: 'none',
  },
  redisRootSpans: { sources: [fromEnv('AUTOBOT_TRACE_REDIS_ROOT_SPANS', parseBoolean)], fallback: false },
  traceResponse: { sources: [fromEnv('AUTOBOT_TRACE_RESPONSE_HEADER', parseBoolean)], fallback: true },
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
  const endpointUrl = resolveEndpointUrl(options, env, warnings);
  const protocol = resolveProtocol(options, env, warnings, endpointUrl);
  const { serviceName, serviceVersion, ...layered } = resolveLayeredFields(options, env, warnings);
  const config: TracingConfig = {
    serviceName,
    serviceVersion,
    endpoint: endpointFor(endpointUrl, protocol),
    protocol,
    ...layered,
    credentials: resolveOtlpCredentials(env, warnings),
    warnings,
  };
  warnIfTlsFilesUnused(config, endpointUrl, warnings);
  return Object.freeze({ ...config, warnings: Object.freeze([...warnings]) });
}

/** Every {@link FieldLayers} field, in table order: the code option if given, else its layers. */
function resolveLayeredFields(
  options: TracingOptions,
  env: Env,
  warnings: string[],
): Pick<TracingConfig, LayeredField> {
  const resolved: Partial<Record<LayeredField, unknown>> = {};
  for (const field of Object.keys(FIELD_LAYERS) as LayeredField[]) {
    const { sources, fallback } = FIELD_LAYERS[field] as FieldLayers<unknown>;
    resolved[field] = options[field] ?? resolveLayers(env, sources, fallback, warnings);
  }
  return resolved as Pick<TracingConfig, LayeredField>;
}

/** The OTLP endpoint: the code option, `AUTOBOT_JAEGER_ENDPOINT`, the `OTEL_*` pair, then the default. */
function resolveEndpointUrl(options: TracingOptions, env: Env, warnings: string[]): URL {
  if (options.endpoint !== undefined) return new URL(options.endpoint);
  return resolveLayers(
    env,
    [
      fromEnv('AUTOBOT_JAEGER_ENDPOINT', parseHttpUrl),
      fromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', parseHttpUrl),
      fromEnv('OTEL_EXPORTER_OTLP_ENDPOINT', parseHttpUrl),
    ],
    new URL(DEFAULT_ENDPOINT),
    warnings,
    (url) => url.href,
  );
}

/** The export protocol: the code option, the `OTEL_*` pair, else inferred from the endpoint. */
function resolveProtocol(
  options: TracingOptions,
  env: Env,
  warnings: string[],
  endpointUrl: URL,
): ExportProtocol {
  return (
    options.protocol ??
    resolveLayers<ExportProtocol | undefined>(
      env,
      [
        fromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', parseProtocol),
        fromEnv('OTEL_EXPORTER_OTLP_PROTOCOL', parseProtocol),
      ],
      undefined,
      warnings,
      (value) => value ?? 'the protocol implied by the endpoint',
    ) ??
    inferProtocol(endpointUrl)
  );
}

/** TLS files only apply to an https:// endpoint; say so when they are set for a plain one. */
function warnIfTlsFilesUnused(config: TracingConfig, endpointUrl: URL, warnings: string[]): void {
  const files = Object.entries(config.credentials.files);
  if (files.length > 0 && !config.endpoint.startsWith('https://')) {
    warnings.push(
      `TLS files are set (${files.map(([k]) => k).join(', ')}) but the endpoint ${endpointUrl.origin} is not https://; they are not used`,
    );
  }
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
