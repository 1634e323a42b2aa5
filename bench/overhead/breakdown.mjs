// Where does tracing's per-request CPU go? One process per variant, each serving the A → B
// request (A via fastify.inject → Redis GET → fetch to B listening on loopback) N times with 20
// in flight, measuring process CPU time per request (process.cpuUsage). Variants switch the pieces
// on one at a time, at rate 0 and at rate 1. Spans go to an exporter that discards them, except
// the `export` variants: those send real OTLP/HTTP protobuf (gzip or uncompressed) to a sink in
// another process that reads and discards each request, so the export path's serialization,
// compression and HTTP cost lands in the measured process. Passes interleave the variants.
//
//   node bench/overhead/breakdown.mjs [requests=6000] [passes=3] [variant,variant…|all]
//        [--before <older build's packages/tracing/dist>] [--node <path>] [--prof <dir>]
//        [--force] [--max-load 0.5] [--settle-wait 180]
// --before measures each traced variant again with an older build of the library, in the same
// passes, as `<variant> [before]`. --node runs the measured processes under another Node binary
// (default: this one, or AUTOBOT_BENCH_NODE). --prof writes one .cpuprofile per variant (last
// pass) into <dir> and prints where @autobot/tracing's own time goes. Waits for a quiet machine
// (bench/lib/quiet.mjs) and writes bench/results/breakdown-node<major>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startAllocationSampling } from '../lib/allocation-profile.mjs';
import { summarizeProfile } from '../lib/cpuprofile.mjs';
import { benchNode, startNullSink, startRedis, stopAll } from '../lib/procs.mjs';
import { QUIET_OPTIONS, quietGate } from '../lib/quiet.mjs';
import { perNodeName, writeResult } from '../lib/results.mjs';
import { median } from '../lib/stats.mjs';
import { selectVariants, VARIANTS } from './breakdown-variants.mjs';

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]));
} else {
  await parent();
}

/** Runs every selected variant `passes` times, interleaved, and writes the result file. */
async function parent() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      node: { type: 'string' },
      prof: { type: 'string' },
      before: { type: 'string' },
      ...QUIET_OPTIONS,
    },
  });
  const node = benchNode(values.node);
  const requests = Number(positionals[0] ?? 6000);
  const passes = Number(positionals[1] ?? 3);
  const list = positionals[2] && positionals[2] !== 'all' ? positionals[2] : Object.keys(VARIANTS).join(',');
  const measured = selectVariants(list, values.before);
  const profDir = values.prof ? resolve(values.prof) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const gate = await quietGate(values, (line) => process.stderr.write(`${line}\n`));
  const startedAt = new Date().toISOString();
  const redis = await startRedis();
  const { url: sinkUrl } = await startNullSink();
  const results = Object.fromEntries(Object.keys(measured).map((k) => [k, { passes: [], lost: [] }]));
  const profiles = {};
  process.stderr.write(`node ${node.path} (${node.version}), ${requests} requests × ${passes} passes\n`);
  try {
    for (let pass = 0; pass < passes; pass++) {
      for (const [name, variant] of Object.entries(measured)) {
        const profile = profDir !== undefined && pass === passes - 1;
        const file = `${name.replace(/[^a-z0-9@]+/gi, '-')}.cpuprofile`;
        const out = spawnSync(
          node.path,
          [
            ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', file] : []),
            fileURLToPath(import.meta.url),
            '--child',
            JSON.stringify({ ...variant, requests, redisUrl: redis.url, sinkUrl }),
          ],
          { encoding: 'utf8' },
        );
        if (out.status !== 0) throw new Error(`${name}: ${out.stderr}`);
        const line = JSON.parse(out.stdout);
        results[name].passes.push(line.cpuUsPerReq);
        if (line.stats && (line.stats.dropped > 0 || line.stats.failed > 0))
          results[name].lost.push({ pass, dropped: line.stats.dropped, failed: line.stats.failed });
        if (profile) profiles[name] = join(profDir, file);
      }
    }
  } finally {
    await stopAll();
  }
  const base = median(results.none.passes);
  const variants = Object.entries(results).map(([name, { passes: xs, lost }]) => ({
    name,
    variant: measured[name],
    cpuUsPerRequest: median(xs),
    deltaPerRequest: median(xs) - base,
    passes: xs,
    lost,
  }));
  const file = writeResult(perNodeName('breakdown', node.version), {
    kind: 'breakdown',
    startedAt,
    finishedAt: new Date().toISOString(),
    ...gate,
    loadavgAfter: loadavg(),
    node: node.version,
    nodePath: node.path,
    requests,
    passes,
    before: values.before,
    variants,
  });
  process.stdout.write(
    `node ${node.version}; CPU µs per request, median of ${passes} (each pass in brackets)\n`,
  );
  for (const v of variants) {
    process.stdout.write(
      `${v.name.padEnd(56)} ${v.cpuUsPerRequest.toFixed(1).padStart(7)} µs/req  ${v.deltaPerRequest >= 0 ? '+' : ''}${v.deltaPerRequest.toFixed(1)}  [${v.passes.map((x) => x.toFixed(0)).join(' ')}]${v.lost.length ? `  lost spans in ${v.lost.length} pass(es)` : ''}\n`,
    );
  }
  process.stdout.write(`wrote ${file}\n`);
  for (const [name, path] of Object.entries(profiles)) {
    if (!readdirSync(profDir).includes(path.split('/').pop())) continue;
    process.stdout.write(`\n== ${name}: ${summarizeProfile(path, 15)}`);
  }
}

