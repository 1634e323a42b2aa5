import type { TextMapPropagator } from '@opentelemetry/api';
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
  return new CompositePropagator({
    propagators: [
      new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER }),
      new W3CTraceContextPropagator(),
      new W3CBaggagePropagator(),
    ],
  });
}
