import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningCollector } from '../../src/index.js';
import { batchOf, getJson, makeSpan, startTestCollector } from '../helpers.js';

let c: RunningCollector;
const nowUs = Date.now() * 1000;
const oldUs = nowUs - 2 * 3600e6;

beforeAll(async () => {
  c = await startTestCollector({ retention: { maxAgeMs: 3600e3, maxBytes: 0, intervalMs: 100 } });
  // Two full blocks of two-hour-old spans, then recent ones: retention drops the old blocks.
  for (let i = 0; i < 4; i++) {
    c.sink.ingest(
      batchOf(
        'old-svc',
        Array.from({ length: 256 }, () => makeSpan({ kind: 2, startUs: oldUs })),
      ),
      0,
    );
  }
  c.sink.ingest(
    batchOf(
      'new-svc',
      Array.from({ length: 10 }, () => makeSpan({ kind: 2, startUs: nowUs - 1e6 })),
    ),
    0,
  );
});
afterAll(() => c.close());

it('span metrics are kept as long as the spans: retention drops the minutes before the oldest span', async () => {
  const services = async () =>
    (await getJson(c, '/api/monitor/services?lookback=10800000')).body.services.map(
      (s: { service: string; calls: number }) => `${s.service}:${s.calls}`,
    );
  // The figures were there before retention ran (flushed on read)…
  await expect.poll(() => c.store.status().deletedSpans, { timeout: 5000 }).toBeGreaterThanOrEqual(1024);
  // …and after it only the recent service is left.
  await expect.poll(services, { timeout: 5000 }).toEqual(['new-svc:10']);
});
