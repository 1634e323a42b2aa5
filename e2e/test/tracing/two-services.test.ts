import {
  parentOf,
  type RunningChild,
  type RunningRedis,
  serviceOf,
  startNode,
  startRedisServer,
  startTestCollector,
  type TestCollector,
  tag,
  waitForTrace,
} from '@autobot/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from './fixture-path.js';

// Real processes: the collector (this process), redis-server, service A and service B.
let collector: TestCollector;
let redis: RunningRedis;
let serviceA: RunningChild;
let serviceB: RunningChild;
let urlA = '';
let urlB = '';

beforeAll(async () => {
  collector = await startTestCollector();
  redis = await startRedisServer();
  const env = { AUTOBOT_JAEGER_ENDPOINT: `http://127.0.0.1:${collector.grpcPort}`, REDIS_URL: redis.url };
  serviceB = startNode(fixture('service.mjs'), { ...env, SERVICE_NAME: 'svc-b' });
  urlB = String((await serviceB.waitFor((l) => l.event === 'listening')).url);
  serviceA = startNode(fixture('service.mjs'), { ...env, SERVICE_NAME: 'svc-a', DOWNSTREAM_URL: urlB });
  urlA = String((await serviceA.waitFor((l) => l.event === 'listening')).url);
}, 60_000);
afterAll(async () => {
  await serviceA?.stop();
  await serviceB?.stop();
  await redis?.stop();
  await collector?.close();
});

const traceIdOf = (response: Response) => response.headers.get('traceresponse')?.split('-')[1] ?? '';

describe('one request across two services, Redis and the collector', () => {
  it('yields exactly one trace: A server → A client → B server, Redis under the right parents', async () => {
    const response = await fetch(`${urlA}/api/work/7`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { traceId: string };
    const traceId = traceIdOf(response);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.traceId).toBe(traceId);

    // A: server, redis.get, HTTP GET; B: server, redis.set
    const trace = await waitForTrace(collector.queryUrl, traceId, 5);
    const byName = (name: string) => trace.spans.filter((s) => s.operationName === name);
    const [aServer] = byName('HTTP GET /api/work/:id');
    const [aClient] = byName('HTTP GET');
    const [bServer] = byName('HTTP GET /api/data/:id');
    const [aRedis] = byName('redis.get');
    const [bRedis] = byName('redis.set');
    for (const span of [aServer, aClient, bServer, aRedis, bRedis]) expect(span).toBeDefined();
    if (!aServer || !aClient || !bServer || !aRedis || !bRedis) return;

    expect(trace.spans).toHaveLength(5);
    expect(parentOf(aServer)).toBeUndefined();
    expect(parentOf(aClient)).toBe(aServer.spanID);
    expect(parentOf(bServer)).toBe(aClient.spanID);
    expect(parentOf(aRedis)).toBe(aServer.spanID);
    expect(parentOf(bRedis)).toBe(bServer.spanID);
    expect([aServer, aClient, aRedis].map((s) => serviceOf(trace, s))).toEqual(['svc-a', 'svc-a', 'svc-a']);
    expect([bServer, bRedis].map((s) => serviceOf(trace, s))).toEqual(['svc-b', 'svc-b']);
    expect(tag(aClient, 'http.url')).toBe(`${urlB}/api/data/7`);
    expect(tag(bRedis, 'db.query.text')).toBe('SET data:7 ?');
    // no orphans: every parent is in the trace
    const ids = new Set(trace.spans.map((s) => s.spanID));
    for (const span of trace.spans) {
      const parent = parentOf(span);
      if (parent) expect(ids.has(parent)).toBe(true);
    }
  });

  it.each([
    [
      'traceparent',
      (t: string, s: string) => ({
        traceparent: `00-${t}-${s}-01`,
        tracestate: 'vendor=x',
        baggage: 'user=alice',
      }),
    ],
    ['b3 single', (t: string, s: string) => ({ b3: `${t}-${s}-1`, baggage: 'user=alice' })],
    [
      'X-B3 multi',
      (t: string, s: string) => ({
        'X-B3-TraceId': t,
        'X-B3-SpanId': s,
        'X-B3-Sampled': '1',
        baggage: 'user=alice',
      }),
    ],
  ])('B accepts context sent only as %s; tracestate and baggage pass through', async (label, headersFor) => {
    const traceId = (label === 'traceparent' ? 'a' : label === 'b3 single' ? 'b' : 'c').repeat(32);
    const parentId = '1234567890abcdef';
    const response = await fetch(`${urlB}/api/data/1`, { headers: headersFor(traceId, parentId) });
    const body = (await response.json()) as { context: Record<string, string>; baggage: string };
    expect(traceIdOf(response)).toBe(traceId);
    expect(body.context.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(body.context.baggage).toBe('user=alice');
    if (label === 'traceparent') expect(body.context.tracestate).toBe('vendor=x');
    const trace = await waitForTrace(collector.queryUrl, traceId, 2);
    const server = trace.spans.find((s) => s.operationName === 'HTTP GET /api/data/:id');
    expect(server && parentOf(server)).toBe(parentId);
  });

  it('never stores a canary secret from the URL query, basic auth or Authorization header', async () => {
    const url = new URL(`${urlA}/api/work/9?token=canary-q&page=1`);
    const response = await fetch(url, {
      headers: { authorization: 'Bearer canary-h', cookie: 'sid=canary-c' },
    });
    const traceId = traceIdOf(response);
    await waitForTrace(collector.queryUrl, traceId, 5);
    const stored = await (await fetch(`${collector.queryUrl}/api/traces/${traceId}`)).text();
    expect(stored).toContain('token=REDACTED');
    expect(stored).not.toMatch(/canary-/);
    expect(stored).not.toContain('secret-value');
  });

  it('writes the trace id on the request log lines', async () => {
    const response = await fetch(`${urlA}/api/work/11`);
    const traceId = traceIdOf(response);
    const line = await serviceA.waitFor((l) => l.msg === 'work started' && l.trace_id === traceId);
    const trace = await waitForTrace(collector.queryUrl, traceId, 5);
    const server = trace.spans.find((s) => s.operationName === 'HTTP GET /api/work/:id');
    expect(line.span_id).toBe(server?.spanID);
  });

  it('excludes health routes, answers 404s without marking error', async () => {
    expect((await fetch(`${urlA}/api/health`)).headers.get('traceresponse')).toBeNull();
    const missing = await fetch(`${urlA}/nope`);
    expect(missing.status).toBe(404);
    const trace = await waitForTrace(collector.queryUrl, traceIdOf(missing), 1);
    expect(trace.spans[0]?.operationName).toBe('HTTP GET');
    expect(tag(trace.spans[0] as never, 'error')).toBeUndefined();
  });
});
