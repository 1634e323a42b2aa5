import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, parseQuery, TraceStore } from '../src/index.js';
import { batchOf, makeSpan } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'collector-retention-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'traces.db');
}

describe('retention', () => {
  it('deletes traces older than maxAgeMs, oldest first, keeps the rest', () => {
    const store = TraceStore.open({ path: ':memory:', retention: { maxAgeMs: 60_000, maxBytes: 0 } });
    cleanups.push(() => store.close());
    const nowMs = Date.now();
    const old = makeSpan({ startUs: (nowMs - 120_000) * 1000 });
    const fresh = makeSpan({ startUs: (nowMs - 1_000) * 1000 });
    store.insert(batchOf('svc', [old]));
    store.insert(
      batchOf(
        'svc',
        Array.from({ length: 600 }, () => makeSpan({ startUs: (nowMs - 90_000) * 1000 })),
      ),
    );
    store.insert(batchOf('svc', [fresh]));
    expect(store.status().spanCount).toBe(602);
    expect(store.enforceRetention(nowMs)).toBe(601);
    expect(store.getTrace(old.traceId)).toBeNull();
    expect(store.getTrace(fresh.traceId)).toHaveLength(1);
    expect(store.search({ query: null, limit: 100 }).map((t) => t.traceID)).toEqual([fresh.traceId]);
    expect(store.status()).toMatchObject({ spanCount: 1, traceCount: 1, deletedSpans: 601 });
  });

  it('trims the database below maxBytes, dropping the oldest spans first', () => {
    const path = tempDb();
    const store = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 2 * 1024 * 1024 } });
    cleanups.push(() => store.close());
    const first = makeSpan({ attributes: { payload: 'x'.repeat(500) } });
    store.insert(batchOf('svc', [first]));
    let last = first;
    for (let i = 0; i < 30; i++) {
      const spans = Array.from({ length: 400 }, () =>
        makeSpan({ attributes: { payload: 'y'.repeat(500), i } }),
      );
      last = spans[spans.length - 1] ?? last;
      store.insert(batchOf('svc', spans));
    }
    expect(store.sizeBytes()).toBeGreaterThan(2 * 1024 * 1024);
    store.enforceRetention();
    expect(store.sizeBytes()).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(store.getTrace(first.traceId)).toBeNull();
    expect(store.getTrace(last.traceId)).not.toBeNull();
    expect(store.search({ query: parseQuery('i = 29'), limit: 1000 }).length).toBe(400);
  });

  it('rejects invalid retention options with a coded error', () => {
    expect(() => TraceStore.open({ path: ':memory:', retention: { maxAgeMs: -1 } })).toThrow(
      InvalidOptionError,
    );
  });

  it('reopens a file store with its data and continues row ids after deletion', () => {
    const path = tempDb();
    const a = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    const s1 = makeSpan();
    a.insert(batchOf('svc', [s1]));
    a.close();
    const b = TraceStore.open({ path });
    cleanups.push(() => b.close());
    expect(b.getTrace(s1.traceId)).toHaveLength(1);
    expect(b.services()).toEqual(['svc']);
    const s2 = makeSpan({ attributes: { k: 'v' } });
    b.insert(batchOf('svc', [s2]));
    expect(b.search({ query: parseQuery('k = v'), limit: 10 }).map((t) => t.traceID)).toEqual([s2.traceId]);
  });
});
