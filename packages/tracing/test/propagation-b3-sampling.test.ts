// B3 propagation (https://github.com/openzipkin/b3-propagation, README), continued from
// propagation-b3.test.ts: the sampling decisions B3 headers lead to, the injection mode setting,
// and a round trip through a real Fastify server.
import { context, propagation, ROOT_CONTEXT, SamplingDecision, SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { lowercaseGetter, normalizeHeaders } from '../src/headers.js';
import {
  createPropagator,
  createSampler,
  getTracingService,
  resolveTracingConfig,
  setTracingLogger,
  TracingConfigError,
} from '../src/index.js';

const T = '80f198ee56343ba864fe8b2a57d3eff7';
const T16 = '64fe8b2a57d3eff7';
const S = 'e457b5a2e4d86bd1';
const PADDED = `0000000000000000${T16}`;

describe('B3 sampling decisions (sampler)', () => {
  const decide = (rate: number, headers: Record<string, string>) =>
    createSampler(rate).shouldSample(
      createPropagator().extract(ROOT_CONTEXT, normalizeHeaders(headers), lowercaseGetter),
      'f'.repeat(32),
      'span',
      SpanKind.SERVER,
      {},
      [],
    ).decision;

  it.each([
    ['"Sampling State": deny sent alone overrides rate 1', 1, { b3: '0' }, SamplingDecision.NOT_RECORD],
    [
      '"Sampling State": accept sent alone overrides rate 0',
      0,
      { b3: '1' },
      SamplingDecision.RECORD_AND_SAMPLED,
    ],
    [
      '"Sampling State": debug sent alone overrides rate 0',
      0,
      { b3: 'd' },
      SamplingDecision.RECORD_AND_SAMPLED,
    ],
    [
      '"Multiple Headers": X-B3-Sampled: 0 alone overrides rate 1',
      1,
      { 'X-B3-Sampled': '0' },
      SamplingDecision.NOT_RECORD,
    ],
    [
      '"Sampling State": defer lets the receiver decide (rate 1)',
      1,
      { b3: `${T}-${S}` },
      SamplingDecision.RECORD_AND_SAMPLED,
    ],
    [
      '"Sampling State": defer lets the receiver decide (rate 0)',
      0,
      { b3: `${T}-${S}` },
      SamplingDecision.NOT_RECORD,
    ],
    [
      '"Sampling State": deny with ids is the parent decision',
      1,
      { b3: `${T}-${S}-0` },
      SamplingDecision.NOT_RECORD,
    ],
    [
      'a sampling state alone does not override a traceparent parent',
      0,
      { b3: '0', traceparent: `00-${T}-${S}-01` },
      SamplingDecision.RECORD_AND_SAMPLED,
    ],
  ])('%s', (_section, rate, headers: Record<string, string>, decision) => {
    expect(decide(rate, headers)).toBe(decision);
  });
});

describe('AUTOBOT_TRACE_B3_INJECT', () => {
  it.each([
    [undefined, 'single'],
    ['multi', 'multi'],
    [' BOTH ', 'both'],
    ['single', 'single'],
    ['none', 'none'],
  ])('%j → %s, no warning', (value, mode) => {
    const config = resolveTracingConfig({}, value === undefined ? {} : { AUTOBOT_TRACE_B3_INJECT: value });
    expect(config.b3Inject).toBe(mode);
    expect(config.warnings).toEqual([]);
  });

  it('an invalid value warns once, naming variable, value, expectation and fallback', () => {
    const config = resolveTracingConfig({}, { AUTOBOT_TRACE_B3_INJECT: 'xml' });
    expect(config.b3Inject).toBe('single');
    expect(config.warnings).toEqual([
      'AUTOBOT_TRACE_B3_INJECT="xml" is invalid (expected single, multi, both, none); using single',
    ]);
  });

  it('the code option wins; an invalid one is a coded error', () => {
    expect(resolveTracingConfig({ b3Inject: 'both' }, { AUTOBOT_TRACE_B3_INJECT: 'multi' }).b3Inject).toBe(
      'both',
    );
    expect(() => resolveTracingConfig({ b3Inject: 'xml' as 'single' }, {})).toThrow(
      expect.objectContaining({ code: 'AUTOBOT_ERR_TRACING_INVALID_OPTION' }),
    );
    expect(() => resolveTracingConfig({ b3Inject: 'xml' as 'single' }, {})).toThrow(TracingConfigError);
  });
});

describe('B3 round trip through a Fastify server (AUTOBOT_TRACE_B3_INJECT=both)', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = getTracingService();
  setTracingLogger({ warn: () => {}, info: () => {} });
  tracing.initialize(
    { serviceName: 'b3-round-trip', spanExporter: exporter, handleSignals: false, scheduledDelayMs: 5 },
    { AUTOBOT_TRACE_B3_INJECT: 'both' },
  );
  const app = Fastify();
  app.get('/hop', async () => {
    const out: Record<string, string> = {};
    propagation.inject(context.active(), out);
    return out;
  });
  tracing.instrumentAll(app);
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
  });
  beforeEach(async () => {
    await tracing.forceFlush();
    exporter.reset();
  });

  const hop = async (headers: Record<string, string>) => {
    const response = await app.inject({ url: '/hop', headers });
    expect(response.statusCode).toBe(200);
    return response.json() as Record<string, string>;
  };
  const recordedTraceIds = async () => {
    await tracing.forceFlush();
    return exporter.getFinishedSpans().map((s) => s.spanContext().traceId);
  };
  const B3_OUT = /^([0-9a-f]{32})-([0-9a-f]{16})-([01d])$/;

  it('"Debug Flag": X-B3-Flags: 1 leaves as b3 …-d and X-B3-Flags: 1 (debug survives a hop)', async () => {
    const out = await hop({ 'X-B3-TraceId': T, 'X-B3-SpanId': S, 'X-B3-Flags': '1' });
    expect(out.b3).toMatch(B3_OUT);
    expect(B3_OUT.exec(out.b3)?.slice(1)).toEqual([T, expect.not.stringMatching(S), 'd']);
    expect(out).toMatchObject({ 'x-b3-traceid': T, 'x-b3-flags': '1' });
    expect(out).not.toHaveProperty('x-b3-sampled');
    expect(out.traceparent).toMatch(new RegExp(`^00-${T}-[0-9a-f]{16}-01$`));
  });

  it('"Sampling State": b3 …-d leaves as …-d', async () => {
    expect((await hop({ b3: `${T}-${S}-d` })).b3).toMatch(new RegExp(`^${T}-[0-9a-f]{16}-d$`));
  });

  it('"TraceId": a 64-bit trace id continues as its 128-bit left-padded form', async () => {
    const out = await hop({ b3: `${T16}-${S}-1` });
    expect(out.traceparent).toMatch(new RegExp(`^00-${PADDED}-[0-9a-f]{16}-01$`));
    expect(out['x-b3-traceid']).toBe(PADDED);
  });

  it('"Sampling State": b3: 0 alone starts a new, unrecorded trace and says deny downstream', async () => {
    const out = await hop({ b3: '0' });
    const [, traceId, , state] = B3_OUT.exec(out.b3) ?? [];
    expect(state).toBe('0');
    expect(out['x-b3-sampled']).toBe('0');
    expect(out.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-02$`));
    expect(await recordedTraceIds()).toEqual([]);
  });

  it('"Sampling State": b3: d alone starts a new recorded trace that stays debug', async () => {
    const out = await hop({ b3: 'd' });
    const [, traceId, , state] = B3_OUT.exec(out.b3) ?? [];
    expect(state).toBe('d');
    expect(await recordedTraceIds()).toContain(traceId);
  });

  it('"Sampling State": ids without a decision are decided here (defer) and recorded at rate 1', async () => {
    const out = await hop({ 'X-B3-TraceId': T, 'X-B3-SpanId': S });
    expect(out['x-b3-sampled']).toBe('1');
    expect(await recordedTraceIds()).toContain(T);
  });

  it('"Http Encodings": an invalid b3 falls back to valid X-B3-* in a real request', async () => {
    const out = await hop({
      b3: `${T.toUpperCase()}-${S}-1`,
      'X-B3-TraceId': T,
      'X-B3-SpanId': S,
      'X-B3-Sampled': '1',
    });
    expect(out['x-b3-traceid']).toBe(T);
  });

  it('a bad b3 does not disturb a good traceparent + tracestate in a real request', async () => {
    const out = await hop({ b3: 'junk', traceparent: `00-${T}-${S}-03`, tracestate: 'k=v' });
    expect(out.traceparent).toMatch(new RegExp(`^00-${T}-[0-9a-f]{16}-03$`));
    expect(out.tracestate).toBe('k=v');
    expect(out.b3).toMatch(new RegExp(`^${T}-[0-9a-f]{16}-1$`));
  });
});
