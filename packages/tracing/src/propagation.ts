import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import { type B3InjectMode, B3Propagator } from './b3.js';
import { W3CTraceContextPropagator } from './w3c-trace-context.js';

/** Options of {@link createPropagator}. */
export interface PropagatorOptions {
  /** B3 encodings written on outgoing requests: `single` (default), `multi`, `both` or `none`. */
  b3Inject?: B3InjectMode;
}

/**
 * W3C Trace Context Level 2 + W3C baggage + B3, all ours except baggage.
 *
 * Injection writes `traceparent`, `tracestate` (never empty), `baggage` and B3 (`b3` single
 * header by default; `X-B3-*` with `b3Inject: 'multi' | 'both'`; no B3 with `'none'`).
 * Extraction accepts `traceparent`/`tracestate`, single `b3` and multi `X-B3-*`.
 *
 * Order matters: a composite propagator extracts in order and each extractor replaces the span
 * context of the previous one. B3 carries no tracestate, so B3 runs FIRST and W3C after it: when
 * both are valid the W3C context (with its tracestate) wins; when the traceparent is absent or
 * invalid the W3C extractor leaves B3's context untouched, and an invalid B3 leaves the context
 * as it was. No extractor throws; the composite also catches and logs, as a last resort.
 */
export function createPropagator(options: PropagatorOptions = {}): TextMapPropagator {
  return new CompositePropagator({
    propagators: [
      new B3Propagator(options.b3Inject ?? 'single'),
      new W3CTraceContextPropagator(),
      new W3CBaggagePropagator(),
    ],
  });
}
