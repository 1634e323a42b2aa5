import { stringifyExact } from '../json-exact.js';
import type { StoredSpan, TraceSummary } from '../model.js';
import type { SearchRequest } from '../store/trace-reader.js';
import { toJaegerTrace } from './jaeger-format.js';
import { jaegerOk } from './responses.js';

/** What the response bodies below read: a `TraceStore` or a worker's `TraceReader`. */
export interface SearchSource {
  search(request: SearchRequest): TraceSummary[];
  searchTraceIds(request: SearchRequest): string[];
  getTrace(traceId: string): StoredSpan[] | null;
}

/** A search whose limit the caller already resolved (it is echoed in the response). */
export type LimitedSearchRequest = SearchRequest & { limit: number };

/**
 * The body of `/api/search` as JSON text: `{data: [summary…], total, limit, offset, errors}`.
 * Built where the search runs (a worker returns the text, not objects to clone and serialise
 * again); the same function on either thread, so both answer byte for byte alike.
 */
export function searchResponseBody(source: SearchSource, request: LimitedSearchRequest): string {
  const data = source.search(request);
  return JSON.stringify({ data, total: data.length, limit: request.limit, offset: 0, errors: null });
}

/**
 * The body of a Jaeger v1 `/api/traces` search as JSON text: the matching traces in full, int64
 * tags beyond 2^53 as exact JSON integers (as `sendExact`).
 */
export function jaegerTracesResponseBody(source: SearchSource, request: LimitedSearchRequest): string {
  const traces: StoredSpan[][] = [];
  for (const id of source.searchTraceIds(request)) {
    const spans = source.getTrace(id);
    if (spans !== null) traces.push(spans);
  }
  return stringifyExact(jaegerOk(traces.map(toJaegerTrace), traces.length, 0));
}
