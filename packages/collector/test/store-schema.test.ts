import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { parseQuery, TraceStore } from '../src/index.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../src/store/schema.js';
import { batchOf, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-schema-'));

/** The schema version of a store file, read on a connection of its own. */
function userVersion(file: string): unknown {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true });
  } finally {
    db.close();
  }
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The `spans` table and INSERT of schema 1 (the first release), as an older build writes them.
const V1_SPANS = `CREATE TABLE spans (
  id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT NOT NULL,
  res_id INTEGER NOT NULL, scope_id INTEGER NOT NULL, svc_id INTEGER NOT NULL, op_id INTEGER NOT NULL,
  kind INTEGER NOT NULL, start_us INTEGER NOT NULL, dur_us INTEGER NOT NULL, status INTEGER NOT NULL,
  status_msg TEXT, attrs TEXT NOT NULL, extra TEXT)`;
const V1_COLUMNS =
  'id, trace_id, span_id, parent_id, res_id, scope_id, svc_id, op_id, kind, start_us, dur_us, status, status_msg, attrs, extra';

/** Rewrites a store file into the schema-1 layout: no nanosecond columns, no event index. */
function downgradeToV1(path: string): void {
  const db = new Database(path);
  db.exec(`BEGIN;
    ALTER TABLE spans RENAME TO spans_v2;
    ${V1_SPANS};
    INSERT INTO spans SELECT ${V1_COLUMNS} FROM spans_v2;
    DROP TABLE spans_v2;
    DELETE FROM block_keys WHERE key LIKE 'e:%';
    COMMIT;`);
  db.pragma('user_version = 1');
  db.close();
}

const columns = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('PRAGMA table_info(spans)').all() as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
};

describe('store schema versions', () => {
  const path = join(dir, 'v1.db');
  const old = makeSpan({
    name: 'from.v1',
    statusCode: 2,
    attributes: { n: 7 },
    events: [{ timeUs: 1_700_000_000_000_500, name: 'exception', attributes: { 'exception.type': 'Error' } }],
  });

  it('migrates a schema-1 file in place, keeping its spans readable and searchable', () => {
    const first = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    first.insert(batchOf('svc-v1', [old]));
    first.close();
    downgradeToV1(path);
    expect(columns(path)).not.toContain('start_ns_rem');

    const store = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    try {
      expect(columns(path)).toEqual(expect.arrayContaining(['start_ns_rem', 'dur_ns_rem']));
      expect(userVersion(path)).toBe(2);
      const [span] = store.getTrace(old.traceId) ?? [];
      expect(span).toMatchObject({
        name: 'from.v1',
        startUs: old.startUs,
        startNsRem: 0,
        attributes: { n: 7 },
      });
      // Its block predates the event index: an event-attribute search must still visit it.
      const found = store.search({ query: parseQuery('exception.type = Error'), limit: 10 });
      expect(found.map((t) => t.traceID)).toEqual([old.traceId]);
      // New spans get nanoseconds.
      const fresh = makeSpan({ startNsRem: 123, durationNsRem: 999 });
      store.insert(batchOf('svc-v2', [fresh]));
      expect(store.getTrace(fresh.traceId)?.[0]).toMatchObject({ startNsRem: 123, durationNsRem: 999 });
    } finally {
      store.close();
    }
  });

  it('stays usable by a schema-1 build, and migrates again after one opened it', () => {
    // What an older build does with this file: sets user_version 1 and inserts with its columns.
    const db = new Database(path);
    db.pragma('user_version = 1');
    const span = makeSpan();
    db.prepare(
      `INSERT INTO spans (${V1_COLUMNS}) VALUES (1000, ?, ?, '', 1, 1, 1, 1, 1, ?, 5, 0, NULL, '{}', NULL)`,
    ).run(span.traceId, span.spanId, span.startUs);
    expect(db.prepare('SELECT start_ns_rem, dur_ns_rem FROM spans WHERE id = 1000').get()).toEqual({
      start_ns_rem: 0,
      dur_ns_rem: 0,
    });
    db.close();
    const store = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    expect(userVersion(path)).toBe(2);
    expect(store.getTrace(old.traceId)?.[0]?.name).toBe('from.v1');
    store.close();
  });

  it('refuses a file from a newer build with StoreVersionError and leaves it alone', () => {
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => TraceStore.open({ path })).toThrow(
      expect.objectContaining({
        code: 'AUTOBOT_ERR_COLLECTOR_STORE_VERSION',
        message: expect.stringMatching(/99/),
      }),
    );
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(99);
    after.close();
  });
});

