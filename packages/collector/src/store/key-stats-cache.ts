import type { BlockMeta } from './block-index.js';
import type { KeyStatsRow } from './search-plan.js';

/** Reads the `block_keys` rows of `key` for block ids `lo`–`hi` into `into`. */
export type KeyStatsRead = (key: string, lo: number, hi: number, into: Map<number, KeyStatsRow>) => void;

/** The cached statistics of one key: every block with an id in [lo, hi] (absent = no row). */
interface Covered {
  lo: number;
  hi: number;
  rows: Map<number, KeyStatsRow>;
}

/** Rows a reader keeps at most (≈ 0.6 KB each with a Bloom filter): about 10 MB. */
export const KEY_STATS_CACHE_ROWS = 16_384;

/**
 * The key statistics of closed blocks, kept between searches. A block is closed once it is not
 * the newest: the writer only ever adds to the newest block, so a closed block's `block_keys`
 * rows never change again (retention deletes whole blocks, and block ids are never reused). A
 * repeated search on a key then plans from memory instead of reading a Bloom filter per block;
 * the newest block is always read again. Least recently used keys are dropped first.
 */
export class KeyStatsCache {
  private readonly byKey = new Map<string, Covered>();
  private rows = 0;

  constructor(
    private readonly read: KeyStatsRead,
    private readonly maxRows = KEY_STATS_CACHE_ROWS,
  ) {}

  /** Statistics of `key` for blocks `lo`–`hi` of `blocks` (ascending by id; the last may be open). */
  get(key: string, lo: number, hi: number, blocks: readonly BlockMeta[]): ReadonlyMap<number, KeyStatsRow> {
    const oldest = blocks[0]?.id ?? 0;
    const newestClosed = blocks.length >= 2 ? (blocks[blocks.length - 2] as BlockMeta).id : oldest - 1;
    const closedHi = Math.min(hi, newestClosed);
    if (lo > closedHi) return this.readFresh(key, lo, hi);
    let entry = this.byKey.get(key);
    if (entry !== undefined && entry.lo < oldest) {
      // Retention deleted blocks this entry covers: start again rather than prune.
      this.drop(key, entry);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = { lo, hi: closedHi, rows: new Map() };
      this.read(key, lo, closedHi, entry.rows);
    } else {
      this.byKey.delete(key);
      // Extend the covered range to the request: read only what it does not cover yet.
      if (lo < entry.lo) this.read(key, lo, entry.lo - 1, entry.rows);
      if (closedHi > entry.hi) this.read(key, entry.hi + 1, closedHi, entry.rows);
      this.rows -= entry.rows.size;
      entry.lo = Math.min(entry.lo, lo);
      entry.hi = Math.max(entry.hi, closedHi);
    }
    this.byKey.set(key, entry);
    this.rows += entry.rows.size;
    this.evict(key);
    if (hi <= newestClosed) return entry.rows;
    // The window reaches the open block: its rows are read again, not cached.
    const out = new Map<number, KeyStatsRow>();
    for (const [id, row] of entry.rows) if (id >= lo && id <= closedHi) out.set(id, row);
    this.read(key, closedHi + 1, hi, out);
    return out;
  }

  private readFresh(key: string, lo: number, hi: number): Map<number, KeyStatsRow> {
    const out = new Map<number, KeyStatsRow>();
    this.read(key, lo, hi, out);
    return out;
  }

  private drop(key: string, entry: Covered): void {
    this.byKey.delete(key);
    this.rows -= entry.rows.size;
  }

  private evict(keep: string): void {
    for (const [key, entry] of this.byKey) {
      if (this.rows <= this.maxRows) return;
      if (key !== keep) this.drop(key, entry);
    }
    // One key alone over the limit is not kept.
    const entry = this.byKey.get(keep);
    if (this.rows > this.maxRows && entry !== undefined) this.drop(keep, entry);
  }
}
