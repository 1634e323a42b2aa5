import type Database from 'better-sqlite3';
import type { SpanInput } from '../model.js';
import { type Sketch, sketchAdd, sketchFromJson, sketchIndex, sketchMerge, sketchToJson } from './sketch.js';

/** Length of one RED bucket: one minute, in microseconds. */
export const MINUTE_US = 60_000_000;

/**
 * Upper bounds (ms) of the `/metrics` duration histogram: the OpenTelemetry Collector
 * spanmetrics connector's default buckets.
 */
export const PROM_BUCKETS_MS: readonly number[] = [
  2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000,
];

/**
 * At most this many service × operation pairs get series of their own (since start); spans of
 * further operations are counted under {@link OVERFLOW_OPERATION} of their service.
 */
export const MAX_OPERATIONS = 5000;
/** The operation name that collects spans beyond {@link MAX_OPERATIONS}. */
export const OVERFLOW_OPERATION = '(other operations)';

/** One RED cell: a service × operation × kind × status in one minute. */
export interface RedCell {
  minute: number;
  service: string;
  operation: string;
  kind: number;
  status: number;
  calls: number;
  errors: number;
  sumUs: number;
  maxUs: number;
  sketch: Sketch;
}

/** A stored `red_minutes` / `red_hours` row: a cell with its sketch as JSON. */
type RedRow = Omit<RedCell, 'sumUs' | 'maxUs' | 'sketch'> & {
  sum_us: number;
  max_us: number;
  sketch: string;
};

/** Cumulative figures of one `/metrics` series since the collector started. */
export interface PromSeries {
  service: string;
  operation: string;
  kind: number;
  status: number;
  count: number;
  sumMs: number;
  /** Non-cumulative counts per {@link PROM_BUCKETS_MS} bound, plus one for +Inf. */
  buckets: Float64Array;
}

