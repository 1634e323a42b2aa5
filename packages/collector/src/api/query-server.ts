import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TlsMaterial } from '../auth/tls.js';
import type { CollectorErrorCode } from '../error-codes.js';
import { CollectorError } from '../errors.js';
import type { IngestStats } from '../ingest.js';
import { registerMetricsRoutes } from '../metrics/routes.js';
import type { SpanMetrics } from '../metrics/span-metrics.js';
import type { Searcher } from '../store/search-pool.js';
import type { TraceStore } from '../store/store.js';
import { type ReadAccessOptions, registerReadAccess } from './read-access.js';
import { jaegerError } from './responses.js';
import { resolveStatic } from './static-ui.js';
import { registerTransformRoute } from './transform-route.js';
import { registerJaegerV1Routes, registerSearchRoute } from './v1-routes.js';
import { registerJaegerV3Routes } from './v3-routes.js';

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
  app.setErrorHandler(sendCodedError);
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

  registerJaegerV1Routes(app, store, searcher);
  registerTransformRoute(app, options.maxBodyBytes ?? 16 * 1024 * 1024);
  if (options.metrics !== undefined) registerMetricsRoutes(app, options.metrics);
  registerSearchRoute(app, searcher);
  registerJaegerV3Routes(app, store, searcher);
  const { uiDir } = options;
  const metricsStorage = options.metrics !== undefined;
  app.setNotFoundHandler((req, reply) => serveUi(uiDir, metricsStorage, req, reply));
  return app;
}

/** Every error body carries a stable code; errors from Fastify itself keep theirs (FST_ERR_*). */
function sendCodedError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const status =
    error instanceof CollectorError
      ? error.statusCode
      : ((error as { statusCode?: number }).statusCode ?? 500);
  const msg = status >= 500 ? `internal error: ${(error as Error).message}` : (error as Error).message;
  const foreignCode = (error as { code?: unknown }).code;
  const coded =
    error instanceof CollectorError
      ? { errorCode: error.code, ...error.details() }
      : {
          errorCode:
            typeof foreignCode === 'string'
              ? foreignCode
              : ('AUTOBOT_ERR_COLLECTOR_INTERNAL' satisfies CollectorErrorCode),
        };
  if (request.url.startsWith('/api/v3/'))
    return reply.code(status).send({ error: { httpCode: status, message: msg, ...coded } });
  return jaegerError(reply, status, msg, coded);
}

/** The viewer's static files for GET requests outside `/api/`; everything else is a Jaeger 404. */
async function serveUi(
  uiDir: string | undefined,
  metricsStorage: boolean,
  req: FastifyRequest,
  reply: FastifyReply,
) {
  const path = req.url.split('?')[0] ?? '/';
  if (path.startsWith('/api/') || req.method !== 'GET' || uiDir === undefined) {
    return jaegerError(reply, 404, `not found: ${req.method} ${path}`);
  }
  const file = await resolveStatic(uiDir, path, { metricsStorage });
  if (file === null) return jaegerError(reply, 404, `not found: ${path} (no UI build in ${uiDir})`);
  reply.header('content-type', file.contentType);
  reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  return reply.send(file.body);
}
