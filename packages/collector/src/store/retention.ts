import type Database from 'better-sqlite3';
import { InvalidOptionError } from '../errors.js';
import type { BlockMeta } from './block-index.js';
import type { TraceWriter } from './trace-writer.js';

/** Retention limits; the oldest blocks of spans (and their traces) go first. */
export interface RetentionOptions {
  /** Spans whose block is older than this are deleted (default 7 days). 0 disables. */
  maxAgeMs?: number;
  /** The database is trimmed to this many bytes (default 1 GiB). 0 disables. */
  maxBytes?: number;
  /** How often retention runs in the background (default 60 s). */
  intervalMs?: number;
}

const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
const DEFAULT_INTERVAL_MS = 60_000;

/** Retention options with defaults applied. Throws `InvalidOptionError` for negative or non-finite values. */
export function resolveRetention(
  options: RetentionOptions | undefined,
): Readonly<Required<RetentionOptions>> {
  const maxAgeMs = options?.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const intervalMs = options?.intervalMs ?? DEFAULT_INTERVAL_MS;
  for (const [name, value] of Object.entries({ maxAgeMs, maxBytes, intervalMs })) {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidOptionError(`retention.${name} must be a non-negative number, got ${value}`);
    }
  }
  return Object.freeze({ maxAgeMs, maxBytes, intervalMs });
}

/** Bytes used by live pages of a database (free pages excluded). */
export function liveBytes(db: Database.Database): number {
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Deletes the oldest blocks of spans by age and by database size. */
export class Retention {
  /** Spans deleted since the store was opened. */
  deletedSpans = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly blocks: BlockMeta[],
    private readonly writer: TraceWriter,
    readonly settings: Readonly<Required<RetentionOptions>>,
    private readonly inMemory: boolean,
  ) {}

  /**
   * Deletes the oldest blocks of spans while they are older than `maxAgeMs` or the database is
   * larger than `maxBytes`, and the traces that have no span left. Returns the spans deleted.
   */
  enforce(nowMs: number): number {
    const { maxAgeMs, maxBytes } = this.settings;
    let deleted = 0;
    if (maxAgeMs > 0) {
      const cutoffUs = (nowMs - maxAgeMs) * 1000;
      let n = 0;
      while (n < this.blocks.length && (this.blocks[n] as BlockMeta).maxStart < cutoffUs) n++;
      if (n > 0) deleted += this.dropBlocks(n);
    }
    if (maxBytes > 0) {
      for (let round = 0; round < 50 && this.blocks.length > 0 && liveBytes(this.db) > maxBytes; round++) {
        const share = Math.max(
          1,
          Math.ceil(this.blocks.length * Math.min(0.5, 1 - maxBytes / liveBytes(this.db) + 0.05)),
        );
        deleted += this.dropBlocks(share);
      }
    }
    return deleted;
  }

  private dropBlocks(count: number): number {
    const dropped = this.blocks.slice(0, count);
    const last = dropped[dropped.length - 1];
    if (last === undefined) return 0;
    const spans = dropped.reduce((sum, b) => sum + (b.hi - b.lo + 1), 0);
    this.db.transaction(() => {
      this.writer.saveNextRowId();
      this.db.prepare('DELETE FROM spans WHERE id <= ?').run(last.hi);
      this.db.prepare('DELETE FROM traces WHERE max_row <= ?').run(last.hi);
      this.db.prepare('DELETE FROM blocks WHERE id <= ?').run(last.id);
      this.db.prepare('DELETE FROM block_keys WHERE block_id <= ?').run(last.id);
    })();
    this.blocks.splice(0, count);
    this.writer.blocksDropped(last.id);
    this.deletedSpans += spans;
    if (!this.inMemory) this.db.pragma('incremental_vacuum');
    return spans;
  }
}
