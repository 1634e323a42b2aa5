import type { FastifyInstance } from 'fastify';
import { InvalidParameterError } from '../errors.js';
import { KIND_CODES } from '../query/ast.js';
import { parseQuantile, parseSpmParams, SPM_MIN_STEP_MS, spmFamily } from './jaeger-spm.js';
import { createSpanMetricsRegistry } from './prometheus.js';
import type { SpanMetrics } from './span-metrics.js';
import { minuteWindow, type RedSummary, summarizeLlm, summarizeRed } from './summaries.js';

type Query = Record<string, unknown>;
const first = (v: unknown): string | undefined => (v === undefined ? undefined : String([v].flat()[0]));

/** Longest window the monitor endpoints answer: 31 days. */
const MAX_LOOKBACK_MS = 31 * 24 * 3600 * 1000;

function msParam(q: Query, name: string, dflt: number, min: number, max: number): number {
  const raw = first(q[name]);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new InvalidParameterError(`parameter "${name}" must be an integer ${min}..${max}, got "${raw}"`);
  }
  return n;
}

function kindsParam(q: Query): number[] | undefined {
  const raw = first(q.spanKind);
  if (raw === undefined || raw === '' || raw === 'all') return undefined;
  const codes = raw.split(',').map((k) => (Object.hasOwn(KIND_CODES, k) ? KIND_CODES[k] : undefined));
  if (codes.some((c) => c === undefined)) {
    throw new InvalidParameterError(
      'parameter "spanKind" must be all or a comma list of server, client, internal, producer, consumer, unspecified',
    );
  }
  return codes as number[];
}

function windowOf(q: Query) {
  const endMs = msParam(q, 'endTs', Date.now(), 0, Number.MAX_SAFE_INTEGER);
  const lookbackMs = msParam(q, 'lookback', 3_600_000, 60_000, MAX_LOOKBACK_MS);
  return { endMs, lookbackMs, win: minuteWindow(endMs, lookbackMs) };
}

/**
 * Registers the span-metrics endpoints on the query port: `/metrics` (Prometheus), Jaeger's SPM
 * API `/api/metrics/*`, and the viewer's `/api/monitor/*` and `/api/llm/*`.
 */
export function registerMetricsRoutes(app: FastifyInstance, metrics: SpanMetrics): void {
  const registry = createSpanMetricsRegistry(() => metrics.red.series());
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  registerSpmRoutes(app, metrics);
  registerMonitorRoutes(app, metrics);
  registerLlmRoutes(app, metrics);
}

/** Jaeger's SPM API (`/api/metrics/calls|errors|latencies|minstep`), as the Jaeger UI's Monitor tab calls it. */
function registerSpmRoutes(app: FastifyInstance, metrics: SpanMetrics): void {
  const spm = (kind: 'calls' | 'errors' | 'latencies') => async (req: { query: unknown }) => {
    const q = req.query as Query;
    const quantile = kind === 'latencies' ? parseQuantile(q) : undefined;
    const p = parseSpmParams(q);
    metrics.flush();
    const from = Math.floor((p.endMs - p.lookbackMs - p.ratePerMs) / 60_000);
    const cells = metrics.red.cells(from, Math.floor(p.endMs / 60_000), p.services, p.kinds);
    return spmFamily(kind, cells, p, quantile);
  };
  app.get('/api/metrics/calls', spm('calls'));
  app.get('/api/metrics/errors', spm('errors'));
  app.get('/api/metrics/latencies', spm('latencies'));
  app.get('/api/metrics/minstep', async () => ({
    data: SPM_MIN_STEP_MS,
    total: 0,
    limit: 0,
    offset: 0,
    errors: null,
  }));
}

/** The viewer's Monitor page: RED figures per service and per operation. */
function registerMonitorRoutes(app: FastifyInstance, metrics: SpanMetrics): void {
  app.get('/api/monitor/services', async (req) => {
    const q = req.query as Query;
    const { endMs, win } = windowOf(q);
    metrics.flush();
    const cells = metrics.red.cells(win.fromMinute, win.toMinute, undefined, kindsParam(q), win.resolution);
    const rows: RedSummary[] = [...summarizeRed(cells, win, (c) => c.service).values()].map(
      ({ first: c, summary }) => ({ service: c.service, ...summary }),
    );
    rows.sort((a, b) => (a.service < b.service ? -1 : 1));
    return { endMs, bucketMinutes: win.groupMinutes, fromMinute: win.fromMinute, services: rows };
  });
  app.get('/api/monitor/operations', async (req) => {
    const q = req.query as Query;
    const service = first(q.service);
    if (service === undefined || service === '')
      throw new InvalidParameterError('parameter "service" is required');
    const { endMs, win } = windowOf(q);
    metrics.flush();
    const cells = metrics.red.cells(win.fromMinute, win.toMinute, [service], kindsParam(q), win.resolution);
    const rows: RedSummary[] = [
      ...summarizeRed(cells, win, (c) => `${c.operation}\u0000${c.kind}`).values(),
    ].map(({ first: c, summary }) => ({ service, operation: c.operation, spanKind: c.kind, ...summary }));
    rows.sort((a, b) => b.calls - a.calls);
    return { endMs, bucketMinutes: win.groupMinutes, fromMinute: win.fromMinute, operations: rows };
  });
}

/** The viewer's LLM page: per-model figures, the slowest or most expensive calls, conversations. */
function registerLlmRoutes(app: FastifyInstance, metrics: SpanMetrics): void {
  app.get('/api/llm/models', async (req) => {
    const { endMs, win } = windowOf(req.query as Query);
    metrics.flush();
    const models = summarizeLlm(metrics.llm.cells(win.fromMinute, win.toMinute), win);
    return { endMs, bucketMinutes: win.groupMinutes, fromMinute: win.fromMinute, models };
  });
  app.get('/api/llm/calls', async (req) => {
    const q = req.query as Query;
    const by = first(q.by) ?? 'duration';
    if (by !== 'duration' && by !== 'cost')
      throw new InvalidParameterError('parameter "by" must be duration or cost');
    const limit = msParam(q, 'limit', 20, 1, 100);
    metrics.flush();
    return { by, calls: metrics.llm.topCalls(by === 'cost' ? 'cost_usd' : 'duration_ms', limit) };
  });
  app.get('/api/llm/conversations', async (req) => {
    const limit = msParam(req.query as Query, 'limit', 50, 1, 1000);
    metrics.flush();
    return { conversations: metrics.llm.conversationList(limit) };
  });
  app.get<{ Params: { id: string } }>('/api/llm/conversations/:id', async (req) => {
    metrics.flush();
    return { conversationId: req.params.id, traces: metrics.llm.conversationTraces(req.params.id) };
  });
}
