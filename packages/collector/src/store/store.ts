import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InvalidOptionError } from '../errors.js';
import type { Attributes, DecodedBatch, SpanInput, StoredSpan, TraceSummary } from '../model.js';
import type { QueryNode } from '../query/ast.js';
import { compileToSql, REGEXP_FUNCTION } from '../query/sql.js';
import { BLOCK_TARGET_SPANS, type BlockMeta, OpenBlock } from './block-index.js';
import { Catalog } from './catalog.js';
import { DuplicateFilter } from './dedupe.js';
import { computeDependencies, type DependencyLink } from './dependencies.js';
import { attrsJson, extraJson, rowToSpan, type SpanRowDb } from './rows.js';
import { configureConnection, createSchema } from './schema.js';
import { planBlocks } from './search-plan.js';

/** Retention limits; the oldest blocks of spans (and their traces) go first. */
export interface RetentionOptions {
  /** Spans whose block is older than this are deleted (default 7 days). 0 disables. */
  maxAgeMs?: number;
  /** The database is trimmed to this many bytes (default 1 GiB). 0 disables. */
  maxBytes?: number;
  /** How often retention runs in the background (default 60 s). */
  intervalMs?: number;
}

/** Options of {@link TraceStore.open}. */
export interface StoreOptions {
  /** SQLite file, or `:memory:`. Default `.autobot/traces.db` (relative to the working directory). */
  path?: string;
  retention?: RetentionOptions;
}

/** Search request. Times in microseconds since the epoch. */
export interface SearchRequest {
  query: QueryNode | null;
  startUs?: number;
  endUs?: number;
  /** Maximum number of traces (default 20, at most 1000). */
  limit?: number;
}

/** What {@link TraceStore.status} reports. */
export interface StoreStatus {
  path: string;
  sizeBytes: number;
  spanCount: number;
  traceCount: number;
  blockCount: number;
  oldestSpanUs: number | null;
  newestSpanUs: number | null;
  deletedSpans: number;
}

/** Default database file. */
export const DEFAULT_DB_PATH = '.autobot/traces.db';
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
const MAX_LIMIT = 1000;

interface TraceRow {
  trace_id: string;
  start_us: number;
  end_us: number;
  root_svc: number;
  root_op: number;
  has_root: number;
  span_count: number;
  error_count: number;
  svcs: string;
  ranges: string;
  max_row: number;
}
interface PendingTrace {
  traceId: string;
  lo: number;
  hi: number;
  start: number;
  end: number;
  count: number;
  errors: number;
  svcs: Set<number>;
  rootSvc: number;
  rootOp: number;
  rootStart: number;
  hasRoot: boolean;
}

/**
 * The SQLite trace store. Synchronous (better-sqlite3): every `insert` is one transaction, so a
 * reader never sees half a batch and a killed process loses at most the batch in flight.
 */
export class TraceStore {
  readonly path: string;
  readonly db: Database.Database;
  private readonly retention: Required<RetentionOptions>;
  private readonly catalog: Catalog;
  private readonly duplicates: DuplicateFilter;
  /** In-memory copy of the `blocks` table, ascending by id. */
  readonly blocks: BlockMeta[] = [];
  private open: OpenBlock | null = null;
  private nextRowId: number;
  private deletedSpans = 0;
  private readonly stmts: ReturnType<TraceStore['prepare']>;
  private closed = false;

  private constructor(path: string, retention: RetentionOptions | undefined) {
    this.path = path;
    const maxAgeMs = retention?.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    const maxBytes = retention?.maxBytes ?? DEFAULT_MAX_BYTES;
    const intervalMs = retention?.intervalMs ?? 60_000;
    for (const [name, value] of Object.entries({ maxAgeMs, maxBytes, intervalMs })) {
      if (!Number.isFinite(value) || value < 0) {
        throw new InvalidOptionError(`retention.${name} must be a non-negative number, got ${value}`);
      }
    }
    this.retention = { maxAgeMs, maxBytes, intervalMs };
    const inMemory = path === ':memory:' || path === '';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    configureConnection(this.db, inMemory);
    createSchema(this.db, path);
    const regexCache = new Map<string, RegExp>();
    this.db.function(REGEXP_FUNCTION, { deterministic: true }, (pattern: unknown, value: unknown) => {
      if (typeof value !== 'string' || typeof pattern !== 'string') return 0;
      let re = regexCache.get(pattern);
      if (re === undefined) {
        try {
          re = new RegExp(`^(?:${pattern})$`);
        } catch {
          re = /(?!)/;
        }
        if (regexCache.size > 1000) regexCache.clear();
        regexCache.set(pattern, re);
      }
      return re.test(value) ? 1 : 0;
    });
    this.stmts = this.prepare();
    this.catalog = new Catalog(this.db);
    this.duplicates = new DuplicateFilter(this.db);
    this.loadBlocks();
    const maxId = (this.db.prepare('SELECT max(id) AS m FROM spans').get() as { m: number | null }).m ?? 0;
    const metaNext = this.db.prepare("SELECT value FROM meta WHERE key = 'next_row'").get() as
      | { value: string }
      | undefined;
    this.nextRowId = Math.max(maxId + 1, Number(metaNext?.value ?? 1));
  }

