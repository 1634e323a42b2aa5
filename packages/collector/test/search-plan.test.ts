import { describe, expect, it } from 'vitest';
import { parseQuery } from '../src/index.js';
import type { BlockMeta } from '../src/store/block-index.js';
import { type KeyStatsRow, type PlannerSource, planBlocks, planRanges } from '../src/store/search-plan.js';

/** `count` blocks of 512 rows (ids are their first row, as the store assigns them). */
function source(count: number, stats: (blockId: number) => KeyStatsRow | undefined) {
  const blocks: BlockMeta[] = [];
  for (let i = 0; i < count; i++) {
    const lo = 1 + i * 512;
    blocks.push({
      id: lo,
      lo,
      hi: lo + 511,
      minStart: i * 1000,
      maxStart: i * 1000 + 999,
      minDur: 0,
      maxDur: 1000,
      kinds: 1 << 1,
      errors: 0,
      svcs: new Set([1]),
      ops: new Set([1]),
      parts: null,
    });
  }
  const reads: { key: string; blocks: number }[] = [];
  const src: PlannerSource = {
    blocks,
    matchServices: () => new Set([1]),
    matchOps: () => new Set([1]),
    opInfo: () => ({ svcId: 1, kind: 1 }),
    blockKeyStats(key, minBlockId, maxBlockId) {
      const out = new Map<number, KeyStatsRow>();
      let n = 0;
      for (const b of blocks) {
        if (b.id < minBlockId || b.id > maxBlockId) continue;
        n++;
        const row = key === 's:n' ? stats(b.id) : undefined;
        if (row !== undefined) out.set(b.id, row);
      }
      reads.push({ key, blocks: n });
      return out;
    },
  };
  return { src, reads };
}

const everywhere = (): KeyStatsRow => ({ min: 0, max: 100, other: 0, bloom: null });

describe('block planner', () => {
  it('plans lazily: a search that stops in the newest blocks reads only their key statistics', () => {
    const { src, reads } = source(2000, everywhere);
    const first = planRanges(src, parseQuery('n > 5'), 0, Number.MAX_SAFE_INTEGER).next();
    // Newest blocks first, merged up to 16,384 rows (32 blocks).
    expect(first.value).toEqual([1 + 1968 * 512, 2000 * 512]);
    const blocksRead = reads.filter((r) => r.key === 's:n').reduce((n, r) => n + r.blocks, 0);
    expect(blocksRead).toBeLessThan(100);
  });

  it('windows count blocks, not ids, and a full plan reads each key a few times', () => {
    const { src, reads } = source(2000, everywhere);
    expect(planBlocks(src, parseQuery('n > 5'), 0, Number.MAX_SAFE_INTEGER)).toEqual([[1, 2000 * 512]]);
    const spanReads = reads.filter((r) => r.key === 's:n');
    expect(spanReads.reduce((n, r) => n + r.blocks, 0)).toBe(2000);
    expect(spanReads.length).toBeLessThanOrEqual(8);
  });

  it('gives the same ranges as testing every block, in and out of the time window', () => {
    // Only every seventh block can hold n = 42.
    const stats = (id: number): KeyStatsRow | undefined =>
      ((id - 1) / 512) % 7 === 0 ? { min: 40, max: 50, other: 0, bloom: null } : undefined;
    const { src } = source(300, stats);
    const expected: [number, number][] = [];
    for (let i = 299; i >= 0; i--) {
      const inWindow = i * 1000 + 999 >= 20_000 && i * 1000 <= 250_000;
      if (inWindow && i % 7 === 0) expected.push([1 + i * 512, (i + 1) * 512]);
    }
    expect(planBlocks(src, parseQuery('n = 42'), 20_000, 250_000)).toEqual(expected);
    expect(planBlocks(src, parseQuery('n = 99'), 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
