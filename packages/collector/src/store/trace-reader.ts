import type Database from 'better-sqlite3';
import type { StoredSpan, TraceSummary } from '../model.js';
import type { QueryNode } from '../query/ast.js';
import { compileToSql } from '../query/sql.js';
import type { BlockMeta } from './block-index.js';
import { loadBlocks, refreshBlocks } from './block-list.js';
import { Catalog } from './catalog.js';
import { openReadConnection } from './connection.js';
import { computeDependencies, type DependencyLink } from './dependencies.js';
import { KeyStatsCache } from './key-stats-cache.js';
import { rowToSpan, SPAN_COLUMNS, spanRowOf } from './rows.js';
import { type KeyStatsRow, type PlannerSource, planRanges } from './search-plan.js';

/** Search request. Times in microseconds since the epoch. */
export interface SearchRequest {
  query: QueryNode | null;
  startUs?: number;
  endUs?: number;
  /** Maximum number of traces (default 20, at most 1000). */
  limit?: number;
}

/** A row of the `traces` table. */
export interface TraceRow {
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

const MAX_LIMIT = 1000;
/**
 * Rows scanned per SQLite call of a search. Between calls the thread runs JavaScript again, which
 * is where a search worker that ran out of time can be terminated.
 */
const SCAN_CHUNK_ROWS = 16_384;
/** Search statements a reader keeps prepared (least recently used dropped first). */
const RECENT_STATEMENTS = 64;

function prepareReads(db: Database.Database) {
  return {
    getTraceRow: db.prepare('SELECT * FROM traces WHERE trace_id = ?'),
    // Rows as arrays (half the cost of objects in better-sqlite3), named again by spanRowOf.
    spansInRange: db
      .prepare(
        `SELECT ${SPAN_COLUMNS.join(', ')} FROM spans WHERE id BETWEEN ? AND ? AND trace_id = ? ORDER BY start_us`,
      )
      .raw(),
    // Rows as arrays: a plan over every block reads thousands of them, objects cost more.
    blockKeys: db
      .prepare(
        'SELECT block_id, min_num, max_num, other, bloom FROM block_keys WHERE key = ? AND block_id BETWEEN ? AND ?',
      )
      .raw(),
    traceCount: db.prepare('SELECT count(*) AS n FROM traces').pluck(),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
  };
}

/**
 * Every read of the store: traces, summaries, searches, services, operations, dependencies.
 * In the collector's thread it shares the writer's connection, catalog and block list; a search
 * worker opens its own with {@link TraceReader.openReadOnly} and calls {@link refresh} per request.
 */
export class TraceReader implements PlannerSource {
  private readonly stmts: ReturnType<typeof prepareReads>;
  private readonly keyStats = new KeyStatsCache((key, lo, hi, into) => this.readKeyStats(key, lo, hi, into));
  /** `data_version` at the last {@link refresh} (a new value: another connection committed). */
  private seenVersion: number | undefined;
  /** Statements of recent searches by SQL text (a repeated search is not prepared again). */
  private readonly recent = new Map<string, Database.Statement>();

  /**
   * @param blocks the block list, ascending by id; the writer appends to it and retention trims it.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly catalog: Catalog,
    readonly blocks: BlockMeta[],
  ) {
    this.stmts = prepareReads(db);
  }

  /** A reader on its own read-only connection to the file store at `path`. */
  static openReadOnly(path: string): TraceReader {
    const conn = openReadConnection(path);
    return new TraceReader(conn, new Catalog(conn), loadBlocks(conn));
  }

  /**
   * Catches up with what the writer stored since the last call (own connection only). Nothing to
   * do when no other connection committed since (SQLite's `data_version` is unchanged).
   */
  refresh(): void {
    const version = this.stmts.dataVersion.get() as number;
    if (version === this.seenVersion) return;
    this.catalog.load();
    refreshBlocks(this.db, this.blocks);
    this.seenVersion = version;
  }

