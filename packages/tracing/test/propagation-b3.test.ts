// B3 propagation (https://github.com/openzipkin/b3-propagation, README), table tests. Every row
// names the README section it checks: "Identifiers", "Sampling State", "Multiple Headers" (and
// its TraceId / SpanId / ParentSpanId / Sampling State / Debug Flag parts), "Single Header"
// (and its TraceId / SpanId / Sampling State / ParentSpanId parts), "Custom Encodings".
import { ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { lowercaseGetter, normalizeHeaders } from '../src/headers.js';
import {
  type B3InjectMode,
  B3Propagator,
  createPropagator,
  getB3Hint,
  parseB3Multi,
  parseB3Single,
} from '../src/index.js';

const T = '80f198ee56343ba864fe8b2a57d3eff7';
const T16 = '64fe8b2a57d3eff7';
const S = 'e457b5a2e4d86bd1';
const P = '05e3ac9a4f6e3b90';
const PADDED = `0000000000000000${T16}`;

describe('b3 single header parsing', () => {
  it.each([
    [
      '"Single Header": all four fields',
      `${T}-${S}-1-${P}`,
      { traceId: T, spanId: S, parentSpanId: P, state: 'accept' },
    ],
    [
      '"Single Header": the last two fields are optional (defer)',
      `${T}-${S}`,
      { traceId: T, spanId: S, state: 'defer' },
    ],
    ['"Sampling State": 1 = accept', `${T}-${S}-1`, { traceId: T, spanId: S, state: 'accept' }],
    ['"Sampling State": 0 = deny', `${T}-${S}-0`, { traceId: T, spanId: S, state: 'deny' }],
    ['"Sampling State": d = debug', `${T}-${S}-d`, { traceId: T, spanId: S, state: 'debug' }],
    [
      '"TraceId": 16 lower-hex, left-padded to 32',
      `${T16}-${S}-1`,
      { traceId: PADDED, spanId: S, state: 'accept' },
    ],
    ['"Sampling State": sent alone, deny ("b3: 0")', '0', { state: 'deny' }],
    ['"Sampling State": sent alone, accept', '1', { state: 'accept' }],
    ['"Sampling State": sent alone, debug', 'd', { state: 'debug' }],
  ])('accepts %s', (_section, header, fields) => {
    expect(parseB3Single(header)).toEqual(fields);
  });

  it.each([
    ['"TraceId": upper-case hex', `${T.toUpperCase()}-${S}-1`],
    ['"TraceId": 31 hex', `${T.slice(1)}-${S}-1`],
    ['"TraceId": 33 hex', `${T}0-${S}-1`],
    ['"TraceId": 15 hex', `${T16.slice(1)}-${S}-1`],
    ['"TraceId": 17 hex', `${T16}0-${S}-1`],
    ['"TraceId": not hex', `${T.slice(0, 31)}g-${S}-1`],
    ['"Identifiers": all-zero trace id', `${'0'.repeat(32)}-${S}-1`],
    ['"SpanId": upper-case hex', `${T}-${S.toUpperCase()}-1`],
    ['"SpanId": 15 hex', `${T}-${S.slice(1)}-1`],
    ['"SpanId": 17 hex', `${T}-${S}0-1`],
    ['"Identifiers": all-zero span id', `${T}-${'0'.repeat(16)}-1`],
    ['"Single Header": trace id without span id', T],
    ['"Sampling State": only 0, 1 or d', `${T}-${S}-2`],
    ['"Sampling State": true is not a single-header state', `${T}-${S}-true`],
    ['"Sampling State": upper-case D', `${T}-${S}-D`],
    ['"Sampling State": empty field', `${T}-${S}-`],
    ['"ParentSpanId": only after a sampling state', `${T}-${S}-${P}`],
    ['"ParentSpanId": 15 hex', `${T}-${S}-1-${P.slice(1)}`],
    ['"ParentSpanId": upper-case hex', `${T}-${S}-1-${P.toUpperCase()}`],
    ['"ParentSpanId": all zeros', `${T}-${S}-1-${'0'.repeat(16)}`],
    ['"Single Header": nothing after ParentSpanId', `${T}-${S}-1-${P}-x`],
    ['"Single Header": nothing after the sampling state', `${T}-${S}-1x`],
    ['"Single Header": nothing before the trace id', `x${T}-${S}-1`],
    ['"Custom Encodings": a hyphen for an absent parent', `${T}-${S}-1--`],
    ['"Single Header": comma-joined repeats', `${T}-${S}-1,${T}-${S}-1`],
    ['"Sampling State": a lone 2', '2'],
    ['"Sampling State": a lone dd', 'dd'],
    ['"Sampling State": a lone true', 'true'],
    ['"Single Header": empty', ''],
  ])('rejects %s', (_section, header) => {
    expect(parseB3Single(header)).toBeUndefined();
  });
});

describe('X-B3-* multi header parsing', () => {
  const parse = (headers: Record<string, string>) => parseB3Multi((name) => normalizeHeaders(headers)[name]);
  const ids = { 'X-B3-TraceId': T, 'X-B3-SpanId': S };

  it.each([
    [
      '"Sampling State": X-B3-Sampled: 1 = accept',
      { ...ids, 'X-B3-Sampled': '1' },
      { traceId: T, spanId: S, state: 'accept' },
    ],
    [
      '"Sampling State": X-B3-Sampled: 0 = deny',
      { ...ids, 'X-B3-Sampled': '0' },
      { traceId: T, spanId: S, state: 'deny' },
    ],
    [
      '"Sampling State": lenient true',
      { ...ids, 'X-B3-Sampled': 'true' },
      { traceId: T, spanId: S, state: 'accept' },
    ],
    [
      '"Sampling State": lenient false',
      { ...ids, 'X-B3-Sampled': 'false' },
      { traceId: T, spanId: S, state: 'deny' },
    ],
    ['"Sampling State": absent = defer', ids, { traceId: T, spanId: S, state: 'defer' }],
    [
      '"TraceId": 16 lower-hex, left-padded',
      { 'X-B3-TraceId': T16, 'X-B3-SpanId': S, 'X-B3-Sampled': '1' },
      { traceId: PADDED, spanId: S, state: 'accept' },
    ],
    [
      '"ParentSpanId": 16 lower-hex',
      { ...ids, 'X-B3-ParentSpanId': P, 'X-B3-Sampled': '1' },
      { traceId: T, spanId: S, parentSpanId: P, state: 'accept' },
    ],
    [
      '"Debug Flag": X-B3-Flags: 1 = debug',
      { ...ids, 'X-B3-Flags': '1' },
      { traceId: T, spanId: S, state: 'debug' },
    ],
    [
      '"Debug Flag": debug implies accept (over Sampled: 0)',
      { ...ids, 'X-B3-Flags': '1', 'X-B3-Sampled': '0' },
      { traceId: T, spanId: S, state: 'debug' },
    ],
    [
      '"Debug Flag": any other value is ignored',
      { ...ids, 'X-B3-Flags': '0', 'X-B3-Sampled': '1' },
      { traceId: T, spanId: S, state: 'accept' },
    ],
    [
      '"Debug Flag": junk is ignored',
      { ...ids, 'X-B3-Flags': 'yes' },
      { traceId: T, spanId: S, state: 'defer' },
    ],
    ['"Multiple Headers": sampling state sent alone (deny)', { 'X-B3-Sampled': '0' }, { state: 'deny' }],
    ['"Multiple Headers": sampling state sent alone (debug)', { 'X-B3-Flags': '1' }, { state: 'debug' }],
    [
      '"Multiple Headers": the first value wins',
      { 'X-B3-TraceId': `${T}, ${T16}`, 'X-B3-SpanId': S, 'X-B3-Sampled': '1, 0' },
      { traceId: T, spanId: S, state: 'accept' },
    ],
  ])('accepts %s', (_section, headers: Record<string, string>, fields) => {
    expect(parse(headers)).toEqual(fields);
  });

  it.each([
    ['"SpanId": required with a trace id', { 'X-B3-TraceId': T, 'X-B3-Sampled': '1' }],
    ['"TraceId": required with a span id', { 'X-B3-SpanId': S, 'X-B3-Sampled': '1' }],
    ['"TraceId": upper-case hex', { 'X-B3-TraceId': T.toUpperCase(), 'X-B3-SpanId': S }],
    ['"TraceId": 20 hex', { 'X-B3-TraceId': T.slice(0, 20), 'X-B3-SpanId': S }],
    ['"Identifiers": all-zero trace id', { 'X-B3-TraceId': '0'.repeat(32), 'X-B3-SpanId': S }],
    ['"SpanId": upper-case hex', { 'X-B3-TraceId': T, 'X-B3-SpanId': S.toUpperCase() }],
    ['"SpanId": 32 hex', { 'X-B3-TraceId': T, 'X-B3-SpanId': T }],
    ['"Multiple Headers": an empty X-B3-Sampled is malformed', { ...ids, 'X-B3-Sampled': '' }],
    ['"Sampling State": d is not a multi-header value', { ...ids, 'X-B3-Sampled': 'd' }],
    ['"Sampling State": yes is not accepted', { ...ids, 'X-B3-Sampled': 'yes' }],
    ['"Multiple Headers": X-B3-ParentSpanId: - is malformed', { ...ids, 'X-B3-ParentSpanId': '-' }],
    ['"ParentSpanId": only on a child span (needs ids)', { 'X-B3-ParentSpanId': P, 'X-B3-Sampled': '1' }],
    ['"Multiple Headers": no B3 header at all', { 'x-other': '1' }],
  ])('rejects %s', (_section, headers: Record<string, string>) => {
    expect(parse(headers)).toBeUndefined();
  });
});

describe('B3 propagator (unit)', () => {
  const extractCtx = (headers: Record<string, string>, base = ROOT_CONTEXT) =>
    createPropagator().extract(base, normalizeHeaders(headers), lowercaseGetter);
  const extract = (headers: Record<string, string>) => trace.getSpanContext(extractCtx(headers));
  const injectFrom = (ctx: ReturnType<typeof extractCtx>, mode: B3InjectMode = 'single') => {
    const out: Record<string, string> = {};
    new B3Propagator(mode).inject(ctx, out, {
      set: (c, k, v) => {
        c[k] = v;
      },
    });
    return out;
  };
  const local = (traceFlags: number): SpanContext => ({ traceId: T, spanId: S, traceFlags });

  it('"Http Encodings": the single header wins when both encodings are valid', () => {
    expect(extract({ b3: `${T}-${S}-1`, 'X-B3-TraceId': T16, 'X-B3-SpanId': P })).toMatchObject({
      traceId: T,
      spanId: S,
    });
  });

  it('"Http Encodings": an invalid single header falls back to valid multi headers', () => {
    expect(
      extract({ b3: `${T}-${S}-x`, 'X-B3-TraceId': T, 'X-B3-SpanId': P, 'X-B3-Sampled': '1' }),
    ).toMatchObject({
      traceId: T,
      spanId: P,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it.each([
    ['accept', `${T}-${S}-1`, TraceFlags.SAMPLED],
    ['debug (implies accept)', `${T}-${S}-d`, TraceFlags.SAMPLED],
    ['deny', `${T}-${S}-0`, TraceFlags.NONE],
    ['defer', `${T}-${S}`, TraceFlags.NONE],
  ])('"Sampling State": %s sets the remote span context flags', (_state, b3, flags) => {
    expect(extract({ b3 })?.traceFlags).toBe(flags);
  });

  it('"Sampling State": a sampling state alone only records the decision, no span context', () => {
    const ctx = extractCtx({ b3: '0' });
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(getB3Hint(ctx)).toEqual({ state: 'deny' });
  });

  it('rejected B3 leaves the context as it was (never wipes a good traceparent)', () => {
    const traceparent = `00-${'a'.repeat(32)}-${P}-01`;
    for (const bad of [
      { b3: 'garbage' },
      { b3: `${T}-${S}-1-` },
      { 'X-B3-TraceId': T },
      { 'X-B3-Sampled': 'maybe' },
    ]) {
      const ctx = extractCtx({ ...bad, traceparent, tracestate: 'k=v' });
      expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: 'a'.repeat(32), spanId: P });
      expect(trace.getSpanContext(ctx)?.traceState?.serialize()).toBe('k=v');
    }
    const before = trace.setSpanContext(ROOT_CONTEXT, local(1));
    expect(new B3Propagator().extract(before, { b3: 'nope' }, lowercaseGetter)).toBe(before);
  });

  it('rejects without throwing whatever the carrier holds', () => {
    for (const value of [42, {}, null, ['x', 7], Symbol('x')]) {
      expect(() =>
        new B3Propagator().extract(
          ROOT_CONTEXT,
          {},
          { keys: () => [], get: () => value as unknown as string },
        ),
      ).not.toThrow();
    }
  });

  it.each([
    ['"Single Header" accept', 'single', local(1), {}, { b3: `${T}-${S}-1` }],
    ['"Single Header" deny', 'single', local(0), {}, { b3: `${T}-${S}-0` }],
    [
      '"Multiple Headers" accept',
      'multi',
      local(1),
      {},
      { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' },
    ],
    [
      '"Multiple Headers" deny',
      'multi',
      local(0),
      {},
      { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0' },
    ],
    [
      'both encodings',
      'both',
      local(1),
      {},
      { b3: `${T}-${S}-1`, 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '1' },
    ],
    ['"Sampling State" debug as d', 'single', local(1), { b3: `${T}-${P}-d` }, { b3: `${T}-${S}-d` }],
    [
      '"Debug Flag": X-B3-Flags: 1 and no X-B3-Sampled',
      'multi',
      local(1),
      { 'X-B3-TraceId': T, 'X-B3-SpanId': P, 'X-B3-Flags': '1' },
      { 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-flags': '1' },
    ],
    [
      '"Sampling State": debug of another trace is not applied',
      'single',
      local(1),
      { b3: `${'c'.repeat(32)}-${P}-d` },
      { b3: `${T}-${S}-1` },
    ],
    [
      '"Sampling State": debug sent alone applies to the new trace',
      'single',
      local(1),
      { b3: 'd' },
      { b3: `${T}-${S}-d` },
    ],
  ] as const)('injects %s', (_section, mode, spanContext, incoming, expected) => {
    const ctx = trace.setSpanContext(extractCtx(incoming), spanContext);
    expect(injectFrom(ctx, mode)).toEqual(expected);
  });

  it("b3Inject 'none' writes no B3 header, sampled or not, and still reads both encodings", () => {
    for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
      expect(injectFrom(trace.setSpanContext(ROOT_CONTEXT, local(flags)), 'none')).toEqual({});
    }
    expect(new B3Propagator('none').fields()).toEqual([]);
    const read = (headers: Record<string, string>) =>
      trace.getSpanContext(new B3Propagator('none').extract(ROOT_CONTEXT, headers, lowercaseGetter));
    expect(read({ b3: `${T}-${S}-1` })).toMatchObject({
      traceId: T,
      spanId: S,
      traceFlags: TraceFlags.SAMPLED,
    });
    expect(read({ 'x-b3-traceid': T, 'x-b3-spanid': S, 'x-b3-sampled': '0' })).toMatchObject({
      traceId: T,
      spanId: S,
      traceFlags: TraceFlags.NONE,
    });
  });

  it('injects nothing for an invalid span context', () => {
    expect(
      injectFrom(trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: S, traceFlags: 1 })),
    ).toEqual({});
  });
});
