import { type Attributes, type Context, type Link, type SpanKind, trace } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace';
import { getB3Hint } from './b3.js';
import { isValidSpanContext } from './span-context.js';

/**
 * Wraps the parent-based sampler so the two B3 sampling states a span context cannot carry
 * still decide (B3 README "Sampling State"):
 *
 * - a sampling state sent without ids (`b3: 0|1|d`, or `X-B3-Sampled`/`X-B3-Flags` alone) is
 *   the caller's decision for the new root trace: deny → not recorded, accept/debug → recorded
 *   and sampled, whatever the root sampling rate. It only applies to a span without a valid
 *   parent; a traceparent or B3 ids in the same request take over as the parent decision.
 * - ids sent without a sampling state ("Defer: aka I don't know yet!") leave the decision to
 *   the receiver: the first span under that remote parent is sampled by the root sampler
 *   (ratio by trace id) instead of being treated as an unsampled parent.
 *
 * Everything else goes to `parentBased` unchanged.
 */
export class B3AwareSampler implements Sampler {
  constructor(
    private readonly parentBased: Sampler,
    private readonly root: Sampler,
  ) {}

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const hint = getB3Hint(context);
    if (hint !== undefined) {
      const parent = trace.getSpanContext(context);
      const hasParent = parent !== undefined && isValidSpanContext(parent);
      if (!hasParent && hint.traceId === undefined && hint.state !== 'defer') {
        return {
          decision: hint.state === 'deny' ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED,
        };
      }
      if (hasParent && parent.isRemote && hint.state === 'defer' && hint.traceId === parent.traceId) {
        return this.root.shouldSample(context, traceId, spanName, spanKind, attributes, links);
      }
    }
    return this.parentBased.shouldSample(context, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `B3Aware{${this.parentBased.toString()}}`;
  }
}
