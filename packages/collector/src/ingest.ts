import type { SpanMetrics } from './metrics/span-metrics.js';
import type { DecodedBatch } from './model.js';
import type { TraceStore } from './store/store.js';

/** Ingest counters reported by `/status`. */
export interface IngestStats {
  requests: number;
  failedRequests: number;
  receivedSpans: number;
  storedSpans: number;
  rejectedSpans: number;
  bytesReceived: number;
  lastError: string | null;
  /** OTLP requests refused for missing or wrong credentials (HTTP 401 / gRPC UNAUTHENTICATED); nothing stored. */
  unauthenticated: number;
  /** OTLP requests refused by the rate or concurrency limit (HTTP 429 / gRPC RESOURCE_EXHAUSTED). */
  rateLimited: number;
}

/** Result of storing one decoded request. */
export interface IngestResult {
  stored: number;
  rejected: number;
  message: string;
}

/** Shared by the HTTP and gRPC receivers: stores a decoded batch and keeps the counters. */
export class IngestSink {
  readonly stats: IngestStats = {
    requests: 0,
    failedRequests: 0,
    receivedSpans: 0,
    storedSpans: 0,
    rejectedSpans: 0,
    bytesReceived: 0,
    lastError: null,
    unauthenticated: 0,
    rateLimited: 0,
  };

  constructor(
    private readonly store: TraceStore,
    private readonly afterInsert?: () => void,
    /** Span-derived metrics: normalises GenAI keys before the insert, counts the batch after it. */
    private readonly metrics?: SpanMetrics,
  ) {}

  /** Counts a request that failed before it could be stored. */
  fail(message: string, bytes = 0): void {
    this.stats.requests++;
    this.stats.failedRequests++;
    this.stats.bytesReceived += bytes;
    this.stats.lastError = message;
  }

  /** Counts an OTLP request refused for its credentials (the reason never holds a secret). */
  refuseUnauthenticated(reason: string): void {
    this.stats.unauthenticated++;
    this.stats.lastError = reason;
  }

  /** Counts an OTLP request refused by a limit. */
  refuseRateLimited(): void {
    this.stats.rateLimited++;
  }

  /** Stores the batch (one transaction). Throws when the database write fails. */
  ingest(batch: DecodedBatch, bytes: number): IngestResult {
    this.stats.requests++;
    this.stats.bytesReceived += bytes;
    this.stats.receivedSpans += batch.spanCount + batch.rejected;
    this.stats.rejectedSpans += batch.rejected;
    this.metrics?.prepare(batch);
    const stored = this.store.insert(batch);
    this.metrics?.record(batch);
    this.stats.storedSpans += stored;
    if (batch.rejected > 0) this.stats.lastError = batch.rejectReasons.join('; ');
    this.afterInsert?.();
    return {
      stored,
      rejected: batch.rejected,
      message:
        batch.rejected > 0 ? `${batch.rejected} span(s) rejected: ${batch.rejectReasons.join('; ')}` : '',
    };
  }
}
