import type Database from 'better-sqlite3';
import { StoreVersionError } from '../errors.js';

/**
 * Schema version stored in `PRAGMA user_version`.
 * - 1: the first release.
 * - 2: `spans.start_ns_rem` / `dur_ns_rem` (nanoseconds past the microsecond), exact int64 literals
 *   in attribute JSON, event attributes in the block index (`e:` keys).
 * A version-1 file is migrated in place when opened (two `ADD COLUMN`s, no rewrite). A build of
 * version 1 can still open a version-2 file: the new columns have defaults and the old statements
 * name their columns.
 *
 * `blocks.parts` (the per-block (operation, status) zone map) was added without a version change:
 * it is nullable, a build that does not know it ignores it and writes NULL for the blocks it
 * starts (a writer never continues a block it did not start), and NULL means "no partition
 * information", which rules nothing out. It is added to an older file when a writer opens it.
 */
export const SCHEMA_VERSION = 2;

/**
 * `block_keys` key marking a block written before event attributes were indexed: searches on
 * event attributes cannot skip it.
 */
export const EVENTS_UNINDEXED_KEY = 'e:*';

/**
 * Creates the tables. Design (see bench/collector/RESULTS.md for the measurements behind it):
 * - `spans` holds one row per span with attributes as JSON and no secondary index at all, so
 *   ingest pays for one B-tree append per span. Rows of one trace within a batch are contiguous.
 * - `traces` is the per-trace summary (root, duration, counts, services) updated once per trace
 *   per batch, and the rowid ranges of its spans: fetching a trace needs no span index.
 * - `blocks` / `block_keys` are a block-range ("zone map") index: per block of ~512 consecutive
 *   spans, the time and duration range, services, operations, kinds, error count, and per
 *   attribute key the numeric min/max and a Bloom filter of string values, and (`parts`) the
 *   duration range of each (operation, status) pair. A search visits only blocks that can match,
 *   newest first, and stops as soon as it has `limit` traces.
 */
export function createSchema(db: Database.Database, path = ''): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION) {
    throw new StoreVersionError(
      `database ${path} has schema version ${found}, written by a newer autobot-trace; this build reads up to ${SCHEMA_VERSION}: upgrade, or use another --db`,
    );
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS services (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS ops (
      id INTEGER PRIMARY KEY, svc_id INTEGER NOT NULL, name TEXT NOT NULL, kind INTEGER NOT NULL,
      UNIQUE (svc_id, name, kind));
    CREATE TABLE IF NOT EXISTS resources (
      id INTEGER PRIMARY KEY, svc_id INTEGER NOT NULL, attrs TEXT NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS scopes (
      id INTEGER PRIMARY KEY, name TEXT NOT NULL, version TEXT NOT NULL, attrs TEXT NOT NULL,
      UNIQUE (name, version, attrs));
    CREATE TABLE IF NOT EXISTS spans (
      id INTEGER PRIMARY KEY, trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_id TEXT NOT NULL,
      res_id INTEGER NOT NULL, scope_id INTEGER NOT NULL, svc_id INTEGER NOT NULL, op_id INTEGER NOT NULL,
      kind INTEGER NOT NULL, start_us INTEGER NOT NULL, dur_us INTEGER NOT NULL, status INTEGER NOT NULL,
      status_msg TEXT, attrs TEXT NOT NULL, extra TEXT,
      start_ns_rem INTEGER NOT NULL DEFAULT 0, dur_ns_rem INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS traces (
      trace_id TEXT PRIMARY KEY, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,
      root_svc INTEGER NOT NULL, root_op INTEGER NOT NULL, has_root INTEGER NOT NULL,
      span_count INTEGER NOT NULL, error_count INTEGER NOT NULL, svcs TEXT NOT NULL,
      ranges TEXT NOT NULL, max_row INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS traces_max_row ON traces (max_row);
    CREATE TABLE IF NOT EXISTS blocks (
      id INTEGER PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
      min_start INTEGER NOT NULL, max_start INTEGER NOT NULL, min_dur INTEGER NOT NULL, max_dur INTEGER NOT NULL,
      kinds INTEGER NOT NULL, errors INTEGER NOT NULL, svcs TEXT NOT NULL, ops TEXT NOT NULL, parts TEXT);
    CREATE TABLE IF NOT EXISTS block_keys (
      key TEXT NOT NULL, block_id INTEGER NOT NULL, min_num REAL, max_num REAL, other INTEGER NOT NULL,
      bloom BLOB, PRIMARY KEY (key, block_id)) WITHOUT ROWID;
  `);
  if (found < SCHEMA_VERSION) migrate(db);
  if (!columnsOf(db, 'blocks').has('parts')) db.exec('ALTER TABLE blocks ADD COLUMN parts TEXT');
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

/**
 * Brings a file written by an older build up to date, idempotently: the columns are checked, not
 * the version (a version-1 build that opened this file since has set `user_version` back to 1).
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const columns = columnsOf(db, 'spans');
    for (const column of ['start_ns_rem', 'dur_ns_rem']) {
      if (!columns.has(column)) db.exec(`ALTER TABLE spans ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`);
    }
    db.prepare(
      'INSERT OR IGNORE INTO block_keys (key, block_id, min_num, max_num, other, bloom) SELECT ?, id, NULL, NULL, 1, NULL FROM blocks',
    ).run(EVENTS_UNINDEXED_KEY);
  })();
}

/** WAL frames after which a commit checkpoints (SQLite's default is 1000). */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

/** Connection settings: WAL, NORMAL sync (a crash loses at most the last commits, never corrupts). */
export function configureConnection(db: Database.Database, inMemory: boolean): void {
  if (!inMemory) {
    // auto_vacuum must be chosen before the first table exists; it lets retention give space back.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    // Checkpoint every WAL_AUTOCHECKPOINT_PAGES (16 MiB at 4 KiB pages) instead of SQLite's 1000:
    // each checkpoint syncs the WAL and the database on the ingest thread. A quarter as many
    // checkpoints cut insert wall time by ~6 µs/span on the bench batches (same CPU); pages
    // rewritten between checkpoints (trace rows, block index) are copied once.
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  db.pragma('busy_timeout = 5000');
}
