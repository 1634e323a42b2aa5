import type { Comparison, QueryNode } from '../query/ast.js';
import { KIND_CODES, STATUS_CODES } from '../query/ast.js';
import { linearRegexTest } from '../query/linear-regex.js';
import { literalNumber, literalString, VIRTUAL_TAGS } from '../query/sql.js';
import type { BlockMeta, BlockPart } from './block-index.js';
import { EVENT_KEY_PREFIX, RESOURCE_KEY_PREFIX, SPAN_KEY_PREFIX } from './block-index.js';
import { bloomHas } from './bloom.js';
import { EVENTS_UNINDEXED_KEY } from './schema.js';

/** Statistics of one attribute key in one block (a `block_keys` row). */
export interface KeyStatsRow {
  min: number | null;
  max: number | null;
  other: number;
  bloom: Uint8Array | null;
}

/** What the planner needs from the store. */
export interface PlannerSource {
  readonly blocks: BlockMeta[];
  matchServices(test: (name: string) => boolean): Set<number>;
  matchOps(test: (name: string) => boolean): Set<number>;
  /** Service and span kind of an operation id (undefined when unknown). */
  opInfo(id: number): { svcId: number; kind: number } | undefined;
  /** Statistics of `key` (prefixed) in the blocks with ids in [minBlockId, maxBlockId]. */
  blockKeyStats(key: string, minBlockId: number, maxBlockId: number): ReadonlyMap<number, KeyStatsRow>;
}

/** Blocks whose key statistics the planner reads at once first; each further read doubles it. */
const FIRST_STATS_WINDOW = 16;
/** Largest number of blocks whose key statistics are read at once. */
const MAX_STATS_WINDOW = 1024;
/**
 * Adjacent blocks are merged into one row range up to this many rows, then the range is handed
 * to the search: a search that finds its traces in the newest blocks plans no further.
 */
const MAX_MERGED_ROWS = 16_384;

/** The key statistics of a run of blocks (ids `lo`–`hi`) read from the store. */
interface StatsWindow {
  lo: number;
  hi: number;
  /** Rows of at least the blocks `lo`–`hi` (possibly more: only those are looked up). */
  rows: ReadonlyMap<number, KeyStatsRow>;
  /** Blocks the next read covers. */
  width: number;
}

function textTest(cmp: Comparison): (value: string) => boolean {
  const text = literalString(cmp.value);
  switch (cmp.op) {
    case '=':
      return (v) => v === text;
    case '!=':
      return (v) => v !== text;
    case '>':
      return (v) => v > text;
    case '>=':
      return (v) => v >= text;
    case '<':
      return (v) => v < text;
    case '<=':
      return (v) => v <= text;
    case '=~':
      return (v) => linearRegexTest(text, v);
    default:
      return (v) => !linearRegexTest(text, v);
  }
}

function compareRange(op: string, min: number, max: number, n: number): boolean {
  switch (op) {
    case '=':
      return min <= n && n <= max;
    case '>':
      return max > n;
    case '>=':
      return max >= n;
    case '<':
      return min < n;
    case '<=':
      return min <= n;
    default:
      return true;
  }
}

function statsMayMatch(cmp: Comparison, key: string, stats: KeyStatsRow | undefined): boolean {
  if (stats === undefined) return false;
  if (stats.other === 1) return true;
  const { op, value } = cmp;
  if (op === '!=' || op === '=~' || op === '!~') return true;
  const num = literalNumber(value, key);
  const hasNum = stats.min !== null && stats.max !== null;
  if (op === '=') {
    if (num !== undefined && hasNum && compareRange('=', stats.min as number, stats.max as number, num))
      return true;
    if (stats.bloom === null) return false;
    const text = literalString(value);
    if (bloomHas(stats.bloom, text)) return true;
    const lower = text.toLowerCase();
    return value.type === 'word' && (lower === 'true' || lower === 'false') && bloomHas(stats.bloom, lower);
  }
  if (num !== undefined && value.type !== 'string') {
    return hasNum && compareRange(op, stats.min as number, stats.max as number, num);
  }
  return stats.bloom !== null;
}

