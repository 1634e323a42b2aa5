import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { batchOf, getJson, makeSpan, startTestCollector } from './helpers.js';

let c: RunningCollector;
let traceId: string;
let rootSpanId: string;
const now = Date.now() * 1000;

beforeAll(async () => {
  c = await startTestCollector();
  const root = makeSpan({
    name: 'HTTP GET /api/chat',
    kind: 2,
    startUs: now - 5_000_000,
    durationUs: 3_000_000,
  });
  traceId = root.traceId;
  rootSpanId = root.spanId;
  c.store.insert(batchOf('autobot-backend', [root]));
  c.store.insert(
    batchOf('autobot-ai-stack', [
      makeSpan({
        traceId,
        parentSpanId: root.spanId,
        name: 'llm.inference',
        kind: 3,
        startUs: now - 4_900_000,
        durationUs: 2_500_000,
        statusCode: 2,
        attributes: { 'llm.duration_ms': 2500, 'llm.model': 'mistral', 'gen_ai.request.temperature': 0.5 },
        doubleKeys: [],
      }),
    ]),
  );
  c.store.insert(
    batchOf('autobot-npu-worker', [makeSpan({ name: 'npu.inference', kind: 2, startUs: now - 1000 })]),
  );
});
afterAll(async () => {
  await c?.close();
});

const envelope = { total: expect.any(Number), limit: expect.any(Number), offset: 0, errors: null };

