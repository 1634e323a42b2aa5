// AUTOBOT_TRACE_B3_INJECT=none: W3C Trace Context (https://www.w3.org/TR/trace-context-2/) alone
// on outgoing requests, while callers that send only B3 (https://github.com/openzipkin/b3-propagation,
// "Http Encodings": single `b3` or multi `X-B3-*`) are still continued. Real Fastify server, real
// `fetch` to a real downstream server.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getTracingService, setTracingLogger } from '../src/index.js';

const T = '80f198ee56343ba864fe8b2a57d3eff7';
const S = 'e457b5a2e4d86bd1';

describe('AUTOBOT_TRACE_B3_INJECT=none through a Fastify server and fetch', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = getTracingService();
  setTracingLogger({ warn: () => {}, info: () => {} });
  tracing.initialize(
    { serviceName: 'b3-none', spanExporter: exporter, handleSignals: false, scheduledDelayMs: 5 },
    { AUTOBOT_TRACE_B3_INJECT: 'none' },
  );
  let downstream: Server;
  let downstreamUrl = '';
  let seen: IncomingHttpHeaders = {};
  const app = Fastify();
  app.get('/hop', async () => {
    await (await fetch(`${downstreamUrl}/next`)).text();
    return { ok: true };
  });
  tracing.instrumentAll(app, { redis: false });

  beforeAll(async () => {
    downstream = createServer((request, response) => {
      seen = request.headers;
      response.end('ok');
    });
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => downstream.close(resolve));
    await tracing.shutdown();
  });
  beforeEach(async () => {
    await tracing.forceFlush();
    exporter.reset();
    seen = {};
  });

  it.each([
    ['single b3', { b3: `${T}-${S}-1` }],
    ['multi X-B3-*', { 'X-B3-TraceId': T, 'X-B3-SpanId': S, 'X-B3-Sampled': '1' }],
    ['traceparent', { traceparent: `00-${T}-${S}-01` }],
  ])(
    'a caller sending %s is continued; the callee gets traceparent and no B3 header',
    async (_name, headers) => {
      const response = await app.inject({ url: '/hop', headers });
      expect(response.statusCode).toBe(200);
      // W3C Trace Context §3.2: version-traceId-parentId-flags, same trace, sampled.
      expect(seen.traceparent).toMatch(new RegExp(`^00-${T}-[0-9a-f]{16}-0[13]$`));
      expect(Object.keys(seen).filter((name) => name === 'b3' || name.startsWith('x-b3-'))).toEqual([]);
      await tracing.forceFlush();
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.spanContext().traceId)).toEqual([T, T]);
      const server = spans.find((s) => s.parentSpanContext?.spanId === S);
      expect(server?.parentSpanContext?.isRemote).toBe(true);
    },
  );
});
