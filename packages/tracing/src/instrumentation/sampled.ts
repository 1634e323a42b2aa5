import { type Context, TraceFlags, trace } from '@opentelemetry/api';

/**
 * True when `ctx` holds a valid parent span that was NOT sampled. Our sampler is
 * ParentBased(TraceIdRatio): a child of such a parent is never recorded, so instrumentation can
 * skip the span (and the attributes it would have built) entirely. Measured: at sample rate 0
 * the redis/fetch spans of an unsampled request cost ≈ 10 µs of CPU for nothing
 * (bench/RESULTS.md). With a foreign provider whose sampler records children of unsampled
 * parents, those children are not created; that is the only behavioural difference.
 */
export function parentNotSampled(ctx: Context): boolean {
  const parent = trace.getSpan(ctx);
  if (parent === undefined) return false;
  const spanContext = parent.spanContext();
  // Flags first: the validity check is two regex tests, needed only for unsampled parents.
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 && trace.isSpanContextValid(spanContext);
}