/** Intrinsic fields a block's (operation, status) partitions can decide. */
const PART_FIELDS = new Set(['service', 'name', 'kind', 'status', 'duration']);

class Planner {
  private readonly leafSets = new Map<Comparison, Set<number>>();
  private readonly keyStats = new Map<string, StatsWindow>();

  /** Position in `source.blocks` of the block being planned (set by {@link planRanges}). */
  position = 0;

  constructor(
    private readonly source: PlannerSource,
    private readonly firstPosition: number,
  ) {}

  /**
   * Statistics of `key` in block `blockId`. Blocks are planned newest first, so the statistics
   * are read in windows ending at the block asked for, growing as the plan goes further back: a
   * search that ends in the newest blocks reads only their statistics, not those of every block.
   */
  private stat(key: string, blockId: number): KeyStatsRow | undefined {
    let window = this.keyStats.get(key);
    if (window === undefined || blockId < window.lo || blockId > window.hi) {
      // Block ids are row ids (not dense): the window counts blocks by their position.
      const width = window === undefined ? FIRST_STATS_WINDOW : Math.min(window.width * 2, MAX_STATS_WINDOW);
      const from = Math.max(this.firstPosition, this.position - width + 1);
      const lo = (this.source.blocks[from] as BlockMeta).id;
      window = { lo, hi: blockId, rows: this.source.blockKeyStats(key, lo, blockId), width };
      this.keyStats.set(key, window);
    }
    return window.rows.get(blockId);
  }

  private idSet(cmp: Comparison, kind: 'service' | 'name'): Set<number> {
    let set = this.leafSets.get(cmp);
    if (set === undefined) {
      const test = textTest(cmp);
      set = kind === 'service' ? this.source.matchServices(test) : this.source.matchOps(test);
      this.leafSets.set(cmp, set);
    }
    return set;
  }

  mayMatch(node: QueryNode, block: BlockMeta): boolean {
    switch (node.type) {
      case 'and':
        return (
          node.items.every((item) => this.mayMatch(item, block)) && this.partsMayMatch(node.items, block)
        );
      case 'or':
        return node.items.some((item) => this.mayMatch(item, block));
      case 'not':
        return true;
      default:
        return this.leafMayMatch(node, block);
    }
  }

  /**
   * A conjunction of two or more intrinsic conditions (service, name, kind, status, duration) can
   * only hold for a span of one (operation, status) partition of the block: some partition must
   * satisfy all of them at once.
   */
  private partsMayMatch(items: QueryNode[], block: BlockMeta): boolean {
    if (block.parts === null) return true;
    const tests: Comparison[] = [];
    for (const item of items) {
      if (item.type === 'cmp' && item.field.kind === 'intrinsic' && PART_FIELDS.has(item.field.name)) {
        tests.push(item);
      }
    }
    if (tests.length < 2) return true;
    for (const part of block.parts.values()) {
      if (tests.every((cmp) => this.partMayMatch(cmp, part))) return true;
    }
    return false;
  }

  private partMayMatch(cmp: Comparison, part: BlockPart): boolean {
    const { op, value } = cmp;
    switch (cmp.field.kind === 'intrinsic' ? cmp.field.name : '') {
      case 'service': {
        const info = this.source.opInfo(part.op);
        return info === undefined || this.idSet(cmp, 'service').has(info.svcId);
      }
      case 'name':
        return this.idSet(cmp, 'name').has(part.op);
      case 'kind': {
        const info = this.source.opInfo(part.op);
        const code = KIND_CODES[literalString(value).toLowerCase()];
        if (info === undefined || code === undefined) return true;
        return op === '=' ? info.kind === code : op === '!=' ? info.kind !== code : true;
      }
      case 'status': {
        const code = STATUS_CODES[literalString(value).toLowerCase()];
        if (code === undefined) return true;
        return op === '=' ? part.status === code : op === '!=' ? part.status !== code : true;
      }
      case 'duration':
        return compareRange(op, part.minDur, part.maxDur, value.type === 'duration' ? value.us : 0);
      default:
        return true;
    }
  }

