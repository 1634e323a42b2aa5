import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { freePort } from '@autobot/test-kit';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  HttpConnectionError,
  HttpStatusError,
  HttpTimeoutError,
  TracedHttpClient,
  TracingError,
} from '../../src/index.js';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

const { tracing, spans, reset } = initInMemoryTracing('client-under-test');
// forceCloseConnections: the aborted /api/slow request must not keep close() waiting.
const downstream = Fastify({ forceCloseConnections: true });
downstream.get('/api/echo', async (request) => ({ headers: request.headers }));
downstream.post('/api/process', async (request) => ({ got: request.body }));
downstream.get('/api/slow', async () => {
  await new Promise((r) => setTimeout(r, 500));
  return { late: true };
});
downstream.get('/api/stream', (_request, reply) => {
  // Five chunks, 60 ms apart: a streamed answer that outlives its headers by ~300 ms.
  const stream = new PassThrough();
  reply.type('text/plain').send(stream);
  let sent = 0;
  const timer = setInterval(() => {
    stream.write(`chunk ${sent}\n`);
    if (++sent === 5) {
      clearInterval(timer);
      stream.end();
    }
  }, 60);
});
downstream.get('/api/teapot', async (_r, reply) => reply.code(418).send({ error: 'short and stout' }));
tracing.instrumentAll(downstream); // also subscribes to fetch, to prove there is no double span
let baseUrl = '';
let blackhole: Server;
let blackholeUrl = '';

beforeAll(async () => {
  baseUrl = await downstream.listen({ port: 0, host: '127.0.0.1' });
  // Accepts connections and never answers: the shape of a hung service.
  blackhole = createServer(() => {});
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  const address = blackhole.address();
  blackholeUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  blackhole.close();
  await downstream.close();
  await tracing.shutdown();
});
beforeEach(reset);

