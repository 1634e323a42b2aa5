// Span API cost: TracingService.span() vs the raw OpenTelemetry tracer.startActiveSpan() vs no
// span at all, in one process, on one provider (BatchSpanProcessor in front of an exporter that
// discards), with tinybench. Sync and async bodies. Nine alternating passes by default (three
// gave medians 0.8× to 1.24× in consecutive quiet runs); medians reported.
// Writes bench/results/span.json.
//
//   node bench/span/run.mjs [--time 400] [--passes 9] [--force] [--max-load 0.5] [--settle-wait 180]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTracingLogger, TracingService } from '@autobot/tracing';
import { trace } from '@opentelemetry/api';
import { Bench } from 'tinybench';
import { ROOT } from '../lib/procs.mjs';
import { QUIET_OPTIONS, quietGate } from '../lib/quiet.mjs';

const { values } = parseArgs({
  options: {
    time: { type: 'string', default: '400' },
    passes: { type: 'string', default: '9' },
    ...QUIET_OPTIONS,
  },
});
// Before any measuring: wait for a quiet machine (bench/lib/quiet.mjs), as the other benches do.
const gate = await quietGate(values);
const startedAt = new Date().toISOString();

/** An exporter that accepts and forgets: measures the API, not the wire. */
const discard = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
setTracingLogger({ info() {}, warn() {} });
const base = {
  serviceName: 'bench-span',
  handleSignals: false,
  reportIntervalMs: 0,
  spanExporter: discard,
  maxQueueSize: 65_536,
};
const prod = new TracingService();
prod.initialize({ ...base, environment: 'production' });
// A second service in 'development' (the default environment), where span() also checks the
// span name against the naming convention. Its provider is not the global one; that's fine.
const dev = new TracingService();
dev.initialize({ ...base, environment: 'development' });
const raw = trace.getTracer('autobot'); // the global provider registered by `prod`

let sink = 0;
const work = () => {
  sink++;
  return sink;
};
const asyncWork = async () => {
  sink++;
  return sink;
};

const cases = {
  'sync: no span': () => work(),
  'sync: raw startActiveSpan': () =>
    raw.startActiveSpan('bench.op', (span) => {
      try {
        return work();
      } finally {
        span.end();
      }
    }),
  'sync: TracingService.span (production)': () => prod.span('bench.op', () => work()),
  'sync: TracingService.span (development: name check)': () => dev.span('bench.op', () => work()),
  'async: no span': () => asyncWork(),
  'async: raw startActiveSpan': () =>
    raw.startActiveSpan('bench.op', async (span) => {
      try {
        return await asyncWork();
      } finally {
        span.end();
      }
    }),
  'async: TracingService.span (production)': () => prod.span('bench.op', () => asyncWork()),
  'async: TracingService.span (development: name check)': () => dev.span('bench.op', () => asyncWork()),
};

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let pass = 0; pass < Number(values.passes); pass++) {
  const bench = new Bench({ time: Number(values.time), warmupTime: 100 });
  const names = Object.keys(cases);
  // Alternate the order between passes.
  for (const name of pass % 2 ? names.reverse() : names) bench.add(name, cases[name]);
  await bench.run();
  for (const task of bench.tasks) {
    if (task.result?.state !== 'completed') throw new Error(`${task.name}: ${task.result?.state}`);
    samples[task.name].push(task.result.latency.mean * 1e6); // ns per op
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const results = Object.entries(ns).map(([name, value]) => {
  const kind = name.split(':')[0];
  return {
    name,
    nsPerOp: value,
    samplesNs: samples[name],
    vsRaw: value / ns[`${kind}: raw startActiveSpan`],
  };
});
await prod.shutdown();
await dev.shutdown();
const out = {
  kind: 'span',
  startedAt,
  ...gate,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadavgAfter: loadavg(),
  passes: Number(values.passes),
  timeMs: Number(values.time),
  results,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/span.json'), `${JSON.stringify(out, null, 2)}\n`);
for (const r of results)
  process.stderr.write(
    `${r.name.padEnd(56)} ${r.nsPerOp.toFixed(0).padStart(6)} ns  x${r.vsRaw.toFixed(3)} raw\n`,
  );
