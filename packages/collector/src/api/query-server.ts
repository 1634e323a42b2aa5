import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { TlsMaterial } from '../auth/tls.js';
import { CollectorError, InvalidParameterError } from '../errors.js';
import type { IngestStats } from '../ingest.js';
import { stringifyExact } from '../json-exact.js';
import { registerMetricsRoutes } from '../metrics/routes.js';
import type { SpanMetrics } from '../metrics/span-metrics.js';
import type { StoredSpan, TraceSummary } from '../model.js';
import { SPAN_KIND_NAMES } from '../model.js';
import { decodeJsonRequest } from '../otlp/decode-json.js';
import { KIND_CODES } from '../query/ast.js';
import { parseQuery } from '../query/parser.js';
import type { Searcher } from '../store/search-pool.js';
import type { TraceStore } from '../store/store.js';
import { toJaegerTrace } from './jaeger-format.js';
import { toOtlpJson } from './otlp-json.js';
import {
  checkWindow,
  durationParam,
  intParam,
  jaegerFilters,
  limitParam,
  normalizeTraceId,
  one,
  parseTags,
  rfc3339Param,
} from './params.js';
import { type ReadAccessOptions, registerReadAccess } from './read-access.js';
import { resolveStatic } from './static-ui.js';
import { summarizeTrace } from './trace-summary.js';

/** Options of the query server. */
export interface QueryServerOptions {
  store: TraceStore;
  /** Runs the searches (off the collector's thread for file stores). */
  searcher: Searcher;
  stats: IngestStats;
  /** Span-derived metrics (`/metrics`, `/api/metrics/*`, `/api/monitor/*`, `/api/llm/*`); omitted = not served. */
  metrics?: SpanMetrics;
  corsOrigins: string[];
  uiDir?: string;
  /** Extra fields for `/status` (ports, version). */
  statusExtra: () => Record<string, unknown>;
  /** Read token and viewer sessions; absent = open. */
  readAccess?: ReadAccessOptions;
  /** Serve HTTPS. */
  tls?: TlsMaterial;
  /** Largest body `POST /api/transform` accepts (default 16 MiB, as the OTLP receivers). */
  maxBodyBytes?: number;
}

type Query = Record<string, unknown>;

function jaegerOk(data: unknown, total?: number, limit = 0) {
  return { data, total: total ?? (Array.isArray(data) ? data.length : 0), limit, offset: 0, errors: null };
}

function jaegerError(reply: FastifyReply, status: number, msg: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .send({ data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg, ...extra }] });
}

// Jaeger v1 int64 tags beyond 2^53 are bigints: written as exact JSON integers, as Jaeger does.
function sendExact(reply: FastifyReply, body: unknown) {
  return reply.type('application/json; charset=utf-8').send(stringifyExact(body));
}

/** A v3 parameter by its canonical camelCase name or the deprecated snake_case one (Jaeger v2 takes both). */
function v3Param(q: Query, canonical: string, deprecated: string): { name: string; value: unknown } {
  return q[canonical] !== undefined
    ? { name: canonical, value: q[canonical] }
    : { name: deprecated, value: q[deprecated] };
}

