// The benchmark service pair, one file for every configuration so the app code is identical:
//   ROLE=a  GET /api/work/:id  → one Redis GET, one fetch to B, JSON answer (the reference
//           backend endpoint: "Redis GET + one downstream HTTP call")
//   ROLE=b  GET /api/data/:id  → a small JSON answer
//   GET /metrics (excluded from tracing) → { rss, stats } for the harness
// TRACE=none  no tracing code is loaded at all
// TRACE=ours  @autobot/tracing: initialize() + instrumentAll(app); AUTOBOT_* env decides the rest
// TRACE=context  no tracing library: OpenTelemetry's AsyncLocalStorage context manager, and each
//             request runs in a context of its own (an onRequest hook). The floor of any tracer
//             that keeps the active span in AsyncLocalStorage, as ours and the stock SDK do.
// TRACE=auto  nothing here: the process is started with
//             `--require @opentelemetry/auto-instrumentations-node/register` (OTEL_* env)
// CommonJS on purpose: auto-instrumentations patches modules through require hooks, so this is
// the form in which the stock setup works without extra loader flags.
'use strict';

const trace = process.env.TRACE ?? 'none';
const role = process.env.ROLE ?? 'a';

async function main() {
  let tracing;
  if (trace === 'ours') {
    const { getTracingService } = await import('@autobot/tracing');
    tracing = getTracingService();
    tracing.initialize({ serviceName: process.env.SERVICE_NAME ?? `bench-${role}` });
  }
  const Fastify = require('fastify');
  const { Redis } = require('ioredis');
  const app = Fastify({ logger: false });
  // Fault runs (COUNT_RESPONSES=1) count finished responses. A counted response's server span
  // ends when its raw response closes, on the next tick: before any signal handler can run.
  let responses = 0;
  const exit = async () => {
    const signalledAt = Date.now();
    const responsesAtSignal = responses;
    await app.close();
    if (tracing) await tracing.shutdown();
    const stopped = {
      event: 'stopped',
      responsesAtSignal,
      responses,
      stats: tracing ? tracing.stats() : null,
      shutdownMs: Date.now() - signalledAt,
    };
    process.stdout.write(`${JSON.stringify(stopped)}\n`);
    process.exit(0);
  };

  if (role === 'a') {
    const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    await redis.set('work:42', 'cached value');
    const downstream = process.env.DOWNSTREAM_URL;
    app.get('/api/work/:id', async (request) => {
      const { id } = request.params;
      const value = await redis.get(`work:${id}`);
      const response = await fetch(`${downstream}/api/data/${id}`);
      if (!response.ok) throw new Error(`downstream answered ${response.status}`);
      return { id, value, down: await response.json() };
    });
    app.addHook('onClose', async () => redis.disconnect());
  } else {
    app.get('/api/data/:id', async (request) => ({ id: request.params.id, ok: true, items: [1, 2, 3] }));
  }
  app.get('/metrics', async () => ({
    rss: process.memoryUsage().rss,
    stats: tracing ? tracing.stats() : null,
  }));

  if (tracing) tracing.instrumentAll(app);
  if (trace === 'context') requestContexts(app);
  if (process.env.COUNT_RESPONSES === '1') {
    app.addHook('onResponse', (request, _reply, done) => {
      if (request.url.startsWith('/api/work/')) responses++;
      done();
    });
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.once('SIGTERM', exit);
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: address, role, trace })}\n`);
}

/** TRACE=context: the context manager and one context per request, nothing else. */
function requestContexts(app) {
  const { context, createContextKey, ROOT_CONTEXT } = require('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const key = createContextKey('bench.request');
  app.addHook('onRequest', (request, _reply, done) =>
    context.with(ROOT_CONTEXT.setValue(key, request.id), done),
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