describe('TracedHttpClient', () => {
  it('makes one CLIENT span, injects traceparent/b3, and the server continues the trace', async () => {
    await using client = new TracedHttpClient({ baseUrl });
    const body = await tracing.span('test.caller', () =>
      client.getJson<{ headers: Record<string, string> }>('/api/echo'),
    );
    const all = await spans();
    const clientSpans = all.filter((s) => s.kind === SpanKind.CLIENT);
    expect(clientSpans).toHaveLength(1);
    const [clientSpan] = clientSpans;
    const server = all.find((s) => s.kind === SpanKind.SERVER);
    const caller = all.find((s) => s.name === 'test.caller');
    expect(clientSpan?.name).toBe('HTTP GET');
    expect(clientSpan?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
    expect(server?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
    const { traceId, spanId } = clientSpan?.spanContext() ?? { traceId: '', spanId: '' };
    // 03: sampled + random trace id (a new trace; W3C Trace Context Level 2 §3.2.2.5.2)
    expect(body.headers.traceparent).toBe(`00-${traceId}-${spanId}-03`);
    expect(body.headers.b3).toBe(`${traceId}-${spanId}-1`);
    expect(clientSpan?.attributes).toMatchObject({
      'http.method': 'GET',
      'http.url': `${baseUrl}/api/echo`,
      'http.status_code': 200,
      'server.address': '127.0.0.1',
    });
    expect(clientSpan?.attributes['http.duration_ms']).toBeGreaterThan(0);
  });

  it('posts JSON', async () => {
    const client = new TracedHttpClient({ baseUrl });
    expect(await client.postJson('/api/process', { data: 'payload' })).toEqual({ got: { data: 'payload' } });
    await client.close();
  });

  it('redacts credentials and secret query parameters from the URL it records', async () => {
    const client = new TracedHttpClient();
    const url = new URL(`${baseUrl}/api/echo?api_key=canary-1&q=ok`);
    url.username = 'alice';
    url.password = 'canary-2';
    await client.getJson(url.href, { headers: { authorization: 'Bearer canary-3' } });
    const text = JSON.stringify((await spans()).map((s) => [s.name, s.attributes, s.events]));
    expect(text).not.toMatch(/canary-/);
    expect(text).toContain('api_key=REDACTED');
  });

  it('rejects a 4xx with HttpStatusError carrying the status, recorded on the span', async () => {
    const client = new TracedHttpClient({ baseUrl });
    const error = await client.getJson('/api/teapot').catch((e) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error).toMatchObject({ code: 'AUTOBOT_ERR_HTTP_STATUS', status: 418 });
    const clientSpan = (await spans()).find((s) => s.kind === SpanKind.CLIENT);
    expect(clientSpan?.status.code).toBe(SpanStatusCode.ERROR);
    expect(clientSpan?.attributes['error.type']).toBe('418');
    expect(clientSpan?.attributes['http.status_code']).toBe(418);
  });

  it('marks a 4xx client span as an error even when the caller keeps the answer (throwOnStatus: false)', async () => {
    // OpenTelemetry HTTP semantic conventions, "Status": client spans are errors for 4xx and 5xx.
    const client = new TracedHttpClient({ baseUrl });
    const response = await client.get('/api/teapot', { throwOnStatus: false });
    await response.text();
    expect(response.status).toBe(418);
    const clientSpan = (await spans()).find((s) => s.kind === SpanKind.CLIENT);
    expect(clientSpan?.status.code).toBe(SpanStatusCode.ERROR);
    expect(clientSpan?.attributes['error.type']).toBe('418');
  });

  it('rejects misuse with coded errors, never a bare TypeError', async () => {
    expect(() => new TracedHttpClient({ timeoutMs: -1 })).toThrow(
      expect.objectContaining({ code: 'AUTOBOT_ERR_TRACING_INVALID_OPTION' }),
    );
    const error = await new TracedHttpClient().getJson('/relative').catch((e) => e);
    expect(error).toBeInstanceOf(TracingError);
    expect(error.code).toBe('AUTOBOT_ERR_HTTP_INVALID_URL');
  });

  it('times out with HttpTimeoutError', async () => {
    const client = new TracedHttpClient({ baseUrl: blackholeUrl, timeoutMs: 150 });
    const started = performance.now();
    const error = await client.getJson('/never').catch((e) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(HttpTimeoutError);
    expect(error.code).toBe('AUTOBOT_ERR_HTTP_TIMEOUT');
    const [span] = await spans();
    expect(span?.attributes['error.type']).toBe('HttpTimeoutError');
  });

  it('reports connection refused as HttpConnectionError with the system code', async () => {
    const port = await freePort();
    const client = new TracedHttpClient({ baseUrl: `http://127.0.0.1:${port}` });
    const error = await client.getJson('/x').catch((e) => e);
    expect(error).toBeInstanceOf(HttpConnectionError);
    expect(error).toMatchObject({ code: 'AUTOBOT_ERR_HTTP_CONNECTION', systemCode: 'ECONNREFUSED' });
    const [span] = await spans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('HttpConnectionError');
  });

  it('keeps the span of a streamed response open until the body is read', async () => {
    const client = new TracedHttpClient({ baseUrl });
    const response = await client.request('GET', '/api/stream');
    const text = await response.text();
    expect(text.split('\n').filter(Boolean)).toHaveLength(5);
    const span = (await spans()).find((s) => s.kind === SpanKind.CLIENT);
    expect(span?.attributes['http.duration_ms']).toBeGreaterThan(200);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends the span of a streamed response when the caller cancels the body', async () => {
    const client = new TracedHttpClient({ baseUrl });
    const response = await client.request('GET', '/api/stream');
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    const span = (await spans()).find((s) => s.kind === SpanKind.CLIENT);
    expect(span).toBeDefined();
    expect(span?.attributes['http.duration_ms']).toBeLessThan(250);
  });

  it('plain fetch spans also last until the body is complete', async () => {
    const response = await fetch(`${baseUrl}/api/stream`);
    await response.text();
    const span = (await spans()).find((s) => s.kind === SpanKind.CLIENT);
    expect(span?.attributes['http.duration_ms']).toBeGreaterThan(200);
  });

  it('close() aborts requests in flight', async () => {
    const client = new TracedHttpClient({ baseUrl });
    const pending = client.getJson('/api/slow').catch((e) => e);
    await new Promise((r) => setTimeout(r, 50));
    await client.close();
    expect((await pending).code).toBe('AUTOBOT_ERR_HTTP_ABORTED');
  });

  it('traces plain fetch too, once, via the undici channels', async () => {
    await tracing.span('test.fetch_caller', async () => {
      const response = await fetch(`${baseUrl}/api/echo?token=canary-9`);
      const { headers } = (await response.json()) as { headers: Record<string, string> };
      expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
    });
    const all = await spans();
    const clientSpans = all.filter((s) => s.kind === SpanKind.CLIENT);
    expect(clientSpans).toHaveLength(1);
    expect(clientSpans[0]?.attributes['http.url']).toBe(`${baseUrl}/api/echo?token=REDACTED`);
    const server = all.find((s) => s.name === 'HTTP GET /api/echo');
    expect(server?.parentSpanContext?.spanId).toBe(clientSpans[0]?.spanContext().spanId);
  });
});