function v3Error(reply: FastifyReply, status: number, message: string) {
  return reply.code(status).send({ error: { httpCode: status, message } });
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

/** Builds the Fastify app of the query port (Jaeger v1/v3 API, `/api/search`, `/status`, UI). */
export function buildQueryServer(options: QueryServerOptions): FastifyInstance {
  const { store, searcher } = options;
  const app = (options.tls === undefined
    ? Fastify({ logger: false, routerOptions: { maxParamLength: 200 } })
    : Fastify({
        logger: false,
        routerOptions: { maxParamLength: 200 },
        https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' },
      })) as unknown as FastifyInstance;
  if (options.corsOrigins.length > 0) {
    void app.register(cors, { origin: options.corsOrigins.includes('*') ? true : options.corsOrigins });
  }

  app.setErrorHandler((error, request, reply) => {
    const status =
      error instanceof CollectorError
        ? error.statusCode
        : ((error as { statusCode?: number }).statusCode ?? 500);
    const msg = status >= 500 ? `internal error: ${(error as Error).message}` : (error as Error).message;
    // Every error body carries a stable code; errors from Fastify itself keep theirs (FST_ERR_*).
    const foreignCode = (error as { code?: unknown }).code;
    const coded =
      error instanceof CollectorError
        ? { errorCode: error.code, ...error.details() }
        : { errorCode: typeof foreignCode === 'string' ? foreignCode : 'AUTOBOT_ERR_COLLECTOR_INTERNAL' };
    if (request.url.startsWith('/api/v3/'))
      return reply.code(status).send({ error: { httpCode: status, message: msg, ...coded } });
    return jaegerError(reply, status, msg, coded);
  });

  if (options.readAccess !== undefined) registerReadAccess(app, options.readAccess);

  const statusBody = () => ({
    status: 'ok',
    ...options.statusExtra(),
    ingest: options.stats,
    store: store.status(),
    retention: store.retentionSettings,
  });
  app.get('/status', async () => statusBody());
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/api/health', async () => ({ status: 'ok' }));

  // --- Jaeger v1 -------------------------------------------------------------------------------
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
    const traceIds = await searcher.searchTraceIds({ query, ...searchWindow(q), limit });
    const traces = traceIds.map((id) => store.getTrace(id)).filter((s) => s !== null);
    return sendExact(reply, jaegerOk(traces.map(toJaegerTrace), traces.length, 0));
  });
  app.get('/api/dependencies', async (req) => {
    const q = req.query as Query;
    const endMs = intParam('endTs', q.endTs) ?? Date.now();
    const lookbackMs = intParam('lookback', q.lookback) ?? 24 * 3600 * 1000;
    checkWindow('lookback', (endMs - lookbackMs) * 1000, endMs * 1000);
    return jaegerOk(store.dependencies((endMs - lookbackMs) * 1000, endMs * 1000));
  });

  // Jaeger v2's `POST /api/transform` (jaeger cmd/jaeger/internal/extension/jaegerquery/internal/
  // http_handler.go transformOTLP): OTLP/JSON in, v1 `{data: [trace…]}` out, nothing stored. The
  // Jaeger UI's Upload tab sends an OTLP file here (jaeger-ui packages/jaeger-ui/src/utils/
  // readJsonFile.ts → api/jaeger.ts transformOTLP), with fetch's default `text/plain` content type.
  void app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes ?? 16 * 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    sub.post('/api/transform', async (req, reply) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let batch: ReturnType<typeof decodeJsonRequest>;
      try {
        batch = decodeJsonRequest(body);
      } catch (error) {
        return jaegerError(reply, 400, (error as Error).message);
      }
      const traces = new Map<string, StoredSpan[]>();
      for (const g of batch.groups) {
        for (const span of g.spans) {
          const stored: StoredSpan = {
            ...span,
            serviceName: g.resource.serviceName,
            resourceAttributes: g.resource.attributes,
            resourceSchemaUrl: g.resource.schemaUrl ?? '',
            scope: g.scope,
          };
          if (g.resource.droppedAttributesCount !== undefined)
            stored.resourceDroppedAttributesCount = g.resource.droppedAttributesCount;
          const list = traces.get(span.traceId);
          if (list === undefined) traces.set(span.traceId, [stored]);
          else list.push(stored);
        }
      }
      return sendExact(reply, jaegerOk([...traces.values()].map(toJaegerTrace)));
    });
  });

  if (options.metrics !== undefined) registerMetricsRoutes(app, options.metrics);

  // --- Query language --------------------------------------------------------------------------
  app.get('/api/search', async (req) => {
    const q = req.query as Query;
    const text = one(q.q) ?? '';
    // Coded errors (syntax, regex not linear or too long) reach the error handler: 400 + details.
    const query = parseQuery(text);
    const limit = limitParam(q.limit, 20);
    const data: TraceSummary[] = await searcher.search({ query, ...searchWindow(q), limit });
    return { data, total: data.length, limit, offset: 0, errors: null };
  });

  // --- Jaeger v3 (OTLP/JSON) -------------------------------------------------------------------
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

  // --- UI ----------------------------------------------------------------------------------------
  app.setNotFoundHandler(async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (path.startsWith('/api/') || req.method !== 'GET' || options.uiDir === undefined) {
      return jaegerError(reply, 404, `not found: ${req.method} ${path}`);
    }
    const file = await resolveStatic(options.uiDir, path);
    if (file === null) return jaegerError(reply, 404, `not found: ${path} (no UI build in ${options.uiDir})`);
    reply.header('content-type', file.contentType);
    reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(file.body);
  });
  return app;
}
