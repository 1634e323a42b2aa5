// Where does tracing's per-request CPU go? One process per variant, each serving the A → B
// request (A via fastify.inject → Redis GET → fetch to B listening on loopback) N times with 20
// in flight, measuring process CPU time per request (process.cpuUsage, robust to a busy machine).
// Variants switch the pieces on one at a time. Spans go to an exporter that discards them.
//
//   node bench/overhead/breakdown.mjs [requests=6000] [passes=3] [variant,variant…] [/abs/path/to/other/dist/index.js]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startRedis, stopAll } from '../lib/procs.mjs';

const VARIANTS = {
  none: {},
  'als only (context manager, no instrumentation)': { als: true },
  'ours@0 all': { rate: 0, fastify: true, redis: true, fetch: true },
  'ours@1 fastify only': { rate: 1, fastify: true },
  'ours@1 fastify+redis': { rate: 1, fastify: true, redis: true },
  'ours@1 fastify+fetch': { rate: 1, fastify: true, fetch: true },
  'ours@1 all': { rate: 1, fastify: true, redis: true, fetch: true },
};

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
} else {
  const requests = Number(process.argv[2] ?? 6000);
  const passes = Number(process.argv[3] ?? 3);
  const only = process.argv[4]?.split(',');
  if (only)
    for (const name of Object.keys(VARIANTS))
      if (name !== 'none' && !only.includes(name)) delete VARIANTS[name];
  // A second build of the library (e.g. the previous commit's) measured in the same passes.
  const other = process.argv[5];
  if (other) {
    for (const [name, variant] of Object.entries(VARIANTS)) {
      if (name !== 'none' && variant.rate !== undefined)
        VARIANTS[`${name} [${other.split('/').slice(-5, -4)[0] ?? 'other'}]`] = {
          ...variant,
          tracing: other,
        };
    }
  }
  const redis = await startRedis();
  const results = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
  try {
    for (let pass = 0; pass < passes; pass++) {
      for (const [name, variant] of Object.entries(VARIANTS)) {
        const out = spawnSync(
          process.execPath,
          [
            fileURLToPath(import.meta.url),
            '--child',
            JSON.stringify({ ...variant, requests, redisUrl: redis.url }),
          ],
          { encoding: 'utf8' },
        );
        if (out.status !== 0) throw new Error(`${name}: ${out.stderr}`);
        results[name].push(JSON.parse(out.stdout).cpuUsPerReq);
      }
    }
  } finally {
    await stopAll();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const base = median(results.none);
  for (const [name, xs] of Object.entries(results)) {
    const m = median(xs);
    process.stdout.write(
      `${name.padEnd(48)} ${m.toFixed(1).padStart(7)} µs/req  +${(m - base).toFixed(1)}  [${xs.map((x) => x.toFixed(0)).join(' ')}]\n`,
    );
  }
}

async function child(v) {
  let tracing;
  const traced = v.rate !== undefined;
  if (traced) {
    const t = await import(v.tracing ?? '@autobot/tracing');
    t.setTracingLogger({ info() {}, warn() {} });
    tracing = t.getTracingService();
    tracing.initialize({
      serviceName: 'breakdown',
      sampleRate: v.rate,
      environment: 'production',
      handleSignals: false,
      reportIntervalMs: 0,
      spanExporter: {
        export: (_s, done) => done({ code: 0 }),
        shutdown: async () => {},
        forceFlush: async () => {},
      },
    });
  } else if (v.als) {
    const { context } = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const { default: Fastify } = await import('fastify');
  const { Redis } = await import('ioredis');
  const t = traced ? await import(v.tracing ?? '@autobot/tracing') : undefined;
  const b = Fastify({ logger: false });
  b.get('/api/data/:id', async (request) => ({ id: request.params.id, ok: true, items: [1, 2, 3] }));
  const a = Fastify({ logger: false });
  const redis = new Redis(v.redisUrl);
  await redis.set('work:42', 'cached value');
  if (traced) {
    if (v.fastify) {
      t.instrumentFastify(a);
      t.instrumentFastify(b);
    }
    if (v.redis) t.instrumentRedis();
    if (v.fetch) t.instrumentFetch();
  }
  if (v.als) {
    const { context, ROOT_CONTEXT } = await import('@opentelemetry/api');
    a.addHook('onRequest', (_req, _reply, done) => context.with(ROOT_CONTEXT, done));
  }
  const bUrl = await b.listen({ port: 0, host: '127.0.0.1' });
  a.get('/api/work/:id', async (request) => {
    const value = await redis.get(`work:${request.params.id}`);
    const response = await fetch(`${bUrl}/api/data/${request.params.id}`);
    return { value, down: await response.json() };
  });
  await a.ready();
  const one = async () => {
    const r = await a.inject({ method: 'GET', url: '/api/work/42', headers: { 'user-agent': 'bench' } });
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  };
  const run = async (n) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next++ < n) await one();
      }),
    );
  };
  await run(1500); // warm-up
  const before = process.cpuUsage();
  await run(v.requests);
  const used = process.cpuUsage(before);
  process.stdout.write(`${JSON.stringify({ cpuUsPerReq: (used.user + used.system) / v.requests })}\n`);
  redis.disconnect();
  await b.close();
  if (tracing) await tracing.shutdown();
  process.exit(0);
}