  /** Opens (creating if needed) a store. Throws `InvalidOptionError` for bad retention options. */
  static open(options: StoreOptions = {}): TraceStore {
    return new TraceStore(options.path ?? DEFAULT_DB_PATH, options.retention);
  }

  /** Effective retention settings. */
  get retentionSettings(): Readonly<Required<RetentionOptions>> {
    return this.retention;
  }

  private prepare() {
    const db = this.db;
    return {
      insertSpan: db.prepare(
        'INSERT INTO spans (id, trace_id, span_id, parent_id, res_id, scope_id, svc_id, op_id, kind, start_us, dur_us, status, status_msg, attrs, extra, start_ns_rem, dur_ns_rem) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)',
      ),
      getTraceRow: db.prepare('SELECT * FROM traces WHERE trace_id = ?'),
      putTraceRow: db.prepare(
        'INSERT OR REPLACE INTO traces (trace_id, start_us, end_us, root_svc, root_op, has_root, span_count, error_count, svcs, ranges, max_row) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
      ),
      putBlock: db.prepare(
        'INSERT OR REPLACE INTO blocks (id, lo, hi, min_start, max_start, min_dur, max_dur, kinds, errors, svcs, ops) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
      ),
      putBlockKey: db.prepare(
        'INSERT OR REPLACE INTO block_keys (key, block_id, min_num, max_num, other, bloom) VALUES (?,?,?,?,?,?)',
      ),
      putMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      spansInRange: db.prepare(
        'SELECT * FROM spans WHERE id BETWEEN ? AND ? AND trace_id = ? ORDER BY start_us',
      ),
      blockKeys: db.prepare(
        'SELECT block_id, min_num, max_num, other, bloom FROM block_keys WHERE key = ? AND block_id >= ?',
      ),
    };
  }

  private loadBlocks(): void {
    for (const r of this.db.prepare('SELECT * FROM blocks ORDER BY id').all() as {
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
    }[]) {
      this.blocks.push({
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
      });
    }
  }

  /** Name of a service id (`unknown_service` when unknown). */
  serviceName(id: number): string {
    return this.catalog.serviceNames.get(id) ?? 'unknown_service';
  }

  /** Ids of services whose name satisfies `test`. */
  matchServices(test: (name: string) => boolean): Set<number> {
    const out = new Set<number>();
    for (const [id, name] of this.catalog.serviceNames) if (test(name)) out.add(id);
    return out;
  }