describe('Jaeger v1 API', () => {
  it('GET /api/services', async () => {
    const { status, body } = await getJson(c, '/api/services');
    expect(status).toBe(200);
    expect(body).toEqual({
      data: ['autobot-ai-stack', 'autobot-backend', 'autobot-npu-worker'],
      ...envelope,
      total: 3,
    });
  });

  it('GET /api/services/{s}/operations', async () => {
    const { body } = await getJson(c, '/api/services/autobot-ai-stack/operations');
    expect(body).toEqual({ data: ['llm.inference'], ...envelope });
  });

  it('GET /api/operations?service=&spanKind=', async () => {
    const { body } = await getJson(c, '/api/operations?service=autobot-backend');
    expect(body.data).toEqual([{ name: 'HTTP GET /api/chat', spanKind: 'server' }]);
    expect((await getJson(c, '/api/operations?service=autobot-backend&spanKind=client')).body.data).toEqual(
      [],
    );
    expect((await getJson(c, '/api/operations')).status).toBe(400);
  });

  it('GET /api/traces/{id} returns the Jaeger trace model in microseconds', async () => {
    const { status, body } = await getJson(c, `/api/traces/${traceId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ ...envelope });
    const t = body.data[0];
    expect(Object.keys(t).sort()).toEqual(['processes', 'spans', 'traceID', 'warnings']);
    const llm = t.spans.find((s: { operationName: string }) => s.operationName === 'llm.inference');
    expect(Object.keys(llm).sort()).toEqual(
      [
        'duration',
        'flags',
        'logs',
        'operationName',
        'processID',
        'references',
        'spanID',
        'startTime',
        'tags',
        'traceID',
        'warnings',
      ].sort(),
    );
    expect(llm.startTime).toBe(now - 4_900_000);
    expect(llm.duration).toBe(2_500_000);
    expect(llm.references).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: rootSpanId }]);
    expect(llm.tags).toEqual(
      expect.arrayContaining([
        { key: 'llm.duration_ms', type: 'int64', value: 2500 },
        { key: 'gen_ai.request.temperature', type: 'float64', value: 0.5 },
        { key: 'span.kind', type: 'string', value: 'client' },
        { key: 'error', type: 'bool', value: true },
      ]),
    );
    expect(t.processes[llm.processID]).toEqual({ serviceName: 'autobot-ai-stack', tags: [] });
  });

  it('shows each span once when an exporter retried a batch that had arrived (at-least-once OTLP)', async () => {
    const own = await startTestCollector(); // its own store: the other tests count services and spans
    try {
      const span = makeSpan({ name: 'retried.once', startUs: now - 2000 });
      own.store.insert(batchOf('autobot-retry', [span]));
      own.store.insert(batchOf('autobot-retry', [span]));
      const { body } = await getJson(own, `/api/traces/${span.traceId}`);
      expect(body.data[0].spans.map((s: { spanID: string }) => s.spanID)).toEqual([span.spanId]);
    } finally {
      await own.close();
    }
  });

  it('GET /api/traces/{id} 404 and 400', async () => {
    const missing = await getJson(c, `/api/traces/${'f'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      data: null,
      total: 0,
      limit: 0,
      offset: 0,
      errors: [{ code: 404, msg: 'trace not found' }],
    });
    expect((await getJson(c, '/api/traces/not-hex')).status).toBe(400);
  });

  it('GET /api/traces searches by service, operation, tags (JSON and logfmt), durations, time', async () => {
    const q = (s: string) =>
      getJson(c, `/api/traces?${s}`).then((r) => r.body.data.map((t: { traceID: string }) => t.traceID));
    expect(await q('service=autobot-ai-stack')).toEqual([traceId]);
    expect(await q('service=autobot-ai-stack&operation=llm.inference')).toEqual([traceId]);
    expect(await q('service=autobot-ai-stack&operation=nope')).toEqual([]);
    expect(await q(`service=autobot-ai-stack&tags=${encodeURIComponent('{"llm.model":"mistral"}')}`)).toEqual(
      [traceId],
    );
    expect(
      await q(`service=autobot-ai-stack&tags=${encodeURIComponent('llm.duration_ms=2500 error=true')}`),
    ).toEqual([traceId]);
    expect(await q('service=autobot-ai-stack&tag=llm.model:llama')).toEqual([]);
    expect(await q('service=autobot-ai-stack&minDuration=2s&maxDuration=2.6s')).toEqual([traceId]);
    expect(await q('service=autobot-ai-stack&minDuration=3s')).toEqual([]);
    expect(await q(`service=autobot-ai-stack&start=${now - 1000}&end=${now}`)).toEqual([]);
    expect(await q(`service=autobot-ai-stack&start=${now - 10_000_000}&end=${now}&limit=1`)).toEqual([
      traceId,
    ]);
    const r = await getJson(c, '/api/traces?service=autobot-backend');
    expect(r.body).toMatchObject({ total: 1, limit: 0, offset: 0, errors: null });
    expect(r.body.data[0].spans).toHaveLength(2);
    expect((await getJson(c, '/api/traces?service=x&minDuration=fast')).status).toBe(400);
    expect((await getJson(c, '/api/traces?service=x&tags=%7Bbad')).status).toBe(400);
  });

  it('GET /api/dependencies', async () => {
    const { body } = await getJson(c, `/api/dependencies?endTs=${Math.ceil(now / 1000) + 1}&lookback=60000`);
    expect(body).toMatchObject({ errors: null });
    expect(body.data).toEqual([
      { parent: 'autobot-backend', child: 'autobot-ai-stack', callCount: 1, errorCount: 1 },
    ]);
  });
});

