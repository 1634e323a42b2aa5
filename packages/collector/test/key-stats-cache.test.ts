import { describe, expect, it } from 'vitest';
import type { BlockMeta } from '../src/store/block-index.js';
import { KeyStatsCache } from '../src/store/key-stats-cache.js';
import type { KeyStatsRow } from '../src/store/search-plan.js';

const block = (id: number): BlockMeta => ({
  id,
  lo: id,
  hi: id + 9,
  minStart: 0,
  maxStart: 0,
  minDur: 0,
  maxDur: 0,
  kinds: 0,
  errors: 0,
  svcs: new Set(),
  ops: new Set(),
  parts: null,
});

/** A store whose blocks have ids 1, 11, 21, …; every block has a row for key `k`, version `v`. */
function setup(maxRows?: number) {
  const blocks = [1, 11, 21, 31, 41].map(block);
  const reads: [number, number][] = [];
  let version = 0;
  const cache = new KeyStatsCache((_key, lo, hi, into) => {
    reads.push([lo, hi]);
    for (const b of blocks) {
      if (b.id >= lo && b.id <= hi) into.set(b.id, { min: version, max: version, other: 0, bloom: null });
    }
  }, maxRows);
  const ids = (m: ReadonlyMap<number, KeyStatsRow>, lo: number, hi: number) =>
    blocks.filter((b) => b.id >= lo && b.id <= hi && m.has(b.id)).map((b) => [b.id, m.get(b.id)?.min]);
  return { blocks, reads, cache, ids, bump: () => version++ };
}

describe('key statistics cache', () => {
  it('reads closed blocks once and the open (newest) block every time', () => {
    const { blocks, reads, cache, ids, bump } = setup();
    expect(ids(cache.get('k', 11, 41, blocks), 11, 41)).toEqual([
      [11, 0],
      [21, 0],
      [31, 0],
      [41, 0],
    ]);
    expect(reads).toEqual([
      [11, 31],
      [32, 41],
    ]);
    bump();
    reads.length = 0;
    // Closed blocks from memory (version 0), the open one read again (version 1).
    expect(ids(cache.get('k', 11, 41, blocks), 11, 41)).toEqual([
      [11, 0],
      [21, 0],
      [31, 0],
      [41, 1],
    ]);
    expect(reads).toEqual([[32, 41]]);
    // Older blocks extend the covered range; only they are read.
    reads.length = 0;
    expect(ids(cache.get('k', 1, 21, blocks), 1, 21)).toEqual([
      [1, 1],
      [11, 0],
      [21, 0],
    ]);
    expect(reads).toEqual([[1, 10]]);
  });

  it('reads the block that was open once more after the writer moved on, then caches it', () => {
    const { blocks, reads, cache, bump } = setup();
    cache.get('k', 1, 41, blocks);
    bump();
    blocks.push(block(51));
    reads.length = 0;
    expect(cache.get('k', 1, 51, blocks).get(41)?.min).toBe(1);
    expect(reads).toEqual([
      [32, 41],
      [42, 51],
    ]);
    reads.length = 0;
    cache.get('k', 1, 51, blocks);
    expect(reads).toEqual([[42, 51]]);
  });

  it('starts again for a key after retention deleted blocks it covered', () => {
    const { blocks, reads, cache } = setup();
    cache.get('k', 1, 41, blocks);
    blocks.shift();
    reads.length = 0;
    cache.get('k', 11, 41, blocks);
    expect(reads).toEqual([
      [11, 31],
      [32, 41],
    ]);
  });

  it('keeps at most its row limit, dropping the least recently used key', () => {
    const { blocks, reads, cache } = setup(6);
    cache.get('a', 1, 41, blocks); // 4 closed rows
    cache.get('b', 1, 41, blocks); // 4 more: 'a' goes
    reads.length = 0;
    cache.get('b', 1, 41, blocks);
    expect(reads).toEqual([[32, 41]]);
    cache.get('a', 1, 41, blocks);
    expect(reads).toEqual([
      [32, 41],
      [1, 31],
      [32, 41],
    ]);
  });
});
