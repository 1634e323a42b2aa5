import { context, propagation, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowercaseGetter, normalizeHeaders } from '../src/headers.js';
import { createPropagator } from '../src/index.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const propagator = createPropagator();

const extract = (headers: Record<string, string>) =>
  trace.getSpanContext(propagator.extract(ROOT_CONTEXT, normalizeHeaders(headers), lowercaseGetter));

const inject = (ctx = ROOT_CONTEXT) => {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier;
};

describe('propagation: W3C + baggage + B3', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => context.disable());

  it('round-trips W3C traceparent with tracestate preserved, and writes b3 too', () => {
    const incoming = {
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      tracestate: 'vendor1=a,vendor2=b',
    };
    const ctx = propagator.extract(ROOT_CONTEXT, incoming, lowercaseGetter);
    const out = inject(ctx);
    expect(out.traceparent).toBe(incoming.traceparent);
    expect(out.tracestate).toBe('vendor1=a,vendor2=b');
    expect(out.b3).toBe(`${TRACE_ID}-${SPAN_ID}-1`);
  });

  it('keeps tracestate when both b3 and traceparent arrive (B3 must not wipe it)', () => {
    const ctx = extract({
      b3: `${TRACE_ID}-${SPAN_ID}-1`,
      traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
      tracestate: 'k=v',
    });
    expect(ctx?.traceState?.serialize()).toBe('k=v');
  });

  it('accepts single-header b3', () => {
    expect(extract({ b3: `${TRACE_ID}-${SPAN_ID}-1` })).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(extract({ b3: `${TRACE_ID}-${SPAN_ID}-0` })?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('accepts multi-header X-B3-*, whatever the header case', () => {
    expect(extract({ 'X-B3-TraceId': TRACE_ID, 'X-B3-SpanId': SPAN_ID, 'X-B3-Sampled': '1' })).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
    });
  });

  it('rejects upper-case B3 ids (B3 README "TraceId": lower-hex), so nothing invalid goes downstream', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      normalizeHeaders({
        'X-B3-TraceId': TRACE_ID.toUpperCase(),
        'X-B3-SpanId': SPAN_ID.toUpperCase(),
        'X-B3-Sampled': '1',
      }),
      lowercaseGetter,
    );
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(inject(ctx)).not.toHaveProperty('traceparent');
  });

  it('writes no empty tracestate when every incoming member was invalid', () => {
    const ctx = propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'BAD KEY=1' },
      lowercaseGetter,
    );
    const out = inject(ctx);
    expect(out.traceparent).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(out).not.toHaveProperty('tracestate');
  });

  it('passes baggage through', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, { baggage: 'user=alice,tier=gold' }, lowercaseGetter);
    expect(propagation.getBaggage(ctx)?.getEntry('user')?.value).toBe('alice');
    expect(inject(ctx).baggage).toBe('user=alice,tier=gold');
  });

  it.each([
    ['wrong length', { traceparent: `00-${TRACE_ID.slice(2)}-${SPAN_ID}-01` }],
    ['all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }],
    ['all-zero span id', { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }],
    ['bad version ff', { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }],
    ['uppercase hex', { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` }],
    ['garbage', { traceparent: 'hello' }],
    ['b3 garbage', { b3: 'not-a-b3-header' }],
    ['b3 zero ids', { b3: `${'0'.repeat(32)}-${'0'.repeat(16)}-1` }],
    ['x-b3 non-hex id', { 'x-b3-traceid': 'z'.repeat(32), 'x-b3-spanid': SPAN_ID }],
    ['x-b3 missing span id', { 'x-b3-traceid': TRACE_ID }],
  ])('ignores an invalid header (%s) without throwing: a new trace starts', (_label, headers) => {
    expect(() => extract(headers)).not.toThrow();
    expect(extract(headers)).toBeUndefined();
  });
});