  private leafMayMatch(cmp: Comparison, block: BlockMeta): boolean {
    const field = cmp.field;
    if (field.kind === 'intrinsic') {
      switch (field.name) {
        case 'service':
        case 'name': {
          const set = this.idSet(cmp, field.name);
          const present = field.name === 'service' ? block.svcs : block.ops;
          for (const id of present) if (set.has(id)) return true;
          return false;
        }
        case 'duration':
          return compareRange(
            cmp.op,
            block.minDur,
            block.maxDur,
            cmp.value.type === 'duration' ? cmp.value.us : 0,
          );
        case 'status':
          if (cmp.op === '=' && STATUS_CODES[literalString(cmp.value).toLowerCase()] === 2)
            return block.errors > 0;
          return true;
        case 'kind': {
          const bit = 1 << (KIND_CODES[literalString(cmp.value).toLowerCase()] ?? 0);
          return cmp.op === '=' ? (block.kinds & bit) !== 0 : (block.kinds & ~bit) !== 0;
        }
        default:
          return true;
      }
    }
    const key = field.key;
    if (field.scope !== 'resource') {
      if (statsMayMatch(cmp, key, this.stat(SPAN_KEY_PREFIX + key, block.id))) return true;
      if (VIRTUAL_TAGS[key] !== undefined && this.virtualMayMatch(cmp, key, block)) return true;
    }
    if (field.scope === 'span') return false;
    if (statsMayMatch(cmp, key, this.stat(RESOURCE_KEY_PREFIX + key, block.id))) return true;
    // Event names and attributes (blocks from before they were indexed cannot be ruled out).
    if (this.stat(EVENTS_UNINDEXED_KEY, block.id) !== undefined) return true;
    return statsMayMatch(cmp, key, this.stat(EVENT_KEY_PREFIX + key, block.id));
  }

  // Tags derived from span fields (see VIRTUAL_TAGS): only the error count is in the index.
  private virtualMayMatch(cmp: Comparison, key: string, block: BlockMeta): boolean {
    const text = literalString(cmp.value);
    const errorOnly =
      cmp.op === '=' &&
      ((key === 'otel.status_code' && text === 'ERROR') ||
        (key === 'error' && text.toLowerCase() === 'true'));
    return errorOnly ? block.errors > 0 : true;
  }
}

/**
 * Picks the blocks that may hold matching spans in the time window and yields their row ranges,
 * newest first, adjacent blocks merged up to {@link MAX_MERGED_ROWS} rows. Lazy: blocks are
 * planned as the search consumes the ranges, so a search that stops early plans only what it read.
 */
export function* planRanges(
  source: PlannerSource,
  query: QueryNode | null,
  startUs: number,
  endUs: number,
): Generator<[number, number], void, undefined> {
  const blocks = source.blocks;
  let first = 0;
  while (first < blocks.length && (blocks[first] as BlockMeta).maxStart < startUs) first++;
  const firstBlock = blocks[first];
  if (firstBlock === undefined) return;
  const planner = new Planner(source, first);
  let pending: [number, number] | undefined;
  for (let i = blocks.length - 1; i >= first; i--) {
    const b = blocks[i] as BlockMeta;
    if (b.maxStart < startUs || b.minStart > endUs || b.hi < b.lo) continue;
    planner.position = i;
    if (query !== null && !planner.mayMatch(query, b)) continue;
    if (pending !== undefined && pending[0] === b.hi + 1 && pending[1] - b.lo < MAX_MERGED_ROWS) {
      pending[0] = b.lo;
      continue;
    }
    if (pending !== undefined) yield pending;
    pending = [b.lo, b.hi];
  }
  if (pending !== undefined) yield pending;
}

/** All the row ranges {@link planRanges} yields, adjacent ones merged (an explain plan). */
export function planBlocks(
  source: PlannerSource,
  query: QueryNode | null,
  startUs: number,
  endUs: number,
): [number, number][] {
  const ranges: [number, number][] = [];
  for (const [lo, hi] of planRanges(source, query, startUs, endUs)) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[0] === hi + 1) last[0] = lo;
    else ranges.push([lo, hi]);
  }
  return ranges;
}
