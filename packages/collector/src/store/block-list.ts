import type Database from 'better-sqlite3';
import { type BlockMeta, parseParts } from './block-index.js';

interface BlockRow {
  id: number;
  lo: number;
  hi: number;
  min_start: number;
  max_start: number;
  min_dur: number;
  max_dur: number;
  kinds: number;
  errors: number;
  svcs: string;
  ops: string;
  /** Absent on a file no writer of this build has opened yet. */
  parts?: string | null;
}

function toMeta(r: BlockRow): BlockMeta {
  return {
    id: r.id,
    lo: r.lo,
    hi: r.hi,
    minStart: r.min_start,
    maxStart: r.max_start,
    minDur: r.min_dur,
    maxDur: r.max_dur,
    kinds: r.kinds,
    errors: r.errors,
    svcs: new Set(JSON.parse(r.svcs) as number[]),
    ops: new Set(JSON.parse(r.ops) as number[]),
    parts: parseParts(r.parts),
  };
}

/** Every row of the `blocks` table, ascending by id. */
export function loadBlocks(db: Database.Database): BlockMeta[] {
  return (db.prepare('SELECT * FROM blocks ORDER BY id').all() as BlockRow[]).map(toMeta);
}

/** The statements of {@link refreshBlocks}, per connection (it runs before every worker search). */
const refreshStatements = new WeakMap<
  Database.Database,
  { oldest: Database.Statement; since: Database.Statement }
>();

/**
 * Brings `blocks` (ascending by id) up to date with the table as another connection wrote it:
 * drops blocks retention deleted, re-reads the newest known block (it may still be growing) and
 * appends newer ones. Cost: one indexed query per call plus the new blocks.
 */
export function refreshBlocks(db: Database.Database, blocks: BlockMeta[]): void {
  let stmts = refreshStatements.get(db);
  if (stmts === undefined) {
    stmts = {
      oldest: db.prepare('SELECT min(id) AS m FROM blocks'),
      since: db.prepare('SELECT * FROM blocks WHERE id >= ? ORDER BY id'),
    };
    refreshStatements.set(db, stmts);
  }
  const oldest = (stmts.oldest.get() as { m: number | null }).m;
  if (oldest === null) {
    blocks.length = 0;
    return;
  }
  let drop = 0;
  while (drop < blocks.length && (blocks[drop] as BlockMeta).id < oldest) drop++;
  if (drop > 0) blocks.splice(0, drop);
  const from = blocks[blocks.length - 1]?.id ?? 0;
  if (blocks.length > 0) blocks.pop();
  for (const r of stmts.since.all(from) as BlockRow[]) {
    blocks.push(toMeta(r));
  }
}
