import { request as httpRequest } from 'node:http';
import { SpanStatusCode } from '@opentelemetry/api';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initInMemoryTracing } from '../helpers/in-memory-tracing.js';

// The SERVER span ends when the raw response closes: normally after the response was sent, or
// with an error when the client went away first. Over a real socket, not inject().
const { tracing, spans, reset } = initInMemoryTracing('response-end');
const app = Fastify({ logger: false });
let releaseSlow: () => void = () => {};
const slowStarted = new Promise<void>((started) => {
  app.get('/api/slow', async () => {
    started();
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    return { late: true };
  });
});
app.get('/api/fast', async () => ({ ok: true }));
tracing.instrumentAll(app);
let port = 0;

beforeAll(async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app.close();
  await tracing.shutdown();
});

describe('server span end', () => {
  it('ends a sent response with its status and duration (logger off: no Fastify response hooks)', async () => {
    await reset();
    const response = await fetch(`http://127.0.0.1:${port}/api/fast`);
    expect(response.status).toBe(200);
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const server = (await spans()).find((span) => span.name === 'HTTP GET /api/fast');
    expect(server?.ended).toBe(true);
    expect(server?.attributes['http.response.status_code']).toBe(200);
    expect(server?.attributes['http.duration_ms']).toBeGreaterThan(0);
    expect(server?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends the span as an error when the client aborts before the answer', async () => {
    await reset();
    const request = httpRequest({ host: '127.0.0.1', port, path: '/api/slow' });
    request.on('error', () => {});
    request.end();
    await slowStarted;
    request.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const server = (await spans()).find((span) => span.name === 'HTTP GET /api/slow');
    expect(server?.ended).toBe(true);
    expect(server?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'client aborted the request' });
    expect(server?.attributes['error.type']).toBe('aborted');
    releaseSlow();
  });
});