  /** Closes the connection (own connection only). */
  close(): void {
    this.db.close();
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

  /** Service and span kind of an operation id (undefined when unknown). */
  opInfo(id: number): { svcId: number; kind: number } | undefined {
    return this.catalog.ops.get(id);
  }

  /**
   * Per-block key statistics for `key` (prefixed), blocks `minBlockId`–`maxBlockId`; those of
   * closed blocks from the cache when an earlier search read them.
   */
  blockKeyStats(key: string, minBlockId: number, maxBlockId: number): ReadonlyMap<number, KeyStatsRow> {
    return this.keyStats.get(key, minBlockId, maxBlockId, this.blocks);
  }

  private readKeyStats(key: string, lo: number, hi: number, into: Map<number, KeyStatsRow>): void {
    for (const [id, min, max, other, bloom] of this.stmts.blockKeys.all(key, lo, hi) as [
      number,
      number | null,
      number | null,
      number,
      Buffer | null,
    ][]) {
      into.set(id, { min, max, other, bloom });
    }
  }

  /** The `traces` row of a trace id (lower-case hex). */
  traceRow(traceId: string): TraceRow | undefined {
    return this.stmts.getTraceRow.get(traceId) as TraceRow | undefined;
  }

  /** All stored spans of a trace, by start time; `null` when the trace is unknown. Id is hex (any case). */
  getTrace(traceId: string): StoredSpan[] | null {
    const id = traceId.toLowerCase();
    const row = this.traceRow(id);
    if (row === undefined) return null;
    const spans: StoredSpan[] = [];
    // OTLP delivery is at-least-once: an exporter that retries a batch whose first attempt did
    // arrive (a slow answer, then a timeout) stores its spans twice. A trace shows each span once.
    const seen = new Set<string>();
    for (const [lo, hi] of JSON.parse(row.ranges) as [number, number][]) {
      for (const r of this.stmts.spansInRange.all(lo, hi, id) as unknown[][]) {
        const span = rowToSpan(spanRowOf(r), this.catalog);
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
    const rows = this.prepared(
      `SELECT * FROM traces WHERE trace_id IN (${traceIds.map(() => '?').join(',')})`,
    ).all(...traceIds) as TraceRow[];
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
    const where = compileToSql(request.query);
    const timeSql =
      request.startUs !== undefined || request.endUs !== undefined ? ' AND s.start_us BETWEEN ? AND ?' : '';
    const params = [...(timeSql ? [startUs, endUs] : []), ...where.params];
    const stmt = this.prepared(
      `SELECT s.trace_id FROM spans s WHERE s.id BETWEEN ? AND ?${timeSql} AND ${where.sql} ORDER BY s.id DESC`,
      true,
    );
    const found = new Set<string>();
    for (const [lo, hi] of planRanges(this, request.query, startUs, endUs)) {
      for (let top = hi; top >= lo; top -= SCAN_CHUNK_ROWS) {
        const bottom = Math.max(lo, top - SCAN_CHUNK_ROWS + 1);
        for (const traceId of stmt.iterate(bottom, top, ...params) as IterableIterator<string>) {
          found.add(traceId);
          if (found.size >= limit) return [...found];
        }
      }
    }
    return [...found];
  }

  /** A prepared statement for `sql`, kept for the next search that sends the same text. */
  private prepared(sql: string, pluck = false): Database.Statement {
    const key = pluck ? `pluck:${sql}` : sql;
    let stmt = this.recent.get(key);
    if (stmt === undefined) {
      stmt = pluck ? this.db.prepare(sql).pluck() : this.db.prepare(sql);
      if (this.recent.size >= RECENT_STATEMENTS)
        this.recent.delete(this.recent.keys().next().value as string);
    } else {
      this.recent.delete(key);
    }
    this.recent.set(key, stmt);
    return stmt;
  }

  /** Search returning trace summaries, newest first. */
  search(request: SearchRequest): TraceSummary[] {
    return this.getSummaries(this.searchTraceIds(request));
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

  /** Number of stored traces. */
  traceCount(): number {
    return this.stmts.traceCount.get() as number;
  }
}
