import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../src/index.js';
import { TraceStore } from '../src/index.js';
import { batchOf, getJson, makeSpan, startTestCollector } from './helpers.js';

// OTLP delivery is at-least-once: an exporter may send a batch again after the first attempt
// arrived. Nothing may count a retried span twice.

let c: RunningCollector;
beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c?.close();
});

const traceId = randomBytes(16).toString('hex');
const rootId = randomBytes(8).toString('hex');
const childId = randomBytes(8).toString('hex');
const startNs = BigInt(Date.now() - 10_000) * 1_000_000n;

function request(service: string, spanId: string, parent: string, status: number): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId,
                parentSpanId: parent,
                name: `${service}.op`,
                kind: parent ? 2 : 3,
                startTimeUnixNano: String(startNs),
                endTimeUnixNano: String(startNs + 5_000_000n),
                status: { code: status },
              },
            ],
          },
        ],
      },
    ],
  });
}

async function send(body: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}/v1/traces`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(200);
}

describe('a batch delivered twice', () => {
  it('is stored once: summaries, v3 summaries, dependencies and status count each span once', async () => {
    const root = request('retry-frontend', rootId, '', 0);
    const child = request('retry-backend', childId, rootId, 2);
    for (const body of [root, child, child, root, child]) await send(body);

    const search = await getJson(c, `/api/search?q=${encodeURIComponent(`traceId = ${traceId}`)}`);
    expect(search.body.data).toEqual([
      expect.objectContaining({
        traceID: traceId,
        spanCount: 2,
        errorCount: 1,
        rootService: 'retry-frontend',
      }),
    ]);
    const v3 = await getJson(c, '/api/v3/trace-summaries?query.serviceName=retry-backend');
    expect(v3.body.summaries).toEqual([
      expect.objectContaining({
        traceId,
        spanCount: 2,
        errorSpanCount: 1,
        services: [
          { name: 'retry-backend', spanCount: 1, errorSpanCount: 1 },
          { name: 'retry-frontend', spanCount: 1 },
        ],
      }),
    ]);
    const deps = await getJson(c, `/api/dependencies?endTs=${Date.now() + 1000}&lookback=60000`);
    expect(deps.body.data).toEqual([
      { parent: 'retry-frontend', child: 'retry-backend', callCount: 1, errorCount: 1 },
    ]);
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 1000).toISOString();
    const v3deps = await getJson(c, `/api/v3/dependencies?startTime=${start}&endTime=${end}`);
    expect(v3deps.body).toEqual({
      dependencies: [{ parent: 'retry-frontend', child: 'retry-backend', callCount: '1' }],
    });
    expect((await getJson(c, '/status')).body.store).toMatchObject({ spanCount: 2, traceCount: 1 });
  });

  it('a span repeated inside one batch is stored once', () => {
    const store = TraceStore.open({ path: ':memory:' });
    try {
      const span = makeSpan();
      store.insert(batchOf('svc', [span, { ...span }, makeSpan({ traceId: span.traceId })]));
      expect(store.search({ query: null, limit: 10 })[0]?.spanCount).toBe(2);
      expect(store.status().spanCount).toBe(2);
    } finally {
      store.close();
    }
  });

  it('dependencies count rows stored twice by an older build once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'collector-retries-'));
    const path = join(dir, 'old.db');
    try {
      const first = TraceStore.open({ path });
      const root = makeSpan();
      const child = makeSpan({ traceId: root.traceId, parentSpanId: root.spanId });
      first.insert(batchOf('parent-svc', [root]));
      first.insert(batchOf('child-svc', [child]));
      first.close();
      // What a retried batch left behind before duplicates were dropped at ingest: every row
      // stored a second time, inside a block that covers them.
      const raw = new Database(path);
      raw.exec(
        'INSERT INTO spans SELECT id + 100, trace_id, span_id, parent_id, res_id, scope_id, svc_id, op_id, kind, start_us, dur_us, status, status_msg, attrs, extra, start_ns_rem, dur_ns_rem FROM spans',
      );
      raw.exec('UPDATE blocks SET lo = 1, hi = 200 WHERE id = (SELECT min(id) FROM blocks)');
      raw.exec('DELETE FROM blocks WHERE id > (SELECT min(id) FROM blocks)');
      raw.close();
      const store = TraceStore.open({ path });
      try {
        expect(store.dependencies(0, Number.MAX_SAFE_INTEGER)).toEqual([
          { parent: 'parent-svc', child: 'child-svc', callCount: 1, errorCount: 0 },
        ]);
      } finally {
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
