/**
 * Client for the collector's query API (Jaeger-compatible v1 + v3, and our `/api/search`).
 * URLs are absolute paths on the same origin, so the UI works wherever the collector binds.
 */

import type { JaegerLog, JaegerSpan, JaegerTag, JaegerTrace, TraceSummary } from '@autobot/collector';

// The Jaeger wire types and the `/api/search` row are the collector's own (type-only: nothing of
// the collector's runtime enters this bundle). The viewer's names for the parts it renders:
/** A Jaeger key/value (span tags, process tags, log fields). */
export type KeyValue = JaegerTag;
/** A Jaeger log (an OpenTelemetry span event). `timestamp` in µs. */
export type SpanLog = JaegerLog;
export type { JaegerSpan, JaegerTrace, TraceSummary };

/** One edge of `/api/dependencies`. `errorCount` is an optional extension. */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
  errorCount?: number;
}

/** A structured API error (`errors[]` of a Jaeger-style envelope). */
export interface ApiErrorDetail {
  code?: number;
  msg: string;
  column?: number;
  expected?: string[] | string;
}

/** A failed API call: HTTP status plus the envelope's first error, when there is one. */
export class ApiError extends Error {
  readonly code = 'AUTOBOT_ERR_VIEWER_API';
  constructor(
    message: string,
    readonly status: number,
    readonly detail?: ApiErrorDetail,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Envelope<T> {
  data: T;
  total?: number;
  errors?: ApiErrorDetail[] | null;
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<Envelope<T>> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the collector (${(err as Error).message})`, 0);
  }
  if (res.status === 401 && typeof location !== 'undefined') {
    // The collector wants its read token: its sign-in page sets a session cookie and comes back.
    location.assign('/login');
  }
  let body: Envelope<T> | undefined;
  try {
    body = (await res.json()) as Envelope<T>;
  } catch {
    body = undefined;
  }
  const detail = body?.errors?.[0];
  if (!res.ok || (detail && body?.data == null)) {
    throw new ApiError(detail?.msg ?? `HTTP ${res.status} from ${url.split('?')[0]}`, res.status, detail);
  }
  if (!body) throw new ApiError(`invalid JSON from ${url.split('?')[0]}`, res.status);
  return body;
}

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  return p.toString();
}

/** Service names known to the store, sorted. */
export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  const body = await getJson<string[] | null>('/api/services', signal);
  return [...(body.data ?? [])].sort();
}

/** Operation (span) names of one service, sorted. */
export async function fetchOperations(service: string, signal?: AbortSignal): Promise<string[]> {
  const body = await getJson<string[] | null>(
    `/api/services/${encodeURIComponent(service)}/operations`,
    signal,
  );
  return [...(body.data ?? [])].sort();
}

/** Parameters of `/api/search`; times in µs. */
export interface SearchParams {
  q: string;
  start?: number;
  end?: number;
  limit?: number;
}

/** Runs a query-language search; a syntax error rejects with an {@link ApiError} carrying the column. */
export async function searchTraces(
  params: SearchParams,
  signal?: AbortSignal,
): Promise<{ traces: TraceSummary[]; total: number }> {
  const body = await getJson<TraceSummary[] | null>(`/api/search?${qs({ ...params })}`, signal);
  const traces = body.data ?? [];
  return { traces, total: body.total ?? traces.length };
}

/** Loads one trace in Jaeger JSON. */
export async function fetchTrace(traceId: string, signal?: AbortSignal): Promise<JaegerTrace> {
  const body = await getJson<JaegerTrace[] | null>(`/api/traces/${encodeURIComponent(traceId)}`, signal);
  const trace = body.data?.[0];
  if (!trace) throw new ApiError(`trace ${traceId} not found`, 404);
  return trace;
}

/** URL of a trace as Jaeger JSON (v1 API). */
export function jaegerJsonUrl(traceId: string): string {
  return `/api/traces/${encodeURIComponent(traceId)}`;
}

/** URL of a trace as OTLP JSON (v3 API). */
export function otlpJsonUrl(traceId: string): string {
  return `/api/v3/traces/${encodeURIComponent(traceId)}`;
}

/** Service-to-service edges over `lookbackMs` before `endTsMs` (both in ms, as Jaeger takes them). */
export async function fetchDependencies(
  endTsMs: number,
  lookbackMs: number,
  signal?: AbortSignal,
): Promise<DependencyLink[]> {
  const body = await getJson<DependencyLink[] | null>(
    `/api/dependencies?${qs({ endTs: endTsMs, lookback: lookbackMs })}`,
    signal,
  );
  return body.data ?? [];
}
