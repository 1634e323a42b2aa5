import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';

/**
 * W3C trace context + W3C baggage + B3.
 *
 * Injection writes `traceparent`, `tracestate`, `baggage` and single-header `b3`.
 * Extraction accepts `traceparent`, single `b3` and multi `X-B3-*`.
 *
 * Order matters: a composite propagator extracts in order and each extractor replaces the span
 * context of the previous one. B3 carries no tracestate, so B3 runs FIRST and W3C after it: when
 * both are present the W3C context (with its tracestate) wins; when only B3 is present the W3C
 * extractor leaves B3's context untouched.
 */
export function createPropagator(): TextMapPropagator {
  return new SanitizingPropagator(
    new CompositePropagator({
      propagators: [
        new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }),
        new W3CTraceContextPropagator(),
        new W3CBaggagePropagator(),
      ],
    }),
  );
}

/**
 * Two repairs around the SDK propagators, both found by the header fuzz run
 * (bench/faults/header-fuzz.test.mjs):
 * - B3 ids in upper case (`X-B3-TraceId: 2217BD84…`) pass the API's case-insensitive id check and
 *   would then be injected downstream as-is, producing a `traceparent` every W3C parser rejects:
 *   extracted ids are lower-cased.
 * - The W3C propagator injects `tracestate: ` (empty) when every incoming member was invalid;
 *   an empty list is not a valid tracestate, so empty headers are not written.
 */
class SanitizingPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(context, carrier, {
      set: (target, key, value) => {
        if (value !== '') setter.set(target, key, value);
      },
    });
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const extracted = this.inner.extract(context, carrier, getter);
    const spanContext = trace.getSpanContext(extracted);
    if (!spanContext || spanContext === trace.getSpanContext(context)) return extracted;
    const traceId = spanContext.traceId.toLowerCase();
    const spanId = spanContext.spanId.toLowerCase();
    if (traceId === spanContext.traceId && spanId === spanContext.spanId) return extracted;
    return trace.setSpanContext(extracted, { ...spanContext, traceId, spanId });
  }

  fields(): string[] {
    return this.inner.fields();
  }
}
