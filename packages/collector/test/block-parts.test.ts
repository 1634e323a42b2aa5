import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQuery, TraceStore } from '../src/index.js';
import type { DecodedBatch } from '../src/model.js';
import { batchOf, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SLOW_ERRORS = 'service = svc-a and status = error and duration > 1s';

/**
 * Three blocks. The first has an error span of svc-a, a slow span of svc-a and a slow error
 * span of svc-b, so its block-wide figures (services, errors, longest duration) cannot rule out
 * a slow error of svc-a, but no single span is one. The second is filler, the third holds the
 * only slow error of svc-a.
 */
function fill(store: TraceStore): { match: string } {
  const a = batchOf('svc-a', [
    makeSpan({ name: 'a.op', statusCode: 2, durationUs: 10_000 }),
    makeSpan({ name: 'a.op', statusCode: 0, durationUs: 5_000_000 }),
  ]);
  const b = batchOf('svc-b', [makeSpan({ name: 'b.op', statusCode: 2, durationUs: 5_000_000 })]);
  const first: DecodedBatch = { ...a, groups: [...a.groups, ...b.groups], spanCount: 3 };
  store.insert(first);
  store.insert(
    batchOf(
      'svc-c',
      Array.from({ length: 512 }, () => makeSpan({ name: 'c.op' })),
    ),
  );
  const match = makeSpan({ name: 'a.op', statusCode: 2, durationUs: 3_000_000 });
  store.insert(batchOf('svc-a', [match]));
  return { match: match.traceId };
}

describe('per-block (operation, status) partitions', () => {
  it('rule out blocks where no single span satisfies a conjunction of intrinsics', () => {
    const store = TraceStore.open({ path: join(dir, 'a.db'), retention: { maxAgeMs: 0, maxBytes: 0 } });
    try {
      const { match } = fill(store);
      const ranges = store.plannedRanges(parseQuery(SLOW_ERRORS));
      expect(ranges).toEqual([[516, 516]]);
      expect(store.search({ query: parseQuery(SLOW_ERRORS) }).map((t) => t.traceID)).toEqual([match]);
      // Each condition alone, or with a non-intrinsic one, is decided block-wide as before.
      expect(store.plannedRanges(parseQuery('service = svc-a and status = error'))).toEqual([
        [516, 516],
        [1, 3],
      ]);
      expect(store.plannedRanges(parseQuery('name = b.op and duration > 1s'))).toEqual([[1, 3]]);
      expect(store.plannedRanges(parseQuery('kind = server and duration > 1s'))).toEqual([]);
      // `or` and `not` are not narrowed by partitions.
      expect(store.plannedRanges(parseQuery('service = svc-a or status = error'))).toEqual([
        [516, 516],
        [1, 3],
      ]);
      expect(store.plannedRanges(parseQuery('not (service = svc-a and status = error)'))).toEqual([[1, 516]]);
    } finally {
      store.close();
    }
  });

  it('a block without partitions (written by an older build) is never ruled out by them', () => {
    const path = join(dir, 'old.db');
    const first = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    const { match } = fill(first);
    first.close();
    // An older build's file: no `parts` column at all.
    const db = new Database(path);
    db.exec('ALTER TABLE blocks DROP COLUMN parts');
    db.close();
    const store = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    try {
      expect(store.plannedRanges(parseQuery(SLOW_ERRORS))).toEqual([
        [516, 516],
        [1, 3],
      ]);
      expect(store.search({ query: parseQuery(SLOW_ERRORS) }).map((t) => t.traceID)).toEqual([match]);
    } finally {
      store.close();
    }
  });
});
