import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanLimits,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { LeanSpan, type LeanSpanPipeline } from '../../src/instrumentation/lean-span.js';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

// LeanSpan must behave as the SDK's span does through the whole Span API (OpenTelemetry trace
// API "Span operations" and SDK "Span Limits"), so the SDK's span is the oracle: the same calls
// on both, then every ReadableSpan field the exporters read is compared.

const LIMITS: Required<SpanLimits> = {
  attributeCountLimit: 3,
  attributeValueLengthLimit: 4,
  eventCountLimit: 2,
  linkCountLimit: 1,
  attributePerEventCountLimit: 1,
  attributePerLinkCountLimit: 1,
};
const resource = resourceFromAttributes({ 'service.name': 'lean-span-test' });
const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
const sdk = new TracerProvider({ resource, spanLimits: LIMITS, spanProcessors: [processor] });
const sdkTracer = sdk.getTracer('oracle');
const pipeline: LeanSpanPipeline = {
  resource,
  processors: [processor],
  limits: LIMITS,
  scope: (name) => ({ name }),
};

const LINKED = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED };

/** The same sequence of Span API calls, on whichever span. */
function exercise(span: Span): void {
  span.setAttribute('long', 'abcdefgh');
  span.setAttribute('list', ['abcdefgh', 'ab', 'x']);
  span.setAttribute('', 'empty key is refused');
  span.setAttribute('object', { not: 'an attribute value' } as never);
  span.setAttribute('over.limit', 1);
  span.setAttribute('num', 2);
  span.setAttributes({ bool: true, again: 'x' });
  span.addEvent('first', { a: 1, b: 2 });
  span.addEvent('second', Date.now());
  span.recordException(Object.assign(new Error('boom'), { code: 'E_BOOM' }));
  span.recordException('plain text');
  span.addLink({ context: LINKED, attributes: { x: 'longer than four', y: 1 } });
  span.addLink({ context: LINKED });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 42 as never });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.updateName('renamed');
  span.end();
  span.setAttribute('after.end', 1);
  span.updateName('after end');
  span.end();
}

function shape(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      name: e.name,
      attributes: e.attributes,
      dropped: e.droppedAttributesCount,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links,
    droppedLinksCount: span.droppedLinksCount,
    status: span.status,
    ended: span.ended,
    resource: span.resource,
  };
}

describe('LeanSpan', () => {
  it('answers every Span API call as the SDK span does, limits included', () => {
    exporter.reset();
    exercise(sdkTracer.startSpan('op', { kind: SpanKind.CLIENT, attributes: { first: 'abcdefgh' } }));
    const context = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED };
    exercise(
      new LeanSpan(
        pipeline,
        context,
        undefined,
        'op',
        SpanKind.CLIENT,
        { first: 'abcdefgh' },
        'x',
        ROOT_CONTEXT,
      ),
    );
    const [oracle, lean] = exporter.getFinishedSpans();
    expect(lean).toBeInstanceOf(LeanSpan);
    expect(shape(lean as ReadableSpan)).toEqual(shape(oracle as ReadableSpan));
  });

  it('keeps the SDK time base: epoch-ms start, monotonic duration, performance timestamps', () => {
    exporter.reset();
    const context = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED };
    const before = Date.now();
    const span = new LeanSpan(
      pipeline,
      context,
      undefined,
      'timed',
      SpanKind.INTERNAL,
      {},
      'x',
      ROOT_CONTEXT,
    );
    span.addEvent('at performance time', performance.now());
    span.end();
    const start = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
    const end = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
    const event = (span.events[0]?.time ?? [0, 0]) as [number, number];
    expect(start).toBeGreaterThanOrEqual(before);
    expect(end).toBeGreaterThanOrEqual(start);
    expect(span.duration[0] * 1e3 + span.duration[1] / 1e6).toBeCloseTo(end - start, 3);
    expect(event[0] * 1e3 + event[1] / 1e6).toBeGreaterThanOrEqual(start - 1);
    expect(event[0] * 1e3 + event[1] / 1e6).toBeLessThanOrEqual(end + 1);
  });
});

describe('our instrumentation with our provider', () => {
  const { tracing, spans } = initInMemoryTracing('lean-span-service');
  const app = Fastify();
  app.get('/api/items/:id', async () => {
    const inner = tracing.getTracer().startSpan('inner.work');
    inner.end();
    await fetch(`${address}/api/leaf`);
    return { ok: true };
  });
  app.get('/api/leaf', async () => ({ leaf: true }));
  tracing.instrumentAll(app);
  let address = '';
  afterAll(async () => {
    await app.close();
    await tracing.shutdown();
  });

  it('makes lean SERVER and CLIENT spans that parent and nest like SDK spans', async () => {
    address = await app.listen({ port: 0, host: '127.0.0.1' });
    // inject(): the test's own request makes no client span of its own.
    const response = await app.inject({
      url: '/api/items/7',
      headers: { traceparent: `00-${'e'.repeat(32)}-${'f'.repeat(16)}-03` },
    });
    expect(response.statusCode).toBe(200);
    const all = await spans();
    const server = all.find((s) => s.name === 'HTTP GET /api/items/:id');
    const client = all.find((s) => s.kind === SpanKind.CLIENT);
    const leaf = all.find((s) => s.name === 'HTTP GET /api/leaf');
    const inner = all.find((s) => s.name === 'inner.work');
    expect(server).toBeInstanceOf(LeanSpan);
    expect(client).toBeInstanceOf(LeanSpan);
    expect(inner).not.toBeInstanceOf(LeanSpan);
    // One trace; the remote parent, then server → (SDK inner, lean client → lean leaf server).
    for (const span of [server, client, leaf, inner])
      expect(span?.spanContext().traceId).toBe('e'.repeat(32));
    expect(server?.parentSpanContext?.spanId).toBe('f'.repeat(16));
    expect(inner?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(leaf?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    // Sampled and random flags kept from the incoming traceparent (W3C Level 2 §3.2.2.5).
    for (const span of [server, client, leaf, inner]) expect(span?.spanContext().traceFlags).toBe(3);
    expect(server?.instrumentationScope.name).toBe('autobot.http-server');
    expect(client?.instrumentationScope.name).toBe('autobot.fetch');
    expect(server?.resource).toBe(inner?.resource);
  });
});
