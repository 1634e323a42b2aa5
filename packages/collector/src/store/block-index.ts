import { type Attributes, DOUBLE_TAG, type SpanEvent } from '../model.js';
import { BLOOM_BYTES, bloomAdd } from './bloom.js';

/** Per-block summary of one attribute key: numeric range, non-scalar flag and string Bloom filter. */
export interface KeyStats {
  min: number;
  max: number;
  hasNum: boolean;
  /** Arrays/objects were seen: the block cannot be ruled out for this key. */
  other: boolean;
  bloom: Uint8Array | null;
}

/** The in-memory view of one `blocks` row. Times and durations in microseconds. */
export interface BlockMeta {
  id: number;
  lo: number;
  hi: number;
  minStart: number;
  maxStart: number;
  minDur: number;
  maxDur: number;
  /** Bit mask of span kinds present (1 << kind). */
  kinds: number;
  errors: number;
  svcs: Set<number>;
  ops: Set<number>;
  /**
   * The block's spans partitioned by (operation, status), each partition with its duration
   * range: a finer zone map that rules out a block for a conjunction such as
   * `service = x and status = error and duration > 2s` when no error span of x is that slow,
   * although the block as a whole has errors, x and slow spans. `null` when unknown (blocks
   * written before it existed, or with more than {@link MAX_BLOCK_PARTS} partitions).
   */
  parts: Map<number, BlockPart> | null;
}

/** Spans of one (operation, status) in a block. Durations in microseconds. */
export interface BlockPart {
  op: number;
  status: number;
  minDur: number;
  maxDur: number;
}

/** Most (operation, status) partitions a block keeps; a block with more keeps none. */
export const MAX_BLOCK_PARTS = 256;

/** Key of a partition in {@link BlockMeta.parts}. */
export function partKey(op: number, status: number): number {
  return op * 4 + (status & 3);
}

/** The `blocks.parts` column: `[[op, status, minDur, maxDur], …]`, or null. */
export function partsJson(parts: Map<number, BlockPart> | null): string | null {
  if (parts === null) return null;
  const out: number[][] = [];
  for (const p of parts.values()) out.push([p.op, p.status, p.minDur, p.maxDur]);
  return JSON.stringify(out);
}

/** Reads the `blocks.parts` column (NULL or absent: unknown). */
export function parseParts(json: string | null | undefined): Map<number, BlockPart> | null {
  if (typeof json !== 'string') return null;
  const parts = new Map<number, BlockPart>();
  for (const [op, status, minDur, maxDur] of JSON.parse(json) as [number, number, number, number][]) {
    parts.set(partKey(op, status), { op, status, minDur, maxDur });
  }
  return parts;
}

/** Spans per block before a new block is started; small exports share one block. */
export const BLOCK_TARGET_SPANS = 512;

/** Prefix of span-attribute keys in `block_keys`. */
export const SPAN_KEY_PREFIX = 's:';
/** Prefix of resource-attribute keys in `block_keys`. */
export const RESOURCE_KEY_PREFIX = 'r:';
/** Prefix of event-attribute keys in `block_keys` (`e:event` holds the event names). */
export const EVENT_KEY_PREFIX = 'e:';
/** The Jaeger log field that carries an event's name. */
export const EVENT_NAME_KEY = 'event';

function newStats(key: string): OpenKeyStats {
  return {
    key,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    hasNum: false,
    other: false,
    bloom: null,
  };
}

function addValue(stats: KeyStats, value: unknown): void {
  switch (typeof value) {
    case 'number':
      if (value < stats.min) stats.min = value;
      if (value > stats.max) stats.max = value;
      stats.hasNum = true;
      return;
    case 'bigint': {
      // Beyond 2^53 a double is not exact: widen the range by one unit in the last place, so a
      // query literal that rounds the same way is never ruled out.
      const n = Number(value);
      const slack = Math.abs(n) * Number.EPSILON;
      if (n - slack < stats.min) stats.min = n - slack;
      if (n + slack > stats.max) stats.max = n + slack;
      stats.hasNum = true;
      return;
    }
    case 'string':
      if (stats.bloom === null) stats.bloom = new Uint8Array(BLOOM_BYTES);
      bloomAdd(stats.bloom, value);
      return;
    case 'boolean':
      if (stats.bloom === null) stats.bloom = new Uint8Array(BLOOM_BYTES);
      bloomAdd(stats.bloom, value ? 'true' : 'false');
      return;
    default: {
      // An integral double (5.0) is a tagged object; its number is indexed like any number.
      const d = value === null ? undefined : (value as Record<string, unknown>)[DOUBLE_TAG];
      if (typeof d === 'number') addValue(stats, d);
      else if (value !== null) stats.other = true;
    }
  }
}

