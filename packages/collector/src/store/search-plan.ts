import type { Comparison, QueryNode } from '../query/ast.js';
import { KIND_CODES, STATUS_CODES } from '../query/ast.js';
import { linearRegexTest } from '../query/linear-regex.js';
import { literalNumber, literalString, VIRTUAL_TAGS } from '../query/sql.js';
import type { BlockMeta } from './block-index.js';
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
  blockKeyStats(key: string, minBlockId: number): Map<number, KeyStatsRow>;
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

class Planner {
  private readonly leafSets = new Map<Comparison, Set<number>>();
  private readonly keyStats = new Map<string, Map<number, KeyStatsRow>>();

  constructor(
    private readonly source: PlannerSource,
    private readonly minBlockId: number,
  ) {}

  private stats(key: string): Map<number, KeyStatsRow> {
    let stats = this.keyStats.get(key);
    if (stats === undefined) {
      stats = this.source.blockKeyStats(key, this.minBlockId);
      this.keyStats.set(key, stats);
    }
    return stats;
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
        return node.items.every((item) => this.mayMatch(item, block));
      case 'or':
        return node.items.some((item) => this.mayMatch(item, block));
      case 'not':
        return true;
      default:
        return this.leafMayMatch(node, block);
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
      if (statsMayMatch(cmp, key, this.stats(SPAN_KEY_PREFIX + key).get(block.id))) return true;
      if (VIRTUAL_TAGS[key] !== undefined && this.virtualMayMatch(cmp, key, block)) return true;
    }
    if (field.scope === 'span') return false;
    if (statsMayMatch(cmp, key, this.stats(RESOURCE_KEY_PREFIX + key).get(block.id))) return true;
    // Event names and attributes (blocks from before they were indexed cannot be ruled out).
    if (this.stats(EVENTS_UNINDEXED_KEY).has(block.id)) return true;
    return statsMayMatch(cmp, key, this.stats(EVENT_KEY_PREFIX + key).get(block.id));
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
 * Picks the blocks that may hold matching spans in the time window and returns their row ranges,
 * newest first, adjacent blocks merged.
 */
export function planBlocks(
  source: PlannerSource,
  query: QueryNode | null,
  startUs: number,
  endUs: number,
): [number, number][] {
  const inWindow = source.blocks.filter((b) => b.maxStart >= startUs && b.minStart <= endUs && b.hi >= b.lo);
  const first = inWindow[0];
  if (first === undefined) return [];
  const planner = new Planner(source, first.id);
  const ranges: [number, number][] = [];
  for (let i = inWindow.length - 1; i >= 0; i--) {
    const b = inWindow[i] as BlockMeta;
    if (query !== null && !planner.mayMatch(query, b)) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[0] === b.hi + 1) last[0] = b.lo;
    else ranges.push([b.lo, b.hi]);
  }
  return ranges;
}
