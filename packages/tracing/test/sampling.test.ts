import { randomBytes } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { createSampler } from '../src/index.js';

const sampledIds = (rate: number, count: number) => {
  const sampler = createSampler(rate);
  let sampled = 0;
  for (let i = 0; i < count; i++) {
    const traceId = randomBytes(16).toString('hex');
    const result = sampler.shouldSample(ROOT_CONTEXT, traceId, 'root', SpanKind.SERVER, {}, []);
    if (result.decision === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
  }
  return sampled;
};

const withRemoteParent = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });

describe('ParentBased(TraceIdRatioBased) sampling', () => {
  it('samples about 10% of 20,000 root traces at rate 0.1 (within ±3.5 sd)', () => {
    const sampled = sampledIds(0.1, 20_000);
    expect(sampled).toBeGreaterThanOrEqual(1850);
    expect(sampled).toBeLessThanOrEqual(2150);
  });

  it('samples everything at 1.0 and nothing at 0.0', () => {
    expect(sampledIds(1, 1000)).toBe(1000);
    expect(sampledIds(0, 1000)).toBe(0);
  });

  it('gives the same decision for the same trace id, every time and in every sampler instance', () => {
    const ids = Array.from({ length: 500 }, () => randomBytes(16).toString('hex'));
    const decide = (id: string) =>
      createSampler(0.3).shouldSample(ROOT_CONTEXT, id, 'x', SpanKind.INTERNAL, {}, []).decision;
    const first = ids.map(decide);
    expect(ids.map(decide)).toEqual(first);
    expect(first.some((d) => d === SamplingDecision.RECORD_AND_SAMPLED)).toBe(true);
    expect(first.some((d) => d === SamplingDecision.NOT_RECORD)).toBe(true);
  });

  it('follows a sampled remote parent even at rate 0', () => {
    const sampler = createSampler(0);
    for (let i = 0; i < 100; i++) {
      const parent = withRemoteParent(true);
      const traceId = trace.getSpanContext(parent)?.traceId ?? '';
      expect(sampler.shouldSample(parent, traceId, 'child', SpanKind.SERVER, {}, []).decision).toBe(
        SamplingDecision.RECORD_AND_SAMPLED,
      );
    }
  });

  it('follows an unsampled remote parent even at rate 1', () => {
    const sampler = createSampler(1);
    for (let i = 0; i < 100; i++) {
      const parent = withRemoteParent(false);
      const traceId = trace.getSpanContext(parent)?.traceId ?? '';
      expect(sampler.shouldSample(parent, traceId, 'child', SpanKind.SERVER, {}, []).decision).toBe(
        SamplingDecision.NOT_RECORD,
      );
    }
    expect(context.active()).toBe(ROOT_CONTEXT);
  });
});