describe('query language endpoint', () => {
  it('GET /api/search returns trace summaries in the documented shape', async () => {
    const { status, body } = await getJson(
      c,
      `/api/search?q=${encodeURIComponent('llm.duration_ms > 2000')}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        {
          traceID: traceId,
          rootService: 'autobot-backend',
          rootOperation: 'HTTP GET /api/chat',
          startTime: now - 5_000_000,
          duration: 3_000_000,
          spanCount: 2,
          errorCount: 1,
          services: ['autobot-ai-stack', 'autobot-backend'],
        },
      ],
      total: 1,
      limit: 20,
      offset: 0,
      errors: null,
    });
  });

  it('GET /api/search answers a syntax error with 400, column and expected', async () => {
    const { status, body } = await getJson(c, `/api/search?q=${encodeURIComponent('llm.duration_ms >')}`);
    expect(status).toBe(400);
    expect(body.data).toBeNull();
    expect(body.errors[0]).toMatchObject({ code: 400, column: 18, expected: expect.stringMatching(/value/) });
    expect(body.errors[0].msg).not.toMatch(/at .*\.js/);
  });
});

describe('Jaeger v3 API (OTLP/JSON)', () => {
  it('GET /api/v3/services and /api/v3/operations', async () => {
    expect((await getJson(c, '/api/v3/services')).body).toEqual({
      services: ['autobot-ai-stack', 'autobot-backend', 'autobot-npu-worker'],
    });
    expect((await getJson(c, '/api/v3/operations?service=autobot-ai-stack')).body).toEqual({
      operations: [{ name: 'llm.inference', spanKind: 'client' }],
    });
    expect((await getJson(c, '/api/v3/operations?service=autobot-ai-stack&span_kind=server')).body).toEqual({
      operations: [],
    });
  });

  it('GET /api/v3/traces/{id} returns OTLP/JSON', async () => {
    const { status, body } = await getJson(c, `/api/v3/traces/${traceId}`);
    expect(status).toBe(200);
    const rs = body.result.resourceSpans;
    expect(rs).toHaveLength(2);
    const llm = rs
      .flatMap((r: { scopeSpans: { spans: unknown[] }[] }) => r.scopeSpans.flatMap((s) => s.spans))
      .find((s: { name: string }) => s.name === 'llm.inference');
    expect(llm).toMatchObject({
      traceId,
      parentSpanId: rootSpanId,
      kind: 3,
      startTimeUnixNano: `${now - 4_900_000}000`,
      endTimeUnixNano: `${now - 2_400_000}000`,
      status: { code: 2 },
    });
    expect(llm.attributes).toContainEqual({ key: 'llm.duration_ms', value: { intValue: '2500' } });
    expect(llm.attributes).toContainEqual({ key: 'gen_ai.request.temperature', value: { doubleValue: 0.5 } });
    const missing = await getJson(c, `/api/v3/traces/${'e'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { httpCode: 404, message: 'trace not found' } });
  });

  it('GET /api/v3/traces?query.* searches', async () => {
    const min = new Date((now - 10_000_000) / 1000).toISOString();
    const { body } = await getJson(
      c,
      `/api/v3/traces?query.service_name=autobot-ai-stack&query.start_time_min=${min}&query.duration_min=1s`,
    );
    const ids = new Set(
      body.result.resourceSpans.flatMap((r: { scopeSpans: { spans: { traceId: string }[] }[] }) =>
        r.scopeSpans.flatMap((s) => s.spans.map((x) => x.traceId)),
      ),
    );
    expect([...ids]).toEqual([traceId]);
    const bad = await getJson(c, '/api/v3/traces?query.start_time_min=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.httpCode).toBe(400);
  });
});

describe('health', () => {
  it('GET /health and /status', async () => {
    expect((await getJson(c, '/health')).body).toEqual({ status: 'ok' });
    const { body } = await getJson(c, '/status');
    expect(body.store).toMatchObject({ spanCount: 3, traceCount: 2, newestSpanUs: now - 1000 });
    expect(body.store.sizeBytes).toBeGreaterThan(0);
    expect(body.ingest).toMatchObject({ requests: 0, storedSpans: 0 });
    expect(body.queryPort).toBe(c.queryPort);
  });
});

describe('Jaeger v1 span flags', () => {
  let own: RunningCollector;
  beforeAll(async () => {
    own = await startTestCollector();
  });
  afterAll(async () => {
    await own?.close();
  });

  it('span flags: only the sampled bit reaches Jaeger v1 (W3C random flag 0x02 is not Jaeger debug)', async () => {
    // W3C Trace Context Level 2 §3.2.2.5 flags 0x03 = sampled + random; Jaeger's model.Flags has
    // 0x01 sampled, 0x02 debug, 0x04 firehose, so copying the W3C byte would mark it debug.
    const span = makeSpan({ name: 'flags.check', flags: 0x03, startUs: now - 2_000_000 });
    own.store.insert(batchOf('autobot-flags', [span]));
    const { body } = await getJson(own, `/api/traces/${span.traceId}`);
    const flags = (body as { data: { spans: { flags: number }[] }[] }).data[0]?.spans[0]?.flags;
    expect(flags).toBe(1);
  });
});