/** Creates the RED table: one row per minute × service × operation × kind × status. */
export function createRedSchema(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS red_minutes (
    minute INTEGER NOT NULL, service TEXT NOT NULL, operation TEXT NOT NULL, kind INTEGER NOT NULL,
    status INTEGER NOT NULL, calls INTEGER NOT NULL, errors INTEGER NOT NULL, sum_us INTEGER NOT NULL,
    max_us INTEGER NOT NULL, sketch TEXT NOT NULL,
    PRIMARY KEY (minute, service, operation, kind, status)) WITHOUT ROWID`);
  // Hourly rollup of the same figures (the \`minute\` column holds the hour's first minute), so
  // windows of days read 60× fewer rows.
  db.exec(`CREATE TABLE IF NOT EXISTS red_hours (
    minute INTEGER NOT NULL, service TEXT NOT NULL, operation TEXT NOT NULL, kind INTEGER NOT NULL,
    status INTEGER NOT NULL, calls INTEGER NOT NULL, errors INTEGER NOT NULL, sum_us INTEGER NOT NULL,
    max_us INTEGER NOT NULL, sketch TEXT NOT NULL,
    PRIMARY KEY (minute, service, operation, kind, status)) WITHOUT ROWID`);
}

/** Which table answers a read: per minute, or the hourly rollup. */
export type RedResolution = 'minute' | 'hour';

function promBucket(durationMs: number): number {
  let i = 0;
  while (i < PROM_BUCKETS_MS.length && durationMs > (PROM_BUCKETS_MS[i] as number)) i++;
  return i;
}

/**
 * Keeps RED figures as spans arrive: per-minute cells waiting to be merged into `red_minutes`
 * (by {@link flush}), and cumulative `/metrics` series. Durations go into a DDSketch
 * (relative error 1 %, see `sketch.ts`); calls, errors, sums and maxima are exact.
 */
export class RedAggregator {
  /** Cells not yet written, by series and minute. */
  private pending = new Map<PromSeries, Map<number, RedCell>>();
  /** Cumulative series for `/metrics`, by service, operation and `kind * 3 + status`. */
  private readonly byService = new Map<string, Map<string, PromSeries[]>>();
  private operationCount = 0;
  private readonly get: Record<RedResolution, Database.Statement>;
  private readonly put: Record<RedResolution, Database.Statement>;

  constructor(private readonly db: Database.Database) {
    createRedSchema(db);
    const get = (table: string) =>
      db.prepare(
        `SELECT calls, errors, sum_us, max_us, sketch FROM ${table} WHERE minute = ? AND service = ? AND operation = ? AND kind = ? AND status = ?`,
      );
    const put = (table: string) => db.prepare(`INSERT OR REPLACE INTO ${table} VALUES (?,?,?,?,?,?,?,?,?,?)`);
    this.get = { minute: get('red_minutes'), hour: get('red_hours') };
    this.put = { minute: put('red_minutes'), hour: put('red_hours') };
  }

  /** Counts one span. */
  add(service: string, span: SpanInput): void {
    const minute = Math.floor(span.startUs / MINUTE_US);
    // No string building per span: service → operation → kind/status slot → minute.
    let byOp = this.byService.get(service);
    if (byOp === undefined) {
      byOp = new Map();
      this.byService.set(service, byOp);
    }
    let operation = span.name;
    let slots = byOp.get(operation);
    if (slots === undefined) {
      // Span names with ids in them (`GET /items/123`) would grow the series without bound.
      if (this.operationCount >= MAX_OPERATIONS) {
        operation = OVERFLOW_OPERATION;
        slots = byOp.get(operation);
      }
      if (slots === undefined) {
        slots = [];
        byOp.set(operation, slots);
        this.operationCount++;
      }
    }
    const slot = span.kind * 3 + span.statusCode;
    let s = slots[slot];
    if (s === undefined) {
      s = {
        service,
        operation,
        kind: span.kind,
        status: span.statusCode,
        count: 0,
        sumMs: 0,
        buckets: new Float64Array(PROM_BUCKETS_MS.length + 1),
      };
      slots[slot] = s;
    }
    let byMinute = this.pending.get(s);
    if (byMinute === undefined) {
      byMinute = new Map();
      this.pending.set(s, byMinute);
    }
    let cell = byMinute.get(minute);
    if (cell === undefined) {
      cell = {
        minute,
        service,
        operation,
        kind: span.kind,
        status: span.statusCode,
        calls: 0,
        errors: 0,
        sumUs: 0,
        maxUs: 0,
        sketch: new Map(),
      };
      byMinute.set(minute, cell);
    }
    const d = span.durationUs;
    cell.calls++;
    if (span.statusCode === 2) cell.errors++;
    cell.sumUs += d;
    if (d > cell.maxUs) cell.maxUs = d;
    sketchAdd(cell.sketch, sketchIndex(d));

    const ms = d / 1000;
    s.count++;
    s.sumMs += ms;
    const b = promBucket(ms);
    s.buckets[b] = (s.buckets[b] as number) + 1;
  }

  /** Every cumulative series, for `/metrics`. */
  *series(): IterableIterator<PromSeries> {
    for (const byOp of this.byService.values()) {
      for (const slots of byOp.values()) {
        for (const s of slots) if (s !== undefined) yield s;
      }
    }
  }

  /** Whether cells are waiting to be written. */
  get dirty(): boolean {
    return this.pending.size > 0;
  }

  /** Merges the pending cells into `red_minutes` and `red_hours` (call inside a transaction). */
  flush(): void {
    const hours = new Map<string, RedCell>();
    for (const byMinute of this.pending.values()) {
      for (const c of byMinute.values()) {
        const hour = Math.floor(c.minute / 60) * 60;
        const key = `${hour}\u0000${c.service}\u0000${c.operation}\u0000${c.kind}\u0000${c.status}`;
        const h = hours.get(key);
        if (h === undefined) hours.set(key, { ...c, minute: hour, sketch: new Map(c.sketch) });
        else {
          h.calls += c.calls;
          h.errors += c.errors;
          h.sumUs += c.sumUs;
          h.maxUs = Math.max(h.maxUs, c.maxUs);
          sketchMerge(h.sketch, c.sketch);
        }
        this.merge('minute', c);
      }
    }
    for (const h of hours.values()) this.merge('hour', h);
    this.pending = new Map();
  }

  private merge(resolution: RedResolution, c: RedCell): void {
    const old = this.get[resolution].get(c.minute, c.service, c.operation, c.kind, c.status) as
      | { calls: number; errors: number; sum_us: number; max_us: number; sketch: string }
      | undefined;
    if (old !== undefined) {
      c.calls += old.calls;
      c.errors += old.errors;
      c.sumUs += old.sum_us;
      c.maxUs = Math.max(c.maxUs, old.max_us);
      sketchMerge(c.sketch, sketchFromJson(old.sketch));
    }
    this.put[resolution].run(
      c.minute,
      c.service,
      c.operation,
      c.kind,
      c.status,
      c.calls,
      c.errors,
      c.sumUs,
      c.maxUs,
      sketchToJson(c.sketch),
    );
  }

  /** Deletes minutes before `minute`, and hours that end before it. */
  prune(minute: number): void {
    this.db.prepare('DELETE FROM red_minutes WHERE minute < ?').run(minute);
    this.db.prepare('DELETE FROM red_hours WHERE minute < ?').run(Math.floor(minute / 60) * 60);
  }

  /**
   * Stored cells of minutes `[fromMinute, toMinute]`, optionally only of some services and kinds.
   * With `hour` resolution the cells are hourly (their `minute` is the hour's first minute) and
   * cover the whole hours that overlap the range. Call {@link flush} first to include the latest
   * spans.
   */
  cells(
    fromMinute: number,
    toMinute: number,
    services?: readonly string[],
    kinds?: readonly number[],
    resolution: RedResolution = 'minute',
  ): RedCell[] {
    const table = resolution === 'hour' ? 'red_hours' : 'red_minutes';
    const from = resolution === 'hour' ? Math.floor(fromMinute / 60) * 60 : fromMinute;
    const svcSql = services === undefined ? '' : ` AND service IN (${services.map(() => '?').join(',')})`;
    const rows = this.db
      .prepare(
        `SELECT minute, service, operation, kind, status, calls, errors, sum_us, max_us, sketch FROM ${table} WHERE minute BETWEEN ? AND ?${svcSql}`,
      )
      .all(from, toMinute, ...(services ?? [])) as RedRow[];
    const svc = services === undefined ? undefined : new Set(services);
    const kd = kinds === undefined ? undefined : new Set(kinds);
    const out: RedCell[] = [];
    for (const r of rows) {
      if (svc !== undefined && !svc.has(r.service)) continue;
      if (kd !== undefined && !kd.has(r.kind)) continue;
      out.push({
        minute: r.minute,
        service: r.service,
        operation: r.operation,
        kind: r.kind,
        status: r.status,
        calls: r.calls,
        errors: r.errors,
        sumUs: r.sum_us,
        maxUs: r.max_us,
        sketch: sketchFromJson(r.sketch),
      });
    }
    return out;
  }
}
