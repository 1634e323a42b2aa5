import type Database from 'better-sqlite3';
import type { Attributes, DecodedBatch, SpanInput } from '../model.js';
import { BLOCK_TARGET_SPANS, type BlockMeta, OpenBlock, partsJson } from './block-index.js';
import type { Catalog } from './catalog.js';
import { DuplicateFilter } from './dedupe.js';
import { attrsJson, extraJson } from './rows.js';
import type { TraceRow } from './trace-reader.js';

/** One span of a batch with its interned ids. */
interface BatchItem {
  span: SpanInput;
  resId: number;
  scopeId: number;
  svcId: number;
  attrs: Attributes;
}

/** What one batch adds to one trace. */
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

/** Columns written per span, in the order {@link SpanRows.add} writes them. */
const INSERT_COLUMNS =
  'id, trace_id, span_id, parent_id, res_id, scope_id, svc_id, op_id, kind, start_us, dur_us, status, status_msg, attrs, extra, start_ns_rem, dur_ns_rem';
const VALUES_PER_ROW = 17;
/**
 * Span rows per INSERT statement. One statement per row pays the call into the driver, a
 * statement reset and a result object per span. Inserting rows of this table alone, 16 rows a
 * statement used about 1 µs less CPU per row than one, and 64 no less than 16; over the whole
 * ingest path (bench/collector/ingest-pieces.mjs) the gain was about 0.3 µs a span, within the
 * run-to-run spread.
 */
const ROWS_PER_INSERT = 16;

/**
 * Buffers span rows and inserts them ROWS_PER_INSERT at a time (a shorter statement for the
 * rest, prepared once per length).
 */
class SpanRows {
  private readonly values: unknown[] = [];
  private readonly statements = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  add(rowId: number, item: BatchItem, opId: number): void {
    const s = item.span;
    this.values.push(
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
    if (this.values.length === ROWS_PER_INSERT * VALUES_PER_ROW) this.flush();
  }

  /** Inserts the buffered rows. */
  flush(): void {
    const rows = this.values.length / VALUES_PER_ROW;
    if (rows === 0) return;
    this.statement(rows).run(this.values);
    this.values.length = 0;
  }

  /** Drops buffered rows (the transaction they belong to failed). */
  clear(): void {
    this.values.length = 0;
  }

  private statement(rows: number): Database.Statement {
    let statement = this.statements.get(rows);
    if (statement === undefined) {
      const row = `(${new Array(VALUES_PER_ROW).fill('?').join(',')})`;
      statement = this.db.prepare(
        `INSERT INTO spans (${INSERT_COLUMNS}) VALUES ${new Array(rows).fill(row).join(',')}`,
      );
      this.statements.set(rows, statement);
    }
    return statement;
  }
}

function prepareWrites(db: Database.Database) {
  return {
    getTraceRow: db.prepare('SELECT * FROM traces WHERE trace_id = ?'),
    putTraceRow: db.prepare(
      'INSERT OR REPLACE INTO traces (trace_id, start_us, end_us, root_svc, root_op, has_root, span_count, error_count, svcs, ranges, max_row) VALUES (?,?,?,?,?,?,?,?,?,?,?)',
    ),
    putBlock: db.prepare(
      'INSERT OR REPLACE INTO blocks (id, lo, hi, min_start, max_start, min_dur, max_dur, kinds, errors, svcs, ops, parts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
    ),
    putBlockKey: db.prepare(
      'INSERT OR REPLACE INTO block_keys (key, block_id, min_num, max_num, other, bloom) VALUES (?,?,?,?,?,?)',
    ),
    putMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
  };
}

/** Folds one span into the trace it belongs to (counts, time range, root candidate). */
function addToTrace(t: PendingTrace, s: SpanInput, rowId: number, svcId: number, opId: number): void {
  t.hi = rowId;
  t.count++;
  if (s.statusCode === 2) t.errors++;
  t.svcs.add(svcId);
  if (s.startUs < t.start) t.start = s.startUs;
  if (s.startUs + s.durationUs > t.end) t.end = s.startUs + s.durationUs;
  const isRoot = s.parentSpanId === '';
  if (
    (isRoot && (!t.hasRoot || s.startUs < t.rootStart)) ||
    (!t.hasRoot && !isRoot && s.startUs < t.rootStart)
  ) {
    t.rootSvc = svcId;
    t.rootOp = opId;
    t.rootStart = s.startUs;
    t.hasRoot = t.hasRoot || isRoot;
  }
}

function newTrace(s: SpanInput, rowId: number, svcId: number, opId: number): PendingTrace {
  return {
    traceId: s.traceId,
    lo: rowId,
    hi: rowId,
    start: s.startUs,
    end: s.startUs + s.durationUs,
    count: 0,
    errors: 0,
    svcs: new Set(),
    rootSvc: svcId,
    rootOp: opId,
    rootStart: s.startUs,
    hasRoot: s.parentSpanId === '',
  };
}

/**
 * `items` with the spans of each trace next to each other, traces in order of first appearance
 * (one pass; a batch that is already grouped, as most exporters send them, comes back as is).
 */
function groupByTrace(items: BatchItem[]): BatchItem[] {
  const groups = new Map<string, BatchItem[]>();
  let previous = '';
  let grouped = true;
  for (const item of items) {
    const traceId = item.span.traceId;
    let group = groups.get(traceId);
    if (group === undefined) {
      group = [];
      groups.set(traceId, group);
    } else if (traceId !== previous) {
      grouped = false;
    }
    group.push(item);
    previous = traceId;
  }
  return grouped ? items : [...groups.values()].flat();
}

/**
 * Ingest: appends batches of spans, keeps the per-trace rows and the block-range index. Every
 * batch is one transaction, so a reader never sees half a batch.
 */
export class TraceWriter {
  private readonly stmts: ReturnType<typeof prepareWrites>;
  private readonly duplicates: DuplicateFilter;
  private readonly rows: SpanRows;
  private open: OpenBlock | null = null;
  private nextRow: number;

