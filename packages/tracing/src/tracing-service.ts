import {
  type Attributes,
  type AttributeValue,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  type Span,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TraceIdRatioBasedSampler, type TracerProvider } from '@opentelemetry/sdk-trace';
import type { FastifyInstance } from 'fastify';
import { resolveTracingConfig, type TracingConfig, type TracingOptions } from './config.js';
import { LEAN_ROOT_CONTEXT } from './context/lean-context.js';
import type { Env } from './env.js';
import type { ExportStats, ExportStatsRecorder } from './export-stats.js';
import { type HeaderCarrier, lowercaseGetter, normalizeHeaders } from './headers.js';
import { setSamplingHint } from './instrumentation/fast-path.js';
import { setTraceResponseHeader } from './instrumentation/fastify.js';
import {
  type InstrumentAllOptions,
  type InstrumentationResult,
  instrumentAll,
} from './instrumentation/instrument-all.js';
import { setRedisRootSpans } from './instrumentation/redis.js';
import { info, warn } from './logger.js';
import { createPropagator } from './propagation.js';
import { createTracerProvider } from './provider.js';
import { recordError } from './record-error.js';
import { installShutdownHooks } from './shutdown-hooks.js';
import { checkSpanName } from './span-names.js';

const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const NO_STATS: ExportStats = Object.freeze({ exported: 0, failed: 0, dropped: 0, queued: 0 });
const TRACER_NAME = 'autobot';

/**
 * The process-wide tracing facade (the spec's `tracing_service.py`).
 *
 * Before `initialize()`, after `shutdown()`, or when tracing is disabled, every method is a cheap
 * no-op that still runs the caller's function. No method throws because of tracing.
 */
export class TracingService {
  private tracer: Tracer | undefined;
  private provider: TracerProvider | undefined;
  private statsRecorder: ExportStatsRecorder | undefined;
  private resolved: TracingConfig | undefined;
  private checkNames = false;
  private removeShutdownHooks: (() => void) | undefined;
  private reporter: NodeJS.Timeout | undefined;
  private shuttingDown: Promise<void> | undefined;
  private lastReported: ExportStats = NO_STATS;

  /** True once initialized with tracing enabled, until shutdown. */
  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** The effective configuration, once `initialize` has run. */
  get config(): TracingConfig | undefined {
    return this.resolved;
  }

  /**
   * Set up the provider, exporter, propagators and context manager, and register them globally.
   *
   * @returns true when tracing is on; false when it is disabled by configuration or could not be
   *   set up (a warning says why). Never throws. A second call warns and changes nothing.
   */
  initialize(options: TracingOptions = {}, env: Env = process.env): boolean {
    if (this.resolved) {
      warn('TracingService.initialize() called twice; keeping the first configuration');
      return this.enabled;
    }
    try {
      const config = resolveTracingConfig(options, env);
      this.resolved = config;
      for (const line of config.warnings) warn(line);
      if (!config.enabled) {
        info(`tracing disabled for ${config.serviceName}; spans are not recorded`);
        return false;
      }
      const { provider, stats, leanPipeline } = createTracerProvider(config, options.spanExporter);
      this.provider = provider;
      this.statsRecorder = stats;
      if (registerGlobals(provider, config)) {
        // Our provider serves the global API: instrumentation may decide unsampled spans itself.
        setSamplingHint({
          root: new TraceIdRatioBasedSampler(config.sampleRate),
          rate: config.sampleRate,
          pipeline: leanPipeline,
        });
      }
      setRedisRootSpans(config.redisRootSpans);
      setTraceResponseHeader(config.traceResponse);
      this.tracer = provider.getTracer(TRACER_NAME, config.serviceVersion);
      this.checkNames = config.environment === 'development';
      if (config.handleSignals) this.removeShutdownHooks = installShutdownHooks(() => this.shutdown());
      if (config.reportIntervalMs > 0) this.startReporter(config);
      return true;
    } catch (error) {
      warn(`tracing could not be initialized, continuing without it: ${(error as Error)?.message ?? error}`);
      this.tracer = undefined;
      return false;
    }
  }

  /**
   * Run `fn` inside a new active span, sync or async. The span ends exactly once, when `fn`
   * returns or its promise settles; an error is recorded (see `recordError`) and rethrown as is.
   */
  span<T>(name: string, fn: (span: Span) => T): T;
  span<T>(name: string, options: SpanOptions, fn: (span: Span) => T): T;
  span<T>(name: string, optionsOrFn: SpanOptions | ((span: Span) => T), maybeFn?: (span: Span) => T): T {
    const fn = (typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn) as (span: Span) => T;
    const tracer = this.tracer;
    if (tracer === undefined) return fn(NOOP_SPAN);
    if (this.checkNames) checkSpanName(name);
    const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
    return tracer.startActiveSpan(name, options, (span) => runInSpan(span, fn));
  }

  /**
   * Instrument the Fastify `app`, Redis (ioredis) and outgoing fetch in one call (the spec's
   * `instrument_all`). Does nothing and reports all false when tracing is off. Never throws.
   */
  instrumentAll(app?: FastifyInstance, options?: InstrumentAllOptions): InstrumentationResult {
    if (this.tracer === undefined) return { fastify: false, redis: false, fetch: false };
    const result = instrumentAll(app, options);
    info(
      `instrumented ${
        Object.entries(result)
          .filter(([, on]) => on)
          .map(([name]) => name)
          .join(', ') || 'nothing'
      }`,
    );
    return result;
  }

