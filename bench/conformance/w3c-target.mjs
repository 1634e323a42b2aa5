// Test-target service for the official W3C Trace Context suite (github.com/w3c/trace-context,
// test/README.md "Implement Test Service"): the harness POSTs a JSON list of {url, arguments};
// for each entry this service POSTs `arguments` to `url` with plain `fetch`, so the outgoing
// traceparent/tracestate are whatever the built @autobot/tracing propagates (Fastify server
// span -> fetch client span). Spans are discarded; only the headers matter here.
// Prints `{"event":"listening","port":N}` on stdout once ready. PORT=0 picks a free port.
import { getTracingService } from '@autobot/tracing';
import Fastify from 'fastify';

const discard = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

const tracing = getTracingService();
tracing.initialize({ serviceName: 'w3c-target', spanExporter: discard, reportIntervalMs: 0 });

const app = Fastify({ logger: false });
tracing.instrumentAll(app);

app.post('/test', async (request) => {
  const actions = Array.isArray(request.body) ? request.body : [];
  for (const action of actions) {
    const response = await fetch(action.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action.arguments ?? []),
    });
    await response.arrayBuffer();
  }
  return {};
});

const address = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`${JSON.stringify({ event: 'listening', port: new URL(address).port })}\n`);

const stop = async () => {
  await app.close();
  await tracing.shutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
