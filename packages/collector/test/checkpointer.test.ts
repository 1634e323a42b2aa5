import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BackgroundCheckpointer,
  CHECKPOINT_INTERVAL_MS,
  FALLBACK_AUTOCHECKPOINT_PAGES,
} from '../src/store/checkpointer.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../src/store/schema.js';
import { TraceStore } from '../src/store/store.js';
import { batchOf, makeSpan } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'collector-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const autocheckpoint = (store: TraceStore) => store.connection.pragma('wal_autocheckpoint', { simple: true });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** 20 batches of 200 spans with a few attributes: ~2 MB of WAL, under every automatic threshold. */
function fill(store: TraceStore, after: () => void): void {
  for (let b = 0; b < 20; b++) {
    const spans = Array.from({ length: 200 }, (_, i) =>
      makeSpan({ attributes: { 'http.route': `/items/${i}`, 'user.id': `user-${b}-${i}`, n: i } }),
    );
    store.insert(batchOf('checkpoint-test', spans));
    after();
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(10);
  }
}

describe('BackgroundCheckpointer (WAL checkpoints off the ingest thread)', () => {
  it('copies committed pages into the database file from its own thread', async () => {
    const path = join(dir, 'copies.db');
    const store = TraceStore.open({ path });
    const checkpointer = BackgroundCheckpointer.start(path, store.connection) as BackgroundCheckpointer;
    // The writer only checkpoints itself past the fallback bound while the thread runs.
    expect(autocheckpoint(store)).toBe(FALLBACK_AUTOCHECKPOINT_PAGES);
    const before = statSync(path).size;
    fill(store, () => {});
    // Nothing asked yet: the pages are all in the WAL (no commit reached a threshold).
    expect(statSync(path).size).toBe(before);
    checkpointer.afterCommit();
    await until(() => checkpointer.stats.checkpoints === 1);
    expect(checkpointer.stats.failures).toBe(0);
    expect(statSync(path).size).toBeGreaterThan(before + 1_000_000);
    await checkpointer.close();
    expect(checkpointer.active).toBe(false);
    expect(autocheckpoint(store)).toBe(WAL_AUTOCHECKPOINT_PAGES);
    store.close();
  });

  it('asks at most once per interval and never while a checkpoint runs', async () => {
    const path = join(dir, 'interval.db');
    const store = TraceStore.open({ path });
    const checkpointer = BackgroundCheckpointer.start(path, store.connection) as BackgroundCheckpointer;
    const started = performance.now();
    fill(store, () => checkpointer.afterCommit());
    const elapsed = performance.now() - started;
    // The first commit asked (the thread may still be starting: its answer can take a while).
    await until(() => checkpointer.stats.checkpoints >= 1);
    // 20 commits, each followed by afterCommit: one request per interval started, at most.
    expect(checkpointer.stats.checkpoints).toBeLessThanOrEqual(
      1 + Math.floor(elapsed / CHECKPOINT_INTERVAL_MS),
    );
    await checkpointer.close();
    store.close();
  });

  it('hands checkpoints back to SQLite when its thread dies', async () => {
    const path = join(dir, 'dies.db');
    const store = TraceStore.open({ path });
    const checkpointer = BackgroundCheckpointer.start(path, store.connection) as BackgroundCheckpointer;
    // biome-ignore lint/suspicious/noExplicitAny: reaching the private thread to kill it
    await (checkpointer as any).worker.terminate();
    await until(() => !checkpointer.active);
    expect(autocheckpoint(store)).toBe(WAL_AUTOCHECKPOINT_PAGES);
    checkpointer.afterCommit(); // a no-op, not a throw
    await checkpointer.close();
    store.close();
  });

  it('leaves a closed store whole: every span readable, no WAL left behind', async () => {
    const path = join(dir, 'closed.db');
    const store = TraceStore.open({ path });
    const checkpointer = BackgroundCheckpointer.start(path, store.connection) as BackgroundCheckpointer;
    fill(store, () => checkpointer.afterCommit());
    await checkpointer.close();
    store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = TraceStore.open({ path });
    expect(reopened.status().spanCount).toBe(4000);
    reopened.close();
  });
});