  /** Start a span that is not made active; the caller ends it. */
  startSpan(name: string, options?: SpanOptions): Span {
    if (this.tracer === undefined) return NOOP_SPAN;
    if (this.checkNames) checkSpanName(name);
    return this.tracer.startSpan(name, options);
  }

  /** The tracer behind this service (a no-op tracer when tracing is off). */
  getTracer(): Tracer {
    return this.tracer ?? trace.getTracer(TRACER_NAME);
  }

  /** Add an event to the active span, if any. */
  addEvent(name: string, attributes?: Attributes): void {
    trace.getActiveSpan()?.addEvent(name, attributes);
  }

  /** Set an attribute on the active span, if any. */
  setAttribute(key: string, value: AttributeValue): void {
    trace.getActiveSpan()?.setAttribute(key, value);
  }

  /** Set several attributes on the active span, if any. */
  setAttributes(attributes: Attributes): void {
    trace.getActiveSpan()?.setAttributes(attributes);
  }

  /** Record `error` on the active span, if any (the shared error recording). */
  setError(error: unknown): void {
    const span = trace.getActiveSpan();
    if (span) recordError(span, error);
  }

  /** Headers that carry the active trace to another process: `traceparent`, `tracestate`, `b3`, `baggage`. */
  getTraceContext(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.tracer === undefined) return headers;
    try {
      propagation.inject(context.active(), headers);
    } catch {
      // a broken propagator costs the headers, never the request
    }
    return headers;
  }

  /** Run `fn` in the trace context carried by incoming `headers` (W3C or B3); invalid headers start a new trace. */
  withTraceContext<T>(headers: HeaderCarrier | undefined, fn: () => T): T {
    if (this.tracer === undefined) return fn();
    let extracted = LEAN_ROOT_CONTEXT;
    try {
      extracted = propagation.extract(LEAN_ROOT_CONTEXT, normalizeHeaders(headers), lowercaseGetter);
    } catch {
      // malformed headers are ignored: a new trace starts
    }
    return context.with(extracted, fn);
  }

  /** The active trace id (32 hex digits), or undefined outside a recorded trace. */
  currentTraceId(): string | undefined {
    const spanContext = trace.getActiveSpan()?.spanContext();
    return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  }

  /** Counts of exported, failed and dropped spans since start, and the current queue length. */
  stats(): ExportStats {
    return this.statsRecorder?.snapshot() ?? NO_STATS;
  }

  /** Export every ended span now; resolves within the shutdown timeout, never rejects. */
  async forceFlush(): Promise<void> {
    const provider = this.provider;
    if (!provider || !this.resolved) return;
    await withTimeout(provider.forceFlush(), this.resolved.shutdownTimeoutMs, 'flush');
  }

  /**
   * Flush and stop: every span ended so far is exported (within the shutdown timeout), then the
   * service goes back to no-op mode. Idempotent; never rejects.
   */
  shutdown(): Promise<void> {
    this.shuttingDown ??= this.doShutdown();
    return this.shuttingDown;
  }

  private async doShutdown(): Promise<void> {
    const provider = this.provider;
    const config = this.resolved;
    this.removeShutdownHooks?.();
    if (this.reporter) clearInterval(this.reporter);
    this.tracer = undefined;
    setSamplingHint(undefined);
    if (!provider || !config) return;
    await withTimeout(provider.shutdown(), config.shutdownTimeoutMs, 'shutdown');
    this.report(config);
  }

  private startReporter(config: TracingConfig): void {
    this.reporter = setInterval(() => this.report(config), config.reportIntervalMs);
    this.reporter.unref();
  }

  /** One summary line when spans were dropped or failed since the last report; silence otherwise. */
  private report(config: TracingConfig): void {
    const now = this.stats();
    const dropped = now.dropped - this.lastReported.dropped;
    const failed = now.failed - this.lastReported.failed;
    this.lastReported = now;
    if (dropped === 0 && failed === 0) return;
    warn(
      `${failed} span(s) failed to export to ${config.endpoint} and ${dropped} were dropped (queue full at ` +
        `${config.maxQueueSize}) since the last report; totals: exported ${now.exported}, failed ${now.failed}, dropped ${now.dropped}`,
    );
  }
}

function runInSpan<T>(span: Span, fn: (span: Span) => T): T {
  let result: T;
  try {
    result = fn(span);
  } catch (error) {
    recordError(span, error);
    span.end();
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        recordError(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** Register the globals; true when `provider` became the global tracer provider. */
function registerGlobals(provider: TracerProvider, config: TracingConfig): boolean {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager)) contextManager.disable();
  if (!propagation.setGlobalPropagator(createPropagator({ b3Inject: config.b3Inject }))) {
    warn('a global propagator was already registered; keeping it (B3 headers may not be read)');
  }
  if (!trace.setGlobalTracerProvider(provider)) {
    warn(
      'a global tracer provider was already registered; AutoBot spans still export, third-party ones may not',
    );
    return false;
  }
  return true;
}

async function withTimeout(promise: Promise<void>, timeoutMs: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([promise.then(() => 'done' as const), timeout]);
    if (outcome === 'timeout')
      warn(`trace ${what} did not finish within ${timeoutMs} ms; unsent spans are lost`);
  } catch (error) {
    warn(`trace ${what} failed: ${(error as Error)?.message ?? error}`);
  } finally {
    clearTimeout(timer);
  }
}

let singleton: TracingService | undefined;

/** The process-wide TracingService (created on first use, not initialized). */
export function getTracingService(): TracingService {
  singleton ??= new TracingService();
  return singleton;
}
