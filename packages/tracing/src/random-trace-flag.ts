import {
  type Context,
  context as contextApi,
  INVALID_TRACEID,
  type Span,
  type SpanContext,
  type SpanOptions,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { FLAG_RANDOM } from './w3c-trace-context.js';

/**
 * W3C Trace Context Level 2 §3.2.2.5.2 "Random Trace ID Flag" for SDK spans.
 *
 * The SDK gives every new span `traceFlags` SAMPLED or NONE, nothing else, so the random bit
 * (0x02) of an incoming traceparent would be lost at the first span, and new traces would
 * never set it. These wrappers set it on the span context right after the SDK creates it:
 * - a span continuing a trace (same trace id as its parent) has the bit iff its parent has it
 *   ("If the flag is set in the incoming traceparent header, it MUST also be set in all
 *   outgoing traceparent headers which use the same trace-id", and unset when unset);
 * - a span starting a new trace has it: the SDK's RandomIdGenerator draws all 16 bytes at
 *   random (§3.2.2.3 "the corresponding random trace id flag SHOULD be set").
 *
 * The span context object is the one the span (recording or not) hands out, so the bit reaches
 * children, the propagators and the exporter (OTLP span flags carry the W3C flags in bits 0-7).
 * The shared invalid span context of suppressed tracing is never touched.
 */
export class RandomTraceFlagTracer implements Tracer {
  constructor(private readonly inner: Tracer) {}

  startSpan(name: string, options?: SpanOptions, context: Context = contextApi.active()): Span {
    const span = this.inner.startSpan(name, options, context);
    const parent = options?.root ? undefined : trace.getSpanContext(context);
    markRandomFlag(span.spanContext(), parent);
    return span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    context: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    arg2: F | SpanOptions,
    arg3?: F | Context,
    arg4?: F,
  ): ReturnType<F> {
    let options: SpanOptions | undefined;
    let parentContext: Context | undefined;
    let fn: F;
    if (typeof arg2 === 'function') fn = arg2;
    else if (typeof arg3 === 'function') {
      options = arg2;
      fn = arg3;
    } else {
      options = arg2;
      parentContext = arg3;
      fn = arg4 as F;
    }
    const ctx = parentContext ?? contextApi.active();
    const span = this.startSpan(name, options, ctx);
    return contextApi.with(trace.setSpan(ctx, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }
}

function markRandomFlag(spanContext: SpanContext, parent: SpanContext | undefined): void {
  // The SDK hands out either a span context with fresh valid ids or the shared invalid one
  // (suppressed tracing): comparing with the invalid trace id replaces isSpanContextValid's two
  // regex tests per span. A parent with the same trace id as the new span is one the SDK took as
  // valid (for an invalid parent it draws a new trace id), so no test is needed for it either.
  if (spanContext.traceId === INVALID_TRACEID) return;
  const continued = parent !== undefined && parent.traceId === spanContext.traceId;
  const random = continued ? (parent.traceFlags & FLAG_RANDOM) !== 0 : true;
  if (random) spanContext.traceFlags |= FLAG_RANDOM;
}

/** The SDK provider whose tracers are {@link RandomTraceFlagTracer}s (one per SDK tracer). */
export class RandomTraceFlagTracerProvider extends TracerProvider {
  private readonly wrapped = new WeakMap<Tracer, Tracer>();

  override getTracer(name: string, version?: string, options?: { schemaUrl?: string }): Tracer {
    const inner = super.getTracer(name, version, options);
    let outer = this.wrapped.get(inner);
    if (outer === undefined) {
      outer = new RandomTraceFlagTracer(inner);
      this.wrapped.set(inner, outer);
    }
    return outer;
  }

  private readonly scopes = new Map<string, InstrumentationScope>();

  /** The instrumentation scope the SDK tracer named `name` (no version) gives its spans. */
  instrumentationScope(name: string): InstrumentationScope {
    let scope = this.scopes.get(name);
    if (scope === undefined) {
      const tracer = super.getTracer(name) as unknown as { instrumentationScope: InstrumentationScope };
      scope = tracer.instrumentationScope;
      // Our instrumentation uses a handful of names; the SDK keeps every tracer anyway.
      this.scopes.set(name, scope);
    }
    return scope;
  }
}
