import { describe, expect, it } from 'vitest';
import { resolveTracingConfig, TracingConfigError } from '../src/index.js';

describe('resolveTracingConfig', () => {
  it('uses the documented defaults with an empty environment', () => {
    const config = resolveTracingConfig({}, {});
    expect(config).toMatchObject({
      serviceName: 'unknown_service:node',
      serviceVersion: '0.0.0',
      endpoint: 'http://127.0.0.1:4317',
      protocol: 'grpc',
      sampleRate: 1,
      console: false,
      enabled: true,
      environment: 'development',
      captureContent: false,
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      shutdownTimeoutMs: 5000,
      handleSignals: true,
      compression: 'none',
      redisRootSpans: false,
    });
    expect(config.warnings).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads export compression from the OTLP variables, traces-specific first', () => {
    expect(resolveTracingConfig({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' }).compression).toBe('gzip');
    expect(
      resolveTracingConfig(
        {},
        { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
      ).compression,
    ).toBe('none');
    expect(
      resolveTracingConfig({ compression: 'gzip' }, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' })
        .compression,
    ).toBe('gzip');
    const bad = resolveTracingConfig({}, { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'brotli' });
    expect(bad.compression).toBe('none');
    expect(bad.warnings).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION="brotli" is invalid (expected gzip or none); using none',
    ]);
    expect(() => resolveTracingConfig({ compression: 'zstd' as 'gzip' }, {})).toThrow(TracingConfigError);
  });

  it('reads AUTOBOT_TRACE_RESPONSE_HEADER (default on), warning once on an invalid value', () => {
    expect(resolveTracingConfig({}, {}).traceResponse).toBe(true);
    expect(resolveTracingConfig({}, { AUTOBOT_TRACE_RESPONSE_HEADER: 'false' }).traceResponse).toBe(false);
    expect(
      resolveTracingConfig({ traceResponse: true }, { AUTOBOT_TRACE_RESPONSE_HEADER: 'false' }).traceResponse,
    ).toBe(true);
    const bad = resolveTracingConfig({}, { AUTOBOT_TRACE_RESPONSE_HEADER: 'hidden' });
    expect(bad.traceResponse).toBe(true);
    expect(bad.warnings).toEqual([
      'AUTOBOT_TRACE_RESPONSE_HEADER="hidden" is invalid (expected true or false); using true',
    ]);
  });

  it('reads AUTOBOT_TRACE_REDIS_ROOT_SPANS, warning once on an invalid value', () => {
    expect(resolveTracingConfig({}, { AUTOBOT_TRACE_REDIS_ROOT_SPANS: 'true' }).redisRootSpans).toBe(true);
    const bad = resolveTracingConfig({}, { AUTOBOT_TRACE_REDIS_ROOT_SPANS: 'sometimes' });
    expect(bad.redisRootSpans).toBe(false);
    expect(bad.warnings).toEqual([
      'AUTOBOT_TRACE_REDIS_ROOT_SPANS="sometimes" is invalid (expected true or false); using false',
    ]);
  });

  it('reads every AUTOBOT_* variable', () => {
    const config = resolveTracingConfig(
      {},
      {
        AUTOBOT_JAEGER_ENDPOINT: 'http://172.16.168.23:4317',
        AUTOBOT_TRACE_SAMPLE_RATE: '0.1',
        AUTOBOT_TRACE_CONSOLE: 'true',
        AUTOBOT_TRACE_ENABLED: 'false',
        AUTOBOT_ENV: 'production',
        AUTOBOT_TRACE_CAPTURE_CONTENT: 'yes',
        AUTOBOT_SERVICE_VERSION: '2.0.0',
        AUTOBOT_TRACE_MAX_QUEUE_SIZE: '100',
        AUTOBOT_TRACE_MAX_EXPORT_BATCH_SIZE: '50',
        AUTOBOT_TRACE_SCHEDULE_DELAY_MS: '200',
        AUTOBOT_TRACE_EXPORT_TIMEOUT_MS: '3000',
        AUTOBOT_TRACE_SHUTDOWN_TIMEOUT_MS: '1500',
        AUTOBOT_TRACE_HANDLE_SIGNALS: 'off',
        AUTOBOT_TRACE_REPORT_INTERVAL_MS: '0',
      },
    );
    expect(config).toMatchObject({
      endpoint: 'http://172.16.168.23:4317',
      protocol: 'grpc',
      sampleRate: 0.1,
      console: true,
      enabled: false,
      environment: 'production',
      captureContent: true,
      serviceVersion: '2.0.0',
      maxQueueSize: 100,
      maxExportBatchSize: 50,
      scheduledDelayMs: 200,
      exportTimeoutMs: 3000,
      shutdownTimeoutMs: 1500,
      handleSignals: false,
      reportIntervalMs: 0,
    });
    expect(config.warnings).toEqual([]);
  });

  it('infers OTLP/HTTP from port 4318 or a /v1/traces path, gRPC otherwise', () => {
    expect(resolveTracingConfig({}, { AUTOBOT_JAEGER_ENDPOINT: 'http://h:4318' })).toMatchObject({
      protocol: 'http/protobuf',
      endpoint: 'http://h:4318/v1/traces',
    });
    expect(
      resolveTracingConfig({}, { AUTOBOT_JAEGER_ENDPOINT: 'https://otel.example/v1/traces' }),
    ).toMatchObject({
      protocol: 'http/protobuf',
      endpoint: 'https://otel.example/v1/traces',
    });
    expect(resolveTracingConfig({}, { AUTOBOT_JAEGER_ENDPOINT: 'http://h:4317/' })).toMatchObject({
      protocol: 'grpc',
      endpoint: 'http://h:4317',
    });
    expect(
      resolveTracingConfig(
        {},
        { AUTOBOT_JAEGER_ENDPOINT: 'http://h:9999', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      ),
    ).toMatchObject({ protocol: 'http/protobuf', endpoint: 'http://h:9999/v1/traces' });
  });

  it('falls back to OTEL_* when the AUTOBOT_* variable is unset', () => {
    const config = resolveTracingConfig(
      {},
      {
        OTEL_SERVICE_NAME: 'svc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        OTEL_SDK_DISABLED: 'true',
        OTEL_BSP_MAX_QUEUE_SIZE: '77',
      },
    );
    expect(config).toMatchObject({
      serviceName: 'svc',
      endpoint: 'http://collector:4318/v1/traces',
      sampleRate: 0.25,
      enabled: false,
      maxQueueSize: 77,
    });
    expect(
      resolveTracingConfig(
        {},
        { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://a:4317', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:4317' },
      ).endpoint,
    ).toBe('http://a:4317');
  });

  it('prefers code options over AUTOBOT_* over OTEL_*', () => {
    const env = {
      AUTOBOT_TRACE_SAMPLE_RATE: '0.5',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_SERVICE_NAME: 'from-env',
    };
    expect(resolveTracingConfig({}, env).sampleRate).toBe(0.5);
    expect(resolveTracingConfig({ sampleRate: 0.75, serviceName: 'from-code' }, env)).toMatchObject({
      sampleRate: 0.75,
      serviceName: 'from-code',
    });
    expect(
      resolveTracingConfig({}, { AUTOBOT_TRACE_ENABLED: 'true', OTEL_SDK_DISABLED: 'true' }).enabled,
    ).toBe(true);
  });

  it.each([
    ['AUTOBOT_TRACE_SAMPLE_RATE', 'abc', 'sampleRate', 1, 'a number from 0 to 1'],
    ['AUTOBOT_TRACE_SAMPLE_RATE', '1.5', 'sampleRate', 1, 'a number from 0 to 1'],
    ['AUTOBOT_TRACE_SAMPLE_RATE', '-1', 'sampleRate', 1, 'a number from 0 to 1'],
    ['AUTOBOT_TRACE_CONSOLE', 'yes please', 'console', false, 'true or false'],
    ['AUTOBOT_TRACE_ENABLED', 'maybe', 'enabled', true, 'true or false'],
    ['AUTOBOT_TRACE_CAPTURE_CONTENT', '2', 'captureContent', false, 'true or false'],
    ['AUTOBOT_JAEGER_ENDPOINT', 'http://', 'endpoint', 'http://127.0.0.1:4317', 'URL with a host'],
    ['AUTOBOT_JAEGER_ENDPOINT', 'localhost:4317', 'endpoint', 'http://127.0.0.1:4317', 'URL with a host'],
    ['AUTOBOT_TRACE_MAX_QUEUE_SIZE', '-5', 'maxQueueSize', 2048, 'a whole number'],
    ['OTEL_TRACES_SAMPLER_ARG', 'NaN', 'sampleRate', 1, 'a number from 0 to 1'],
    ['OTEL_SDK_DISABLED', 'yes please', 'enabled', true, 'true or false'],
  ] as const)('%s=%j warns once and falls back', (variable, value, field, fallback, expected) => {
    const config = resolveTracingConfig({}, { [variable]: value });
    expect(config[field]).toBe(fallback);
    expect(config.warnings).toHaveLength(1);
    const [warning] = config.warnings;
    expect(warning).toContain(variable);
    expect(warning).toContain(JSON.stringify(value));
    expect(warning).toContain(expected);
    expect(warning).toContain(`using ${fallback}`);
  });

  it('falls back to a valid OTEL_* value when AUTOBOT_* is invalid, and says so', () => {
    const config = resolveTracingConfig(
      {},
      { AUTOBOT_TRACE_SAMPLE_RATE: 'abc', OTEL_TRACES_SAMPLER_ARG: '0.2' },
    );
    expect(config.sampleRate).toBe(0.2);
    expect(config.warnings).toEqual([
      'AUTOBOT_TRACE_SAMPLE_RATE="abc" is invalid (expected a number from 0 to 1); using 0.2',
    ]);
  });

  it('treats empty variables as unset, silently', () => {
    const config = resolveTracingConfig({}, { AUTOBOT_TRACE_SAMPLE_RATE: '', AUTOBOT_ENV: '' });
    expect(config.sampleRate).toBe(1);
    expect(config.warnings).toEqual([]);
  });

  it('throws a coded error for invalid code options (programmer error)', () => {
    expect(() => resolveTracingConfig({ sampleRate: 2 }, {})).toThrow(TracingConfigError);
    expect(() => resolveTracingConfig({ endpoint: 'nope' }, {})).toThrowError(
      expect.objectContaining({ code: 'AUTOBOT_ERR_TRACING_INVALID_OPTION' }),
    );
    expect(() => resolveTracingConfig({ maxQueueSize: -1 }, {})).toThrow(/maxQueueSize/);
  });
});