  /** Ids of operations whose name satisfies `test`. */
  matchOps(test: (name: string) => boolean): Set<number> {
    const out = new Set<number>();
    for (const [id, op] of this.catalog.ops) if (test(op.name)) out.add(id);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Ingest

  /**
   * Stores a decoded batch in one transaction and returns the number of spans stored.
   * Spans are grouped by trace so each trace's spans occupy one contiguous row range.
   */
  insert(batch: DecodedBatch): number {
    if (batch.spanCount === 0) return 0;
    this.insertTx(batch);
    return batch.spanCount;
  }

  private readonly insertTx = (batch: DecodedBatch): void => {
    this.db.transaction(() => this.insertInner(batch))();
  };

  private insertInner(batch: DecodedBatch): void {
    // Resolve interned ids per group, then order all spans by trace.
    const all: { span: SpanInput; resId: number; scopeId: number; svcId: number; attrs: Attributes }[] = [];
    for (const group of batch.groups) {
      const svcId = this.catalog.serviceId(group.resource.serviceName);
      const resId = this.catalog.resourceId(svcId, group.resource);
      const scopeId = this.catalog.scopeId(group.scope);
      for (const span of group.spans)
        all.push({ span, resId, scopeId, svcId, attrs: group.resource.attributes });
    }
    const items = this.duplicates.filter(all);
    if (items.length === 0) return;
    items.sort((a, b) => (a.span.traceId < b.span.traceId ? -1 : a.span.traceId > b.span.traceId ? 1 : 0));

    let block = this.open;
    if (
      block === null ||
      block.spanCount + items.length > BLOCK_TARGET_SPANS ||
      block.meta.hi !== this.nextRowId - 1
    ) {
      block = new OpenBlock(this.nextRowId, this.nextRowId);
      this.open = block;
      this.blocks.push(block.meta);
    }
    const insertSpan = this.stmts.insertSpan;
    const traces: PendingTrace[] = [];
    let current: PendingTrace | null = null;
    let rowId = this.nextRowId;
    for (const item of items) {
      const s = item.span;
      const opId = this.catalog.opId(item.svcId, s.name, s.kind);
      const isError = s.statusCode === 2;
      insertSpan.run(
        rowId,
        s.traceId,
        s.spanId,
        s.parentSpanId,
        item.resId,
        item.scopeId,
        item.svcId,
        opId,
        s.kind,
        s.startUs,
        s.durationUs,
        s.statusCode,
        s.statusMessage === '' ? null : s.statusMessage,
        attrsJson(s.attributes),
        extraJson(s),
        s.startNsRem ?? 0,
        s.durationNsRem ?? 0,
      );
      block.addSpan(rowId, s.startUs, s.durationUs, s.kind, isError, item.svcId, opId, s.attributes);
      block.addEvents(s.events);
      block.addResource(item.resId, item.attrs);
      if (current === null || current.traceId !== s.traceId) {
        current = {
          traceId: s.traceId,
          lo: rowId,
          hi: rowId,
          start: s.startUs,
          end: s.startUs + s.durationUs,
          count: 0,
          errors: 0,
          svcs: new Set(),
          rootSvc: item.svcId,
          rootOp: opId,
          rootStart: s.startUs,
          hasRoot: s.parentSpanId === '',
        };
        traces.push(current);
      }
      const t: PendingTrace = current;
      t.hi = rowId;
      t.count++;
      if (isError) t.errors++;
      t.svcs.add(item.svcId);
      if (s.startUs < t.start) t.start = s.startUs;
      if (s.startUs + s.durationUs > t.end) t.end = s.startUs + s.durationUs;
      const isRoot = s.parentSpanId === '';
      if (
        (isRoot && (!t.hasRoot || s.startUs < t.rootStart)) ||
        (!t.hasRoot && !isRoot && s.startUs < t.rootStart)
      ) {
        t.rootSvc = item.svcId;
        t.rootOp = opId;
        t.rootStart = s.startUs;
        t.hasRoot = t.hasRoot || isRoot;
      }
      rowId++;
    }
    this.nextRowId = rowId;
    for (const t of traces) this.mergeTrace(t);
    this.writeBlock(block);
    this.stmts.putMeta.run('next_row', String(this.nextRowId));
  }

  private mergeTrace(t: PendingTrace): void {
    const old = this.stmts.getTraceRow.get(t.traceId) as TraceRow | undefined;
    let ranges: [number, number][] = [[t.lo, t.hi]];
    let { start, end, count, errors, rootSvc, rootOp, hasRoot } = t;
    let svcs = t.svcs;
    if (old !== undefined) {
      const oldRanges = JSON.parse(old.ranges) as [number, number][];
      const last = oldRanges[oldRanges.length - 1];
      if (last !== undefined && last[1] === t.lo - 1) last[1] = t.hi;
      else oldRanges.push([t.lo, t.hi]);
      ranges = oldRanges;
      count += old.span_count;
      errors += old.error_count;
      svcs = new Set([...(JSON.parse(old.svcs) as number[]), ...t.svcs]);
      // Keep the old root unless the new batch brings a real root (or an earlier candidate).
      const oldRootWins =
        old.has_root === 1
          ? !hasRoot || old.start_us <= t.rootStart
          : !hasRoot && old.start_us <= t.rootStart;
      if (oldRootWins) {
        rootSvc = old.root_svc;
        rootOp = old.root_op;
        hasRoot = old.has_root === 1;
      }
      start = Math.min(start, old.start_us);
      end = Math.max(end, old.end_us);
    }
    this.stmts.putTraceRow.run(
      t.traceId,
      start,
      end,
      rootSvc,
      rootOp,
      hasRoot ? 1 : 0,
      count,
      errors,
      JSON.stringify([...svcs]),
      JSON.stringify(ranges),
      t.hi,
    );
  }

  private writeBlock(block: OpenBlock): void {
    const m = block.meta;
    this.stmts.putBlock.run(
      m.id,
      m.lo,
      m.hi,
      m.minStart,
      m.maxStart,
      m.minDur,
      m.maxDur,
      m.kinds,
      m.errors,
      JSON.stringify([...m.svcs]),
      JSON.stringify([...m.ops]),
    );
    for (const key of block.dirty) {
      const s = block.keys.get(key);
      if (s === undefined) continue;
      this.stmts.putBlockKey.run(
        key,
        m.id,
        s.hasNum ? s.min : null,
        s.hasNum ? s.max : null,
        s.other ? 1 : 0,
        s.bloom === null ? null : Buffer.from(s.bloom.buffer, s.bloom.byteOffset, s.bloom.byteLength),
      );
    }
    block.dirty.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  /** All stored spans of a trace, by start time; `null` when the trace is unknown. Id is hex (any case). */
  getTrace(traceId: string): StoredSpan[] | null {
    const id = traceId.toLowerCase();
    const row = this.stmts.getTraceRow.get(id) as TraceRow | undefined;
    if (row === undefined) return null;
    const spans: StoredSpan[] = [];
    // OTLP delivery is at-least-once: an exporter that retries a batch whose first attempt did
    // arrive (a slow answer, then a timeout) stores its spans twice. A trace shows each span once.
    const seen = new Set<string>();
    for (const [lo, hi] of JSON.parse(row.ranges) as [number, number][]) {
      for (const r of this.stmts.spansInRange.all(lo, hi, id) as SpanRowDb[]) {
        const span = rowToSpan(r, this.catalog);
        if (seen.has(span.spanId)) continue;
        seen.add(span.spanId);
        spans.push(span);
      }
    }
    if (spans.length === 0) return null;
    spans.sort((a, b) => a.startUs - b.startUs);
    return spans;
  }

  /** Summaries of the given traces (unknown ids are skipped), newest start first. */
  getSummaries(traceIds: string[]): TraceSummary[] {
    if (traceIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM traces WHERE trace_id IN (${traceIds.map(() => '?').join(',')})`)
      .all(...traceIds) as TraceRow[];
    return rows
      .map((r) => ({
        traceID: r.trace_id,
        rootService: this.serviceName(r.root_svc),
        rootOperation: this.catalog.ops.get(r.root_op)?.name ?? '',
        startTime: r.start_us,
        duration: r.end_us - r.start_us,
        spanCount: r.span_count,
        errorCount: r.error_count,
        services: (JSON.parse(r.svcs) as number[]).map((id) => this.serviceName(id)).sort(),
      }))
      .sort((a, b) => b.startTime - a.startTime);
  }

  /**
   * Ids of the most recently stored traces with at least one span matching the query (a span
   * matches when the whole expression is true for it) and starting in the time window.
   */
  searchTraceIds(request: SearchRequest): string[] {
    const limit = Math.min(Math.max(1, Math.floor(request.limit ?? 20)), MAX_LIMIT);
    const startUs = request.startUs ?? 0;
    const endUs = request.endUs ?? Number.MAX_SAFE_INTEGER;
    const ranges = planBlocks(this, request.query, startUs, endUs);
    if (ranges.length === 0) return [];
    const where = compileToSql(request.query);
    const timeSql =
      request.startUs !== undefined || request.endUs !== undefined ? ' AND s.start_us BETWEEN ? AND ?' : '';
    const timeParams = timeSql ? [startUs, endUs] : [];
    const stmt = this.db
      .prepare(
        `SELECT s.trace_id FROM spans s WHERE s.id BETWEEN ? AND ?${timeSql} AND ${where.sql} ORDER BY s.id DESC`,
      )
      .pluck();
    const found = new Set<string>();
    for (const [lo, hi] of ranges) {
      for (const traceId of stmt.iterate(
        lo,
        hi,
        ...timeParams,
        ...where.params,
      ) as IterableIterator<string>) {
        found.add(traceId);
        if (found.size >= limit) return [...found];
      }
    }
    return [...found];
  }

  /** Search returning trace summaries, newest first. */
  search(request: SearchRequest): TraceSummary[] {
    return this.getSummaries(this.searchTraceIds(request));
  }

  /** Per-block key statistics for `key` (prefixed), from block `minBlockId` on. */
  blockKeyStats(
    key: string,
    minBlockId: number,
  ): Map<number, { min: number | null; max: number | null; other: number; bloom: Uint8Array | null }> {
    const out = new Map<
      number,
      { min: number | null; max: number | null; other: number; bloom: Uint8Array | null }
    >();
    for (const r of this.stmts.blockKeys.all(key, minBlockId) as {
      block_id: number;
      min_num: number | null;
      max_num: number | null;
      other: number;
      bloom: Buffer | null;
    }[]) {
      out.set(r.block_id, { min: r.min_num, max: r.max_num, other: r.other, bloom: r.bloom });
    }
    return out;
  }

  /** Service names, sorted. */
  services(): string[] {
    return [...this.catalog.serviceIds.keys()].sort();
  }

  /** Operations of a service (all services when omitted), optionally of one span kind. */
  operations(service?: string, kind?: number): { name: string; kind: number; service: string }[] {
    const svcId = service === undefined ? undefined : this.catalog.serviceIds.get(service);
    if (service !== undefined && svcId === undefined) return [];
    const out: { name: string; kind: number; service: string }[] = [];
    for (const op of this.catalog.ops.values()) {
      if (svcId !== undefined && op.svcId !== svcId) continue;
      if (kind !== undefined && op.kind !== kind) continue;
      out.push({ name: op.name, kind: op.kind, service: this.serviceName(op.svcId) });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.kind - b.kind);
  }

  /**
   * Service-to-service call counts from parent/child spans that started in the window
   * (microseconds); see {@link computeDependencies}.
   */
  dependencies(startUs: number, endUs: number): DependencyLink[] {
    return computeDependencies(this.db, this.blocks, (id) => this.serviceName(id), startUs, endUs);
  }

  // -------------------------------------------------------------------------------------------
  // Retention and status

  /** Bytes used by live pages (free pages excluded). */
  sizeBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Deletes the oldest blocks of spans while they are older than `maxAgeMs` or the database is
   * larger than `maxBytes`, and the traces that have no span left. Returns the spans deleted.
   */
  enforceRetention(nowMs: number = Date.now()): number {
    const { maxAgeMs, maxBytes } = this.retention;
    let deleted = 0;
    if (maxAgeMs > 0) {
      const cutoffUs = (nowMs - maxAgeMs) * 1000;
      let n = 0;
      while (n < this.blocks.length && (this.blocks[n] as BlockMeta).maxStart < cutoffUs) n++;
      if (n > 0) deleted += this.dropBlocks(n);
    }
    if (maxBytes > 0) {
      for (let round = 0; round < 50 && this.blocks.length > 0 && this.sizeBytes() > maxBytes; round++) {
        const share = Math.max(
          1,
          Math.ceil(this.blocks.length * Math.min(0.5, 1 - maxBytes / this.sizeBytes() + 0.05)),
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
      this.stmts.putMeta.run('next_row', String(this.nextRowId));
      this.db.prepare('DELETE FROM spans WHERE id <= ?').run(last.hi);
      this.db.prepare('DELETE FROM traces WHERE max_row <= ?').run(last.hi);
      this.db.prepare('DELETE FROM blocks WHERE id <= ?').run(last.id);
      this.db.prepare('DELETE FROM block_keys WHERE block_id <= ?').run(last.id);
    })();
    this.blocks.splice(0, count);
    if (this.open !== null && this.open.meta.id <= last.id) this.open = null;
    this.deletedSpans += spans;
    if (this.path !== ':memory:') this.db.pragma('incremental_vacuum');
    return spans;
  }

  /** Store figures for `/status`. */
  status(): StoreStatus {
    let spanCount = 0;
    let oldest = Number.MAX_SAFE_INTEGER;
    let newest = 0;
    for (const b of this.blocks) {
      spanCount += b.hi - b.lo + 1;
      if (b.minStart < oldest) oldest = b.minStart;
      if (b.maxStart > newest) newest = b.maxStart;
    }
    const traceCount = (this.db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n;
    return {
      path: this.path,
      sizeBytes: this.sizeBytes(),
      spanCount,
      traceCount,
      blockCount: this.blocks.length,
      oldestSpanUs: spanCount > 0 ? oldest : null,
      newestSpanUs: spanCount > 0 ? newest : null,
      deletedSpans: this.deletedSpans,
    };
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
