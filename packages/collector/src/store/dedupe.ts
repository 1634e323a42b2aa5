import type Database from 'better-sqlite3';
import type { SpanInput } from '../model.js';
import type { TraceRow } from './trace-reader.js';

/**
 * Drops spans that are already stored. OTLP delivery is at-least-once: an exporter that retries a
 * batch whose first attempt did arrive (a slow answer, then a timeout) sends the same spans again.
 * Storing them once keeps every count right — trace summaries, search results and dependency
 * `callCount`s — not only the trace view. A span is identified by (trace id, span id), as in OTLP.
 */
export class DuplicateFilter {
  private readonly traceRow: Database.Statement;
  private readonly spanIds: Database.Statement;
  /** The `traces` rows read by the last {@link filter} call (undefined: no row yet). */
  private rows = new Map<string, TraceRow | undefined>();

  constructor(db: Database.Database) {
    this.traceRow = db.prepare('SELECT * FROM traces WHERE trace_id = ?');
    this.spanIds = db.prepare('SELECT span_id FROM spans WHERE id BETWEEN ? AND ? AND trace_id = ?').pluck();
  }

  /** `items` without spans stored before or repeated within the batch (first copy kept). */
  filter<T extends { span: SpanInput }>(items: T[]): T[] {
    const seen = new Map<string, Set<string>>();
    this.rows = new Map();
    let dropped = false;
    const out = items.filter(({ span }) => {
      let ids = seen.get(span.traceId);
      if (ids === undefined) {
        ids = this.storedIds(span.traceId);
        seen.set(span.traceId, ids);
      }
      if (ids.has(span.spanId)) {
        dropped = true;
        return false;
      }
      ids.add(span.spanId);
      return true;
    });
    return dropped ? out : items;
  }

  /**
   * The `traces` row of `traceId` as the last {@link filter} call read it, so the writer does not
   * read it twice in one batch; `null` when that call did not look it up.
   */
  storedRow(traceId: string): TraceRow | undefined | null {
    return this.rows.has(traceId) ? this.rows.get(traceId) : null;
  }

  private storedIds(traceId: string): Set<string> {
    const ids = new Set<string>();
    const row = this.traceRow.get(traceId) as TraceRow | undefined;
    this.rows.set(traceId, row);
    if (row === undefined) return ids;
    for (const [lo, hi] of JSON.parse(row.ranges) as [number, number][]) {
      for (const id of this.spanIds.iterate(lo, hi, traceId) as IterableIterator<string>) ids.add(id);
    }
    return ids;
  }
}
