import { Worker } from 'node:worker_threads';
import {
  jaegerTracesResponseBody,
  type LimitedSearchRequest,
  searchResponseBody,
} from '../api/search-bodies.js';
import { QueryFailedError, QueryTimeoutError } from '../errors.js';
import type { TraceSummary } from '../model.js';
import type { QueryNode } from '../query/ast.js';
import type { TraceStore } from './store.js';
import type { SearchRequest } from './trace-reader.js';

/**
 * Runs searches for the query API. The `…Body` methods answer with the finished JSON response
 * body, built where the search ran: from a worker it arrives as bytes moved (not copied) to this
 * thread, with nothing left to clone or serialise here.
 */
export interface Searcher {
  searchTraceIds(request: SearchRequest): Promise<string[]>;
  search(request: SearchRequest): Promise<TraceSummary[]>;
  /** `/api/search`'s body: see {@link searchResponseBody}. */
  searchBody(request: LimitedSearchRequest): Promise<ResponseBody>;
  /** A Jaeger v1 `/api/traces` search's body: see {@link jaegerTracesResponseBody}. */
  jaegerTracesBody(request: LimitedSearchRequest): Promise<ResponseBody>;
  close(): Promise<void>;
}

/** A JSON response body: text (built on this thread) or its UTF-8 bytes (from a worker). */
export type ResponseBody = string | Buffer;

/** What a worker can be asked to run. */
export type SearchMethod = 'search' | 'searchTraceIds' | 'searchBody' | 'jaegerTracesBody';

/** A search sent to a worker. The query AST travels without its compiled RegExps. */
export interface SearchJobMessage {
  id: number;
  method: SearchMethod;
  request: SearchRequest;
}

/** A worker's answer; a body comes as UTF-8 bytes whose buffer was transferred. */
export type SearchReplyMessage =
  | { id: number; ok: true; value: string[] | TraceSummary[] | Uint8Array }
  | { id: number; ok: false; message: string };

/** Options of {@link SearchPool}. */
export interface SearchPoolOptions {
  /** The store file (not `:memory:`). */
  path: string;
  /** Time budget of one search, from arrival to answer, in ms (queue wait included). */
  timeoutMs: number;
  /** Worker threads (default 2): a search over budget holds up at most this share of the others. */
  size?: number;
}

interface Job {
  id: number;
  method: SearchMethod;
  request: SearchRequest;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** Heap cap of a search worker: a runaway search fails alone instead of growing the collector. */
const WORKER_HEAP_MB = 256;

function workerUrl(): URL {
  // Under vitest this module runs from src/*.ts; the worker then runs the built file (tsc -b first).
  if (import.meta.url.endsWith('.ts')) {
    return new URL(import.meta.url.replace(/\/src\/store\/search-pool\.ts$/, '/dist/store/search-worker.js'));
  }
  return new URL('./search-worker.js', import.meta.url);
}

/** A copy of the query without compiled RegExps (the worker compiles its own from the pattern). */
function withoutRegex(query: QueryNode | null): QueryNode | null {
  return query === null
    ? null
    : (JSON.parse(JSON.stringify(query, (k, v) => (k === 'regex' ? undefined : v))) as QueryNode);
}

/**
 * Searches in worker threads, each with its own read-only connection (WAL lets them read while
 * the collector's thread writes), so no search holds up ingest. A search that runs past
 * `timeoutMs` is rejected with `QueryTimeoutError` and its worker terminated (a new one starts
 * for the next search); a worker that fails rejects with `QueryFailedError`.
 */
export class SearchPool implements Searcher {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly size: number;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SearchPoolOptions) {
    this.size = options.size ?? 2;
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /** See `TraceStore.searchTraceIds`. */
  searchTraceIds(request: SearchRequest): Promise<string[]> {
    return this.run('searchTraceIds', request) as Promise<string[]>;
  }

  /** See `TraceStore.search`. */
  search(request: SearchRequest): Promise<TraceSummary[]> {
    return this.run('search', request) as Promise<TraceSummary[]>;
  }

  /** See {@link Searcher.searchBody}. */
  async searchBody(request: LimitedSearchRequest): Promise<ResponseBody> {
    return asBuffer((await this.run('searchBody', request)) as Uint8Array);
  }

  /** See {@link Searcher.jaegerTracesBody}. */
  async jaegerTracesBody(request: LimitedSearchRequest): Promise<ResponseBody> {
    return asBuffer((await this.run('jaegerTracesBody', request)) as Uint8Array);
  }

  /** Rejects queued searches and terminates the workers. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.settle(job, new QueryFailedError('the collector is closing'));
    const slots = this.slots.splice(0);
    for (const slot of slots)
      if (slot.job !== null) this.settle(slot.job, new QueryFailedError('the collector is closing'));
    await Promise.allSettled(slots.map((slot) => slot.worker.terminate()));
  }

  private run(method: SearchMethod, request: SearchRequest): Promise<unknown> {
    if (this.closed) return Promise.reject(new QueryFailedError('the collector is closing'));
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        method,
        request: { ...request, query: withoutRegex(request.query) },
        resolve,
        reject,
        timer: setTimeout(() => this.expire(job), this.options.timeoutMs),
      };
      this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => s.job === null);
      if (slot === undefined && this.slots.length < this.size) slot = this.spawn();
      if (slot === undefined) return;
      const job = this.queue.shift() as Job;
      slot.job = job;
      const message: SearchJobMessage = { id: job.id, method: job.method, request: job.request };
      slot.worker.postMessage(message);
    }
  }

  private settle(job: Job, error: Error | null, value?: unknown): void {
    clearTimeout(job.timer);
    if (error === null) job.resolve(value);
    else job.reject(error);
  }

  private expire(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (slot !== undefined) {
      // Only terminating the thread stops a running SQLite scan; a fresh worker takes its place.
      this.discard(slot);
      void slot.worker.terminate();
    }
    this.settle(job, new QueryTimeoutError(this.options.timeoutMs));
    this.pump();
  }

  private discard(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.job = null;
  }

  private spawn(): Slot {
    const worker = new Worker(workerUrl(), {
      workerData: { path: this.options.path },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    const slot: Slot = { worker, job: null };
    this.slots.push(slot);
    let failure: Error | undefined;
    worker.on('message', (reply: SearchReplyMessage) => {
      const job = slot.job;
      if (job === null || job.id !== reply.id) return;
      slot.job = null;
      if (reply.ok) this.settle(job, null, reply.value);
      else this.settle(job, new QueryFailedError(`search failed: ${reply.message}`));
      this.pump();
    });
    worker.on('error', (error) => {
      failure = error;
    });
    worker.on('exit', () => {
      const job = slot.job;
      this.discard(slot);
      if (job !== null) {
        const reason = failure?.message ?? 'the search worker exited';
        this.settle(job, new QueryFailedError(`search failed: ${reason}`, { cause: failure }));
      }
      this.pump();
    });
    return slot;
  }
}

/** A Buffer over the bytes a worker transferred (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Searches on the calling thread, for stores no other thread can open (`:memory:`): no time
 * budget, the regex engine's linear time is the only bound.
 */
export function inlineSearcher(store: TraceStore): Searcher {
  return {
    searchTraceIds: async (request) => store.searchTraceIds(request),
    search: async (request) => store.search(request),
    searchBody: async (request) => searchResponseBody(store, request),
    jaegerTracesBody: async (request) => jaegerTracesResponseBody(store, request),
    close: async () => {},
  };
}
