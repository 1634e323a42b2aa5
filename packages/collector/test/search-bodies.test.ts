import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../src/index.js';
import { batchOf, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-bodies-'));
const path = join(dir, 'traces.db');
let pool: RunningCollector;
let inline: RunningCollector;

function open(queryWorkers: number): Promise<RunningCollector> {
  return startCollector({
    grpcPort: 0,
    httpPort: 0,
    queryPort: 0,
    dbPath: path,
    uiDir: null,
    queryWorkers,
    // The spans are from 2023: keep them.
    retention: { maxAgeMs: 0, maxBytes: 0 },
  });
}

beforeAll(async () => {
  pool = await open(2);
  // Values a re-serialisation could change: int64 beyond 2^53, an integral double, non-ASCII,
  // an event, an error status.
  const root = makeSpan({
    name: 'HTTP GET /api/chat',
    kind: 2,
    durationUs: 2_500_000,
    attributes: { 'http.method': 'GET', big: 9_223_372_036_854_775_807n, ratio: 0.5, text: 'grüße ✓' },
  });
  const child = makeSpan({
    traceId: root.traceId,
    parentSpanId: root.spanId,
    name: 'llm.inference',
    statusCode: 2,
    statusMessage: 'timeout',
    attributes: { 'llm.duration_ms': 6200, 'ssh.target_vm': 'frontend' },
    events: [{ timeUs: root.startUs + 10, name: 'exception', attributes: { 'exception.type': 'Error' } }],
  });
  pool.store.insert(batchOf('svc-a', [root, child], { 'host.name': 'vm1' }));
  for (let i = 0; i < 30; i++) {
    pool.store.insert(
      batchOf('svc-b', [makeSpan({ name: `op-${i % 3}`, attributes: { 'ssh.target_vm': 'frontend', i } })]),
    );
  }
  inline = await open(0);
});
afterAll(async () => {
  await inline?.close();
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function raw(c: RunningCollector, url: string) {
  const res = await fetch(`http://127.0.0.1:${c.queryPort}${url}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('search responses from the worker pool and from the main thread', () => {
  const urls = [
    `/api/search?q=${encodeURIComponent('ssh.target_vm = frontend')}&limit=7`,
    `/api/search?q=${encodeURIComponent('llm.duration_ms > 5000 and status = error')}`,
    `/api/search?q=${encodeURIComponent('nothing = here')}`,
    `/api/traces?service=svc-a&tags=${encodeURIComponent('{"exception.type":"Error"}')}&limit=5`,
    `/api/traces?service=svc-b&operation=op-1&limit=3`,
    `/api/traces?service=svc-a&tags=${encodeURIComponent('{"otel.status_code":"ERROR"}')}`,
    '/api/traces?service=nobody',
  ];

  it.each(urls)('are byte-identical: %s', async (url) => {
    const [a, b] = await Promise.all([raw(pool, url), raw(inline, url)]);
    expect(a.status).toBe(200);
    expect(a.type).toBe('application/json; charset=utf-8');
    expect(b).toEqual(a);
    expect(JSON.parse(a.text).data).toBeInstanceOf(Array);
  });

  it('carry the exact values through the worker (int64, non-ASCII, limit echoed)', async () => {
    const traces = await raw(
      pool,
      `/api/traces?service=svc-a&tags=${encodeURIComponent('{"text":"grüße ✓"}')}`,
    );
    expect(traces.text).toContain('"value":9223372036854775807');
    expect(traces.text).toContain('grüße ✓');
    const search = JSON.parse(
      (await raw(pool, `/api/search?q=${encodeURIComponent('i >= 0')}&limit=7`)).text,
    );
    expect(search).toMatchObject({ total: 7, limit: 7, offset: 0, errors: null });
    expect(search.data).toHaveLength(7);
  });

  it('a worker that has searched sees spans stored after its last search', async () => {
    const url = `/api/search?q=${encodeURIComponent('late = yes')}`;
    expect(JSON.parse((await raw(pool, url)).text).data).toEqual([]);
    const late = makeSpan({ name: 'late.op', attributes: { late: 'yes' } });
    pool.store.insert(batchOf('svc-late', [late]));
    // Both workers: the pool hands a search to any idle one.
    const [a, b] = await Promise.all([raw(pool, url), raw(pool, url)]);
    for (const res of [a, b])
      expect(JSON.parse(res.text).data.map((t: { traceID: string }) => t.traceID)).toEqual([late.traceId]);
  });
});
