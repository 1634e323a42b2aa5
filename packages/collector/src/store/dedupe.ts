import type Database from 'better-sqlite3';
import type { SpanInput } from '../model.js';

/**
 * Drops spans that are already stored. OTLP delivery is at-least-once: an exporter that retries a
 * batch whose first attempt did arrive (a slow answer, then a timeout) sends the same spans again.
 * Storing them once keeps every count right — trace summaries, search results and dependency
 * `callCount`s — not only the trace view. A span is identified by (trace id, span id), as in OTLP.
 */
export class DuplicateFilter {
  private readonly traceRanges: Database.Statement;
  private readonly spanIds: Database.Statement;

  constructor(db: Database.Database) {
    this.traceRanges = db.prepare('SELECT ranges FROM traces WHERE trace_id = ?').pluck();
    this.spanIds = db.prepare('SELECT span_id FROM spans WHERE id BETWEEN ? AND ? AND trace_id = ?').pluck();
  }

  /** `items` without spans stored before or repeated within the batch (first copy kept). */
  filter<T extends { span: SpanInput }>(items: T[]): T[] {
    const seen = new Map<string, Set<string>>();
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

  private storedIds(traceId: string): Set<string> {
    const ids = new Set<string>();
    const ranges = this.traceRanges.get(traceId) as string | undefined;
    if (ranges === undefined) return ids;
    for (const [lo, hi] of JSON.parse(ranges) as [number, number][]) {
      for (const id of this.spanIds.iterate(lo, hi, traceId) as IterableIterator<string>) ids.add(id);
    }
    return ids;
  }
}
