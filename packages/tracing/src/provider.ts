import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanLimits,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  type TracerProvider,
} from '@opentelemetry/sdk-trace';
import { B3AwareSampler } from './b3-sampler.js';
import type { TracingConfig, TracingOptions } from './config.js';
import { ExportStatsRecorder } from './export-stats.js';
import { createConsoleExporter, createOtlpExporter } from './exporter.js';
import { idGenerator } from './instrumentation/fast-path.js';
import type { LeanSpanPipeline } from './instrumentation/lean-span.js';
import { EncodeOnEndSpanProcessor } from './otlp/encoded-export.js';
import { RandomTraceFlagTracerProvider } from './random-trace-flag.js';

/** A tracer provider with the pieces the TracingService needs to report on it. */
export interface BuiltProvider {
  provider: TracerProvider;
  stats: ExportStatsRecorder;
  /** What our instrumentation needs to make recording spans of this provider without its tracer. */
  leanPipeline: LeanSpanPipeline;
}

/** The SDK's default span limits, given to the provider and to lean spans alike. */
const SPAN_LIMITS: Required<SpanLimits> = {
  attributeCountLimit: 128,
  attributeValueLengthLimit: Number.POSITIVE_INFINITY,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
};

/**
 * Build the tracer provider by hand (not NodeSDK, which also starts metric and log pipelines):
 * resource, `ParentBased(TraceIdRatioBased(rate))` sampling, a bounded BatchSpanProcessor in
 * front of the OTLP exporter (spans encoded to protobuf as they end), and a console exporter when
 * asked.
 */
export function createTracerProvider(
  config: TracingConfig,
  spanExporter: TracingOptions['spanExporter'],
): BuiltProvider {
  const stats = new ExportStatsRecorder();
  const batch = new BatchSpanProcessor({
    exporter: spanExporter ?? createOtlpExporter(config),
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: Math.min(config.maxExportBatchSize, config.maxQueueSize),
    scheduledDelayMillis: config.scheduledDelayMs,
    exportTimeoutMillis: config.exportTimeoutMs,
    selfObsMeterProvider: stats,
  });
  // Our OTLP exporter takes spans encoded as they end; a caller's exporter gets the SDK's spans.
  const spanProcessors: SpanProcessor[] = [spanExporter ? batch : new EncodeOnEndSpanProcessor(batch)];
  if (config.console) spanProcessors.push(new SimpleSpanProcessor({ exporter: createConsoleExporter() }));

  const resource = resourceFromAttributes({
    'service.name': config.serviceName,
    'service.version': config.serviceVersion,
    'service.namespace': 'autobot',
    'service.instance.id': randomUUID(),
    'deployment.environment.name': config.environment,
    'host.name': hostname(),
    'process.pid': process.pid,
    'process.runtime.name': 'nodejs',
    'process.runtime.version': process.versions.node,
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
  });
  // The subclass only wraps getTracer() so spans keep/set the W3C random trace-id flag (0x02),
  // which the SDK itself drops; see random-trace-flag.ts. Everything else is the SDK provider.
  const provider = new RandomTraceFlagTracerProvider({
    resource,
    sampler: createSampler(config.sampleRate),
    // Hands the SDK the trace id the unsampled fast path already sampled a root by.
    idGenerator,
    spanProcessors,
    forceFlushTimeoutMillis: config.shutdownTimeoutMs,
    spanLimits: SPAN_LIMITS,
  });
  const leanPipeline: LeanSpanPipeline = {
    resource,
    processors: spanProcessors,
    limits: SPAN_LIMITS,
    scope: (name) => provider.instrumentationScope(name),
  };
  return { provider, stats, leanPipeline };
}

/**
 * The spec's sampler: a root is kept with probability `rate` (by trace id); children follow their
 * parent. A B3 sampling state without ids decides a new root instead of `rate`, and B3 ids with a
 * deferred decision are sampled by `rate` (see b3-sampler.ts).
 */
export function createSampler(rate: number): Sampler {
  const root = new TraceIdRatioBasedSampler(rate);
  return new B3AwareSampler(new ParentBasedSampler({ root }), root);
}
