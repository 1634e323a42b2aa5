import type { FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../errors.js';
import { SPAN_KIND_NAMES } from '../model.js';
import { KIND_CODES } from '../query/ast.js';
import type { Searcher } from '../store/search-pool.js';
import type { TraceStore } from '../store/store.js';
import { toOtlpJson } from './otlp-json.js';
import {
  checkWindow,
  durationParam,
  jaegerFilters,
  limitParam,
  normalizeTraceId,
  one,
  parseTags,
  rfc3339Param,
} from './params.js';
import { type Query, v3Error, v3Param } from './responses.js';
import { summarizeTrace } from './trace-summary.js';

/** The Jaeger v3 query API (OTLP/JSON): services, operations, traces, trace summaries, dependencies. */
export function registerJaegerV3Routes(app: FastifyInstance, store: TraceStore, searcher: Searcher): void {
  app.get('/api/v3/services', async () => ({ services: store.services() }));
  app.get('/api/v3/operations', async (req) => {
    const q = req.query as Query;
    const service = one(q.service);
    if (service === undefined) throw new InvalidParameterError('parameter "service" is required');
    const kindName = one(v3Param(q, 'spanKind', 'span_kind').value)?.toLowerCase();
    const kind = kindName === undefined ? undefined : KIND_CODES[kindName];
    return {
      operations: store
        .operations(service, kindName === undefined ? undefined : (kind ?? -1))
        .map((o) => ({ name: o.name, spanKind: SPAN_KIND_NAMES[o.kind] })),
    };
  });
  app.get<{ Params: { traceId: string } }>('/api/v3/traces/:traceId', async (req, reply) => {
    const spans = store.getTrace(normalizeTraceId(req.params.traceId));
    if (spans === null) return v3Error(reply, 404, 'trace not found');
    return { result: toOtlpJson(spans) };
  });
  app.get('/api/v3/traces', async (req, reply) => {
    const traceIds = await v3TraceIds(searcher, req.query as Query);
    const spans = traceIds.flatMap((id) => store.getTrace(id) ?? []);
    // Jaeger v2 (apiv3 http_gateway.go returnTraces) answers a search without results with 404.
    if (spans.length === 0) return v3Error(reply, 404, 'No traces found');
    return { result: toOtlpJson(spans) };
  });
  app.get('/api/v3/trace-summaries', async (req) => {
    const summaries = (await v3TraceIds(searcher, req.query as Query))
      .map((id) => store.getTrace(id))
      .filter((spans) => spans !== null)
      .map(summarizeTrace);
    // proto3 JSON as Jaeger v2 writes it: an empty repeated field is left out, so no match is `{}`.
    return summaries.length > 0 ? { summaries } : {};
  });
  app.get('/api/v3/dependencies', async (req) => {
    const q = req.query as Query;
    const start = v3Param(q, 'startTime', 'start_time');
    const end = v3Param(q, 'endTime', 'end_time');
    const startUs = rfc3339Param(start.name, start.value);
    const endUs = rfc3339Param(end.name, end.value);
    if (startUs === undefined || endUs === undefined) {
      throw new InvalidParameterError('parameters "startTime" and "endTime" (RFC 3339) are required');
    }
    return {
      dependencies: store
        .dependencies(startUs, endUs)
        .map((d) => ({ parent: d.parent, child: d.child, callCount: String(d.callCount) })),
    };
  });
}

/** The search of `/api/v3/traces` and `/api/v3/trace-summaries` (Jaeger v2 `parseFindTracesQuery`). */
/** The trace ids a v3 search matches, searched off the ingest path (see the searcher). */
function v3TraceIds(searcher: Searcher, q: Query): Promise<string[]> {
  const p = (canonical: string, deprecated: string) => v3Param(q, canonical, deprecated);
  const attributes = one(q['query.attributes']);
  const durMin = p('query.durationMin', 'query.duration_min');
  const durMax = p('query.durationMax', 'query.duration_max');
  const query = jaegerFilters({
    service: one(p('query.serviceName', 'query.service_name').value),
    operation: one(p('query.operationName', 'query.operation_name').value),
    tags: attributes === undefined ? [] : parseTags(attributes, undefined),
    minDurationUs: durationParam(durMin.name, durMin.value),
    maxDurationUs: durationParam(durMax.name, durMax.value),
  });
  const depth = p('query.searchDepth', 'query.search_depth');
  const limit = limitParam(depth.value ?? q['query.num_traces'], 20, undefined, depth.name);
  const min = p('query.startTimeMin', 'query.start_time_min');
  const max = p('query.startTimeMax', 'query.start_time_max');
  const startUs = rfc3339Param(min.name, min.value);
  const endUs = rfc3339Param(max.name, max.value);
  checkWindow(min.name, startUs, endUs);
  return searcher.searchTraceIds({ query, startUs, endUs, limit });
}
