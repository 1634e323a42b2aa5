import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceStore } from '../src/index.js';
import { batchOf, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-concurrency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A reader in another process counts spans as fast as it can while this process writes
// 512-span batches: every count it sees must be a whole number of batches.
const READER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2], { readonly: true, fileMustExist: true });
const seen = new Set();
const stop = Date.now() + Number(process.argv[3]);
while (Date.now() < stop) {
  // One read transaction = one snapshot for both counts.
  db.exec('BEGIN');
  const n = db.prepare('SELECT count(*) AS n FROM spans').get().n;
  const t = db.prepare('SELECT coalesce(sum(span_count), 0) AS n FROM traces').get().n;
  db.exec('COMMIT');
  seen.add(n + ':' + t);
}
process.stdout.write(JSON.stringify([...seen]));
`;

describe('concurrent readers', () => {
  it('never see half a batch', async () => {
    const path = join(dir, 'c.db');
    const store = TraceStore.open({ path, retention: { maxAgeMs: 0, maxBytes: 0 } });
    try {
      store.insert(batchOf('svc', [makeSpan()]));
      const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
      const reader = spawn(process.execPath, ['-e', READER, betterSqlite, path, '1500'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      reader.stdout.on('data', (d) => {
        out += d;
      });
      const done = new Promise((resolve) => reader.on('exit', resolve));
      const until = Date.now() + 1200;
      while (Date.now() < until) {
        const traceSpan = makeSpan();
        const spans = Array.from({ length: 512 }, (_, i) =>
          i < 8
            ? makeSpan({ traceId: traceSpan.traceId, attributes: { i } })
            : makeSpan({ attributes: { i } }),
        );
        store.insert(batchOf('svc', spans));
        await new Promise((r) => setTimeout(r, 5));
      }
      await done;
      const seen = JSON.parse(out) as string[];
      expect(seen.length).toBeGreaterThan(2);
      for (const pair of seen) {
        const [spans, traced] = pair.split(':').map(Number) as [number, number];
        expect((spans - 1) % 512).toBe(0);
        expect(traced).toBe(spans);
      }
    } finally {
      store.close();
    }
  });
});
