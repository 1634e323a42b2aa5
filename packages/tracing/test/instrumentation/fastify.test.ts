import { Writable } from 'node:stream';
import {
  type Context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapPropagator,
  trace,
} from '@opentelemetry/api';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentFastify, setTraceResponseHeader } from '../../src/instrumentation/fastify.js';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

const { tracing, exporter, spans, reset } = initInMemoryTracing('server-under-test');
const logLines: Record<string, unknown>[] = [];
const app = Fastify({
  logger: {
    level: 'info',
    stream: new Writable({
      write(chunk, _enc, cb) {
        logLines.push(JSON.parse(chunk.toString()));
        cb();
      },
    }),
  },
});

class QuotaExceeded extends Error {}

app.get('/api/chat/:id', async (request) => {
  request.log.info('inside chat handler');
  await new Promise((r) => setTimeout(r, 2));
  return { id: (request.params as { id: string }).id, traceId: tracing.currentTraceId() };
});
app.get('/api/health', async () => ({ ok: true }));
app.get('/metrics', async () => 'm 1');
app.get('/api/missing', async (_req, reply) => reply.code(404).send({ error: 'nope' }));
app.get('/api/broken', async (_req, reply) => reply.code(503).send({ error: 'down' }));
app.get('/api/throws', async () => {
  throw new QuotaExceeded('quota exceeded');
});
const result = tracing.instrumentAll(app, {
  requestAttributes: (request) => ({ 'enduser.id': String(request.headers['x-user-id'] ?? 'anonymous') }),
});

afterAll(async () => {
  await app.close();
  await tracing.shutdown();
});
beforeEach(async () => {
  await reset();
  logLines.length = 0;
});

const serverSpans = async () => (await spans()).filter((s) => s.kind === SpanKind.SERVER);