  /** @param blocks the shared block list; the writer appends each new block to it. */
  constructor(
    private readonly db: Database.Database,
    private readonly catalog: Catalog,
    private readonly blocks: BlockMeta[],
  ) {
    this.stmts = prepareWrites(db);
    this.rows = new SpanRows(db);
    this.duplicates = new DuplicateFilter(db);
    const maxId = (db.prepare('SELECT max(id) AS m FROM spans').get() as { m: number | null }).m ?? 0;
    const metaNext = db.prepare("SELECT value FROM meta WHERE key = 'next_row'").get() as
      | { value: string }
      | undefined;
    this.nextRow = Math.max(maxId + 1, Number(metaNext?.value ?? 1));
  }

  /** Row id the next span gets (row ids are never reused, even after retention). */
  get nextRowId(): number {
    return this.nextRow;
  }

  /** Persists the next row id (retention calls this before deleting the newest rows). */
  saveNextRowId(): void {
    this.stmts.putMeta.run('next_row', String(this.nextRow));
  }

  /** Retention deleted blocks up to `blockId`: never append to the open block if it was one. */
  blocksDropped(blockId: number): void {
    if (this.open !== null && this.open.meta.id <= blockId) this.open = null;
  }

  /**
   * Stores a decoded batch in one transaction and returns the number of spans stored.
   * Spans are grouped by trace so each trace's spans occupy one contiguous row range.
   */
  insert(batch: DecodedBatch): number {
    if (batch.spanCount === 0) return 0;
    try {
      this.db.transaction(() => this.insertInner(batch))();
    } catch (error) {
      this.rows.clear();
      throw error;
    }
    return batch.spanCount;
  }

  /**
   * Resolves interned ids per group, drops spans already stored (an at-least-once retry), then
   * groups the spans by trace.
   */
  private collect(batch: DecodedBatch): BatchItem[] {
    const all: BatchItem[] = [];
    for (const group of batch.groups) {
      const svcId = this.catalog.serviceId(group.resource.serviceName);
      const resId = this.catalog.resourceId(svcId, group.resource);
      const scopeId = this.catalog.scopeId(group.scope);
      for (const span of group.spans)
        all.push({ span, resId, scopeId, svcId, attrs: group.resource.attributes });
    }
    return groupByTrace(this.duplicates.filter(all));
  }

  /** The open block when the batch still fits in it, else a new one. */
  private blockFor(spanCount: number): OpenBlock {
    let block = this.open;
    if (
      block === null ||
      block.spanCount + spanCount > BLOCK_TARGET_SPANS ||
      block.meta.hi !== this.nextRow - 1
    ) {
      block = new OpenBlock(this.nextRow, this.nextRow);
      this.open = block;
      this.blocks.push(block.meta);
    }
    return block;
  }

  private insertInner(batch: DecodedBatch): void {
    const items = this.collect(batch);
    if (items.length === 0) return;
    const block = this.blockFor(items.length);
    const traces: PendingTrace[] = [];
    let current: PendingTrace | null = null;
    let rowId = this.nextRow;
    for (const item of items) {
      const s = item.span;
      const opId = this.catalog.opId(item.svcId, s.name, s.kind);
      this.rows.add(rowId, item, opId);
      block.addSpan(rowId, s.startUs, s.durationUs, s.kind, s.statusCode, item.svcId, opId, s.attributes);
      block.addEvents(s.events);
      block.addResource(item.resId, item.attrs);
      if (current === null || current.traceId !== s.traceId) {
        current = newTrace(s, rowId, item.svcId, opId);
        traces.push(current);
      }
      addToTrace(current, s, rowId, item.svcId, opId);
      rowId++;
    }
    this.rows.flush();
    this.nextRow = rowId;
    for (const t of traces) this.mergeTrace(t);
    this.writeBlock(block);
    this.saveNextRowId();
  }

  private mergeTrace(t: PendingTrace): void {
    // The duplicate filter read the row at the start of this batch; nothing changed it since.
    const cached = this.duplicates.storedRow(t.traceId);
    const old = cached !== null ? cached : (this.stmts.getTraceRow.get(t.traceId) as TraceRow | undefined);
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
      partsJson(m.parts),
    );
    for (const s of block.dirty) {
      this.stmts.putBlockKey.run(
        s.key,
        m.id,
        s.hasNum ? s.min : null,
        s.hasNum ? s.max : null,
        s.other ? 1 : 0,
        s.bloom === null ? null : Buffer.from(s.bloom.buffer, s.bloom.byteOffset, s.bloom.byteLength),
      );
    }
    block.dirty.clear();
  }
}
