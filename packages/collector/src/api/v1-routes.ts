import type { FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../errors.js';
import { SPAN_KIND_NAMES } from '../model.js';
import { KIND_CODES } from '../query/ast.js';
import { parseQuery } from '../query/parser.js';
import type { Searcher } from '../store/search-pool.js';
import type { TraceStore } from '../store/store.js';
import { toJaegerTrace } from './jaeger-format.js';
import {
  checkWindow,
  durationParam,
  intParam,
  jaegerFilters,
  limitParam,
  normalizeTraceId,
  one,
  parseTags,
} from './params.js';
import { jaegerError, jaegerOk, type Query, sendExact, sendJson } from './responses.js';

/** The Jaeger v1 query API (`/api/services`, `/api/operations`, `/api/traces`, `/api/dependencies`). */
export function registerJaegerV1Routes(app: FastifyInstance, store: TraceStore, searcher: Searcher): void {
  // -------------------------------------------------------------------------------
  app.get('/api/services', async () => jaegerOk(store.services()));
  app.get<{ Params: { service: string } }>('/api/services/:service/operations', async (req) =>
    jaegerOk([...new Set(store.operations(req.params.service).map((o) => o.name))]),
  );
  app.get('/api/operations', async (req) => {
    const q = req.query as Query;
    const service = one(q.service);
    if (service === undefined) throw new InvalidParameterError('parameter "service" is required');
    const kindName = one(q.spanKind)?.toLowerCase();
    const kind = kindName === undefined ? undefined : KIND_CODES[kindName];
    if (kindName !== undefined && kind === undefined) {
      throw new InvalidParameterError(
        `parameter "spanKind" must be server, client, internal, producer or consumer`,
      );
    }
    return jaegerOk(
      store.operations(service, kind).map((o) => ({ name: o.name, spanKind: SPAN_KIND_NAMES[o.kind] })),
    );
  });
  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (req, reply) => {
    const spans = store.getTrace(normalizeTraceId(req.params.traceId));
    if (spans === null) return jaegerError(reply, 404, 'trace not found');
    return sendExact(reply, jaegerOk([toJaegerTrace(spans)]));
  });
  app.get('/api/traces', async (req, reply) => {
    const q = req.query as Query;
    const ids = [q.traceID]
      .flat()
      .filter((x) => x !== undefined && x !== '')
      .map((x) => normalizeTraceId(String(x)));
    if (ids.length > 0) {
      const traces = ids.map((id) => store.getTrace(id)).filter((s) => s !== null);
      return sendExact(reply, jaegerOk(traces.map(toJaegerTrace)));
    }
    const limit = limitParam(q.limit, 20);
    const query = jaegerFilters({
      service: one(q.service),
      operation: one(q.operation),
      tags: parseTags(q.tags, q.tag),
      minDurationUs: durationParam('minDuration', q.minDuration),
      maxDurationUs: durationParam('maxDuration', q.maxDuration),
    });
    // The search, the traces and their JSON are all made where the search runs (a worker).
    const body = await searcher.jaegerTracesBody({ query, ...searchWindow(q), limit });
    return sendJson(reply, body);
  });
  app.get('/api/dependencies', async (req) => {
    const q = req.query as Query;
    const endMs = intParam('endTs', q.endTs) ?? Date.now();
    const lookbackMs = intParam('lookback', q.lookback) ?? 24 * 3600 * 1000;
    checkWindow('lookback', (endMs - lookbackMs) * 1000, endMs * 1000);
    return jaegerOk(store.dependencies((endMs - lookbackMs) * 1000, endMs * 1000));
  });
}

/** `/api/search?q=…`: the query language (`llm.duration_ms > 5000`), Jaeger's time window and limit. */
export function registerSearchRoute(app: FastifyInstance, searcher: Searcher): void {
  app.get('/api/search', async (req, reply) => {
    const q = req.query as Query;
    const text = one(q.q) ?? '';
    // Coded errors (syntax, regex not linear or too long) reach the error handler: 400 + details.
    const query = parseQuery(text);
    const limit = limitParam(q.limit, 20);
    // `{data: [summary…], total, limit, offset, errors}`, serialised where the search ran.
    return sendJson(reply, await searcher.searchBody({ query, ...searchWindow(q), limit }));
  });
}

/** `start`/`end` (µs) or `lookback` (a duration before `end`/now), checked. */
function searchWindow(q: Query): { startUs?: number; endUs?: number } {
  let startUs = intParam('start', q.start);
  const endUs = intParam('end', q.end);
  const lookback = one(q.lookback);
  if (startUs === undefined && lookback !== undefined && lookback !== 'custom') {
    const us = durationParam('lookback', lookback);
    if (us !== undefined) startUs = (endUs ?? Date.now() * 1000) - us;
  }
  checkWindow(lookback === undefined || lookback === 'custom' ? 'start' : 'lookback', startUs, endUs);
  return { startUs, endUs };
}