describe('connection settings', () => {
  it('a file store checkpoints its WAL every 4000 pages, not every 1000', () => {
    const store = TraceStore.open({ path: join(dir, 'wal.db') });
    try {
      expect(store.connection.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.connection.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_AUTOCHECKPOINT_PAGES);
      expect(WAL_AUTOCHECKPOINT_PAGES).toBe(4000);
    } finally {
      store.close();
    }
  });
});

describe('block index with event attributes', () => {
  it('skips blocks whose events lack the key or value, and still finds the needle', () => {
    const store = TraceStore.open({ path: ':memory:' });
    try {
      const needle = makeSpan({
        events: [{ timeUs: 1, name: 'exception', attributes: { 'exception.type': 'TimeoutError' } }],
      });
      store.insert(batchOf('svc', [needle]));
      for (let i = 0; i < 6; i++) {
        store.insert(
          batchOf(
            'svc',
            Array.from({ length: 500 }, () =>
              makeSpan({ events: [{ timeUs: 1, name: 'retry', attributes: { 'exception.type': 'Other' } }] }),
            ),
          ),
        );
      }
      expect(store.status().blockCount).toBeGreaterThan(5);
      const plan = (q: string) => store.searchTraceIds({ query: parseQuery(q), limit: 10 });
      expect(plan('exception.type = TimeoutError')).toEqual([needle.traceId]);
      expect(plan('event = exception')).toEqual([needle.traceId]);
      expect(plan('exception.type = Nothing')).toEqual([]);
      // Only the needle's block (rows 1–501: the needle and the first batch) is visited; the
      // others are ruled out by their event-attribute Bloom filters.
      const plan2 = (q: string) => store.plannedRanges(parseQuery(q));
      expect(plan2('exception.type = TimeoutError')).toEqual([[1, 501]]);
      expect(plan2('exception.type = Nothing')).toEqual([]);
      expect(plan2('span.exception.type = TimeoutError')).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('stored values', () => {
  it('keeps bigints and tagged values exact in span, event, link, resource and scope attributes', () => {
    const store = TraceStore.open({ path: ':memory:' });
    try {
      const edge = {
        big: 9223372036854775807n,
        nested: { list: [-9223372036854775808n, 1] },
        nan: { '\uD800double': 'NaN' },
        bytes: { '\uD800bytes': 'AAE=' },
        five: { '\uD800double': 5 },
      };
      const span = makeSpan({
        attributes: edge,
        startNsRem: 7,
        durationNsRem: 993,
        events: [{ timeUs: 5, timeNsRem: 999, name: 'e', attributes: edge }],
        links: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), attributes: edge }],
      });
      const batch = batchOf('svc', [span]);
      const group = batch.groups[0] as (typeof batch.groups)[0];
      group.resource.attributes = { ...group.resource.attributes, ...edge };
      group.resource.schemaUrl = 'https://example.com/r';
      group.scope = { name: 's', version: '1', attributes: edge, schemaUrl: 'https://example.com/s' };
      store.insert(batch);
      const [back] = store.getTrace(span.traceId) ?? [];
      expect(back?.attributes).toEqual(edge);
      expect(back?.events[0]).toEqual({ timeUs: 5, timeNsRem: 999, name: 'e', attributes: edge });
      expect(back?.links[0]?.attributes).toEqual(edge);
      expect(back?.resourceAttributes).toEqual({ 'service.name': 'svc', ...edge });
      expect(back?.resourceSchemaUrl).toBe('https://example.com/r');
      expect(back?.scope).toEqual({
        name: 's',
        version: '1',
        attributes: edge,
        schemaUrl: 'https://example.com/s',
      });
      expect(back).toMatchObject({ startNsRem: 7, durationNsRem: 993 });
      // The int64 is an exact SQLite INTEGER: searchable by equality and range.
      expect(store.search({ query: parseQuery('big = 9223372036854775807'), limit: 5 })).toHaveLength(1);
      expect(store.search({ query: parseQuery('big > 9223372036854775806'), limit: 5 })).toHaveLength(1);
      expect(
        store.search({ query: parseQuery('resource.big = 9223372036854775807'), limit: 5 }),
      ).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