/** One measured process: set up the variant, serve `v.requests` requests, print CPU µs per request. */
async function child(v) {
  const traced = v.rate !== undefined;
  const tracing = traced ? await startTracing(v) : undefined;
  if (!traced && v.als) await enableContextOnly();
  const { a, b, redis } = await serviceUnderTest(v, traced);
  const result = await measure(a, v, tracing);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  redis.disconnect();
  await b.close();
  if (tracing) await tracing.shutdown();
  process.exit(0);
}

/** Initialise the tracing service for the variant: a discarding exporter, or OTLP/HTTP to the sink. */
async function startTracing(v) {
  const t = await import(v.tracing ?? '@autobot/tracing');
  t.setTracingLogger({ info() {}, warn() {} });
  const tracing = t.getTracingService();
  const exporter =
    v.export === undefined
      ? {
          spanExporter: {
            export: (_s, done) => done({ code: 0 }),
            shutdown: async () => {},
            forceFlush: async () => {},
          },
        }
      : { endpoint: v.sinkUrl, protocol: 'http/protobuf' };
  tracing.initialize(
    {
      serviceName: 'breakdown',
      sampleRate: v.rate,
      environment: 'production',
      handleSignals: false,
      reportIntervalMs: 0,
      ...exporter,
    },
    {
      ...(v.export ? { OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: v.export } : {}),
      ...(v.redisRoots ? { AUTOBOT_TRACE_REDIS_ROOT_SPANS: 'true' } : {}),
      ...v.env,
    },
  );
  return tracing;
}

/** The `als only` variant: OpenTelemetry's context manager alone, no tracing library. */
async function enableContextOnly() {
  const { context } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * Service A (`/api/work/:id`: Redis GET, then fetch to B) ready for `inject`, and B listening on
 * loopback, with the variant's instrumentations switched on.
 */
async function serviceUnderTest(v, traced) {
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
  return { a, b, redis };
}

/** Warm up, then serve `v.requests` requests 20 at a time and take the CPU time they used. */
async function measure(a, v, tracing) {
  const headers = { 'user-agent': 'bench' };
  if (v.parent) headers.traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00';
  const one = async () => {
    const r = await a.inject({ method: 'GET', url: '/api/work/42', headers });
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
  await run(v.warmup ?? 1500); // warm-up
  if (tracing) await tracing.forceFlush();
  // allocation.mjs: sample what these requests allocate (bench/lib/allocation-profile.mjs).
  const stopSampling =
    v.allocationProfile === undefined ? undefined : await startAllocationSampling(v.samplingInterval);
  const before = process.cpuUsage();
  await run(v.requests);
  // The export path's work for these requests belongs to them: flush it inside the measurement.
  if (tracing) await tracing.forceFlush();
  const used = process.cpuUsage(before);
  if (stopSampling) await stopSampling(v.allocationProfile);
  return { cpuUsPerReq: (used.user + used.system) / v.requests, stats: tracing?.stats() };
}
