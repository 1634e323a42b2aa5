import { randomBytes } from 'node:crypto';
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { SamplingDecision, TraceIdRatioBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { B3Propagator } from '../../src/b3.js';
import { idGenerator, setSamplingHint, unsampledSpan } from '../../src/instrumentation/fast-path.js';
import { createSampler } from '../../src/provider.js';
import { CheckedSpanContext, isValidSpanContext } from '../../src/span-context.js';
import { W3CTraceContextPropagator } from '../../src/w3c-trace-context.js';

const hint = (rate: number) => setSamplingHint({ root: new TraceIdRatioBasedSampler(rate), rate });
const parentWith = (flags: TraceFlags) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: flags,
    traceState: new TraceState('vendor=x'),
    isRemote: true,
  });

afterEach(() => setSamplingHint(undefined));

describe('unsampled fast path', () => {
  it('decides roots exactly as the provider would: a root it passes on keeps its sampled trace id', () => {
    const rate = 0.3;
    hint(rate);
    const tracer = new TracerProvider({ sampler: createSampler(rate), idGenerator }).getTracer('t');
    const ratio = new TraceIdRatioBasedSampler(rate);
    let recorded = 0;
    for (let i = 0; i < 3000; i++) {
      const fast = unsampledSpan(ROOT_CONTEXT);
      const span = fast ?? tracer.startSpan('root', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
      const { traceId, traceFlags } = span.spanContext();
      const decision = ratio.shouldSample(ROOT_CONTEXT, traceId, '', SpanKind.SERVER, {}, []).decision;
      if (fast === undefined) {
        // Handed to the SDK: it must record it (same id, same test), never re-draw the id.
        expect(span.isRecording()).toBe(true);
        expect(decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
        recorded++;
      } else {
        expect(span.isRecording()).toBe(false);
        // Not sampled, and a new random trace id carries the random flag (W3C Level 2 §3.2.2.5).
        expect(traceFlags).toBe(0x02);
        expect(decision).toBe(SamplingDecision.NOT_RECORD);
      }
      span.end();
    }
    // ±3.5 sd of a binomial(3000, 0.3)
    expect(recorded).toBeGreaterThan(900 - 88);
    expect(recorded).toBeLessThan(900 + 88);
  });

  it('makes every root unsampled at rate 0 with fresh valid ids, and none at rate 1', () => {
    hint(0);
    const a = unsampledSpan(ROOT_CONTEXT)?.spanContext();
    const b = unsampledSpan(ROOT_CONTEXT)?.spanContext();
    expect(a && trace.isSpanContextValid(a)).toBe(true);
    expect(a?.traceId).not.toBe(b?.traceId);
    expect(a?.spanId).toMatch(/^[0-9a-f]{16}$/);
    hint(1);
    expect(unsampledSpan(ROOT_CONTEXT)).toBeUndefined();
  });

  it('draws distinct, valid ids across refills of its random pool', () => {
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    // 1,000 × (16 + 8) bytes: several refills of the 4 KB pool.
    for (let i = 0; i < 1000; i++) {
      traceIds.add(idGenerator.generateTraceId());
      spanIds.add(idGenerator.generateSpanId());
    }
    expect(traceIds.size).toBe(1000);
    expect(spanIds.size).toBe(1000);
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('judges span contexts valid exactly as the API does (OpenTelemetry API isSpanContextValid)', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const cases: [string, string][] = [
      [traceId, spanId],
      [traceId.toUpperCase(), spanId.toUpperCase()],
      ['0'.repeat(32), spanId],
      [traceId, '0'.repeat(16)],
      [`${'0'.repeat(31)}1`, `${'0'.repeat(15)}1`],
      [traceId.slice(1), spanId],
      [`${traceId}0`, spanId],
      [traceId, spanId.slice(1)],
      [traceId.replace('4', 'g'), spanId],
      [traceId, spanId.replace('f', 'G')],
      [traceId, ` ${spanId.slice(1)}`],
      ['', ''],
      [traceId, `${spanId.slice(0, 15)}\u00e9`],
    ];
    for (const [t, s] of cases) {
      const ctx = { traceId: t, spanId: s, traceFlags: 0 };
      expect(isValidSpanContext(ctx), `${t} / ${s}`).toBe(trace.isSpanContextValid(ctx));
    }
  });

  it('trusts a CheckedSpanContext without a scan, and checks a copy of one in full', () => {
    const checked = new CheckedSpanContext('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 1);
    expect(isValidSpanContext(checked)).toBe(true);
    // A spread copy is a plain object: its (changed) ids are scanned.
    expect(isValidSpanContext({ ...checked, traceId: 'z'.repeat(32) })).toBe(false);
    expect(isValidSpanContext({ ...checked, spanId: '0'.repeat(16) })).toBe(false);
  });

  it('gives checked span contexts from extract and from the unsampled fast path', () => {
    hint(0);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const carrier = { traceparent: `00-${traceId}-00f067aa0ba902b7-00`, b3: `${traceId}-00f067aa0ba902b7-0` };
    const w3c = new W3CTraceContextPropagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    const b3 = new B3Propagator().extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    for (const parent of [w3c, b3]) {
      const parentContext = trace.getSpanContext(parent);
      expect(parentContext).toBeInstanceOf(CheckedSpanContext);
      expect(parentContext).toMatchObject({ traceId, spanId: '00f067aa0ba902b7', isRemote: true });
      const child = unsampledSpan(parent)?.spanContext();
      expect(child).toBeInstanceOf(CheckedSpanContext);
      expect(child?.traceId).toBe(traceId);
      expect(trace.isSpanContextValid(child as CheckedSpanContext)).toBe(true);
    }
    const root = unsampledSpan(ROOT_CONTEXT)?.spanContext();
    expect(root).toBeInstanceOf(CheckedSpanContext);
    expect(trace.isSpanContextValid(root as CheckedSpanContext)).toBe(true);
  });

  it('continues an unsampled parent: same trace id and tracestate, a new span id, not sampled', () => {
    hint(1);
    const parent = parentWith(TraceFlags.NONE);
    const parentContext = trace.getSpanContext(parent);
    const child = unsampledSpan(parent)?.spanContext();
    expect(child?.traceId).toBe(parentContext?.traceId);
    expect(child?.spanId).not.toBe(parentContext?.spanId);
    expect(child?.traceFlags).toBe(TraceFlags.NONE);
    expect(child?.traceState?.get('vendor')).toBe('x');
    // The random trace-id flag of the parent travels with its trace id (W3C Level 2 §3.2.2.5).
    expect(unsampledSpan(parentWith(0x02))?.spanContext().traceFlags).toBe(0x02);
  });

  it('leaves a request with a B3 sampling state to the B3-aware sampler (b3: 1 without ids is sampled)', () => {
    hint(0);
    const withHint = new B3Propagator().extract(ROOT_CONTEXT, { b3: '1' }, defaultTextMapGetter);
    expect(unsampledSpan(withHint)).toBeUndefined();
  });

  it('takes B3 ids with a decision as an ordinary parent (b3: …-0 is continued unsampled), defer to the SDK', () => {
    hint(0.5);
    const traceId = randomBytes(16).toString('hex');
    const extract = (b3: string) => new B3Propagator().extract(ROOT_CONTEXT, { b3 }, defaultTextMapGetter);
    // What our own services send on an unsampled request: the child is known unsampled, ids only.
    const denied = unsampledSpan(extract(`${traceId}-00f067aa0ba902b7-0`));
    expect(denied?.spanContext().traceId).toBe(traceId);
    expect(denied?.isRecording()).toBe(false);
    // A deferred decision ("I don't know yet") is the B3-aware sampler's, by ratio.
    expect(unsampledSpan(extract(`${traceId}-00f067aa0ba902b7`))).toBeUndefined();
    // A sampled B3 parent is the SDK's.
    expect(unsampledSpan(extract(`${traceId}-00f067aa0ba902b7-1`))).toBeUndefined();
  });

  it('leaves sampled parents, and every span when the provider is not ours, to the SDK', () => {
    hint(0);
    expect(unsampledSpan(parentWith(TraceFlags.SAMPLED))).toBeUndefined();
    setSamplingHint(undefined);
    expect(unsampledSpan(ROOT_CONTEXT)).toBeUndefined();
    expect(unsampledSpan(parentWith(TraceFlags.NONE))).toBeUndefined();
  });
});
