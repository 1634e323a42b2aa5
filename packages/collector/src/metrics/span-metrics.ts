import type Database from 'better-sqlite3';
import type { DecodedBatch } from '../model.js';
import { LlmAggregator } from './llm-aggregator.js';
import { normalizeGenAiBatch } from './normalize-genai.js';
import { MINUTE_US, RedAggregator } from './red-aggregator.js';

/** How many recent batch fingerprints are remembered to drop re-sent batches (two generations). */
export const DEDUP_GENERATION = 10_000;

/** Default interval between writes of the pending figures to SQLite. */
export const DEFAULT_FLUSH_INTERVAL_MS = 2000;

/**
 * Span-derived metrics, maintained as spans arrive (one call per ingested batch): RED per
 * service × operation × kind × status and LLM economics per provider × model, both in 1-minute
 * buckets persisted in the store's SQLite file (`red_minutes`, `llm_*` tables), so a restart
 * keeps them. Pending figures are written every {@link DEFAULT_FLUSH_INTERVAL_MS}, before every
 * read and on close; a crash loses at most that interval of metrics (the spans themselves are
 * already stored).
 *
 * At-least-once delivery: a span whose (trace id, span id) was seen among the last
 * 100k–200k spans is not counted again (the store itself keeps both copies). A duplicate that
 * arrives later than that is counted twice.
 *
 * GenAI attributes from other instrumentations are normalised here too, before the batch is
 * stored (see `normalize-genai.ts`).
 */
export class SpanMetrics {
  readonly red: RedAggregator;
  readonly llm: LlmAggregator;
  /** Spans skipped as duplicates since start. */
  duplicates = 0;
  private recent = new Set<string>();
  private older = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param enabled false: {@link record} counts nothing (the collector's `spanMetrics: false`);
   *   {@link prepare} still normalises, since that changes what is stored, not a metric.
   */
  constructor(
    private readonly db: Database.Database,
    readonly enabled = true,
  ) {
    this.red = new RedAggregator(db);
    this.llm = new LlmAggregator(db);
  }

  /** Normalises GenAI attributes in place (call before the batch is stored). */
  prepare(batch: DecodedBatch): void {
    normalizeGenAiBatch(batch);
  }

  /** Counts a stored batch. Never throws (metrics must not fail ingest). */
  record(batch: DecodedBatch): void {
    if (!this.enabled) return;
    try {
      for (const group of batch.groups) {
        const spans = group.spans;
        const firstSpan = spans[0];
        const lastSpan = spans[spans.length - 1];
        if (firstSpan === undefined || lastSpan === undefined) continue;
        const service = group.resource.serviceName;
        const fingerprint = `${service}/${spans.length}/${firstSpan.traceId}${firstSpan.spanId}/${lastSpan.spanId}`;
        if (this.recent.has(fingerprint) || this.older.has(fingerprint)) {
          this.duplicates += spans.length;
          continue;
        }
        this.recent.add(fingerprint);
        if (this.recent.size >= DEDUP_GENERATION) {
          this.older = this.recent;
          this.recent = new Set();
        }
        for (const span of spans) {
          this.red.add(service, span);
          this.llm.add(service, span);
        }
      }
    } catch {
      // A metrics bug must never lose spans; the figures of this batch are incomplete.
    }
  }

  /** Writes pending figures (one transaction). */
  flush(): void {
    if (!this.red.dirty && !this.llm.dirty) return;
    this.db.transaction(() => {
      this.red.flush();
      this.llm.flush();
    })();
  }

  /** Deletes figures older than the oldest stored span (the store's retention), or all when empty. */
  prune(oldestSpanUs: number | null): void {
    const minute = oldestSpanUs === null ? Number.MAX_SAFE_INTEGER : Math.floor(oldestSpanUs / MINUTE_US);
    this.flush();
    this.red.prune(minute);
    this.llm.prune(minute);
  }

  /** Starts the background flush (unref'd). */
  start(intervalMs = DEFAULT_FLUSH_INTERVAL_MS): void {
    this.timer ??= setInterval(() => {
      try {
        this.flush();
      } catch {
        // Retried at the next tick; the pending figures stay in memory.
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    try {
      this.flush();
    } catch {
      // Closing anyway.
    }
  }
}
