import type Database from 'better-sqlite3';
import type { DecodedBatch, StoredSpan, TraceSummary } from '../model.js';
import type { QueryNode } from '../query/ast.js';
import type { BlockMeta } from './block-index.js';
import { loadBlocks } from './block-list.js';
import { Catalog } from './catalog.js';
import { isInMemoryPath, openWriteConnection } from './connection.js';
import type { DependencyLink } from './dependencies.js';
import { liveBytes, Retention, type RetentionOptions, resolveRetention } from './retention.js';
import { planBlocks } from './search-plan.js';
import { type SearchRequest, TraceReader } from './trace-reader.js';
import { TraceWriter } from './trace-writer.js';

export type { RetentionOptions } from './retention.js';
export type { SearchRequest } from './trace-reader.js';

/** Options of {@link TraceStore.open}. */
export interface StoreOptions {
  /** SQLite file, or `:memory:`. Default `.autobot/traces.db` (relative to the working directory). */
  path?: string;
  retention?: RetentionOptions;
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

/**
 * The SQLite trace store. Synchronous (better-sqlite3): every `insert` is one transaction, so a
 * reader never sees half a batch and a killed process loses at most the batch in flight.
 *
 * A facade over one connection shared by the {@link TraceWriter} (ingest), the
 * {@link TraceReader} (reads and searches) and {@link Retention}. Searches that must not hold up
 * ingest run on a reader of their own in a worker thread (see `SearchPool`), which needs a file
 * store: {@link searchableOffThread}.
 */
export class TraceStore {
  /** The database file (or `:memory:`). */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly blocks: BlockMeta[];
  private readonly writer: TraceWriter;
  private readonly reader: TraceReader;
  private readonly retention: Retention;
  private closed = false;

  private constructor(path: string, retention: RetentionOptions | undefined) {
    this.path = path;
    const settings = resolveRetention(retention);
    this.db = openWriteConnection(path);
    const catalog = new Catalog(this.db);
    this.blocks = loadBlocks(this.db);
    this.writer = new TraceWriter(this.db, catalog, this.blocks);
    this.reader = new TraceReader(this.db, catalog, this.blocks);
    this.retention = new Retention(this.db, this.blocks, this.writer, settings, path === ':memory:');
  }

  /** Opens (creating if needed) a store. Throws `InvalidOptionError` for bad retention options. */
  static open(options: StoreOptions = {}): TraceStore {
    return new TraceStore(options.path ?? DEFAULT_DB_PATH, options.retention);
  }

  /** Effective retention settings. */
  get retentionSettings(): Readonly<Required<RetentionOptions>> {
    return this.retention.settings;
  }

  /**
   * The write connection, for components that keep tables of their own in the same file (the
   * span metrics). Not for span rows: use the methods above.
   */
  get connection(): Database.Database {
    return this.db;
  }

  /** Whether another thread can open this store read-only (a file store, not `:memory:`). */
  get searchableOffThread(): boolean {
    return !isInMemoryPath(this.path);
  }

  /**
   * Stores a decoded batch in one transaction and returns the number of spans stored.
   * Spans are grouped by trace so each trace's spans occupy one contiguous row range.
   */
  insert(batch: DecodedBatch): number {
    return this.writer.insert(batch);
  }

  /** All stored spans of a trace, by start time; `null` when the trace is unknown. Id is hex (any case). */
  getTrace(traceId: string): StoredSpan[] | null {
    return this.reader.getTrace(traceId);
  }

  /** Summaries of the given traces (unknown ids are skipped), newest start first. */
  getSummaries(traceIds: string[]): TraceSummary[] {
    return this.reader.getSummaries(traceIds);
  }

  /**
   * Ids of the most recently stored traces with at least one span matching the query (a span
   * matches when the whole expression is true for it) and starting in the time window.
   * Runs on the calling thread.
   */
  searchTraceIds(request: SearchRequest): string[] {
    return this.reader.searchTraceIds(request);
  }

  /**
   * The row ranges a search for `query` would visit after the block index ruled blocks out (an
   * explain plan: `[]` means no block can match). For diagnostics and the index's own tests.
   */
  plannedRanges(query: QueryNode | null, startUs = 0, endUs = Number.MAX_SAFE_INTEGER): [number, number][] {
    return planBlocks(this.reader, query, startUs, endUs);
  }

  /** Search returning trace summaries, newest first. Runs on the calling thread. */
  search(request: SearchRequest): TraceSummary[] {
    return this.reader.search(request);
  }

  /** Service names, sorted. */
  services(): string[] {
    return this.reader.services();
  }

  /** Operations of a service (all services when omitted), optionally of one span kind. */
  operations(service?: string, kind?: number): { name: string; kind: number; service: string }[] {
    return this.reader.operations(service, kind);
  }

  /**
   * Service-to-service call counts from parent/child spans that started in the window
   * (microseconds); see `computeDependencies`.
   */
  dependencies(startUs: number, endUs: number): DependencyLink[] {
    return this.reader.dependencies(startUs, endUs);
  }

  /** Bytes used by live pages (free pages excluded). */
  sizeBytes(): number {
    return liveBytes(this.db);
  }

  /**
   * Deletes the oldest blocks of spans while they are older than `maxAgeMs` or the database is
   * larger than `maxBytes`, and the traces that have no span left. Returns the spans deleted.
   */
  enforceRetention(nowMs: number = Date.now()): number {
    return this.retention.enforce(nowMs);
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
    return {
      path: this.path,
      sizeBytes: this.sizeBytes(),
      spanCount,
      traceCount: this.reader.traceCount(),
      blockCount: this.blocks.length,
      oldestSpanUs: spanCount > 0 ? oldest : null,
      newestSpanUs: spanCount > 0 ? newest : null,
      deletedSpans: this.retention.deletedSpans,
    };
  }

  /** Closes the database (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