/** The summary of one `block_keys` key (prefixed, e.g. `s:http.method`) of the open block. */
export interface OpenKeyStats extends KeyStats {
  readonly key: string;
}

/**
 * Stats of one key family (span, resource or event attributes), looked up by the attribute key
 * as it arrives: the prefixed `block_keys` key is built once per key and block, not per value.
 */
class KeyFamily {
  private readonly byKey = new Map<string, OpenKeyStats>();
  constructor(
    private readonly prefix: string,
    private readonly dirty: Set<OpenKeyStats>,
  ) {}

  stats(key: string): OpenKeyStats {
    let stats = this.byKey.get(key);
    if (stats === undefined) {
      stats = newStats(this.prefix + key);
      this.byKey.set(key, stats);
    }
    this.dirty.add(stats);
    return stats;
  }
}

/** Accumulates the block index of the block being filled. */
export class OpenBlock {
  readonly meta: BlockMeta;
  /** Keys changed since the block was last written. */
  readonly dirty = new Set<OpenKeyStats>();
  private readonly spanKeys = new KeyFamily(SPAN_KEY_PREFIX, this.dirty);
  private readonly resourceKeys = new KeyFamily(RESOURCE_KEY_PREFIX, this.dirty);
  private readonly eventKeys = new KeyFamily(EVENT_KEY_PREFIX, this.dirty);
  private readonly seenResources = new Set<number>();

  constructor(id: number, lo: number) {
    this.meta = {
      id,
      lo,
      hi: lo - 1,
      minStart: Number.MAX_SAFE_INTEGER,
      maxStart: 0,
      minDur: Number.MAX_SAFE_INTEGER,
      maxDur: 0,
      kinds: 0,
      errors: 0,
      svcs: new Set(),
      ops: new Set(),
      parts: new Map(),
    };
  }

  get spanCount(): number {
    return this.meta.hi - this.meta.lo + 1;
  }

  /** Adds one span (already assigned row id `rowId`). */
  addSpan(
    rowId: number,
    startUs: number,
    durationUs: number,
    kind: number,
    status: number,
    svcId: number,
    opId: number,
    attributes: Attributes,
  ): void {
    const m = this.meta;
    if (rowId > m.hi) m.hi = rowId;
    if (startUs < m.minStart) m.minStart = startUs;
    if (startUs > m.maxStart) m.maxStart = startUs;
    if (durationUs < m.minDur) m.minDur = durationUs;
    if (durationUs > m.maxDur) m.maxDur = durationUs;
    m.kinds |= 1 << kind;
    if (status === 2) m.errors++;
    m.svcs.add(svcId);
    m.ops.add(opId);
    if (m.parts !== null) {
      const key = partKey(opId, status);
      const part = m.parts.get(key);
      if (part !== undefined) {
        if (durationUs < part.minDur) part.minDur = durationUs;
        if (durationUs > part.maxDur) part.maxDur = durationUs;
      } else if (m.parts.size < MAX_BLOCK_PARTS) {
        m.parts.set(key, { op: opId, status, minDur: durationUs, maxDur: durationUs });
      } else {
        m.parts = null;
      }
    }
    const spanKeys = this.spanKeys;
    for (const key in attributes) addValue(spanKeys.stats(key), attributes[key]);
  }

  /** Adds the names and attributes of a span's events (searchable like Jaeger log fields). */
  addEvents(events: readonly SpanEvent[]): void {
    for (const e of events) {
      addValue(this.eventKeys.stats(EVENT_NAME_KEY), e.name);
      for (const key in e.attributes) addValue(this.eventKeys.stats(key), e.attributes[key]);
    }
  }

  /** Adds a resource's attributes once per block. */
  addResource(resId: number, attributes: Attributes): void {
    if (this.seenResources.has(resId)) return;
    this.seenResources.add(resId);
    for (const key in attributes) addValue(this.resourceKeys.stats(key), attributes[key]);
  }
}