describe('Fastify server tracing', () => {
  it('reports what instrumentAll switched on', () => {
    expect(result).toEqual({ fastify: true, redis: true, fetch: true });
  });

  it('names the span by route template and records spec + semconv attributes', async () => {
    const response = await app.inject({
      url: '/api/chat/42?token=canary-secret-1&page=2',
      headers: { 'user-agent': 'vitest', authorization: 'Bearer canary-secret-2', 'x-user-id': 'u-7' },
    });
    expect(response.statusCode).toBe(200);
    const [span] = await serverSpans();
    expect(span?.name).toBe('HTTP GET /api/chat/:id');
    expect(span?.attributes).toMatchObject({
      'http.method': 'GET',
      'http.request.method': 'GET',
      'http.route': '/api/chat/:id',
      'url.path': '/api/chat/42',
      'http.status_code': 200,
      'http.response.status_code': 200,
      'user_agent.original': 'vitest',
      'enduser.id': 'u-7',
    });
    expect(span?.attributes['http.url']).toBe('http://localhost:80/api/chat/42?token=REDACTED&page=2');
    expect(span?.attributes['http.duration_ms']).toBeGreaterThan(0);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    const serialized = JSON.stringify((await spans()).map((s) => [s.attributes, s.events, s.name]));
    expect(serialized).not.toContain('canary-secret');
  });

  it('returns the trace id in a traceresponse header and logs it on every request log line', async () => {
    const response = await app.inject({ url: '/api/chat/1' });
    const [span] = await serverSpans();
    const { traceId, spanId } = span?.spanContext() ?? { traceId: '', spanId: '' };
    // Sampled + random trace-id flag of a new trace (W3C Trace Context Level 2 §3.2.2.5).
    expect(response.headers.traceresponse).toBe(`00-${traceId}-${spanId}-03`);
    expect(response.json().traceId).toBe(traceId);
    const handlerLine = logLines.find((l) => l.msg === 'inside chat handler');
    expect(handlerLine).toMatchObject({ trace_id: traceId, span_id: spanId });
    expect(logLines.find((l) => l.msg === 'request completed')?.trace_id).toBe(traceId);
  });

  it('sends no traceresponse when it is off (option, or the service default), and still traces', async () => {
    const byOption = Fastify();
    instrumentFastify(byOption, { traceResponse: false });
    setTraceResponseHeader(false); // what AUTOBOT_TRACE_RESPONSE_HEADER=false makes the service do
    const byDefault = Fastify();
    instrumentFastify(byDefault);
    setTraceResponseHeader(true);
    const stillOn = Fastify();
    instrumentFastify(stillOn);
    for (const server of [byOption, byDefault, stillOn]) server.get('/quiet', async () => 'ok');
    const sent = [];
    for (const server of [byOption, byDefault, stillOn]) {
      const response = await server.inject({ url: '/quiet' });
      expect(response.statusCode).toBe(200);
      sent.push(response.headers.traceresponse !== undefined);
      await server.close();
    }
    expect(sent).toEqual([false, false, true]);
    expect((await serverSpans()).map((s) => s.name)).toEqual(Array(3).fill('HTTP GET /quiet'));
  });

  it('continues the caller trace from traceparent, b3 or X-B3 headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    for (const headers of [
      { traceparent: `00-${traceId}-${parent}-01`, tracestate: 'x=y' },
      { b3: `${traceId}-${parent}-1` },
      { 'x-b3-traceid': traceId, 'x-b3-spanid': parent, 'x-b3-sampled': '1' },
    ]) {
      exporter.reset();
      await app.inject({ url: '/api/chat/1', headers });
      const [span] = await serverSpans();
      expect(span?.spanContext().traceId).toBe(traceId);
      expect(span?.parentSpanContext?.spanId).toBe(parent);
    }
  });

  it('makes no span for health and metrics routes', async () => {
    await app.inject({ url: '/api/health' });
    await app.inject({ url: '/metrics' });
    await app.inject({ url: '/api/health?verbose=1' });
    expect(await spans()).toHaveLength(0);
  });

  it('does not mark 4xx as error, marks 5xx and thrown errors', async () => {
    await app.inject({ url: '/api/missing' });
    await app.inject({ url: '/api/broken' });
    const thrown = await app.inject({ url: '/api/throws' });
    expect(thrown.statusCode).toBe(500);
    const byName = new Map((await serverSpans()).map((s) => [s.name, s]));
    expect(byName.get('HTTP GET /api/missing')?.status.code).toBe(SpanStatusCode.UNSET);
    expect(byName.get('HTTP GET /api/broken')?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'HTTP 503',
    });
    const failed = byName.get('HTTP GET /api/throws');
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed?.attributes['error.type']).toBe('500');
    expect(failed?.events.find((e) => e.name === 'exception')?.attributes?.['exception.type']).toBe(
      'QuotaExceeded',
    );
  });

  it('names unknown routes by method only, never by raw path', async () => {
    await app.inject({ url: '/no/such/route/123' });
    const [span] = await serverSpans();
    expect(span?.name).toBe('HTTP GET');
    expect(span?.attributes['http.status_code']).toBe(404);
  });

  it('extracts with a propagator registered later, reading its own header (the header list follows the global propagator)', async () => {
    const original = propagation.fields();
    expect(original).not.toContain('x-custom-trace');
    const custom: TextMapPropagator = {
      inject() {},
      extract(ctx: Context, carrier: unknown, getter: TextMapGetter) {
        const value = getter.get(carrier, 'x-custom-trace');
        if (typeof value !== 'string') return ctx;
        const [traceId = '', spanId = ''] = value.split(':');
        return trace.setSpanContext(ctx, { traceId, spanId, traceFlags: 1, isRemote: true });
      },
      fields: () => ['x-custom-trace'],
    };
    const registered = (
      propagation as unknown as { _getGlobalPropagator(): TextMapPropagator }
    )._getGlobalPropagator();
    propagation.disable();
    propagation.setGlobalPropagator(custom);
    try {
      await app.inject({
        url: '/api/chat/1',
        headers: { 'x-custom-trace': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:bbbbbbbbbbbbbbbb' },
      });
    } finally {
      propagation.disable();
      propagation.setGlobalPropagator(registered);
    }
    const [span] = await serverSpans();
    expect(span?.spanContext().traceId).toBe('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
    expect(span?.parentSpanContext?.spanId).toBe('bbbbbbbbbbbbbbbb');
  });
});
